// The lease list: groups by sign-in session or source, most urgent first,
// each row with a live countdown. One timer updates every countdown from
// its deadline; the list itself is rebuilt only when the app says the view
// changed.

import { call, on, span, el, clock } from "./ipc.js";
import { openSignIn, onSignInEvent } from "./signin.js";
import { loadSettings } from "./settings.js";
import { portalView, signedIn, chooseRoles } from "./portal.js";

const $ = (id) => document.getElementById(id);
const state = { view: null, open: new Set(), live: [], fetching: false, again: false, painted: false, consoles: new Map() };

async function fetchView() {
  if (state.fetching) { state.again = true; return; }
  state.fetching = true;
  try {
    state.view = await call("get_view");
    render();
    if (!state.painted) {
      state.painted = true;
      // Once the first list is on screen: the app logs how long it took.
      requestAnimationFrame(() => call("view_painted").catch(() => {}));
    }
  } catch (e) {
    $("summary").textContent = `Cannot read the leases: ${e.message ?? e}`;
  } finally {
    state.fetching = false;
    if (state.again) { state.again = false; fetchView(); }
  }
}

function render() {
  const v = state.view;
  $("summary").textContent = v.summary;
  $("attached").hidden = !v.attached;
  $("attached").textContent = v.attached ?? "";
  $("keeper-lost").hidden = !v.keeperLost;
  $("keeper-lost").textContent = v.keeperLost ?? "";
  renderSignIns(v);
  renderNewRoles(v);
  renderProblems(v);
  renderFindings(v);
  portalView(v, fetchView);
  // Opened from the tray's "Add profiles from <session>…".
  if (v.addProfiles) chooseRoles(v.addProfiles);
  const empty = $("empty");
  const groups = $("groups");
  groups.replaceChildren();
  state.live = [];
  if (v.total === 0) {
    empty.hidden = false;
    empty.replaceChildren(...emptyState(v));
    $("count").textContent = "";
    return;
  }
  empty.hidden = true;
  const frag = document.createDocumentFragment();
  for (const g of v.groups) {
    const rows = el("div", { class: "rows" });
    for (const r of g.rows) rows.append(row(r));
    frag.append(el("section", { class: "group", "data-group": g.header },
      el("h2", { text: g.header }), rows));
  }
  groups.append(frag);
  applyFilter();
  tick();
}

function renderSignIns(v) {
  const box = $("sign-ins");
  box.hidden = v.signIns.length === 0;
  box.replaceChildren();
  if (v.signIns.length === 0) return;
  box.append(el("span", { text: "Needs you:" }));
  for (const s of v.signIns) {
    box.append(el("button", { class: "primary", type: "button", "data-sign-in": s,
      text: `Sign in to ${s}…`, onclick: () => openSignIn(s) }));
  }
}

// What the keeper's daily look at the access portal found.
function renderNewRoles(v) {
  const box = $("new-roles");
  box.hidden = v.newRoles.length === 0;
  box.replaceChildren(...v.newRoles.map((n) => el("span", { class: "new-roles", "data-new-roles": n.session },
    el("span", { text: `${n.count} new role${n.count === 1 ? "" : "s"} available in ${n.session}` }), " ",
    el("button", { type: "button", text: "Add profiles…", onclick: () => chooseRoles(n.session) }))));
}

// What `leasekeeper doctor` finds, each with its fix (processes on keys
// about to lapse among them).
function renderFindings(v) {
  const box = $("findings");
  box.hidden = v.findings.length === 0;
  box.replaceChildren(
    el("h2", { text: "Problems" }),
    ...v.findings.map((f) => el("div", { class: "finding", "data-finding": f.code, "data-pid": f.pid ?? undefined },
      el("span", { class: "code-tag", text: f.code }), " ",
      el("span", { class: "message", text: f.message }),
      el("div", { class: "hint fix", text: `Fix: ${f.fix}` }))));
}

function renderProblems(v) {
  const box = $("problems");
  box.hidden = v.problems.length === 0;
  box.replaceChildren(...v.problems.map((p) => el("div", {},
    el("span", { class: "code-tag", text: p.code }), " ",
    el("span", { text: p.message + (p.file ? ` (${p.file}${p.line ? ` line ${p.line}` : ""})` : "") }))));
}

