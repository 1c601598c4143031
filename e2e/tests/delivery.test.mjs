// Issue 6: the server sends codes through a real HTTP gateway (here a fake one on 127.0.0.1).
// When the gateway fails, the cashier's screen says "not sent" with the reason and what to do,
// nothing was redeemed, and sending again works at once (a failed send does not use up the
// customer's limit). Every screen is scanned by axe-core and photographed at both sizes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, SIZES, startServer } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { fakeProvider } from '../lib/provider.mjs';
import {
  chooseInstrument, enterBill, enterCode, findCustomer, hold, look, openApp, signIn, tid,
  waitForConfirm,
} from '../lib/app.mjs';

/** A fake SMS provider taking a form. */
const gateway = fakeProvider();
const suite = {};

before(async () => {
  const port = await gateway.start();
  suite.server = await startServer([], {
    config: `
[gateways.sms]
type = "http"
url = "http://127.0.0.1:${port}/sms"
form = { to = "{to}", text = "{message}" }
timeout_ms = 1500
attempts = 2
`,
  });
  suite.browser = await launchBrowser();
  suite.api = new Api(suite.server);
  await suite.api.signIn();
});
after(async () => {
  await suite.browser?.close();
  await suite.server?.stop();
  await gateway.stop();
});

/** Up to the quantity: holding it sends the code (by SMS, chosen with the quantity). */
async function toQuantity(page, customerId, query) {
  await signIn(page);
  await enterBill(page, `B-${customerId}-${Date.now()}`, '2000');
  await findCustomer(page, query, customerId);
  await chooseInstrument(page, 'points');
}

/** What went wrong in the page, apart from Chromium noting the 502 answer itself. */
const unexpected = (page) => page.problems.filter((p) => !/status of 502/.test(p));

async function statusSays(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('#status')?.textContent ?? ''),
    pattern.source,
    { timeout: 20_000 },
  );
  return page.textContent('#status');
}

test('gateway error: "not sent" with the reason; sending again goes through at once', async () => {
  const page = await openApp(suite.browser, suite.server, SIZES.tablet);
  const before = (await suite.api.instrument('cust-asha', 'points')).available;
  await toQuantity(page, 'cust-asha', 'Asha');
  gateway.mode = 'fail';
  gateway.requests.length = 0;
  await hold(page, 100, 'sms');
  const status = await statusSays(page, /Not sent/);
  assert.equal(
    status.trim(),
    'Not sent: the SMS gateway had a problem on its side. Nothing was sent to the customer; try again in a moment or choose another channel.',
  );
  assert.equal(gateway.requests.length, 2, 'a 5xx is tried once more, then reported');
  assert.equal(await page.isVisible(tid('otp-destination')), false, 'no "code sent" on screen');
  assert.equal((await suite.api.instrument('cust-asha', 'points')).available, before - 100, 'only held, nothing redeemed');
  await look(page, '30-otp-not-sent-gateway-error');

  // The failed send voided its code and did not count: the cashier can send again at once.
  gateway.mode = 'ok';
  await page.click(tid('send-otp'));
  await page.waitForSelector(tid('otp-destination'));
  const delivered = gateway.requests.at(-1);
  assert.equal(delivered.to, '+919876543210');
  const code = delivered.text.match(/\b(\d{6,10})\b/)[1];
  assert.ok(!(await page.content()).includes(code), 'the page never holds the code');
  await enterCode(page, code);
  await waitForConfirm(page);
  await page.click(tid('cancel'));
  assert.deepEqual(unexpected(page), []);
  await page.context().close();
});

test('gateway silent: "not sent", the gateway did not answer in time', async () => {
  const page = await openApp(suite.browser, suite.server, SIZES.desktop);
  await toQuantity(page, 'cust-vikram', '9812345678');
  gateway.mode = 'hang';
  const started = Date.now();
  await hold(page, 100, 'sms');
  const status = await statusSays(page, /Not sent/);
  assert.equal(
    status.trim(),
    'Not sent: the SMS gateway did not answer in time. If a code arrives later it will not work; send a new code or choose another channel.',
  );
  const waited = Date.now() - started;
  assert.ok(waited >= 1500 && waited < 10_000, `answered after ${waited} ms`);
  await look(page, '31-otp-not-sent-timeout');
  gateway.mode = 'ok';
  assert.deepEqual(unexpected(page), []);
  await page.context().close();
});
