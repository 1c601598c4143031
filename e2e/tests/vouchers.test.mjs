// Issue 15 (vouchers): a printed loyalty voucher handed in at the till is taken off the bill
// once; a copy presented again is refused at the code's field, and the ledger agrees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSuite, readCodeFromPhone, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { enterBill, lookAt, openApp, signIn, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });

/** 500 of Asha's points printed as a ₹500.00 voucher (through the API, her code read back). */
async function printVoucher() {
  const points = await demo.api.instrument('cust-asha', 'points');
  const held = await demo.api.call('POST', '/v1/redemptions', {
    customer_id: 'cust-asha', instrument_id: points.id, quantity: 500, purpose: { kind: 'voucher' },
  });
  const sentAt = Date.now() - 1000;
  await demo.api.call('POST', `/v1/redemptions/${held.id}/otp`, { channel: 'sms' });
  const { code } = await readCodeFromPhone(demo.server, 'cust-asha', { after: sentAt });
  await demo.api.call('POST', `/v1/redemptions/${held.id}/verify`, { code });
  const receipt = await demo.api.call('POST', `/v1/redemptions/${held.id}/commit`, {}, { 'idempotency-key': `k-${held.id}` });
  return receipt.voucher.code;
}

async function handIn(till, code) {
  await till.fill('#voucher-code', code);
  await till.click(tid('take-voucher'));
}

test('a printed voucher is taken off a bill once; a copy is refused', async () => {
  const code = await printVoucher();
  const till = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(till);
  await enterBill(till, 'B-VOUCHER-1', '1200');
  await till.waitForSelector('#voucher-code');
  await lookAt(till, '81-voucher-in', [SIZES.tablet, SIZES.desktop]);
  // Typed as a person might: lower case, spaces.
  await handIn(till, code.toLowerCase().replaceAll('-', ' '));
  await till.waitForFunction(() => /taken off bill B-VOUCHER-1/.test(document.querySelector('#status')?.textContent ?? ''));
  const said = await till.textContent('#status');
  assert.match(said, /₹500\.00, Asha Rao/);
  assert.match(said, /Loyalty on this bill now: ₹500\.00/);
  assert.equal(await till.inputValue('#voucher-code'), '', 'the field empties');
  await lookAt(till, '82-voucher-taken', [SIZES.tablet, SIZES.desktop]);

  // The same paper again, on the next customer's bill: refused, at the field.
  const next = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(next);
  await enterBill(next, 'B-VOUCHER-2', '900');
  await handIn(next, code);
  await next.waitForSelector('#voucher-code[aria-invalid="true"]');
  assert.match(await next.textContent('#voucher-code-error'), /already redeemed on bill B-VOUCHER-1.*Do not accept it/);
  await lookAt(next, '83-voucher-copy-refused', [SIZES.tablet, SIZES.desktop]);
  const { entries } = await demo.api.audit();
  assert.equal(entries.filter((e) => e.action === 'voucher_redeemed').length, 1);
  assert.equal(entries.filter((e) => e.action === 'voucher_refused').length, 1);
});
