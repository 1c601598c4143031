// Issue 15 (vouchers): a printed voucher lasts the days the store chose (policy
// `voucher_valid_days`); handed in after that, the till refuses it at its field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSuite, readCodeFromPhone, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { enterBill, lookAt, openApp, signIn, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api, args: async () => ['--testing-clock'] });

async function advanceDays(days) {
  const r = await fetch(`${demo.server.url}/testing/clock?advance_secs=${days * 86_400}`, { method: 'POST' });
  assert.equal(r.status, 200);
}

test('a voucher past the days the store chose is refused at the till', async () => {
  await demo.api.updatePolicy({ voucher_valid_days: 2 });
  const points = await demo.api.instrument('cust-asha', 'points');
  const held = await demo.api.call('POST', '/v1/redemptions', {
    customer_id: 'cust-asha', instrument_id: points.id, quantity: 100, purpose: { kind: 'voucher' },
  });
  const sentAt = Date.now() - 1000;
  await demo.api.call('POST', `/v1/redemptions/${held.id}/otp`, { channel: 'sms' });
  const { code } = await readCodeFromPhone(demo.server, 'cust-asha', { after: sentAt });
  await demo.api.call('POST', `/v1/redemptions/${held.id}/verify`, { code });
  const receipt = await demo.api.call('POST', `/v1/redemptions/${held.id}/commit`, {}, { 'idempotency-key': `k-${held.id}` });
  const days = Math.round((receipt.voucher.valid_until_ms - receipt.committed_at_ms) / 86_400_000);
  assert.equal(days, 2, 'valid for the policy\'s days');

  await advanceDays(3);
  const till = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(till);
  await enterBill(till, 'B-OLD-VOUCHER', '900');
  await till.fill('#voucher-code', receipt.voucher.code);
  await till.click(tid('take-voucher'));
  await till.waitForSelector('#voucher-code[aria-invalid="true"]');
  assert.match(await till.textContent('#voucher-code-error'), /expired/i);
  await lookAt(till, '91-voucher-expired', [SIZES.tablet, SIZES.desktop]);
});
