// Issue 4: complete redemptions through the UI against the real server in demo mode, the
// code read from the demo customer phone as the customer would. The ledger (read through
// the API) is the truth; every screen is scanned by axe-core and photographed at both sizes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readCodeFromPhone, demoSuite, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import {
  chooseInstrument, confirmAndGetReceipt, enterBill, enterCode, findCustomer, hold, look,
  openApp, sendCode, signIn, tid, waitForConfirm,
} from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });

for (const [size, customer] of [['tablet', 'cust-vikram'], ['desktop', 'cust-priya']]) {
  test(`points: bill → customer → OTP from the phone → receipt, every screen clean (${size})`, async () => {
    const page = await openApp(demo.browser, demo.server, SIZES[size]);
    await look(page, `01-sign-in-${size}`);
    await signIn(page);
    await page.waitForSelector('#bill-id');
    await look(page, `02-bill-${size}`);
    await enterBill(page, `B-${size}-1`, '1,000.00');
    await look(page, `03-search-${size}`);
    const query = customer === 'cust-vikram' ? '98123 45678' : 'Priya';
    const before = (await demo.api.instrument(customer, 'points')).available;
    await findCustomer(page, query, customer);
    await look(page, `04-balance-${size}`);
    await chooseInstrument(page, 'points');
    const range = await page.textContent(tid('allowed-range'));
    assert.match(range, /50/, 'the minimum is shown before typing');
    await look(page, `05-redeem-${size}`);
    await hold(page, 500);
    const sentAt = await sendCode(page);
    assert.match(await page.textContent(tid('otp-destination')), /••••/, 'the destination is masked');
    await look(page, `06-otp-${size}`);
    const { code, message } = await readCodeFromPhone(demo.server, customer, { after: sentAt });
    assert.match(message.text, /500/, 'the message states the amount');
    assert.match(message.text, /RedeemGuard Demo Salon/, 'the message names the store');
    assert.ok(!(await page.content()).includes(code), 'the page never holds the code before it is typed');
    await enterCode(page, code);
    await waitForConfirm(page);
    assert.match(await page.textContent(tid('confirm-question')), /500 points.*B-.*1/s);
    await look(page, `07-confirm-${size}`);
    const receipt = await confirmAndGetReceipt(page);
    assert.match(receipt, /500/);
    await look(page, `08-receipt-${size}`);
    const afterBalance = (await demo.api.instrument(customer, 'points')).available;
    assert.equal(afterBalance, before - 500, 'exactly 500 points were debited');
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!storage.includes(code), 'S1: browser storage never holds the code');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

async function redeemWithCode(page, customer, kind, quantity, billTotal, billId) {
  await signIn(page);
  await enterBill(page, billId, billTotal);
  await findCustomer(page, customer.query, customer.id);
  await chooseInstrument(page, kind);
  await hold(page, quantity);
  const sentAt = await sendCode(page);
  const { code } = await readCodeFromPhone(demo.server, customer.id, { after: sentAt });
  await enterCode(page, code);
  await waitForConfirm(page);
  return confirmAndGetReceipt(page);
}

test('package: two sessions of a hair-spa package', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = await demo.api.instrument('cust-asha', 'package');
  const receipt = await redeemWithCode(page, { id: 'cust-asha', query: 'RG00012345' }, 'package', 2, '5000', 'B-PKG');
  assert.match(receipt, /2/);
  assert.equal((await demo.api.instrument('cust-asha', 'package')).available, before.available - 2);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('membership: ₹1,000 of membership credit on a ₹2,500 bill', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  const before = await demo.api.instrument('cust-priya', 'membership');
  await redeemWithCode(page, { id: 'cust-priya', query: 'priya' }, 'membership', '1000', '2500', 'B-MEM');
  assert.equal((await demo.api.instrument('cust-priya', 'membership')).available, before.available - 100_000);
  await page.context().close();
});

test('printed voucher: points become a voucher with a code', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(page);
  await page.waitForSelector('#bill-id');
  assert.equal(await page.locator(tid('voucher-mode')).count(), 0, 'no voucher before a customer');
  await page.click(tid('skip-bill'));
  // A customer with nothing to redeem is not offered a voucher.
  await findCustomer(page, 'Siddharth', 'cust-siddharth');
  assert.equal(await page.locator(tid('voucher-mode')).count(), 0, 'Siddharth has no points to redeem');
  await page.click(tid('back-to-search'));
  await findCustomer(page, 'Kavya', 'cust-kavya');
  // Seed 004: the voucher button is there for a customer who can redeem as a voucher.
  await page.click(tid('voucher-mode'));
  await chooseInstrument(page, 'points');
  await hold(page, 200);
  const sentAt = await sendCode(page);
  const { code } = await readCodeFromPhone(demo.server, 'cust-kavya', { after: sentAt });
  await enterCode(page, code);
  await waitForConfirm(page);
  await page.click(tid('confirm'));
  await page.waitForSelector(tid('voucher-code'));
  assert.ok((await page.textContent(tid('voucher-code'))).trim().length >= 6);
  await look(page, '09-voucher');
  await page.emulateMedia({ media: 'print' });
  await look(page, '10-voucher-print');
  await page.emulateMedia({ media: 'screen' });
  assert.equal((await demo.api.instrument('cust-kavya', 'points')).available, 880 - 200);
  await page.context().close();
});
