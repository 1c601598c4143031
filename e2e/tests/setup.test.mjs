// Issue 14: a manager sets up a real store in the back office: staff (add, new PIN, disable),
// terminals (add with a token shown once, revoke), the override code, loyalty card types and
// cards issued to customers, and a customer master imported from a CSV file (checked first).
// Each change is proven where it matters: at a till, in the ledger, in the audit log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, demoSuite, SIZES } from '../lib/harness.mjs';
import { Api } from '../lib/api.mjs';
import { enterBill, findCustomer, lookAt, openApp, signIn, tid } from '../lib/app.mjs';

const demo = demoSuite({ before, after }, { Api });
const sizes = [SIZES.desktop, SIZES.tablet];

/** The back office, signed in as the demo manager, on one of its pages. */
async function backOffice(tab) {
  const page = await openApp(demo.browser, demo.server, SIZES.desktop, '/back-office');
  await signIn(page, { staff: DEMO.manager });
  await page.waitForSelector(tid(tab));
  await page.click(tid(tab));
  return page;
}

const status = (page) => page.textContent('#status');

async function waitForStatus(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('#status')?.textContent ?? ''),
    pattern.source,
    { timeout: 15_000 },
  );
  return status(page);
}

/** Signs in at a fresh till; resolves to the page, on the bill screen or still on sign-in. */
async function tryTill({ terminal = DEMO.terminal, staff }) {
  const till = await openApp(demo.browser, demo.server, SIZES.tablet);
  await signIn(till, { terminal, staff });
  await till.waitForSelector('#bill-id, [aria-invalid="true"]');
  return till;
}

test('staff: a manager adds a cashier who can then sign in, sets their PIN, and disables them', async () => {
  const office = await backOffice('show-staff');
  await office.waitForSelector(tid('staff-list'));
  await lookAt(office, '70-staff', sizes);

  // A guessable PIN is named next to its field, and nothing is added.
  await office.fill('#staff-name', 'Deepa Menon');
  await office.fill('#staff-code', 'C777');
  await office.fill('#staff-pin', '1234');
  await office.click(tid('add-staff'));
  await office.waitForSelector('#staff-pin[aria-invalid="true"]');
  assert.match(await office.textContent('#staff-pin-error'), /too easy to guess/);
  await lookAt(office, '71-staff-bad-pin', sizes);

  await office.fill('#staff-pin', '4821');
  await office.click(tid('add-staff'));
  assert.match(await waitForStatus(office, /Added Deepa Menon/), /cashier, code C777/);
  await office.waitForSelector(`${tid('staff-member')}[data-code="C777"]`);
  assert.equal(await office.inputValue('#staff-name'), '', 'the form is emptied');

  const till = await tryTill({ staff: { code: 'C777', pin: '4821' } });
  await till.waitForSelector('#bill-id');
  await till.close();

  // A new PIN: the old one no longer opens a session.
  await office.selectOption('#pin-member', { label: 'Deepa Menon (C777)' });
  await office.fill('#new-pin', '5937');
  await office.click(tid('set-pin'));
  await waitForStatus(office, /New PIN set for Deepa Menon/);
  const old = await tryTill({ staff: { code: 'C777', pin: '4821' } });
  assert.equal(await old.locator('#bill-id').count(), 0, 'the old PIN is refused');
  await old.close();

  // Disable: a second, deliberate tap; then the member cannot sign in.
  const row = office.locator(`${tid('staff-member')}[data-code="C777"]`);
  await row.locator(tid('disable-staff')).click();
  await office.waitForSelector(tid('confirm-danger'));
  assert.match(await office.textContent(tid('confirm-danger')), /Disable Deepa Menon\? They can no longer sign in/);
  await lookAt(office, '72-staff-confirm-disable', sizes);
  await office.click(tid('confirm-yes'));
  await waitForStatus(office, /Deepa Menon is disabled/);
  await row.waitFor({ state: 'detached' });
  const gone = await tryTill({ staff: { code: 'C777', pin: '5937' } });
  assert.equal(await gone.locator('#bill-id').count(), 0, 'a disabled member cannot sign in');
  await gone.close();
  // The manager cannot disable themselves: their own row has no button.
  const me = office.locator(`${tid('staff-member')}[data-code="M001"]`);
  assert.equal(await me.locator(tid('disable-staff')).count(), 0);

  const { entries } = await demo.api.audit();
  for (const action of ['staff_added', 'pin_set', 'staff_disabled']) {
    assert.ok(entries.some((e) => e.action === action), `audited: ${action}`);
  }
  await office.close();
});

