// Issue 2: the optimised release build loads from the demo server without a console error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, demoSuite, newPage, screenshot, SIZES } from '../lib/harness.mjs';

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
