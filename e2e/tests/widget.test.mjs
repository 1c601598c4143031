// Issue 5: the widget inside a salon appointment book (www/host), served from a second origin
// so the browser's CORS checks apply. The front desk collects payment with loyalty; the host
// hears the outcome by callback and DOM event; widgets mount, unmount and remount without
// leaking; a bad config is a clear error; host and widget styles do not touch each other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { axe, DEMO, demoSuite, freePort, newPage, readCodeFromPhone, root, screenshot, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, {
  Api,
  args: async (suite) => {
    suite.hostPort = await freePort();
    return ['--host-page-dir', join(root, 'www/host'), '--host-page-listen', `127.0.0.1:${suite.hostPort}`];
  },
});

const HOST_SIZE = { width: 1280, height: 900 };
const widget = (sel = '#widget') => `${sel} >> css=`;

async function openHost() {
  const page = await newPage(demo.browser, HOST_SIZE);
  const hostOrigin = `http://127.0.0.1:${demo.hostPort}`;
  assert.notEqual(hostOrigin, demo.server.url, 'the host page has its own origin');
  await page.goto(`${hostOrigin}/?api=${encodeURIComponent(demo.server.url)}`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function events(page) {
  return page.$$eval('#events li', (lis) => lis.map((l) => l.textContent));
}

async function memoryBytes(page) {
  return page.evaluate(() => window.redeemguard.memoryBytes());
}

async function shot(page, name) {
  await screenshot(page, `${name}-${HOST_SIZE.width}x${HOST_SIZE.height}`);
  // The appointment book on a tablet: the panel covers the invoice's right side.
  await page.setViewportSize(SIZES.tablet);
  await screenshot(page, `${name}-${SIZES.tablet.width}x${SIZES.tablet.height}`);
  await page.setViewportSize(HOST_SIZE);
  // The widget alone, as it sits in its 420 px panel.
  await page.locator('#panel').screenshot({ path: join(root, 'e2e/artifacts', `${name}-420-panel.png`) });
  assert.deepEqual(await axe(page), [], `axe violations on ${name}`);
}

test('widget: the front desk redeems points on the invoice; the host hears it twice', async () => {
  const page = await openHost();
  await page.click('#appointments button[data-index="0"]');
  const hostH2 = await page.$eval('#invoice-title', (h) => getComputedStyle(h).fontSize);
  await page.click('#collect');
  await page.waitForSelector(`${widget()}${tid('app')}`);
  assert.equal(await page.evaluate(() => window.redeemguard.liveWidgets()), 1);
  await page.waitForSelector(`${widget()}#staff-code`);
  assert.equal(await page.locator(`${widget()}#terminal-token`).count(), 0, 'the terminal comes from the config');

  // Styles do not cross: the host's pink uppercase buttons and 10px root stay out; the
  // widget's own rules do not restyle the host.
  const style = await page.locator(`${widget()}${tid('sign-in')}`).evaluate((b) => {
    const s = getComputedStyle(b);
    return { bg: s.backgroundColor, transform: s.textTransform, size: s.fontSize };
  });
  assert.deepEqual(style, { bg: 'rgb(11, 92, 173)', transform: 'none', size: '16px' });
  assert.equal(await page.$eval('#invoice-title', (h) => getComputedStyle(h).fontSize), hostH2);
  assert.equal(await page.$eval('#collect', (b) => getComputedStyle(b).textTransform), 'uppercase');
  const width = await page.locator(`${widget()}${tid('app')}`).evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(width <= 420, `the widget fits the 420 px panel (${width})`);
  await shot(page, 'w01-widget-sign-in');

  await page.fill(`${widget()}#staff-code`, DEMO.cashier.code);
  await page.fill(`${widget()}#pin`, DEMO.cashier.pin);
  await page.click(`${widget()}${tid('sign-in')}`);
  await page.waitForSelector(`${widget()}#customer-q`);
  assert.match(await page.textContent(`${widget()}${tid('bill-summary')}`), /INV-1042/);
  await page.fill(`${widget()}#customer-q`, '98765 43210');
  await page.click(`${widget()}${tid('search')}`);
  // The one match opens by itself.
  await page.waitForSelector(`${widget()}${tid('balance')}`);
  assert.equal(await page.locator(`${widget()}${tid('instrument')}[data-kind="gift_card"]`).count(), 0,
    'only the instruments the host allows');
  await shot(page, 'w02-widget-balance');
  const before = (await demo.api.instrument('cust-asha', 'points')).available;
  await page.click(`${widget()}${tid('instrument')}[data-kind="points"] ${tid('choose-instrument')}`);
  await page.fill(`${widget()}#quantity`, '500');
  assert.equal(await page.isChecked(`${widget()}#channel-sms`), true, 'the channel is preselected');
  const sentAt = Date.now() - 1000;
  await page.click(`${widget()}${tid('hold')}`);
  await page.waitForSelector(`${widget()}#otp-code`);
  await shot(page, 'w03-widget-otp');
  const { code } = await readCodeFromPhone(demo.server, 'cust-asha', { after: sentAt });
  await page.fill(`${widget()}#otp-code`, code);
  await page.click(`${widget()}${tid('confirm')}`);
  await page.waitForSelector(`${widget()}${tid('receipt')}`);
  await shot(page, 'w04-widget-receipt');

  const id = (await page.textContent(`${widget()}${tid('receipt-id')}`)).trim();
  await page.waitForFunction(() => document.querySelectorAll('#events li').length >= 2);
  const heard = await events(page);
  assert.ok(heard.includes(`callback: redeemed ${id} 500.00 INR`), heard.join('\n'));
  assert.ok(heard.includes(`event: redeemed ${id} points 500`), heard.join('\n'));
  assert.match(await page.textContent('#invoice-loyalty'), /500\.00/);
  assert.equal((await demo.api.instrument('cust-asha', 'points')).available, before - 500);

  // The next invoice: the front desk is still signed in on this terminal (issue 13).
  await page.click('#panel-close');
  await page.click('#appointments button[data-index="1"]');
  await page.click('#collect');
  await page.waitForSelector(`${widget()}#customer-q`);
  assert.equal(await page.locator(`${widget()}#staff-code`).count(), 0, 'no sign-in for the next invoice');
  assert.doesNotMatch(await page.textContent(`${widget()}${tid('bill-summary')}`), /INV-1042/, 'the new invoice\'s bill');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(stored, /token|session/i, 'nothing kept in the host page\'s storage');
  // The host can forget it (its own sign-out, a shift change): the next invoice asks again.
  await page.click('#panel-close');
  await page.evaluate(() => window.redeemguard.forgetSession());
  await page.click('#appointments button[data-index="1"]');
  await page.click('#collect');
  await page.waitForSelector(`${widget()}#staff-code`);
  await page.fill(`${widget()}#staff-code`, DEMO.cashier.code);
  await page.fill(`${widget()}#pin`, DEMO.cashier.pin);
  await page.click(`${widget()}${tid('sign-in')}`);
  await page.waitForSelector(`${widget()}#customer-q`);
  // Signing out ends it: the next invoice asks for the PIN again.
  await page.click(`${widget()}${tid('sign-out')}`);
  await page.waitForSelector(`${widget()}#staff-code`);
  await page.click('#panel-close');
  await page.click('#appointments button[data-index="0"]');
  await page.click('#collect');
  await page.waitForSelector(`${widget()}#staff-code`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('widget: closing it tells the host "cancelled"; unmount and remount leak nothing', async () => {
  const page = await openHost();
  await page.click('#appointments button[data-index="1"]');
  await page.click('#collect');
  await page.waitForSelector(`${widget()}#staff-code`);
  await page.click(`${widget()}${tid('close-widget')}`);
  await page.waitForFunction(() => document.getElementById('panel').hidden);
  assert.deepEqual(await events(page), ['callback: cancelled', 'event: cancelled']);
  assert.equal(await page.evaluate(() => window.redeemguard.liveWidgets()), 0);
  assert.equal(await page.$eval('#widget', (w) => w.shadowRoot.childNodes.length), 0, 'unmount empties the shadow root');

  // Many cycles, and two widgets side by side: the count returns to zero and the wasm
  // memory stops growing after warm-up.
  const cycle = () => page.evaluate(async (api) => {
    const { mount } = window.redeemguard;
    const config = { backendUrl: api, terminalToken: 'demo-till-2',
      bill: { id: 'INV-X', total: '100.00', currency: 'INR' } };
    const a = document.createElement('div');
    const b = document.createElement('div');
    document.body.append(a, b);
    const wa = mount(a, config);
    const wb = mount(b, config);
    await new Promise((r) => setTimeout(r, 30));
    const both = window.redeemguard.liveWidgets();
    const ids = [a, b].map((h) => h.shadowRoot.querySelectorAll('#screen-title').length);
    wa.unmount(); wb.unmount();
    wa.free(); wb.free();
    a.remove(); b.remove();
    return { both, ids, after: window.redeemguard.liveWidgets() };
  }, demo.server.url);
  const first = await cycle();
  assert.deepEqual(first, { both: 2, ids: [1, 1], after: 0 }, 'two widgets, each with its own ids');
  for (let i = 0; i < 10; i++) await cycle();
  const warm = await memoryBytes(page);
  for (let i = 0; i < 40; i++) await cycle();
  assert.equal(await memoryBytes(page), warm, 'wasm memory does not grow with mount/unmount cycles');

  // Remount in the same element after unmounting.
  await page.click('#collect');
  await page.waitForSelector(`${widget()}#staff-code`);
  assert.equal(await page.evaluate(() => window.redeemguard.liveWidgets()), 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('widget: a bad config is refused with an error naming every setting to fix', async () => {
  const page = await openHost();
  await page.click('#appointments button[data-index="2"]');
  await page.click('#collect-bad');
  await page.waitForSelector('#widget-error:not([hidden])');
  const text = await page.textContent('#widget-error');
  for (const part of ['backendUrl must start with https://', 'terminalToken is required',
    'bill.id "INV 1" is not valid', 'bill.currency must be a 3-letter']) {
    assert.ok(text.includes(part), `"${part}" in: ${text}`);
  }
  assert.equal(await page.evaluate(() => window.redeemguard.liveWidgets()), 0, 'nothing was mounted');
  await shot(page, 'w05-widget-bad-config');
  const thrown = await page.evaluate(() => {
    try { window.redeemguard.mount(null, {}); return null; } catch (e) { return e.message; }
  });
  assert.match(thrown, /first argument must be an HTML element/);
  const noFn = await page.evaluate(() => {
    try { window.redeemguard.mount(document.createElement('div'), { onEvent: 5 }); return null; } catch (e) { return e.message; }
  });
  assert.match(noFn, /onEvent must be a function/);
  await page.context().close();
});
