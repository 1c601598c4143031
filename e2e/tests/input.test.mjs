// Issue 4 / SPEC §7: every bad quantity gets its own message before anything is held, and
// the ledger is untouched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SIZES, demoSuite } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { chooseInstrument, enterBill, findCustomer, look, openApp, signIn, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });

async function quantityMessage(page, typed) {
  await page.fill('#quantity', typed);
  await page.click(tid('hold'));
  await page.waitForFunction(() => (document.querySelector('#quantity-error')?.textContent ?? '').trim().length > 0);
  return (await page.textContent('#quantity-error')).trim();
}

test('below minimum, above balance, above the bill, malformed: each its own message', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(page);
  await enterBill(page, 'B-IN-1', '300');
  await findCustomer(page, 'Vikram', 'cust-vikram');
  await chooseInstrument(page, 'points');
  const messages = {
    below: await quantityMessage(page, '10'),
    bill: await quantityMessage(page, '301'),
    zero: await quantityMessage(page, '0'),
    negative: await quantityMessage(page, '-5'),
    fraction: await quantityMessage(page, '12.5'),
    letters: await quantityMessage(page, '5O0'),
    huge: await quantityMessage(page, '99999999999999999'),
  };
  assert.match(messages.below, /at least 50 points/);
  assert.match(messages.bill, /bill/i);
  // Zero is below the minimum: the minimum is named, not "at least 1" (issue 13).
  assert.equal(messages.zero, messages.below);
  const { zero, ...distinct } = messages;
  assert.equal(new Set(Object.values(distinct)).size, Object.keys(distinct).length, JSON.stringify(messages));
  await look(page, '15-quantity-error');
  // A bigger bill keeps the chosen customer: back to their balance.
  await page.click(tid('back-to-balance'));
  await page.click(tid('change-bill'));
  await page.fill('#bill-id', 'B-IN-2');
  await page.fill('#bill-total', '100000');
  await page.click(tid('bill-next'));
  await page.waitForSelector(tid('balance'));
  await chooseInstrument(page, 'points');
  assert.match(await quantityMessage(page, '641'), /640/, 'above balance names the balance');
  assert.equal((await demo.api.instrument('cust-vikram', 'points')).available, 640, 'nothing was held');
  await page.context().close();
});

test('over the per-bill cap', async () => {
  await demo.api.updatePolicy({ max_redeem_per_bill: { kind: 'percent', percent: 10 } });
  try {
    const page = await openApp(demo.browser, demo.server, SIZES.tablet);
    await signIn(page);
    await enterBill(page, 'B-CAP', '1000');
    await findCustomer(page, 'Vikram', 'cust-vikram');
    await chooseInstrument(page, 'points');
    assert.match(await page.textContent(tid('allowed-range')), /100/);
    assert.match(await quantityMessage(page, '101'), /at most|cap|loyalty/i);
    await page.context().close();
  } finally {
    await demo.api.updatePolicy({ max_redeem_per_bill: null });
  }
});

test('a customer with too few points is told so before typing', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(page);
  await enterBill(page, 'B-ARJ', '1000');
  await findCustomer(page, '9900112233', 'cust-arjun');
  await page.waitForFunction(() => /50/.test(document.querySelector('[data-testid="balance"]')?.textContent ?? ''));
  await page.context().close();
});

test('a malformed mobile number and an unknown customer get their own messages', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(page);
  await enterBill(page, 'B-Q', '1000');
  await page.fill('#customer-q', '98765');
  await page.click(tid('search'));
  await page.waitForFunction(() => (document.querySelector('#customer-q-error')?.textContent ?? '').trim().length > 0);
  const malformed = (await page.textContent('#customer-q-error')).trim();
  assert.match(malformed, /too short/i);
  // A well-formed number nobody has: not an input error, an answer in the status line.
  await page.fill('#customer-q', '9000000001');
  await page.click(tid('search'));
  await page.waitForFunction(() => /no customer found/i.test(document.querySelector('#status')?.textContent ?? ''));
  assert.equal((await page.textContent('#customer-q-error')).trim(), '');
  await look(page, '16-search-error');
  await page.context().close();
});
