// Issue 4: what happens around the code — wrong codes, lock, resend voiding the old code,
// expiry, and the manager override when the customer did not get it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, readCodeFromPhone, demoSuite, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import {
  chooseInstrument, confirmAndGetReceipt, enterBill, enterCode, findCustomer, hold, look,
  openApp, sendCode, signIn, tid, waitForConfirm, wrongCode,
} from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api, setup: async ({ api }) => {
    // Short enough to test expiry and resend in a CI run; both within SPEC §3's bounds.
    await demo.api.updatePolicy({ otp_ttl_secs: 60, resend_cooldown_secs: 10 });
  } });

async function toOtp(page, customerId, query, quantity = 100) {
  await signIn(page);
  await enterBill(page, `B-${customerId}-${Date.now()}`, '2000');
  await findCustomer(page, query, customerId);
  await chooseInstrument(page, 'points');
  await hold(page, quantity);
  return sendCode(page);
}

test('wrong code → attempts left → locked, and the hold is released', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = (await demo.api.instrument('cust-rohan', 'points')).available;
  const sentAt = await toOtp(page, 'cust-rohan', 'Rohan');
  const { code } = await readCodeFromPhone(demo.server, 'cust-rohan', { after: sentAt });
  const bad = wrongCode(code);
  for (let left = 4; left >= 1; left--) {
    await enterCode(page, bad);
    await page.waitForFunction(
      ([sel, n]) => document.querySelector(sel)?.textContent.includes(String(n)),
      [tid('attempts-left'), left],
    );
    assert.match(await page.textContent('#otp-code-error, [data-testid="otp-code-error"]'), /wrong|incorrect/i);
  }
  await look(page, '11-otp-wrong');
  await enterCode(page, bad);
  await page.waitForSelector(`${tid('closed')}[data-reason="locked"]`);
  await look(page, '12-locked');
  // Even the right code is refused now; and the held points are back.
  assert.equal((await demo.api.instrument('cust-rohan', 'points')).available, before);
  await page.context().close();
});

test('resend after the cooldown voids the old code', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const firstAt = await toOtp(page, 'cust-kavya', 'Kavya');
  const first = await readCodeFromPhone(demo.server, 'cust-kavya', { after: firstAt });
  assert.ok(await page.isDisabled(tid('resend')), 'resend waits for the cooldown');
  await page.waitForSelector(`${tid('resend')}:not([disabled])`, { timeout: 20_000 });
  const secondAt = Date.now() - 500;
  await page.click(tid('resend'));
  let second;
  for (;;) {
    second = await readCodeFromPhone(demo.server, 'cust-kavya', { after: secondAt });
    if (second.message.id !== first.message.id) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (second.code !== first.code) {
    await enterCode(page, first.code);
    await page.waitForFunction((sel) => /4/.test(document.querySelector(sel)?.textContent ?? ''), tid('attempts-left'));
  }
  await enterCode(page, second.code);
  await waitForConfirm(page);
  await page.click(tid('cancel'));
  await page.context().close();
});

test('an expired code cannot be verified: the screen says to send a new one', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const sentAt = await toOtp(page, 'cust-vikram', '9812345678');
  const { code } = await readCodeFromPhone(demo.server, 'cust-vikram', { after: sentAt });
  // A wrong code first: its message must not outlive the code.
  await enterCode(page, wrongCode(code));
  await page.waitForFunction((sel) => /4/.test(document.querySelector(sel)?.textContent ?? ''), tid('attempts-left'));
  await page.waitForSelector(`${tid('countdown')}[data-expired="true"]`, { timeout: 75_000 });
  assert.match(await page.textContent(tid('countdown')), /The code has expired: send a new one/);
  assert.ok(await page.isDisabled(tid('verify')), 'Verify is off once the code expired');
  assert.equal((await page.textContent('#otp-code-error')).trim(), '', 'the old "wrong code" text is gone');
  await look(page, '13-expired');
  await page.context().close();
});

test('manager override when the customer did not get the code', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = (await demo.api.instrument('cust-asha', 'points')).available;
  await toOtp(page, 'cust-asha', '+91 98765 43210', 300);
  await page.click(tid('open-override'));
  await page.waitForSelector('#manager-code');
  await look(page, '14-override');
  await page.fill('#manager-code', DEMO.manager.code);
  await page.fill('#manager-pin', DEMO.manager.pin);
  await page.fill('#override-code', '00000000');
  await page.fill('#override-reason', 'SMS not delivered');
  await page.click(tid('submit-override'));
  await page.waitForFunction(() => document.querySelector('#override-error')?.textContent.trim().length > 0);
  // After a refusal the secrets are cleared: the manager types them again.
  assert.equal(await page.inputValue('#manager-pin'), '');
  await page.fill('#manager-pin', DEMO.manager.pin);
  await page.fill('#override-code', DEMO.overrideCode);
  await page.click(tid('submit-override'));
  await waitForConfirm(page);
  const receipt = await confirmAndGetReceipt(page);
  assert.match(receipt, /override|M001|manager/i);
  assert.equal((await demo.api.instrument('cust-asha', 'points')).available, before - 300);
  const { entries } = await demo.api.audit();
  assert.ok(entries.some((e) => e.action.includes('override')), 'the override is audited');
  await page.context().close();
});
