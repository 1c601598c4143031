// A small client for the /v1 contract, used by the e2e tests to set policy and to check
// balances behind the UI's back (the ledger is the truth, not the screen).
import { DEMO } from './harness.mjs';

export class Api {
  constructor(server, terminal = DEMO.terminal2) {
    this.base = server.url;
    this.terminal = terminal;
    this.token = null;
  }

  async call(method, path, body, headers = {}) {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-terminal-token': this.terminal,
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const err = new Error(`${method} ${path} → ${res.status} ${json?.code}: ${json?.detail ?? json?.title}`);
      err.status = res.status;
      err.problem = json;
      throw err;
    }
    return json;
  }

  async signIn({ code, pin } = DEMO.manager) {
    const session = await this.call('POST', '/v1/sessions', { staff_code: code, pin });
    this.token = session.token;
    return session;
  }

  policy() { return this.call('GET', '/v1/policy'); }

  async updatePolicy(changes) {
    const current = await this.policy();
    return this.call('PUT', '/v1/policy', { ...current, ...changes });
  }

  async customer(q) {
    const { customers } = await this.call('GET', `/v1/customers?q=${encodeURIComponent(q)}`);
    if (customers.length !== 1) throw new Error(`expected one customer for ${q}, got ${customers.length}`);
    return customers[0];
  }

  balance(customerId) { return this.call('GET', `/v1/customers/${customerId}/balance`); }

  async instrument(customerId, kind) {
    const { instruments } = await this.balance(customerId);
    const found = instruments.find((i) => i.kind === kind);
    if (!found) throw new Error(`customer ${customerId} has no ${kind}`);
    return found;
  }

  audit() { return this.call('GET', '/v1/audit?limit=1000'); }
}
