// Shared end-to-end harness: the real release server in demo mode on a free port with a
// fresh SQLite file, Debian's Chromium through playwright-core, axe-core scans, screenshots,
// and the demo "customer phone" from which a test reads the code as a customer would.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
export const artifacts = join(root, 'e2e/artifacts');

export const DEMO = {
  terminal: 'demo-till-1',
  terminal2: 'demo-till-2',
  kiosk: 'demo-kiosk-1',
  cashier: { code: 'C001', pin: '1234' },
  manager: { code: 'M001', pin: '9999' },
  overrideCode: '24681357',
};

export const SIZES = {
  tablet: { width: 768, height: 1024 },
  desktop: { width: 1280, height: 800 },
  kiosk: { width: 1080, height: 1920 },
  widget: { width: 420, height: 900 },
};

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts the release server in demo mode; resolves once /healthz answers. `config` is the text
 * of a TOML configuration file (e.g. message gateways), `env` extra environment variables
 * (the gateways' secrets).
 */
export async function startServer(extraArgs = [], { config, env = {} } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rg-e2e-'));
  const bin = process.env.RG_SERVER_BIN || join(root, 'target/release/redeemguard-server');
  const args = ['--demo', '--listen', `127.0.0.1:${port}`, '--db', join(dir, 'demo.sqlite'),
    '--static-dir', process.env.RG_DIST || join(root, 'dist'), ...extraArgs];
  if (config !== undefined) {
    const file = join(dir, 'redeemguard.toml');
    writeFileSync(file, config);
    args.push('--config', file);
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`server did not start:\n${log}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.RG_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A page that records console errors and failed requests so a test can assert there were none. */
export async function newPage(browser, size = SIZES.tablet) {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(join(root, 'e2e/node_modules/axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page; returns the violations (an empty list passes). */
export async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ content: axeSource });
  }
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** The newest code the customer received, read from the demo phone as the customer would. */
export async function readCodeFromPhone(server, customerId, { after = 0 } = {}) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = await (await fetch(`${server.url}/demo/outbox.json`)).json();
    const mine = messages
      .filter((m) => m.customer_id === customerId && (m.kind === 'otp' || m.kind === 'identify') && m.at_ms >= after)
      .sort((a, b) => b.at_ms - a.at_ms || b.id - a.id);
    const match = mine.length ? mine[0].text.match(/\b(\d{6,10})\b/) : null;
    if (match) return { code: match[1], message: mine[0] };
    if (Date.now() > deadline) throw new Error(`no code for ${customerId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The newest message of a kind ('voucher', 'redeemed', …) the customer received. */
export async function readMessageFromPhone(server, customerId, kind, { after = 0 } = {}) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = await (await fetch(`${server.url}/demo/outbox.json`)).json();
    const mine = messages
      .filter((m) => m.customer_id === customerId && m.kind === kind && m.at_ms >= after)
      .sort((a, b) => b.at_ms - a.at_ms || b.id - a.id);
    if (mine.length) return mine[0];
    if (Date.now() > deadline) throw new Error(`no ${kind} message for ${customerId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The usual test-file setup: a fresh demo server, a browser, and a manager's API session,
 * started before the file's tests and stopped after them. Fields are filled in `before`.
 */
export function demoSuite({ before, after }, { Api, setup, args = async () => [] } = {}) {
  const suite = {};
  before(async () => {
    suite.server = await startServer(await args(suite));
    suite.browser = await launchBrowser();
    if (Api) {
      suite.api = new Api(suite.server);
      await suite.api.signIn();
    }
    if (setup) await setup(suite);
  });
  after(async () => { await suite.browser?.close(); await suite.server?.stop(); });
  return suite;
}