function emptyState(v) {
  if (v.sessions.length === 0 && !$("portal").hidden) {
    return [
      el("h2", { text: "No profiles yet" }),
      el("p", { text: `Add your AWS access portal above, or write profiles in ${v.configPath} yourself.` }),
      el("p", { text: "To look around first: leasekeeper-tray --demo." }),
    ];
  }
  if (!v.configFound) {
    return [
      el("h2", { text: "No AWS config yet" }),
      el("p", { text: `Leasekeeper looks after the profiles in ${v.configPath}, which does not exist.` }),
      el("p", { text: "Add a profile, for example with IAM Identity Center:" }),
      el("pre", { class: "sample", text:
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n" +
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer" }),
      el("p", { text: "or run `aws configure sso`. To look around first: leasekeeper-tray --demo." }),
    ];
  }
  return [
    el("h2", { text: "No profiles" }),
    el("p", { text: `${v.configPath} has no profiles Leasekeeper can look after.` }),
  ];
}

function row(r) {
  const left = el("span", { class: "left", text: r.left });
  const bar = el("span");
  const id = `d-${r.profile.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const head = el("button", {
    class: "head", type: "button", "aria-expanded": String(state.open.has(r.profile)),
    "aria-controls": id, title: r.chain,
    onclick: () => toggle(r.profile, node, head),
  },
  el("span", { class: "dot", "aria-hidden": "true" }),
  el("span", { class: "profile", text: r.profile }),
  el("span", { class: "meter", role: "presentation" }, bar),
  el("span", {}, left, r.estimated ? el("span", { class: "est", title: "An estimate: no AWS API tells when a sign-in session ends", text: "est." })
    : r.upperBound ? el("span", { class: "est", title: "At most: the sign-in may end any time before; nothing tells when it began", text: "at most" }) : null));
  const node = el("div", {
    class: "row", "data-profile": r.profile, "data-tone": r.tone, "data-action": r.action, "data-state": r.state,
    "data-keys-expires": r.expiresMs ?? "",
    "data-renewal": r.renewal?.state ?? "",
    "data-search": [r.profile, r.session, r.chain, r.kind, ...r.steps].join(" ").toLowerCase(),
  }, head);
  const details = el("div", { class: "details", id, hidden: !state.open.has(r.profile) }, ...detailsOf(r));
  node.append(details);
  // The bar follows the keys the keeper renews when there are such keys
  // (it refills at each renewal), else the time left until the person must act.
  const keys = r.renewal && r.renewal.expiresMs && r.renewal.renewedMs && r.renewal.expiresMs > r.renewal.renewedMs;
  if (r.deadlineMs && r.timed) {
    state.live.push({
      left, bar, deadline: r.deadlineMs,
      barEnd: keys ? r.renewal.expiresMs : r.deadlineMs,
      span: keys ? r.renewal.expiresMs - r.renewal.renewedMs : (r.spanMs || 3600000),
    });
    if (keys) head.title = `${r.chain}\nKeys renewed ${clock(r.renewal.renewedMs)}, expire ${clock(r.renewal.expiresMs)}`;
  } else {
    bar.style.width = r.tone === "ok" ? "100%" : "0";
    if (r.action === "none") node.dataset.untimed = "";
  }
  return node;
}

function toggle(profile, node, head) {
  const details = node.querySelector(".details");
  const open = details.hidden;
  details.hidden = !open;
  head.setAttribute("aria-expanded", String(open));
  if (open) state.open.add(profile); else state.open.delete(profile);
}

function detailsOf(r) {
  const items = [
    ["State", `${r.state.replace("_", " ")}${r.estimated ? " (deadline estimated)" : r.upperBound ? " (deadline at the latest)" : ""}`],
    ["Chain", r.chain],
  ];
  const dl = el("dl");
  for (const [k, v] of items) dl.append(el("dt", { text: k }), el("dd", { text: v }));
  dl.append(el("dt", { text: "Steps" }), el("dd", {}, el("ol", {}, ...r.steps.map((s) => el("li", { text: s })))));
  if (r.deadlineMs) dl.append(el("dt", { text: r.upperBound ? "Needs you by" : "Needs you at" }), el("dd", { text: r.upperBound ? `${clock(r.deadlineMs)} at the latest` : clock(r.deadlineMs) }));
  if (r.expiresMs) dl.append(el("dt", { text: "Keys expire" }), el("dd", { class: "keys-expire", text: clock(r.expiresMs) }));
  dl.append(el("dt", { text: "Writes" }), el("dd", { text: r.writes ?? "nothing (the SDKs read the chain themselves)" }));
  if (r.renewal) {
    dl.append(el("dt", { text: "Renewal" }), el("dd", { text: r.renewal.state.replace(/_/g, " ") }));
    dl.append(el("dt", { text: "Last renewal" }), el("dd", { class: "renewed", text: clock(r.renewal.renewedMs) }));
    if (r.renewal.nextMs) dl.append(el("dt", { text: "Next renewal" }), el("dd", { text: clock(r.renewal.nextMs) }));
  }
  const errors = [...r.errors];
  if (r.renewal?.lastError) errors.push(r.renewal.lastError);
  for (const e of errors) {
    dl.append(el("dt", { text: "Last error" }), el("dd", {},
      el("span", { class: "code-tag", text: e.code }), " ",
      el("span", { class: "err", text: e.message }),
      e.hint ? el("div", { class: "hint", text: e.hint }) : null));
  }
  if (r.unusableByBotocore) {
    dl.append(el("dt", { text: "Note" }), el("dd", { text: "botocore and the AWS CLI refuse the file this profile is in" }));
  }
  const actions = [];
  // What the person must do comes typed (`action`); `left` is only shown.
  if (r.action === "mfa_code") actions.push(mfaForm(r.profile));
  if (r.session && r.action === "sign_in") {
    actions.push(el("button", { type: "button", class: "primary", text: `Sign in to ${r.session}…`, onclick: () => openSignIn(r.session) }));
  }
  actions.push(consoleButton(r.profile));
  return [dl, el("div", { class: "actions" }, ...actions)];
}

// The AWS console as this profile, in the browser. The sign-in address
// never comes here: only who the session is, and what to know about it.
// The row is drawn again as leases change: what it said is kept by profile.
function consoleButton(profile) {
  const out = el("span", { class: "help", role: "status", "data-console-status": profile, text: state.consoles.get(profile) ?? "" });
  const open = el("button", { type: "button", text: "Open console", "data-console": profile });
  const say = (text) => {
    state.consoles.set(profile, text);
    for (const n of document.querySelectorAll("[data-console-status]")) {
      if (n.dataset.consoleStatus === profile) n.textContent = text;
    }
  };
  open.addEventListener("click", async () => {
    open.disabled = true;
    say("Opening the console…");
    try {
      const done = await call("open_console", { args: { profile } });
      say([`Opened as ${done.arn}`, ...done.notes].join(". "));
    } catch (err) {
      say(`${err.message ?? err} [${err.code ?? "error"}]`);
    } finally {
      open.disabled = false;
    }
  });
  return el("span", { class: "console" }, open, out);
}

// The MFA prompt: the code goes to the keeper, which renews every role over
// that device without another code until the MFA session ends.
function mfaForm(profile) {
  const input = el("input", { type: "text", inputmode: "numeric", autocomplete: "one-time-code",
    maxlength: "6", pattern: "[0-9]{6}", "aria-label": `MFA code for ${profile}`, placeholder: "123456", class: "mfa-code" });
  const out = el("span", { class: "help", role: "status" });
  const send = el("button", { type: "submit", class: "primary", text: "Send MFA code" });
  const form = el("form", { class: "mfa", "data-mfa": profile }, input, send, out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    send.disabled = true;
    out.textContent = "Checking the code…";
    try {
      await call("submit_mfa_code", { args: { profile, code: input.value } });
      out.textContent = "Code accepted";
      input.value = "";
    } catch (err) {
      out.textContent = `${err.message ?? err} [${err.code ?? "error"}]`;
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

// One timer for every countdown.
function tick() {
  const now = Date.now();
  for (const c of state.live) {
    const ms = c.deadline - now;
    c.left.textContent = ms > 0 ? span(ms) : "expired";
    const barMs = c.barEnd - now;
    c.bar.style.width = `${Math.max(0, Math.min(100, (barMs / c.span) * 100)).toFixed(1)}%`;
  }
}

function applyFilter() {
  const q = $("filter").value.trim().toLowerCase();
  let shown = 0;
  for (const g of $("groups").children) {
    let any = false;
    for (const r of g.querySelectorAll(".row")) {
      const hit = !q || r.dataset.search.includes(q) || g.dataset.group.toLowerCase().includes(q);
      r.hidden = !hit;
      if (hit) { any = true; shown += 1; }
    }
    g.hidden = !any;
  }
  const total = state.view?.total ?? 0;
  $("count").textContent = q ? `${shown} of ${total}` : `${total} profile${total === 1 ? "" : "s"}`;
}

function selectTab(which) {
  const leases = which === "leases";
  $("tab-leases").setAttribute("aria-selected", String(leases));
  $("tab-settings").setAttribute("aria-selected", String(!leases));
  $("leases-view").hidden = !leases;
  $("settings-view").hidden = leases;
  if (!leases) loadSettings();
}

$("filter").addEventListener("input", applyFilter);
$("refresh").addEventListener("click", async () => {
  $("refresh").disabled = true;
  try { await call("refresh_all"); } finally { setTimeout(() => { $("refresh").disabled = false; }, 800); }
});
$("tab-leases").addEventListener("click", () => selectTab("leases"));
$("tab-settings").addEventListener("click", () => selectTab("settings"));
document.addEventListener("keydown", (e) => {
  // Ctrl+W closes the window; the tray stays and the window is destroyed.
  if (e.ctrlKey && e.key.toLowerCase() === "w") {
    e.preventDefault();
    window.__TAURI__.window.getCurrentWindow().close();
    return;
  }
  if (e.key === "/" && document.activeElement?.tagName !== "INPUT") {
    e.preventDefault();
    selectTab("leases");
    $("filter").focus();
  }
});

on("view-changed", fetchView);
on("sign-in", (p) => {
  onSignInEvent(p);
  if (p.step === "done") { fetchView(); signedIn(p.session); }
});
setInterval(tick, 1000);
fetchView();
