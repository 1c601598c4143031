// Page object for the cashier app: one function per thing a cashier does, so tests read as
// the flow of SPEC §4. Selectors are the app's ids and data-testids.
import { axe, DEMO, newPage, screenshot, SIZES } from './harness.mjs';
import assert from 'node:assert/strict';

export const tid = (id) => `[data-testid="${id}"]`;

/** Opens the app (`path` '/kiosk' for the kiosk) and waits until it has mounted. */
export async function openApp(browser, server, size, path = '/') {
  const page = await newPage(browser, size);
  await page.goto(server.url + path);
  await page.waitForSelector(tid('app'));
  return page;
}

/** A screenshot at each of `sizes` (default: the page's own) and an axe scan that must pass. */
export async function lookAt(page, name, sizes = [page.viewportSize()]) {
  const original = page.viewportSize();
  for (const size of sizes) {
    await page.setViewportSize(size);
    await screenshot(page, `${name}-${size.width}x${size.height}`);
    assert.deepEqual(await axe(page), [], `axe violations on ${name} at ${size.width}x${size.height}`);
  }
  await page.setViewportSize(original);
}

/**
 * Every screen at both POS sizes: a screenshot for people to look at and an axe-core scan
 * that must find nothing. The viewport is restored afterwards.
 */
export async function look(page, name) {
  const original = page.viewportSize();
  for (const size of [SIZES.tablet, SIZES.desktop]) {
    await page.setViewportSize(size);
    await screenshot(page, `${name}-${size.width}x${size.height}`);
    assert.deepEqual(await axe(page), [], `axe violations on ${name} at ${size.width}x${size.height}`);
  }
  await page.setViewportSize(original);
}

export async function signIn(page, { terminal = DEMO.terminal, staff = DEMO.cashier } = {}) {
  await page.waitForSelector('#staff-code');
  const token = page.locator('#terminal-token');
  if (await token.isVisible()) await token.fill(terminal);
  await page.fill('#staff-code', staff.code);
  await page.fill('#pin', staff.pin);
  await page.click(tid('sign-in'));
}

export async function enterBill(page, id, total) {
  await page.waitForSelector('#bill-id');
  await page.fill('#bill-id', id);
  await page.fill('#bill-total', total);
  await page.click(tid('bill-next'));
  await page.waitForSelector('#customer-q');
}

/** Searches; a single match opens by itself, several are chosen from by `customerId`. */
export async function findCustomer(page, query, customerId) {
  await page.waitForSelector('#customer-q');
  await page.fill('#customer-q', query);
  await page.click(tid('search'));
  const result = `${tid('customer-result')}[data-customer-id="${customerId}"]`;
  await page.waitForSelector(`${tid('balance')}, ${result}`);
  if ((await page.locator(tid('customer-result')).count()) > 1) await page.click(result);
  await page.waitForSelector(tid('balance'));
}

export async function chooseInstrument(page, kind) {
  await page.click(`${tid('instrument')}[data-kind="${kind}"] ${tid('choose-instrument')}`);
  await page.waitForSelector('#quantity');
}

/**
 * Types a quantity, picks the code's channel where the screen offers one, and holds: a code
 * that is needed goes out with the hold. Remembers when, for reading the phone after it.
 */
export async function hold(page, quantity, channel = 'sms') {
  await page.fill('#quantity', String(quantity));
  const choice = page.locator(`#channel-${channel}`);
  if (await choice.isVisible()) await choice.check();
  page.rgSentAt = Date.now() - 1000;
  await page.click(tid('hold'));
}

/**
 * The code after a hold: it went out with the hold (the channel chosen with the quantity);
 * where it could not, "Send code" sends it. Returns a time just before the send.
 */
export async function sendCode(page, channel = 'sms') {
  // The send with the hold is in flight while "Send code" shows disabled: wait for its end.
  await page.waitForSelector(`${tid('otp-destination')}, ${tid('send-otp')}:not([disabled])`);
  if (await page.locator(`${tid('send-otp')}:not([disabled])`).isVisible()) {
    await page.check(`#channel-${channel}`);
    page.rgSentAt = Date.now() - 1000;
    await page.click(tid('send-otp'));
  }
  await page.waitForSelector(tid('otp-destination'));
  return page.rgSentAt ?? Date.now() - 5000;
}

/**
 * Types the code as a cashier does: its last digit submits it. The same digits again (after
 * a wrong answer) do not resubmit by themselves, so then "Verify code" is tapped.
 */
export async function enterCode(page, code) {
  const before = await page.inputValue('#otp-code');
  await page.fill('#otp-code', code);
  if (before === code) await page.click(tid('verify'));
}

export async function waitForConfirm(page) {
  await page.waitForSelector(tid('confirm'));
}

export async function confirmAndGetReceipt(page) {
  await page.click(tid('confirm'));
  await page.waitForSelector(tid('receipt'));
  return page.textContent(tid('receipt'));
}

/** A code of the right length that is not `code`. */
export function wrongCode(code) {
  const last = (Number(code.at(-1)) + 1) % 10;
  return code.slice(0, -1) + String(last);
}