test('terminals: a new till works with the token shown once; revoked, it no longer does', async () => {
  const office = await backOffice('show-terminals');
  await office.waitForSelector(tid('terminal-list'));
  await office.fill('#terminal-name', 'Till 9');
  await office.click(tid('add-terminal'));
  await office.waitForSelector(tid('terminal-token'));
  const token = (await office.textContent(tid('terminal-token'))).trim();
  assert.ok(token.length >= 20, `a long random token: ${token}`);
  await lookAt(office, '73-terminal-token', sizes);

  const till = await tryTill({ terminal: token, staff: DEMO.cashier });
  await till.waitForSelector('#bill-id');
  // Typed in: the manager takes it off the screen.
  await office.click(tid('token-entered'));
  await office.waitForSelector(tid('new-terminal'), { state: 'detached' });

  // Leaving the page forgets the token: it is shown only once.
  await office.click(tid('show-staff'));
  await office.click(tid('show-terminals'));
  await office.waitForSelector(tid('terminal-list'));
  assert.equal(await office.locator(tid('terminal-token')).count(), 0);
  assert.ok(!(await office.textContent('body')).includes(token));

  const row = office.locator(`${tid('terminal')}[data-name="Till 9"]`);
  await row.locator(tid('revoke-terminal')).click();
  await office.click(tid('confirm-yes'));
  await waitForStatus(office, /Till 9 is revoked/);
  // The till signed in with it is signed out at its next call to the server.
  await enterBill(till, 'B-REVOKED', '500');
  await till.fill('#customer-q', 'Asha');
  await till.click(tid('search'));
  await till.waitForSelector('#staff-code', { timeout: 15_000 });
  const again = await tryTill({ terminal: token, staff: DEMO.cashier });
  assert.equal(await again.locator('#bill-id').count(), 0, 'a revoked token opens nothing');
  await till.close();
  await again.close();
  await office.close();
});

test('override code: typed twice, never guessable, and the new code replaces the old', async () => {
  const office = await backOffice('show-override-code');
  await office.waitForSelector('#override-new');
  await lookAt(office, '74-override-code', sizes);
  await office.fill('#override-new', '11111111');
  await office.fill('#override-again', '11111111');
  await office.click(tid('set-override-code'));
  await office.waitForSelector('#override-new[aria-invalid="true"]');
  await office.fill('#override-new', '58203746');
  await office.fill('#override-again', '58203745');
  await office.click(tid('set-override-code'));
  await office.waitForSelector('#override-again[aria-invalid="true"]');
  assert.match(await office.textContent('#override-again-error'), /not the same code/);
  await office.fill('#override-again', '58203746');
  await office.click(tid('set-override-code'));
  await waitForStatus(office, /Override code changed/);
  const { entries } = await demo.api.audit();
  const set = entries.filter((e) => e.action === 'override_code_set');
  assert.equal(set.length, 1);
  assert.ok(!JSON.stringify(set).includes('58203746'), 'the code itself is never in the log');
  await office.close();
});

