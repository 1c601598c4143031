// Issue 2: the optimised release build loads from the demo server without a console error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, newPage, screenshot, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';

const demo = demoSuite({ before, after });

for (const [name, size] of Object.entries({ tablet: SIZES.tablet, desktop: SIZES.desktop })) {
  test(`release app shell loads without console errors (${name})`, async () => {
    const page = await newPage(demo.browser, size);
    const wasm = page.waitForResponse((r) => r.url().endsWith('.wasm') && r.ok());
    await page.goto(demo.server.url + '/');
    await wasm;
    await page.waitForSelector('[role=main]', { timeout: 10_000 });
    assert.equal(await page.title(), 'RedeemGuard');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await axe(page), []);
    await screenshot(page, `shell-${name}`);
    await page.context().close();
  });
}

test("the demo phone passes axe and shows a new message by itself", async () => {
  const page = await newPage(demo.browser, { width: 420, height: 900 });
  await page.goto(demo.server.url + '/demo/phone?customer=cust-asha');
  await page.waitForSelector('main h1');
  assert.equal(await page.locator('meta[http-equiv=refresh]').count(), 0, 'no meta refresh');
  assert.deepEqual(await axe(page), [], 'axe violations on the demo phone');
  await screenshot(page, '63-demo-phone-420x900');
  // A code sent now appears without touching the page.
  const api = new Api(demo.server);
  await api.signIn();
  const before = await page.locator('li.message').count();
  const { customers } = await api.call('GET', '/v1/customers?q=Asha');
  const points = (await api.balance(customers[0].id)).instruments.find((i) => i.kind === 'points');
  const held = await api.call('POST', '/v1/redemptions', {
    customer_id: customers[0].id, instrument_id: points.id, quantity: 100,
    purpose: { kind: 'bill', bill: { id: `B-PHONE-${Date.now()}`, total: { minor: 100000, currency: 'INR' } } },
  });
  await api.call('POST', `/v1/redemptions/${held.id}/otp`, { channel: 'sms' });
  await page.waitForFunction((n) => document.querySelectorAll('li.message').length > n, before, { timeout: 10_000 });
});
