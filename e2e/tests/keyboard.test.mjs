// Issue 13: a whole points redemption with the keyboard alone, on the real server. Each
// screen puts the focus where the work is (its input, the code's field once sent), so the
// cashier types, presses Enter, and moves on with Tab only to choose among buttons.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, demoSuite, readCodeFromPhone, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { openApp, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });

/** The id (or test id) of the focused element. */
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return el?.id || el?.dataset?.testid || el?.tagName;
});

/** Waits until the element with `id` has the focus: the app moved it there by itself. */
async function focusIs(page, id) {
  await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 10_000 })
    .catch(async () => assert.fail(`focus on #${id}, not on ${await focused(page)}`));
}

/** Presses Tab until the focused element matches `selector` (at most 25 presses). */
async function tabTo(page, selector) {
  for (let i = 0; i < 25; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return i;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

test('a whole points redemption with the keyboard alone', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = (await demo.api.instrument('cust-vikram', 'points')).available;

  // Sign in: the first field has the focus from the start.
  await focusIs(page, 'terminal-token');
  await page.keyboard.type(DEMO.terminal);
  await page.keyboard.press('Tab');
  await page.keyboard.type(DEMO.cashier.code);
  await page.keyboard.press('Tab');
  await page.keyboard.type(DEMO.cashier.pin);
  await page.keyboard.press('Enter');

  // The bill: its number has the focus.
  await focusIs(page, 'bill-id');
  await page.keyboard.type(`B-KEYS-${Date.now()}`);
  await page.keyboard.press('Tab');
  await page.keyboard.type('1000');
  await page.keyboard.press('Enter');

  // The customer: the search field has the focus.
  await focusIs(page, 'customer-q');
  await page.keyboard.type('98123 45678');
  await page.keyboard.press('Enter');
  await page.waitForSelector(tid('customer-result'));
  await tabTo(page, `${tid('customer-result')}[data-customer-id="cust-vikram"]`);
  await page.keyboard.press('Enter');

  // The balance: Tab to the points, Enter.
  await page.waitForSelector(tid('balance'));
  await tabTo(page, `${tid('instrument')}[data-kind="points"] ${tid('choose-instrument')}`);
  await page.keyboard.press('Enter');

  // The quantity has the focus.
  await focusIs(page, 'quantity');
  await page.keyboard.type('120');
  await page.keyboard.press('Enter');

  // The code: choose how to send it, send, and the code's field has the focus.
  await page.waitForSelector(tid('send-otp'));
  const sentAt = Date.now() - 1000;
  await tabTo(page, tid('send-otp'));
  await page.keyboard.press('Enter');
  await focusIs(page, 'otp-code');
  const { code } = await readCodeFromPhone(demo.server, 'cust-vikram', { after: sentAt });
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');

  // Confirm, and the receipt.
  await page.waitForSelector(tid('confirm'));
  await tabTo(page, tid('confirm'));
  await page.keyboard.press('Enter');
  await page.waitForSelector(tid('receipt'));
  assert.match(await page.textContent(tid('receipt')), /120/);
  assert.equal((await demo.api.instrument('cust-vikram', 'points')).available, before - 120);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
