// Issue 16: "sent" is only the provider's API taking the message; its delivery report says
// later whether the phone got it, and the customer may reply that they did not ask for it. The gateway here is a fake provider on 127.0.0.1; its
// report reaches the real server at /v1/delivery-reports/sms, proven by the gateway's token,
// and the till's code screen, reading the redemption again, says what became of the code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, launchBrowser, SIZES, startServer } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { fakeProvider } from '../lib/provider.mjs';
import { chooseInstrument, enterBill, findCustomer, hold, look, lookAt, openApp, signIn, tid } from '../lib/app.mjs';

const provider = fakeProvider(JSON.parse);
const TOKEN = 'reportTokenFromTheProvider7';
const suite = {};

before(async () => {
  const port = await provider.start();
  suite.server = await startServer([], {
    config: `
[gateways.sms]
type = "http"
url = "http://127.0.0.1:${port}/messages"
json = '{ "to": "{to_digits}", "text": "{message}" }'
message_id = "/id"

[gateways.sms.delivery_reports]
auth = "token"
secret_env = "SMS_REPORT_TOKEN"
id = "/id"
status = "/status"
reason = "/reason"
delivered = ["delivered"]
failed = ["failed", "undelivered"]

[gateways.sms.replies]
auth = "token"
secret_env = "SMS_REPORT_TOKEN"
from = "/from"
text = "/text"
keywords = ["NOTME"]
`,
    env: { SMS_REPORT_TOKEN: TOKEN },
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

/** The provider's report on message `id`. */
async function report(id, status, reason) {
  const r = await fetch(`${suite.server.url}/v1/delivery-reports/sms?token=${TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, status, reason }),
  });
  assert.equal(r.status, 200, await r.text());
}

const deliveryLine = (page) => page.textContent(tid('otp-delivery')).then((t) => t.trim());

test('a code that fails at the operator: the till says so and offers another channel first', async () => {
  const page = await openApp(suite.browser, suite.server, SIZES.tablet);
  await signIn(page);
  await enterBill(page, `B-DLR-${Date.now()}`, '2000');
  await findCustomer(page, 'Asha', 'cust-asha');
  await chooseInstrument(page, 'points');
  provider.requests.length = 0;
  await hold(page, 100, 'sms');
  await page.waitForSelector(tid('otp-delivery'));
  assert.equal(await deliveryLine(page), "Waiting for the operator to confirm delivery to the customer's phone.");
  assert.equal(provider.requests.length, 1);
  const code = provider.requests[0].text.match(/\b\d{6,10}\b/)[0];
  assert.ok(!(await page.content()).includes(code), 'the page never holds the code');
  await look(page, '93-code-awaiting-delivery-report');

  // A forged report (no token) is refused and changes nothing.
  const forged = await fetch(`${suite.server.url}/v1/delivery-reports/sms`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: `msg-${provider.taken}`, status: 'delivered' }),
  });
  assert.equal(forged.status, 401);

  await report(`msg-${provider.taken}`, 'undelivered', 'DND number');
  await page.waitForFunction(() => /Failed at the operator/.test(document.querySelector('[data-testid="otp-delivery"]')?.textContent ?? ''), null, { timeout: 15_000 });
  assert.equal(await deliveryLine(page), 'Failed at the operator (DND number): this code will not arrive.');
  assert.equal(
    (await page.textContent('#status')).trim(),
    "The SMS message with the code could not be delivered to the customer's phone. Send a new code by WhatsApp or Email.",
  );
  // Another channel is chosen for the new code, and it may go at once (no cooldown).
  assert.ok(!(await page.isChecked('#channel-sms')), 'SMS is no longer the choice');
  assert.ok(await page.isChecked('#channel-whatsapp'));
  assert.ok(await page.isEnabled(tid('resend')));
  await look(page, '94-code-failed-at-the-operator');
  // Typed anyway, the old code is refused at its field: it is void.
  await page.fill('#otp-code', code);
  await page.waitForFunction(() => /never delivered/.test(document.querySelector('#otp-code-error')?.textContent ?? ''));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a code reported delivered says so, and nothing else changes', async () => {
  const page = await openApp(suite.browser, suite.server, SIZES.desktop);
  await signIn(page, { terminal: 'demo-till-2' });
  await enterBill(page, `B-DLR2-${Date.now()}`, '2000');
  await findCustomer(page, 'Asha', 'cust-asha');
  await chooseInstrument(page, 'points');
  provider.requests.length = 0;
  await hold(page, 50, 'sms');
  await page.waitForSelector(tid('otp-delivery'));
  const before = (await page.textContent('#status')).trim();
  await report(`msg-${provider.taken}`, 'delivered');
  await page.waitForFunction(() => /Delivered to/.test(document.querySelector('[data-testid="otp-delivery"]')?.textContent ?? ''), null, { timeout: 15_000 });
  assert.equal(await deliveryLine(page), "Delivered to the customer's phone.");
  assert.equal((await page.textContent('#status')).trim(), before, 'the notice stays');
  assert.ok(await page.isChecked('#channel-sms'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the day\'s report counts what the provider said of the codes', async () => {
  const page = await openApp(suite.browser, suite.server, SIZES.desktop, '/reports');
  await signIn(page, { staff: DEMO.manager });
  await page.waitForSelector(tid('report-deliveries'));
  assert.equal(
    (await page.textContent(tid('report-deliveries'))).trim(),
    'Codes with delivery reports: SMS 1 delivered, 1 failed at the operator, 0 with no report yet.',
  );
  await look(page, '95-report-delivery-counts');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a customer who replies NOTME: the till says so, the code no longer works, no new one goes', async () => {
  const page = await openApp(suite.browser, suite.server, SIZES.tablet);
  await signIn(page);
  await enterBill(page, `B-NOTME-${Date.now()}`, '2000');
  await findCustomer(page, 'Asha', 'cust-asha');
  await chooseInstrument(page, 'points');
  await hold(page, 100, 'sms');
  await page.waitForSelector(tid('otp-delivery'));
  const r = await fetch(`${suite.server.url}/v1/replies/sms?token=${TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: '919876543210', text: 'notme' }),
  });
  // Every live code sent by SMS to her number is void: this one, and the one still open from
  // the test before (delivered, never typed).
  assert.deepEqual(await r.json(), { disowning: 1, codes_voided: 2 });
  await page.waitForFunction(() => /did not ask/.test(document.querySelector('[data-testid="otp-delivery"]')?.textContent ?? ''), null, { timeout: 15_000 });
  assert.equal(await deliveryLine(page), 'The customer replied that they did not ask for this code: it no longer works.');
  assert.match((await page.textContent('#status')).trim(), /^The customer replied that they did not ask for this code\./);
  assert.ok(!(await page.isEnabled(tid('verify'))), 'Verify is off');
  await look(page, '96-code-disowned-by-the-customer');
  assert.deepEqual(page.problems, []);
  await page.click(tid('cancel'));
  await page.context().close();
});

test('at the kiosk, the voucher code screen says what the operator reported', async () => {
  const page = await openApp(suite.browser, suite.server, SIZES.kiosk, '/kiosk');
  await page.waitForSelector('#terminal-token');
  await page.fill('#terminal-token', DEMO.kiosk);
  await page.click(tid('sign-in'));
  await page.waitForSelector('#kiosk-number');
  // Priya Nair identifies herself with her mobile; her code comes by the provider.
  provider.requests.length = 0;
  await page.fill('#kiosk-number', '98450 12345');
  await page.click(tid('kiosk-send'));
  await page.waitForSelector('#kiosk-code');
  const deadline = Date.now() + 10_000;
  while (provider.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const identification = provider.requests[0].text.match(/\b\d{6,10}\b/)[0];
  await page.fill('#kiosk-code', identification);
  await page.waitForSelector(tid('balance'));
  await page.click(`${tid('instrument')}[data-kind="points"] ${tid('choose-instrument')}`);
  await page.waitForSelector('#quantity');
  await page.fill('#quantity', '100');
  await page.click(tid('hold'));
  await page.waitForSelector(tid('otp-delivery'));
  // The kiosk speaks to the customer.
  assert.equal(await deliveryLine(page), 'Waiting for the operator to confirm delivery to your phone.');
  await lookAt(page, 'k08-kiosk-code-awaiting-report', [SIZES.kiosk]);
  await report(`msg-${provider.taken}`, 'delivered');
  await page.waitForFunction(() => /Delivered to/.test(document.querySelector('[data-testid="otp-delivery"]')?.textContent ?? ''), null, { timeout: 15_000 });
  assert.equal(await deliveryLine(page), 'Delivered to your phone.');
  await lookAt(page, 'k09-kiosk-code-delivered', [SIZES.kiosk]);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
