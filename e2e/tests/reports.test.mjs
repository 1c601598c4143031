// Issue 15: a manager reads who redeemed what (the seed 000 reports, by cashier and till, the
// end-of-day cash-up, loyalty owed), sees which cashier's signals cross the store's thresholds
// and opens the audit entries behind one, and checks the store's audit log in the browser.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, demoSuite, readCodeFromPhone, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { lookAt, openApp, signIn, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });
const sizes = [SIZES.tablet, SIZES.desktop];

/** The cashier's own API session (what they post is theirs in the reports). */
async function cashier() {
  const api = new Api(demo.server, DEMO.terminal2);
  await api.signIn(DEMO.cashier);
  return api;
}

/** `points` of Asha's points taken off bill `bill` by `api`, her code read back. */
async function redeem(api, bill, points, total = 200_000) {
  const instrument = await api.instrument('cust-asha', 'points');
  const held = await api.call('POST', '/v1/redemptions', {
    customer_id: 'cust-asha', instrument_id: instrument.id, quantity: points,
    purpose: { kind: 'bill', bill: { id: bill, total: { minor: total, currency: 'INR' } } },
  });
  const sentAt = Date.now() - 1000;
  await api.call('POST', `/v1/redemptions/${held.id}/otp`, { channel: 'sms' });
  const { code } = await readCodeFromPhone(demo.server, 'cust-asha', { after: sentAt });
  return { held, code };
}

async function post(api, { held, code }) {
  await api.call('POST', `/v1/redemptions/${held.id}/verify`, { code });
  return api.call('POST', `/v1/redemptions/${held.id}/commit`, {}, { 'idempotency-key': `k-${held.id}` });
}

/** The reports surface, signed in as the demo manager, on one of its pages. */
async function reports(tab) {
  const page = await openApp(demo.browser, demo.server, SIZES.desktop, '/reports');
  await signIn(page, { staff: DEMO.manager });
  await page.waitForSelector(tid(tab));
  await page.click(tid(tab));
  return page;
}

async function waitForStatus(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('#status')?.textContent ?? ''),
    pattern.source,
    { timeout: 20_000 },
  );
  return page.textContent('#status');
}

/** Clicks `selector` and reads the file the browser saves. */
async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const chunks = [];
  for await (const chunk of await file.createReadStream()) chunks.push(chunk);
  return { name: file.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
}

