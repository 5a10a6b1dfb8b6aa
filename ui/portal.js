// From an AWS access portal to profiles. With no sign-in session
// configured, the window opens on "Add your AWS access portal" (start URL,
// region, name); it adds the [sso-session], signs in (browser or device
// code, the usual dialog), then lists every account and role as a list
// with checkboxes (all chosen), a template for the profile names with a
// live preview, and "Add N profiles". Settings' "Add profiles…" opens the
// same list for a session already there. Account and role names come from
// the portal: they are only ever text.

import { call, on, el } from "./ipc.js";
import { openSignIn } from "./signin.js";

const $ = (id) => document.getElementById(id);
const st = {
  // "Not now", remembered across windows.
  dismissed: localStorage.getItem("portal-dismissed") === "1",
  // The portal added here: its name, start URL and region.
  added: null,
  // The session just added, whose sign-in leads on to its roles.
  waiting: null,
  // The session whose roles are shown.
  session: null,
  accounts: [],
  chosen: new Set(),
  names: new Map(),
  seq: 0,
  timer: null,
  added: () => {},
};

const key = (account, role) => `${account}\u0000${role}`;

// The first run: shown while no sign-in session is configured.
export function portalView(view, added) {
  st.added = added;
  if (st.session) return;
  // Kept while the portal just added signs in.
  const show = (view.sessions.length === 0 || st.waiting !== null) && !st.dismissed;
  $("portal").hidden = !show;
  if (show) step("portal-form");
}

// Settings' "Add an AWS access portal…".
export function addPortal() {
  st.dismissed = false;
  localStorage.removeItem("portal-dismissed");
  st.session = null;
  $("portal").hidden = false;
  step("portal-form");
  $("portal-url").focus();
}

function step(id) {
  $("portal-form").hidden = id !== "portal-form";
  $("roles-step").hidden = id !== "roles-step";
}

// `https://my-company.awsapps.com/start` → `my-company`.
function nameOf(url) {
  try {
    const host = new URL(url).hostname;
    const first = host.split(".")[0];
    return first.replace(/[^A-Za-z0-9_-]/g, "-") || "aws";
  } catch (_) {
    return "aws";
  }
}

function fail(box, e) {
  $(box).textContent = `${e.message ?? e}${e.code ? ` [${e.code}]` : ""}`;
  $(box).hidden = false;
}

async function submitPortal(ev) {
  ev.preventDefault();
  $("portal-error").hidden = true;
  const startUrl = $("portal-url").value.trim();
  const name = $("portal-name").value.trim() || nameOf(startUrl);
  const region = $("portal-region").value.trim();
  if (st.added && st.added.name === name) {
    if (st.added.startUrl === startUrl && st.added.region === region) {
      // Added already; its sign-in did not finish: sign in again.
      st.waiting = name;
      openSignIn(name);
    } else {
      fail("portal-error", { message: `[sso-session ${name}] is in the config file already, with ${st.added.startUrl} in ${st.added.region}: give this one another name, or change that section in the config file` });
    }
    return;
  }
  $("portal-add").disabled = true;
  try {
    const r = await call("add_portal", { args: { name, startUrl, region } });
    st.added = { name: r.name, startUrl, region };
    st.waiting = r.name;
    openSignIn(r.name);
  } catch (e) {
    fail("portal-error", e);
  } finally {
    $("portal-add").disabled = false;
  }
}

// A sign-in ended well: the session just added goes on to its roles.
export function signedIn(session) {
  if (st.waiting && st.waiting === session) {
    st.waiting = null;
    chooseRoles(session);
  }
}

// Lists what `session` gives and shows it to choose from.
export async function chooseRoles(session) {
  st.session = session;
  st.accounts = [];
  document.getElementById("tab-leases").click();
  $("portal").hidden = false;
  step("roles-step");
  $("roles-title").textContent = `Choose the roles to add from ${session}`;
  $("roles-body").hidden = true;
  $("roles-done").hidden = true;
  $("roles-after").hidden = true;
  $("roles-error").hidden = true;
  $("roles-progress").replaceChildren(`Listing your accounts and roles in ${session}…`);
  try {
    const listed = await call("list_accounts", { args: { session } });
    if (st.session !== session) return;
    st.accounts = listed.accounts;
    st.chosen = new Set(listed.accounts.flatMap((a) => a.roles.map((r) => key(a.id, r))));
    $("roles-template").value = listed.template;
    const roles = st.chosen.size;
    $("roles-progress").textContent = `${listed.accounts.length} account${listed.accounts.length === 1 ? "" : "s"}, ${roles} role${roles === 1 ? "" : "s"}.`;
    renderRoles();
    $("roles-body").hidden = false;
    preview();
  } catch (e) {
    if (st.session !== session) return;
    const retry = el("button", { type: "button", text: "Try again", onclick: () => chooseRoles(session) });
    const signIn = el("button", { type: "button", class: "primary", text: `Sign in to ${session}…`,
      onclick: () => { st.waiting = session; openSignIn(session); } });
    $("roles-progress").replaceChildren(
      el("span", { class: "error", text: `${e.message ?? e}${e.code ? ` [${e.code}]` : ""}` }), " ", signIn, " ", retry);
  }
}

