// Issue 4 and 11: the manager's policy screen (SPEC §3), in the back office (its own page and
// bundle). Bad settings are named field by field and change nothing; a good one is stored by
// the backend; a cashier has no way in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, demoSuite, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { look, openApp, signIn, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });

test('a cashier has no way to the policy screen', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(page);
  await page.waitForSelector('#bill-id');
  assert.equal(await page.locator(tid('open-back-office')).count(), 0);
  // Typing the address does not help: the back office signs a cashier out again.
  await page.goto(`${demo.server.url}/back-office`);
  await page.waitForSelector(tid('app'));
  await signIn(page);
  await page.waitForFunction(() => /Only a manager/.test(document.querySelector('#status')?.textContent ?? ''));
  assert.equal(await page.locator('#policy-otp_ttl_secs').count(), 0);
  await look(page, '22-back-office-cashier-refused');
  await page.context().close();
});

test('manager edits the policy: field errors first, then a saved change', async () => {
  const page = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(page, { staff: DEMO.manager });
  await page.waitForSelector(tid('open-back-office'));
  await look(page, '19-till-manager');
  await page.click(tid('open-back-office'));
  await page.waitForURL((url) => url.pathname.startsWith('/back-office'));
  await page.waitForSelector(tid('app'));
  // The back office's own session: the manager signs in there.
  await signIn(page, { staff: DEMO.manager });
  await page.waitForSelector('#policy-otp_ttl_secs');
  await look(page, '20-policy');
  assert.ok(await page.isChecked('#policy-otp_required'), 'OTP is mandatory by default');
  await page.fill('#policy-otp_ttl_secs', '5');
  await page.click(tid('save-policy'));
  await page.waitForFunction(() => (document.querySelector('#policy-otp_ttl_secs-error')?.textContent ?? '').trim().length > 0);
  assert.match(await page.textContent('#policy-otp_ttl_secs-error'), /60/);
  await look(page, '21-policy-error');
  assert.equal((await demo.api.policy()).otp_ttl_secs, 300, 'a refused policy changes nothing');
  await page.fill('#policy-otp_ttl_secs', '120');
  await page.click(tid('save-policy'));
  await page.waitForFunction(() => /saved/i.test(document.querySelector('#status')?.textContent ?? ''));
  assert.equal((await demo.api.policy()).otp_ttl_secs, 120);
  await page.click(tid('to-till'));
  await page.waitForURL((url) => url.pathname === '/');
  await page.waitForSelector(tid('app'));
  const { entries } = await demo.api.audit();
  assert.ok(entries.some((e) => e.action.includes('policy')), 'the policy change is audited');
  await page.context().close();
});