test('reports: today\'s summary by customer, one customer in detail, the cash-up per till, CSV and loyalty owed', async () => {
  const api = await cashier();
  await post(api, await redeem(api, 'B-REP-1', 300));
  await post(api, await redeem(api, 'B-REP-2', 200));

  const office = await reports('show-reports');
  await office.waitForSelector(`${tid('report')}[data-kind="date_customer"]`);
  const asha = office.locator(`${tid('report-row')}[data-key="Asha Rao"]`);
  await asha.waitFor();
  const cells = await asha.locator('td').allTextContents();
  assert.equal(cells[2], '2', 'two redemptions today');
  assert.equal(cells[3], '500', '500 points');
  assert.match(cells[4], /₹500\.00/);
  assert.match(await office.textContent(tid('report-summary')), /2 redemptions · 500 points · ₹500\.00 redeemed/);
  await lookAt(office, '84-report-summary', sizes);

  // One customer's redemptions, each with its bill, cashier and how it was approved.
  await asha.locator(tid('customer-detail')).click();
  await office.waitForSelector(`${tid('report')}[data-kind="customer_detail"]`);
  const detail = await office.locator(tid('report-row')).allTextContents();
  assert.equal(detail.length, 2);
  assert.ok(detail.some((r) => r.includes('B-REP-1') && r.includes("Customer's code") && r.includes('Priya')), detail.join('\n'));
  assert.match(await office.textContent(tid('report-customer')), /Only Asha Rao's redemptions/);
  await lookAt(office, '85-report-customer-detail', sizes);

  // The CSV is the same report, every row, names not ids.
  const csv = await download(office, tid('report-csv'));
  assert.match(csv.name, /^Customer Wise Detailed \d{4}-\d\d-\d\d\.csv$/);
  const lines = csv.text.trim().split(/\r?\n/);
  assert.match(lines[0], /^Customer,Date,Time,Bill,Kind,Item,Quantity,Unit,Value,Approved by,Cashier,Till,Reversed$/);
  assert.equal(lines.length, 3);
  assert.ok(lines.some((l) => l.startsWith('Asha Rao,') && l.includes(',B-REP-2,') && l.includes(',200,points,200.00,')), csv.text);

  // End of day per till: what loyalty took off the bills at each till, for the cash-up.
  await office.click(tid('all-customers'));
  await office.waitForSelector(tid('report-customer'), { state: 'detached' });
  await office.selectOption('#report-view', 'end_of_day');
  await office.click(tid('run-report'));
  await office.waitForSelector(`${tid('report')}[data-kind="end_of_day"]`);
  const till = await office.locator(tid('report-row')).first().locator('td').allTextContents();
  assert.match(till[1], /Till 2/);
  assert.match(till[4], /₹500\.00/);
  await lookAt(office, '86-report-end-of-day', sizes);

  // A period that ends before it starts is named at its field; nothing is asked.
  await office.fill('#report-from', '2027-03-02');
  await office.fill('#report-to', '2027-03-01');
  await office.click(tid('run-report'));
  await office.waitForSelector('#report-to[aria-invalid="true"]');
  assert.match(await office.textContent('#report-to-error'), /before the first day/);

  // Loyalty owed now, with what expires soon.
  await office.selectOption('#report-view', 'liability');
  assert.ok(!(await office.isVisible('#report-from')), 'loyalty owed has no period');
  await office.click(tid('run-report'));
  await office.waitForSelector(tid('liability'));
  const points = await office.locator(`${tid('liability-row')}[data-key="points"] td`).allTextContents();
  assert.equal(points[0], 'Points');
  assert.match(await office.textContent(tid('liability-total')), /In all: ₹/);
  await lookAt(office, '87-report-liability', sizes);
  await office.close();
});

test('cashier signals: a cashier crossing a threshold comes first; the signal opens the audit entries behind it', async () => {
  // Wrong codes: the store flags a cashier from two a day.
  const policy = await demo.api.policy();
  await demo.api.updatePolicy({ fraud: { ...policy.fraud, failed_codes: 2 } });
  const api = await cashier();
  const attempt = await redeem(api, 'B-SIG-1', 100);
  for (const wrong of ['000000', '999999']) {
    const guess = wrong === attempt.code ? '111111' : wrong;
    await api.call('POST', `/v1/redemptions/${attempt.held.id}/verify`, { code: guess }).catch((e) => {
      assert.equal(e.status, 422);
    });
  }
  await post(api, attempt);

  const office = await reports('show-cashiers');
  const ravi = office.locator(`${tid('cashier')}[data-key^="Priya"]`);
  await ravi.waitFor();
  assert.match(await ravi.getAttribute('data-key'), /failed_codes/);
  assert.equal(await office.locator(tid('cashier')).first().getAttribute('data-key'), await ravi.getAttribute('data-key'), 'flagged first');
  await lookAt(office, '88-cashier-signals', sizes);

  await ravi.locator(`${tid('signal')}`).filter({ hasText: 'Wrong codes' }).click();
  await office.waitForSelector(tid('audit-entries'));
  assert.equal(await office.inputValue('#audit-action'), 'otp_rejected');
  const actions = await office.locator(tid('audit-entry')).evaluateAll((rows) => rows.map((r) => r.dataset.key));
  assert.ok(actions.length >= 2 && actions.every((a) => a === 'otp_rejected'), actions.join());
  const first = await office.locator(tid('audit-entry')).first().locator('td').allTextContents();
  assert.equal(first[2], 'Wrong code');
  assert.match(first[3], /Priya/, 'names, not ids');
  await lookAt(office, '89-audit-drilled', sizes);
  await demo.api.updatePolicy({ fraud: policy.fraud });
  await office.close();
});

test('audit log: filtered, exported, and the whole store chain checked in the browser', async () => {
  const api = await cashier();
  await post(api, await redeem(api, 'B-AUD-1', 50));
  const office = await reports('show-audit');
  await office.waitForSelector(`${tid('audit-entries')}, ${tid('audit-empty')}`);
  await office.selectOption('#audit-action', 'commit');
  await office.click(tid('show-audit-entries'));
  await office.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid="audit-entry"]')];
    return rows.length > 0 && rows.every((r) => r.dataset.key === 'commit');
  });
  const csv = await download(office, tid('audit-csv'));
  assert.match(csv.name, /\.csv$/);
  assert.match(csv.text.split(/\r?\n/)[0], /^Seq,When \(store time\),Action,Staff,Terminal/);

  await office.click(tid('check-chain'));
  const said = await waitForStatus(office, /audit log checks out|does not check out/);
  assert.match(said, /checks out: all \d+ entries of this store link/);
  assert.match(await office.textContent(tid('chain')), /checks out/);
  await lookAt(office, '90-audit-chain-checked', sizes);
  await office.close();
});
