// A minimal salon appointment book embedding the RedeemGuard widget. It is served from its
// own origin (the demo's second port) and loads the widget cross-origin from the loyalty
// server, so the browser's CORS checks are exercised exactly as for a real host.
//
// The server's address: ?api=http://127.0.0.1:8080 (default: same host, port 8080).
const params = new URLSearchParams(location.search);
const API = (params.get("api") || `${location.protocol}//${location.hostname}:8080`).replace(/\/$/, "");
const TERMINAL = params.get("terminal") || "demo-till-2";

const { default: init, mount, liveWidgets, forgetSession } = await import(`${API}/widget/redeemguard.js`);
const wasm = await init({ module_or_path: `${API}/widget/redeemguard_bg.wasm` });
// For developers and tests: the module as this page loaded it.
window.redeemguard = { mount, liveWidgets, forgetSession, api: API, memoryBytes: () => wasm.memory.buffer.byteLength };

const inr = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" });
const appointments = [
  { time: "10:00", client: "Asha Rao", invoice: "INV-1042", lines: [["Hair spa", 1500], ["Blow-dry", 450]] },
  { time: "11:30", client: "Vikram Singh", invoice: "INV-1043", lines: [["Beard trim", 350], ["Head massage", 600]] },
  { time: "13:00", client: "Priya Nair", invoice: "INV-1044", lines: [["Manicure", 800], ["Pedicure", 950], ["Hair colour", 2400]] },
];

const $ = (id) => document.getElementById(id);
let current = null;
let widget = null;
let paidWithLoyalty = 0;

function total(a) { return a.lines.reduce((s, [, v]) => s + v, 0); }

function renderDay() {
  $("appointments").replaceChildren(...appointments.map((a, i) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.index = String(i);
    b.setAttribute("aria-pressed", String(current === a));
    b.innerHTML = `<span class="time"></span><span class="name"></span>`;
    b.querySelector(".time").textContent = a.time;
    b.querySelector(".name").textContent = `${a.client} · ${a.invoice}`;
    b.addEventListener("click", () => open(a));
    li.append(b);
    return li;
  }));
}

function renderInvoice() {
  const a = current;
  $("invoice").hidden = !a;
  if (!a) return;
  $("invoice-id").textContent = a.invoice;
  $("invoice-client").textContent = `${a.client} · ${a.time}`;
  $("invoice-lines").replaceChildren(...a.lines.map(([name, amount]) => {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td></td><td class="num"></td>`;
    tr.children[0].textContent = name;
    tr.children[1].textContent = inr.format(amount);
    return tr;
  }));
  $("invoice-total").textContent = inr.format(total(a));
  $("loyalty-row").hidden = paidWithLoyalty === 0;
  $("invoice-loyalty").textContent = `− ${inr.format(paidWithLoyalty)}`;
  $("invoice-due").textContent = inr.format(total(a) - paidWithLoyalty);
}

function open(a) {
  closePanel();
  current = a;
  paidWithLoyalty = 0;
  $("events").replaceChildren();
  renderDay();
  renderInvoice();
}

function log(text) {
  const li = document.createElement("li");
  li.textContent = text;
  $("events").append(li);
}

function closePanel() {
  if (widget) { widget.unmount(); widget = null; }
  $("panel").hidden = true;
  $("widget-error").hidden = true;
}

function collect(config) {
  closePanel();
  $("panel").hidden = false;
  try {
    widget = mount($("widget"), config);
  } catch (e) {
    $("widget-error").textContent = e.message;
    $("widget-error").hidden = false;
  }
}

function configFor(a) {
  // The invoice's whole total, every time: a bill number goes with one total, and the server
  // takes off what loyalty already paid on it (the widget shows what is left to pay).
  return {
    backendUrl: API,
    terminalToken: TERMINAL,
    bill: { id: a.invoice, total: total(a).toFixed(2), currency: "INR" },
    locale: "en-IN",
    instruments: ["points", "package", "membership", "campaign"],
    onEvent: (e) => log(`callback: ${e.type} ${e.redemptionId ?? ""} ${e.value ? e.value.amount + " " + e.value.currency : ""}`.trim()),
  };
}

// The DOM events bubble out of the widget (composed), so the page can listen anywhere.
for (const type of ["redeemed", "cancelled", "failed"]) {
  document.addEventListener(`redeemguard:${type}`, (ev) => {
    const d = ev.detail;
    log(`event: ${type} ${d.redemptionId ?? ""} ${d.instrument ? d.instrument.kind + " " + d.quantity : ""}`.trim());
    if (type === "redeemed" && d.value) {
      paidWithLoyalty += Number(d.value.amount);
      renderInvoice();
    }
    if (type === "cancelled" && !d.redemptionId) closePanel();
  });
}

$("collect").addEventListener("click", () => current && collect(configFor(current)));
$("collect-bad").addEventListener("click", () => collect({ backendUrl: "loyalty.example", bill: { id: "INV 1", total: "-5", currency: "rupees" } }));
$("panel-close").addEventListener("click", closePanel);

renderDay();
document.body.dataset.ready = "true";
