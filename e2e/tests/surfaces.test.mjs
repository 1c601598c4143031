// Issue 11: each surface is its own bundle (SPEC §9). The till and the kiosk never download
// the back office's code (nor each other's), the back office none of the till's; each page
// loads its own module and works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, demoSuite, newPage, SIZES } from '../lib/harness.mjs';
import { signIn, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after });

/** Opens `path` and returns the app files (wasm, JS, CSS) the page fetched from the server. */
async function filesFetchedBy(path, act = async () => {}) {
  const page = await newPage(demo.browser, SIZES.tablet);
  const fetched = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === demo.server.url && /\.(wasm|js|css)$/.test(url.pathname)) fetched.push(url.pathname);
  });
  await page.goto(demo.server.url + path);
  await page.waitForSelector(tid('app'));
  await act(page);
  assert.deepEqual(page.problems, [], `no console errors on ${path}`);
  await page.context().close();
  return fetched;
}

const mine = (files, folder) =>
  files.every((f) => (folder === '' ? !/^\/(kiosk|back-office|reports|messages|widget)\//.test(f) : f.startsWith(`/${folder}/`)));

test('the till downloads only its own bundle, even after a manager signs in', async () => {
  const files = await filesFetchedBy('/', async (page) => {
    await signIn(page, { staff: DEMO.manager });
    await page.waitForSelector(tid('open-back-office'));
  });
  assert.ok(files.some((f) => f === '/till_bg.wasm'), `the till's module: ${files}`);
  assert.ok(mine(files, ''), `only the till's files: ${files}`);
  assert.ok(!files.some((f) => f.includes('back-office') || f.includes('back_office')), `${files}`);
});

test('the kiosk downloads only its own bundle', async () => {
  const files = await filesFetchedBy('/kiosk');
  assert.ok(files.some((f) => f === '/kiosk/kiosk_bg.wasm'), `the kiosk's module: ${files}`);
  assert.ok(mine(files, 'kiosk'), `only the kiosk's files: ${files}`);
});

test("the back office downloads only its own bundle and shows the manager's policy", async () => {
  const files = await filesFetchedBy('/back-office', async (page) => {
    await signIn(page, { staff: DEMO.manager });
    await page.waitForSelector('#policy-otp_ttl_secs');
  });
  assert.ok(files.some((f) => f === '/back-office/back-office_bg.wasm'), `its module: ${files}`);
  assert.ok(mine(files, 'back-office'), `only the back office's files: ${files}`);
});

test("the reports download only their own bundle and open on today's report", async () => {
  const files = await filesFetchedBy('/reports', async (page) => {
    await signIn(page, { staff: DEMO.manager });
    await page.waitForSelector(tid('report'));
  });
  assert.ok(files.some((f) => f === '/reports/reports_bg.wasm'), `its module: ${files}`);
  assert.ok(mine(files, 'reports'), `only the reports' files: ${files}`);
});

test('the messages to customers download only their own bundle and open on the messages', async () => {
  const files = await filesFetchedBy('/messages', async (page) => {
    await signIn(page, { staff: DEMO.manager });
    await page.waitForSelector(tid('compose-message'));
  });
  assert.ok(files.some((f) => f === '/messages/messages_bg.wasm'), `its module: ${files}`);
  assert.ok(mine(files, 'messages'), `only the messages' files: ${files}`);
});

test('each bundle travels precompressed: brotli when the browser takes it', async () => {
  for (const file of ['/till_bg.wasm', '/kiosk/kiosk_bg.wasm', '/back-office/back-office_bg.wasm', '/reports/reports_bg.wasm', '/messages/messages_bg.wasm', '/widget/redeemguard_bg.wasm']) {
    const r = await fetch(demo.server.url + file, { headers: { 'accept-encoding': 'br' } });
    assert.equal(r.status, 200, file);
    assert.equal(r.headers.get('content-encoding'), 'br', file);
  }
});
