// Issue 16: a code that goes by a template which cannot state the amount (WhatsApp's
// authentication templates) goes only after a message stating the amount and the store, and
// the cashier's screen says so. The gateway here is a fake provider on 127.0.0.1 taking JSON;
// the template is configured on SMS, the demo customer's channel, as it would be on WhatsApp.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, SIZES, startServer } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { fakeProvider } from '../lib/provider.mjs';
import {
  chooseInstrument, enterBill, enterCode, findCustomer, hold, look, openApp, signIn, tid,
  waitForConfirm,
} from '../lib/app.mjs';

/** A fake template provider taking JSON. */
const provider = fakeProvider(JSON.parse);
const suite = {};

before(async () => {
  const port = await provider.start();
  suite.server = await startServer([], {
    config: `
[gateways.sms]
type = "http"
url = "http://127.0.0.1:${port}/messages"
json = '{ "to": "{to_digits}", "text": "{message}" }'

[gateways.sms.templates.otp]
template_id = "code_auth"
category = "authentication"
json = '{ "to": "{to_digits}", "template": "{template_id}", "code": "{otp}" }'

[gateways.sms.templates.notice]
template_id = "amount_first"
json = '{ "to": "{to_digits}", "template": "{template_id}", "store": "{store}", "what": "{quantity}", "worth": "{value}" }'
`,
  });
  suite.browser = await launchBrowser();
  suite.api = new Api(suite.server);
  await suite.api.signIn();
});
after(async () => {
  await suite.browser?.close();
  await suite.server?.stop();
  await provider.stop();
});

test('a code by an authentication template: the amount goes first, and the till says so', async () => {
  const page = await openApp(suite.browser, suite.server, SIZES.tablet);
  await signIn(page);
  await enterBill(page, `B-AUTH-${Date.now()}`, '2000');
  await findCustomer(page, 'Asha', 'cust-asha');
  await chooseInstrument(page, 'points');
  provider.requests.length = 0;
  await hold(page, 100, 'sms');
  await page.waitForSelector(tid('otp-destination'));
  await page.waitForFunction(() => /amount went first/.test(document.querySelector('#status')?.textContent ?? ''));
  assert.equal(
    (await page.textContent('#status')).trim(),
    'Code sent by SMS to +91 ••••••3210. The amount went first in a message of its own; the code is in the second. Ask the customer to read it out.',
  );
  assert.equal(
    (await page.textContent(tid('otp-destination'))).trim(),
    'Code sent by SMS to +91 ••••••3210, after a message with the amount',
  );
  // The notice first, stating the amount and the store and no code; then the code alone.
  assert.equal(provider.requests.length, 2);
  const [notice, code] = provider.requests;
  assert.equal(notice.template, 'amount_first');
  assert.equal(notice.what, '100 points');
  assert.equal(notice.worth, '₹100.00');
  assert.match(notice.store, /RedeemGuard Demo/);
  assert.equal(code.template, 'code_auth');
  assert.match(code.code, /^\d{6,10}$/);
  assert.ok(!JSON.stringify(notice).includes(code.code), 'the notice never holds the code');
  assert.ok(!(await page.content()).includes(code.code), 'the page never holds the code');
  await look(page, '92-code-after-the-amount');
  await enterCode(page, code.code);
  await waitForConfirm(page);
  await page.click(tid('cancel'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
