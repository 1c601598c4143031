// SPEC §9 browser figures: time to interactive and per-step UI response, both on Chromium
// with 4x CPU throttling, app served by the real server from localhost.
// Prints one JSON line: {"tti_ms":{"till":…,"kiosk":…,"back_office":…},"ui_step_ms":{...}}
// (milliseconds: median, p90, max).
import { launchBrowser, startServer, SIZES } from '../lib/harness.mjs';
import { chooseInstrument, enterBill, findCustomer, signIn, tid } from '../lib/app.mjs';

const RUNS = Number(process.env.RG_BENCH_RUNS || 7);

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { runs: s.length, median: at(0.5), p90: at(0.9), max: s[s.length - 1] };
}

async function throttledPage(browser) {
  const context = await browser.newContext({ viewport: SIZES.tablet });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return page;
}

/** Navigation start → the first form control is in the DOM and enabled (the app is usable). */
async function timeToInteractive(browser, url, { signInCheck = true } = {}) {
  const page = await throttledPage(browser);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => {
    const el = document.querySelector('.rg-main input:not([disabled]), .rg-main button:not([disabled])');
    return el !== null;
  }, null, { timeout: 30_000, polling: 'raf' });
  const ms = await page.evaluate(() => performance.now());
  // The first local check a cashier meets: signing in with the PIN missing.
  let check = null;
  if (signInCheck) {
    await page.waitForSelector(tid('sign-in'));
    check = await uiStep(page, { fill: '#pin', value: '', tap: tid('sign-in'), done: '.rg-field-msg' });
  }
  await page.context().close();
  return { ms, signInCheck: check };
}

/**
 * Time from a tap to the next frame after the DOM shows the answer, for a step that needs no
 * network (the cashier's own input checked in the browser). Runs inside the page.
 */
async function uiStep(page, { fill, value, tap, done }) {
  return page.evaluate(([fill, value, tap, done]) => new Promise((resolve, reject) => {
    if (fill) {
      const input = document.querySelector(fill);
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
    const finished = () => [...document.querySelectorAll(done)].some((el) => (el.textContent ?? '').trim() !== '');
    const t0 = performance.now();
    const observer = new MutationObserver(() => {
      if (finished()) {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    setTimeout(() => { observer.disconnect(); reject(new Error(`no answer to ${tap} within 5 s`)); }, 5000);
    document.querySelector(tap).click();
  }), [fill, value, tap, done]);
}

async function uiSteps(browser, url) {
  const page = await throttledPage(browser);
  await page.goto(url);
  await page.waitForSelector(tid('app'));
  const steps = { quantity_check: [], back_to_balance: [], open_redeem: [] };
  await signIn(page);
  await enterBill(page, 'B-BENCH', '1000');
  await findCustomer(page, 'Vikram', 'cust-vikram');
  await chooseInstrument(page, 'points');
  for (let i = 0; i < RUNS; i++) {
    steps.quantity_check.push(await uiStep(page, { fill: '#quantity', value: String(10 + i), tap: tid('hold'), done: '#quantity-error' }));
    steps.back_to_balance.push(await uiStep(page, { tap: tid('back-to-balance'), done: '[data-testid="balance"]' }));
    steps.open_redeem.push(await uiStep(page, { tap: `${tid('instrument')}[data-kind="points"] ${tid('choose-instrument')}`, done: '#allowed-range' }));
  }
  await page.context().close();
  return Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, stats(v)]));
}

const server = await startServer();
const browser = await launchBrowser();
try {
  // Each surface is its own bundle: the till, the kiosk and the back office load apart.
  const surfaces = { till: ['/', true], kiosk: ['/kiosk/', false], back_office: ['/back-office/', true], reports: ['/reports/', true] };
  const tti = {};
  let tillLoads = [];
  for (const [name, [path, signInCheck]] of Object.entries(surfaces)) {
    const loads = [];
    for (let i = 0; i < RUNS; i++) loads.push(await timeToInteractive(browser, server.url + path, { signInCheck }));
    tti[name] = stats(loads.map((l) => l.ms));
    if (name === 'till') tillLoads = loads;
  }
  const ui = await uiSteps(browser, server.url + '/');
  ui.sign_in_check = stats(tillLoads.map((l) => l.signInCheck));
  console.log(JSON.stringify({ tti_ms: tti, ui_step_ms: ui }));
} finally {
  await browser.close();
  await server.stop();
}