function renderRoles() {
  const rows = [];
  for (const a of st.accounts) {
    for (const r of a.roles) {
      const k = key(a.id, r);
      const box = el("input", { type: "checkbox", "aria-label": `Add ${a.name} ${r}` });
      box.checked = st.chosen.has(k);
      box.addEventListener("change", () => {
        if (box.checked) st.chosen.add(k); else st.chosen.delete(k);
        counted();
        later();
      });
      rows.push(el("tr", { "data-role": k, "data-search": `${a.name} ${a.id} ${a.email} ${r}`.toLowerCase() },
        el("td", {}, box),
        el("td", {}, el("span", { text: a.name }), el("div", { class: "help", text: `${a.id}${a.email ? ` · ${a.email}` : ""}` })),
        el("td", { text: r }),
        el("td", { class: "profile-name", "data-name": k })));
    }
  }
  $("roles-table").tBodies[0].replaceChildren(...rows);
  filter();
  counted();
}

function filter() {
  const q = $("roles-filter").value.trim().toLowerCase();
  for (const tr of $("roles-table").tBodies[0].rows) tr.hidden = q !== "" && !tr.dataset.search.includes(q);
}

function counted() {
  const total = st.accounts.reduce((n, a) => n + a.roles.length, 0);
  $("roles-count").textContent = `${st.chosen.size} of ${total} chosen`;
  $("roles-all").checked = st.chosen.size === total;
}

function later() {
  clearTimeout(st.timer);
  st.timer = setTimeout(preview, 200);
}

function selected() {
  const out = [];
  for (const a of st.accounts) {
    for (const r of a.roles) if (st.chosen.has(key(a.id, r))) out.push({ accountId: a.id, roleName: r });
  }
  return out;
}

// The names the chosen roles get with the template, as the writer gives them.
async function preview() {
  const seq = ++st.seq;
  $("roles-error").hidden = true;
  try {
    const p = await call("preview_profiles", { args: { session: st.session, template: $("roles-template").value, selected: selected() } });
    if (seq !== st.seq) return;
    st.names = new Map(p.roles.map((r) => [key(r.accountId, r.roleName), r]));
    for (const cell of $("roles-table").querySelectorAll("td[data-name]")) {
      const r = st.names.get(cell.dataset.name);
      cell.textContent = r ? r.name : "—";
      cell.dataset.status = r ? r.status : "";
      cell.title = r && r.status === "existing" ? `Already configured as ${r.name}` : "";
    }
    $("roles-renamed").hidden = p.renamed.length === 0;
    $("roles-renamed").textContent = p.renamed.join("; ");
    $("roles-add").disabled = p.added === 0;
    $("roles-add").textContent = p.added === 1 ? "Add 1 profile" : `Add ${p.added} profiles`;
  } catch (e) {
    if (seq !== st.seq) return;
    fail("roles-error", e);
    $("roles-add").disabled = true;
  }
}

async function addProfiles() {
  $("roles-add").disabled = true;
  try {
    const r = await call("add_profiles", { args: { session: st.session, template: $("roles-template").value, selected: selected() } });
    $("roles-body").hidden = true;
    $("roles-progress").textContent = "";
    $("roles-done").textContent = r.message;
    $("roles-done").hidden = false;
    $("roles-after").hidden = false;
    $("roles-finish").focus();
    st.added();
  } catch (e) {
    fail("roles-error", e);
    $("roles-add").disabled = false;
  }
}

function close() {
  st.session = null;
  st.dismissed = true;
  localStorage.setItem("portal-dismissed", "1");
  $("portal").hidden = true;
}

$("portal-form").addEventListener("submit", submitPortal);
$("portal-later").addEventListener("click", close);
$("roles-close").addEventListener("click", close);
$("roles-finish").addEventListener("click", close);
$("roles-more").addEventListener("click", () => chooseRoles(st.session));
$("roles-add").addEventListener("click", addProfiles);
$("roles-filter").addEventListener("input", filter);
$("roles-template").addEventListener("input", later);
$("roles-all").addEventListener("change", () => {
  const on = $("roles-all").checked;
  for (const tr of $("roles-table").tBodies[0].rows) {
    if (tr.hidden) continue;
    const box = tr.querySelector("input[type=checkbox]");
    box.checked = on;
    if (on) st.chosen.add(tr.dataset.role); else st.chosen.delete(tr.dataset.role);
  }
  counted();
  later();
});
on("accounts-progress", (p) => {
  if (p.session !== st.session || !$("roles-body").hidden) return;
  $("roles-progress").textContent = p.total > 0
    ? `Listing your accounts and roles in ${p.session}: ${p.done} of ${p.total} accounts…`
    : `Listing your accounts and roles in ${p.session}…`;
});
