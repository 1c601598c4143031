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

  // The bill: its number has the focus; Enter goes on to the total, Enter again submits.
  await focusIs(page, 'bill-id');
  await page.keyboard.type(`B-KEYS-${Date.now()}`);
  await page.keyboard.press('Enter');
  await focusIs(page, 'bill-total');
  await page.keyboard.type('1000');
  await page.keyboard.press('Enter');

  // The customer: the search field has the focus; the one match opens by itself.
  await focusIs(page, 'customer-q');
  await page.keyboard.type('98123 45678');
  await page.keyboard.press('Enter');

  // The balance: Tab to the points, Enter.
  await page.waitForSelector(tid('balance'));
  assert.match(await page.textContent(tid('customer-name')), /Vikram Singh/);
  await tabTo(page, `${tid('instrument')}[data-kind="points"] ${tid('choose-instrument')}`);
  await page.keyboard.press('Enter');

  // The quantity has the focus; the channel is preselected; Enter holds and sends the code.
  await focusIs(page, 'quantity');
  assert.equal(await page.isChecked('#channel-sms'), true, 'the customer\'s channel is preselected');
  await page.keyboard.type('120');
  const sentAt = Date.now() - 1000;
  await page.keyboard.press('Enter');

  // The code's field has the focus once the code is sent; its last digit submits it.
  await focusIs(page, 'otp-code');
  const { code } = await readCodeFromPhone(demo.server, 'cust-vikram', { after: sentAt });
  await page.keyboard.type(code);

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

// Issue 13: a points redemption in at most 5 taps plus what is typed. Every screen puts the
// cursor in its input, so no tap goes into a field; one match opens the customer; the channel
// is preselected and the hold sends the code; the code's last digit submits it.
test('a points redemption takes at most 5 taps plus the typed digits', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = (await demo.api.instrument('cust-vikram', 'points')).available;
  await page.fill('#terminal-token', DEMO.terminal);
  await page.fill('#staff-code', DEMO.cashier.code);
  await page.fill('#pin', DEMO.cashier.pin);
  await page.click(tid('sign-in'));
  await focusIs(page, 'bill-id');

  // From here on every tap is counted, with what it landed on.
  await page.evaluate(() => {
    window.taps = [];
    document.addEventListener('pointerdown', (e) => {
      const el = e.target.closest('button, input, a, label, [role=button]') ?? e.target;
      window.taps.push(`${el.tagName.toLowerCase()}:${el.dataset.testid || el.id || el.textContent.trim()}`);
    }, true);
  });
  const tap = (selector) => page.click(selector);

  await page.keyboard.type(`B-TAPS-${Date.now()}`);
  await page.keyboard.press('Enter'); // the keyboard's "Next": on to the total
  await focusIs(page, 'bill-total');
  await page.keyboard.type('1000');
  await tap(tid('bill-next'));
  await focusIs(page, 'customer-q');
  await page.keyboard.type('9812345678');
  await tap(tid('search'));
  await page.waitForSelector(tid('balance'));
  await tap(`${tid('instrument')}[data-kind="points"] ${tid('choose-instrument')}`);
  await focusIs(page, 'quantity');
  await page.keyboard.type('100');
  const sentAt = Date.now() - 1000;
  await tap(tid('hold'));
  await focusIs(page, 'otp-code');
  const { code } = await readCodeFromPhone(demo.server, 'cust-vikram', { after: sentAt });
  await page.keyboard.type(code);
  await page.waitForSelector(tid('confirm'));
  await tap(tid('confirm'));
  await page.waitForSelector(tid('receipt'));

  const taps = await page.evaluate(() => window.taps);
  assert.deepEqual(taps, [
    'button:bill-next', 'button:search', 'button:choose-instrument', 'button:hold', 'button:confirm',
  ], 'five taps, none of them into a field');
  assert.ok(taps.length <= 5);
  assert.equal((await demo.api.instrument('cust-vikram', 'points')).available, before - 100);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
