// Issue 12 item 7 (S8): when the customer did not get the code, the cashier asks a manager from
// the till and the manager approves or declines on their own device in the back office. No
// manager secret is typed at the till; the till moves on by itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, demoSuite, newPage, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import {
  chooseInstrument, confirmAndGetReceipt, enterBill, findCustomer, hold, lookAt, openApp,
  sendCode, signIn, tid, waitForConfirm,
} from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });

/** The back office on the manager's own device, on its Approvals page. */
async function backOffice() {
  const page = await openApp(demo.browser, demo.server, SIZES.desktop, '/back-office');
  await signIn(page, { staff: DEMO.manager });
  await page.waitForSelector(tid('show-approvals'));
  await page.click(tid('show-approvals'));
  await page.waitForSelector(`${tid('no-approvals')}, ${tid('approvals')}`);
  return page;
}

/** At the till: a hold, a code sent, then "Customer did not get the code" → ask a manager. */
async function askManager(till, bill, quantity, reason) {
  await enterBill(till, bill, '2000');
  await findCustomer(till, 'Asha', 'cust-asha');
  await chooseInstrument(till, 'points');
  await hold(till, quantity);
  await sendCode(till);
  await till.click(tid('open-override'));
  await till.waitForSelector('#override-reason');
  await till.fill('#override-reason', reason);
  await till.click(tid('request-approval'));
  await till.waitForSelector(tid('awaiting-approval'));
}

/** The request for `bill`, once the back office's list has refreshed to show it. */
async function requestFor(office, bill) {
  const item = office.locator(tid('approval'), { hasText: bill });
  await item.waitFor({ timeout: 15_000 });
  return item;
}

test('S8: a manager approves on their own device and the till moves on to confirm', async () => {
  const office = await backOffice();
  assert.match(await office.textContent(tid('no-approvals')), /No requests are waiting/);
  await lookAt(office, '60-approvals-empty', [SIZES.desktop, SIZES.tablet]);

  const till = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(till);
  const before = (await demo.api.instrument('cust-asha', 'points')).available;
  const bill = `B-APPROVE-${Date.now()}`;
  await askManager(till, bill, 250, 'SMS not delivered');
  assert.equal(await till.locator('#manager-pin').count(), 0, 'no manager PIN field at the till');
  assert.match(await till.textContent(tid('approval-reason')), /SMS not delivered/);
  await lookAt(till, '61-awaiting-approval', [SIZES.tablet, SIZES.desktop]);

  const item = await requestFor(office, bill);
  const text = await item.textContent();
  assert.match(text, /250/, `the quantity: ${text}`);
  assert.match(text, /Asha/, `the customer: ${text}`);
  assert.match(text, /SMS not delivered/, `the reason: ${text}`);
  assert.match(text, /Asked by/, `who asked: ${text}`);
  await lookAt(office, '62-approvals-request', [SIZES.desktop, SIZES.tablet]);
  await item.locator(tid('approve')).click();
  await item.waitFor({ state: 'detached', timeout: 15_000 });
  assert.match(await office.textContent('body'), /Approved: .* can now confirm it\./);

  await waitForConfirm(till);
  assert.match(await till.textContent('body'), /approved\. Confirm the redemption/);
  const receipt = await confirmAndGetReceipt(till);
  assert.match(receipt, /250/);
  assert.equal((await demo.api.instrument('cust-asha', 'points')).available, before - 250);
  const { entries } = await demo.api.audit();
  assert.ok(
    entries.some((e) => e.action === 'override' && JSON.stringify(e).includes('manager_device')),
    'the approval is audited as an override given on the manager\'s own device',
  );
  await till.context().close();
  await office.context().close();
});

test('S8: a manager declines and the till is back at the code with the reason why', async () => {
  const office = await backOffice();
  const till = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(till);
  const before = (await demo.api.instrument('cust-asha', 'points')).available;
  const bill = `B-DECLINE-${Date.now()}`;
  await askManager(till, bill, 120, 'Customer left the phone at home');
  const item = await requestFor(office, bill);
  await item.locator(tid('decline')).click();
  await till.waitForFunction(() => /declined\. Send the customer a new code, or cancel/.test(document.body.innerText), null, { timeout: 15_000 });
  await till.waitForSelector('#otp-code');
  assert.equal(
    (await demo.api.instrument('cust-asha', 'points')).available, before - 120,
    'still held while the cashier decides',
  );
  await till.click(tid('cancel'));
  await till.waitForSelector('#bill-id, [data-testid="closed"]');
  let available;
  for (let i = 0; i < 50; i++) {
    available = (await demo.api.instrument('cust-asha', 'points')).available;
    if (available === before) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(available, before, 'declined and cancelled: nothing was taken');
  const { entries } = await demo.api.audit();
  assert.ok(entries.some((e) => e.action === 'approval_declined'), 'the decline is audited');
  await till.context().close();
  await office.context().close();
});

test('S8: a cashier cannot approve: the back office signs them out', async () => {
  const page = await newPage(demo.browser, SIZES.desktop);
  await page.goto(demo.server.url + '/back-office');
  await page.waitForSelector(tid('app'));
  await signIn(page, { staff: DEMO.cashier });
  await page.waitForFunction(() => /Only a manager can use the back office/.test(document.body.innerText));
  assert.equal(await page.locator(tid('show-approvals')).count(), 0);
  await page.context().close();
});
