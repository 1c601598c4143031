// Issue 16 (seed 004): a manager writes a message to customers in the back office, sees who it
// reaches and the text as they read it, sends it only to customers who agreed, and follows
// its delivery; and records a customer's consent. On the demo server the customers' phone is
// the demo outbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, demoSuite, readMessageFromPhone, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { lookAt, openApp, signIn, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });
const STORE = 'RedeemGuard Demo Salon & Store';

/** The messages page (`/messages`, its own bundle), reached from the back office's link. */
async function messagesPage() {
  const office = await openApp(demo.browser, demo.server, SIZES.desktop, '/back-office');
  await signIn(office, { staff: DEMO.manager });
  await office.waitForSelector(tid('open-messages'));
  assert.equal(await office.getAttribute(tid('open-messages'), 'href'), '/messages');
  await office.close();
  const page = await openApp(demo.browser, demo.server, SIZES.desktop, '/messages');
  await signIn(page, { staff: DEMO.manager });
  await page.waitForSelector(tid('compose-message'));
  await page.waitForSelector(`${tid('no-messages')}, ${tid('sent-messages')}`);
  return page;
}

async function waitForStatus(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('#status')?.textContent ?? ''),
    pattern.source,
    { timeout: 15_000 },
  );
  return page.textContent('#status');
}

test('a promotional message reaches only the customer who agreed, as previewed, and its delivery shows', async () => {
  const page = await messagesPage();
  await lookAt(page, '97-messages', [SIZES.desktop, SIZES.tablet]);

  // A code in a message to customers is refused at its field; nothing is asked of the server.
  await page.fill('#message-customers', '+919876543210');
  await page.fill('#message-text', 'Your code is {otp}');
  await page.click(tid('preview-message'));
  await page.waitForSelector('#message-text[aria-invalid="true"]');
  assert.match(await page.textContent('#message-text-error'), /remove \{otp\}/);

  // Asha (by mobile) agreed to offers; Vikram (by card) did not; one line is nobody.
  await page.fill('#message-customers', '+919876543210\nRG00012346\nnobody@example.com');
  await page.selectOption('#message-category', 'promotional');
  await page.fill('#message-text', 'Hi {customer}, 20% off hair spa this weekend at {store}');
  await page.click(tid('preview-message'));
  await page.waitForSelector(tid('message-preview'));
  assert.equal(
    (await page.textContent(tid('preview-text'))).trim(),
    `Hi Asha Rao, 20% off hair spa this weekend at ${STORE}`,
  );
  const summary = await page.textContent(tid('preview-summary'));
  assert.match(summary, /Goes to 1 customer\./);
  assert.match(summary, /Left out: 1 customer, who did not agree to promotional messages\./);
  assert.match(summary, /Not a customer: nobody@example\.com\./);
  assert.equal(await page.textContent(tid('send-message')), 'Send to 1 customer');
  await lookAt(page, '98-messages-preview', [SIZES.desktop, SIZES.tablet]);

  // Changing the message takes the preview away: only what was previewed can be sent.
  await page.fill('#message-text', 'Hi {customer}, 25% off hair spa this weekend at {store}');
  await page.waitForSelector(tid('message-preview'), { state: 'detached' });
  await page.click(tid('preview-message'));
  await page.waitForSelector(tid('message-preview'));

  const started = Date.now();
  await page.click(tid('send-message'));
  await waitForStatus(page, /Sending to 1 customer\./);
  assert.equal(await page.inputValue('#message-text'), '', 'the form is emptied');
  const received = await readMessageFromPhone(demo.server, 'cust-asha', 'manual', { after: started - 1000 });
  assert.equal(received.text, `Hi Asha Rao, 25% off hair spa this weekend at ${STORE}`);
  const vikram = await (await fetch(`${demo.server.url}/demo/outbox.json`)).json();
  assert.ok(!vikram.some((m) => m.customer_id === 'cust-vikram' && m.kind === 'manual'), 'no offer to Vikram');

  await page.click(tid('refresh-messages'));
  await page.waitForFunction(
    (sel) => /1 sent, no report yet/.test(document.querySelector(sel)?.textContent ?? ''),
    tid('message-delivery'),
  );
  const row = await page.textContent(tid('sent-message'));
  assert.match(row, /3 customers \(sent to 1 by SMS\)/);
  assert.match(row, /Promotional/);
  assert.match(row, /Rahul Mehta/);
  await lookAt(page, '99-messages-sent', [SIZES.desktop, SIZES.tablet]);
  const { entries } = await demo.api.audit();
  assert.ok(entries.some((e) => e.action === 'customers_messaged'), 'audited');
  await page.close();
});

test("a customer's consent is recorded, and then they are reached", async () => {
  const page = await messagesPage();
  await page.click(tid('save-consent'));
  await page.waitForSelector('#consent-customer[aria-invalid="true"]');
  await page.fill('#consent-customer', 'RG00012346');
  await page.check('#consent-service');
  await page.check('#consent-promotional');
  await page.click(tid('save-consent'));
  assert.match(
    await waitForStatus(page, /Saved for Vikram Singh/),
    /service messages yes, promotional messages yes/,
  );
  await page.fill('#message-customers', 'RG00012346');
  await page.selectOption('#message-category', 'promotional');
  await page.fill('#message-text', 'New colours in store at {store}');
  await page.click(tid('preview-message'));
  await page.waitForSelector(tid('message-preview'));
  assert.match(await page.textContent(tid('preview-summary')), /Goes to 1 customer\./);
  await page.close();
});

test('a manager sends themselves the daily sales summary; a member without a mobile cannot get it', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.desktop, '/back-office');
  await signIn(page, { staff: DEMO.manager });
  await page.waitForSelector(tid('show-staff'));
  await page.click(tid('show-staff'));
  await page.waitForSelector(tid('staff-list'));
  const row = (code) => page.locator(`${tid('staff-member')}[data-code="${code}"]`);
  assert.match(await row('C001').textContent(), /No mobile/);
  await row('M001').getByRole('button', { name: 'Send the daily summary to Rahul Mehta' }).click();
  await waitForStatus(page, /Rahul Mehta gets the store's daily sales summary by SMS at closing time\./);
  await row('M001').getByRole('button', { name: 'Stop the daily summary to Rahul Mehta' }).waitFor();
  assert.match(await row('M001').locator(tid('daily-summary-state')).textContent(), /Yes/);
  await lookAt(page, '96-staff-daily-summary', [SIZES.desktop, SIZES.tablet]);
  await page.close();
});