test('loyalty cards: a card type, a card issued by mobile, and points earned at its rate at the till', async () => {
  const office = await backOffice('show-cards');
  await office.waitForSelector(tid('card-types'));
  const names = await office.locator(`${tid('card-type')} td:first-child`).allTextContents();
  assert.deepEqual(names, ['Business', 'Classic', 'Institutional'], 'by name');
  await lookAt(office, '75-cards', sizes);

  // Every bad field named at once.
  await office.fill('#card-type-name', 'Platinum');
  await office.fill('#card-type-customer_type', 'VIP');
  await office.fill('#card-type-earn_points', 'five');
  await office.fill('#card-type-earn_per', '0');
  await office.fill('#card-type-point_value', '2.00');
  await office.click(tid('save-card-type'));
  await office.waitForSelector('#card-type-earn_points[aria-invalid="true"]');
  await office.waitForSelector('#card-type-earn_per[aria-invalid="true"]');
  await lookAt(office, '76-card-type-errors', sizes);
  await office.fill('#card-type-earn_points', '5');
  await office.fill('#card-type-earn_per', '100');
  await office.click(tid('save-card-type'));
  await waitForStatus(office, /Saved Platinum: VIP customers earn 5 points per ₹100\.00; 1 point is worth ₹2\.00/);
  await office.waitForSelector(`${tid('card-type')}[data-name="Platinum"]`);

  // Arjun (no card yet) gets a card and becomes a VIP customer.
  await office.fill('#issue-customer', '99001 12233');
  await office.fill('#issue-card', 'RG00099001');
  await office.fill('#issue-customer_type', 'VIP');
  await office.click(tid('issue-card'));
  assert.match(
    await waitForStatus(office, /Card RG00099001 issued to Arjun Patel/),
    /VIP customer: the Platinum card's rates apply/,
  );
  // A card another customer holds is refused, next to its field.
  await office.fill('#issue-customer', '99001 12233');
  await office.fill('#issue-card', 'RG00012345');
  await office.click(tid('issue-card'));
  await office.waitForSelector('#status[data-tone="error"]');
  assert.doesNotMatch(await status(office), /issued/);

  // At the till the new card finds him, and a ₹1,000 sale earns 5 per ₹100 = 50 points.
  const till = await tryTill({ staff: DEMO.cashier });
  const bill = `B-EARN-${Date.now()}`;
  await enterBill(till, bill, '1000');
  await findCustomer(till, 'RG00099001', 'cust-arjun');
  await till.waitForSelector(tid('earn-points'));
  const before = (await demo.api.instrument('cust-arjun', 'points')).available;
  await till.click(tid('earn-points'));
  assert.match(await waitForStatus(till, /earned 50 points/), new RegExp(`on bill ${bill}`));
  await till.waitForSelector(tid('earn-points'), { state: 'detached' });
  assert.match(await till.textContent(tid('earned')), /This bill earned 50 points/);
  await lookAt(till, '77-points-earned', [SIZES.tablet, SIZES.desktop]);
  const points = await demo.api.instrument('cust-arjun', 'points');
  assert.equal(points.available, before + 50);
  assert.equal(points.unit_value.minor, 200, "his points are worth the Platinum card's ₹2.00");
  await till.close();
  await office.close();
});

test('import: a file is checked first, every problem named by row and column, then imported once', async () => {
  const office = await backOffice('show-import');
  await office.waitForSelector('#import-file');
  await lookAt(office, '78-import', sizes);
  const stamp = Date.now() % 100000;
  const mobile = (n) => `+9199${String(stamp).padStart(5, '0')}${n}`.slice(0, 13);
  const bad = [
    'name,mobile,customer_type,points',
    `Meena Pillai,${mobile('001')},Normal,300`,
    `Rahul Verma,not-a-phone,GST,100`,
    `Sita Ram,${mobile('003')},Normal,-5`,
  ].join('\n');
  await office.setInputFiles('#import-file', { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await office.waitForSelector(tid('import-errors'));
  const rows = await office.locator(`${tid('import-error')} td:first-child`).allTextContents();
  assert.deepEqual(rows, ['3', '4'], 'rows 3 and 4 (row 1 is the header)');
  const columns = await office.locator(`${tid('import-error')} td:nth-child(2)`).allTextContents();
  assert.deepEqual(columns, ['mobile', 'points']);
  assert.match(await status(office), /Nothing imported/);
  assert.ok(await office.locator(tid('import-now')).isDisabled(), 'a file with problems cannot be imported');
  await lookAt(office, '79-import-errors', sizes);

  const good = [
    'name,mobile,customer_type,points',
    `Meena Pillai,${mobile('001')},Normal,300`,
    `Rahul Verma,${mobile('002')},GST,100`,
  ].join('\n');
  await office.setInputFiles('#import-file', { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await office.waitForSelector(`${tid('import-report')}[data-ok="true"]`);
  assert.match(await office.textContent(tid('import-summary')), /would add 2 customers with 2 opening balances/);
  await assert.rejects(demo.api.customer(mobile('001')), 'a dry run writes nothing');
  await lookAt(office, '80-import-checked', sizes);
  assert.equal((await office.textContent(tid('import-now'))).trim(), 'Import 2 customers');
  await office.click(tid('import-now'));
  await waitForStatus(office, /2 rows: added 2 customers with 2 opening balances/);
  const meena = await demo.api.customer(mobile('001'));
  assert.equal((await demo.api.instrument(meena.id, 'points')).available, 300);

  // The same file again changes nothing.
  await office.setInputFiles('#import-file', { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await office.waitForSelector(`${tid('import-report')}[data-ok="true"]`);
  assert.match(await office.textContent(tid('import-summary')), /would add 0 customers .* 2 already there/);
  const { entries } = await demo.api.audit();
  assert.equal(
    entries.filter((e) => e.action === 'balance_opened' && JSON.stringify(e).includes(meena.id)).length,
    1,
    'her opening balance is audited once',
  );
  await office.close();
});
