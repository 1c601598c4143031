// Issue 4 / SPEC §7: network faults never leave the cashier guessing, a double tap debits
// once, a reload mid-flow resumes or cancels cleanly, and a signed-out cashier is sent back
// to sign-in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readCodeFromPhone, demoSuite, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import {
  chooseInstrument, enterBill, enterCode, findCustomer, hold, look, openApp, sendCode, signIn,
  tid, waitForConfirm,
} from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });

async function toConfirm(page, customerId, query, quantity) {
  await signIn(page);
  await enterBill(page, `B-${Date.now()}`, '5000');
  await findCustomer(page, query, customerId);
  await chooseInstrument(page, 'points');
  await hold(page, quantity);
  const sentAt = await sendCode(page);
  const { code } = await readCodeFromPhone(demo.server, customerId, { after: sentAt });
  await enterCode(page, code);
  await waitForConfirm(page);
}

test('commit answer lost on the network: retried with the same key, debited once, truthful screen', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = (await demo.api.instrument('cust-priya', 'points')).available;
  await toConfirm(page, 'cust-priya', 'Priya', 100);
  const keys = [];
  let dropped = false;
  await page.route('**/commit', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (!dropped) {
      dropped = true;
      await route.fetch(); // the demo.server commits...
      await route.abort('connectionreset'); // ...but the answer never arrives
    } else {
      await route.continue();
    }
  });
  await page.click(tid('confirm'));
  await page.waitForSelector(tid('receipt'), { timeout: 30_000 });
  assert.ok(keys.length >= 2, `the commit was retried (${keys.length} attempts)`);
  assert.equal(new Set(keys).size, 1, 'every retry used the same idempotency key');
  assert.equal((await demo.api.instrument('cust-priya', 'points')).available, before - 100, 'debited exactly once');
  await page.context().close();
});

test('server unreachable during commit: the screen says not redeemed, retry redeems once', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = (await demo.api.instrument('cust-priya', 'points')).available;
  await toConfirm(page, 'cust-priya', 'Priya', 50);
  await page.route('**/commit', (route) => route.abort('connectionrefused'));
  await page.click(tid('confirm'));
  await page.waitForSelector(tid('retry-commit'), { timeout: 60_000 });
  const status = await page.textContent(tid('commit-status'));
  assert.match(status, /not|unknown|could not|unreachable/i, status);
  await look(page, '17-commit-failed');
  const commits = async () => (await demo.api.audit()).entries.filter((e) => e.action === 'commit').length;
  const committedBefore = await commits();
  await page.unroute('**/commit');
  await page.click(tid('retry-commit'));
  await page.waitForSelector(tid('receipt'));
  assert.equal(await commits(), committedBefore + 1, 'posted once, on the retry');
  assert.equal((await demo.api.instrument('cust-priya', 'points')).available, before - 50);
  await page.context().close();
});

test('double tap on Confirm debits once', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = (await demo.api.instrument('cust-vikram', 'points')).available;
  await toConfirm(page, 'cust-vikram', 'Vikram', 60);
  await page.dblclick(tid('confirm'));
  await page.waitForSelector(tid('receipt'));
  assert.equal((await demo.api.instrument('cust-vikram', 'points')).available, before - 60);
  await page.context().close();
});

test('reload mid-flow: sign in again, resume, and finish; or cancel and the hold is released', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = (await demo.api.instrument('cust-asha', 'points')).available;
  await signIn(page);
  await enterBill(page, 'B-RELOAD', '5000');
  await findCustomer(page, 'Asha', 'cust-asha');
  await chooseInstrument(page, 'points');
  await hold(page, 120);
  const sentAt = await sendCode(page);
  assert.equal((await demo.api.instrument('cust-asha', 'points')).available, before - 120, 'held');
  await page.reload();
  await signIn(page);
  await page.waitForSelector(tid('resume'));
  await look(page, '18-resume');
  await page.click(tid('resume-continue'));
  const { code } = await readCodeFromPhone(demo.server, 'cust-asha', { after: sentAt });
  await enterCode(page, code);
  await waitForConfirm(page);
  await page.click(tid('confirm'));
  await page.waitForSelector(tid('receipt'));
  assert.equal((await demo.api.instrument('cust-asha', 'points')).available, before - 120);

  // Second round: reload, then cancel from the resume screen releases the hold.
  await page.click(tid('next-customer'));
  await enterBill(page, 'B-RELOAD-2', '5000');
  await findCustomer(page, 'Asha', 'cust-asha');
  await chooseInstrument(page, 'points');
  await hold(page, 80);
  await sendCode(page);
  await page.reload();
  await signIn(page);
  await page.waitForSelector(tid('resume'));
  await page.click(tid('resume-cancel'));
  await page.waitForFunction(() => !document.querySelector('[data-testid="resume"]'));
  assert.equal((await demo.api.instrument('cust-asha', 'points')).available, before - 120, 'the hold was released');
  await page.context().close();
});

test('a signed-out cashier is sent back to sign-in with a message', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(page);
  await enterBill(page, 'B-SESSION', '1000');
  // The session ends on the server (e.g. signed out elsewhere): every later call is refused.
  await page.route('**/v1/**', (route) => {
    const headers = { ...route.request().headers(), authorization: 'Bearer ended-session' };
    return route.continue({ headers });
  });
  await page.fill('#customer-q', 'Vikram');
  await page.click(tid('search'));
  await page.waitForSelector('#staff-code');
  await page.waitForFunction(() => /sign in/i.test(document.querySelector('#status')?.textContent ?? ''));
  await look(page, '19-signed-out');
  await page.context().close();
});
