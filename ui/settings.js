// Settings: each change is sent at once, the keeper applies it on its next
// tick and it persists in the settings file.

import { call, el } from "./ipc.js";
import { addPortal, chooseRoles } from "./portal.js";

const $ = (id) => document.getElementById(id);

function status(text) {
  $("settings-status").textContent = text;
}

async function change(c) {
  try {
    const s = await call("change_setting", { change: c });
    fill(s, c.change === "aws" ? c.key : null);
    status("Saved");
    return true;
  } catch (e) {
    status(`Not saved: ${e.message ?? e} [${e.code ?? "error"}]`);
    return false;
  }
}

export async function loadSettings() {
  try {
    fill(await call("get_settings"));
    status("");
  } catch (e) {
    status(`Cannot read the settings: ${e.message ?? e}`);
  }
}

// `saved`: the AWS field just saved, shown as the settings now hold it.
function fill(s, saved = null) {
  if (document.activeElement !== $("leads")) $("leads").value = s.leads.join(", ");
  $("notifications").checked = s.notifications;
  $("autostart").checked = s.startAtLogin;
  $("autostart-path").textContent = s.autostartPath ? `Entry: ${s.autostartPath}` : "No home folder: cannot start at login";
  $("settings-path").textContent = s.path ?? "—";
  $("version").textContent = s.version;
  fillAws(s.aws, s.awsEditable, saved);
  const sessions = $("sessions-table").tBodies[0];
  sessions.replaceChildren(...s.sessions.map((x) => {
    const input = el("input", { type: "text", value: x.sessionLength, "aria-label": `Session length of ${x.name}`, "data-session": x.name });
    input.addEventListener("change", () => change({ change: "sessionLength", session: x.name, length: input.value }));
    const signOut = el("button", { type: "button", text: "Sign out", "data-sign-out": x.name });
    signOut.addEventListener("click", async () => {
      signOut.disabled = true;
      try { await call("sign_out", { args: { session: x.name } }); status(`Signed out of ${x.name}`); }
      catch (e) { status(`Not signed out: ${e.message ?? e}`); }
      finally { signOut.disabled = false; }
    });
    const roles = el("button", { type: "button", text: `Add profiles from ${x.name}…`, "data-add-profiles": x.name,
      onclick: () => chooseRoles(x.name) });
    return el("tr", {}, el("td", { text: x.name }), el("td", {}, input), el("td", {}, roles), el("td", {}, signOut));
  }));
  const profiles = $("profiles-table").tBodies[0];
  profiles.replaceChildren(...s.profiles.map((p) => {
    const renew = el("input", { type: "checkbox", "aria-label": `Renew ${p.profile}`, "data-renew": p.profile });
    renew.checked = p.renew;
    renew.addEventListener("change", () => change({ change: "renew", profile: p.profile, on: renew.checked }));
    const section = el("input", { type: "text", value: p.section, "aria-label": `Credentials section of ${p.profile}`, "data-section": p.profile });
    section.addEventListener("change", () => change({ change: "section", profile: p.profile, section: section.value }));
    const proc = el("button", { type: "button", text: "Use credential_process", title: "Add a profile whose credential_process is Leasekeeper (as `leasekeeper setup-process`)" });
    proc.addEventListener("click", async () => {
      proc.disabled = true;
      try {
        const r = await call("use_credential_process", { args: { profile: p.profile } });
        status(r.message || `Added [profile ${r.name}]`);
      } catch (e) {
        status(`Not set up: ${e.message ?? e}`);
      } finally {
        proc.disabled = false;
      }
    });
    return el("tr", { "data-profile": p.profile }, el("td", { text: p.profile }), el("td", {}, renew), el("td", {}, section), el("td", {}, proc));
  }));
}

const AWS_LABELS = {
  configFile: ["AWS config file", "~/.aws/config"],
  credentialsFile: ["Credentials file", "~/.aws/credentials"],
  caBundle: ["CA bundle (PEM)", "/etc/ssl/certs/corp-ca.pem"],
  httpsProxy: ["HTTPS proxy", "http://proxy.corp:3128"],
  noProxy: ["No proxy for", "localhost,.corp"],
};
const NOTHING = { caBundle: "the system's certificates", httpsProxy: "no proxy", noProxy: "every host through the proxy" };

function source(f) {
  switch (f.source) {
    case "settings": return "set here";
    case "environment": return `from ${f.variable}`;
    case "default": return "the default";
    default: return `${f.variable} is not set`;
  }
}

// Built once, then updated in place so a field being typed in keeps its focus.
function fillAws(fields, editable, saved) {
  const box = $("aws-fields");
  for (const f of fields) {
    let input = box.querySelector(`input[data-aws="${f.key}"]`);
    if (!input) {
      const [label, example] = AWS_LABELS[f.key] ?? [f.key, ""];
      const id = `aws-${f.key}`;
      input = el("input", { id, type: "text", spellcheck: "false", "data-aws": f.key, "aria-describedby": `${id}-in-use`, placeholder: `e.g. ${example}` });
      input.addEventListener("change", async () => {
        input.disabled = true;
        await change({ change: "aws", key: f.key, value: input.value });
        input.disabled = !editable;
      });
      box.append(el("label", { for: id, text: label }), el("div", {}, input, el("p", { class: "in-use", id: `${id}-in-use`, "data-aws-in-use": f.key })));
    }
    // The field just saved shows what was kept (a proxy without its password).
    if (document.activeElement !== input || f.key === saved) input.value = f.setting;
    input.disabled = !editable;
    box.querySelector(`[data-aws-in-use="${f.key}"]`).textContent =
      `In use: ${f.inEffect ?? NOTHING[f.key] ?? "none"} (${source(f)})`;
  }
  $("aws-note").hidden = false;
  $("aws-note").textContent = editable
    ? "A user name and password in the proxy address are kept in the settings file but never shown here: type them again with a new address."
    : "The demo looks after its own files only: these cannot be changed here.";
}

$("leads").addEventListener("change", async () => {
  const leads = $("leads").value.split(",").map((x) => x.trim()).filter(Boolean);
  const ok = await change({ change: "leads", leads });
  $("leads-error").hidden = ok;
  if (!ok) $("leads-error").textContent = $("settings-status").textContent;
});
$("notifications").addEventListener("change", () => change({ change: "notifications", on: $("notifications").checked }));
$("autostart").addEventListener("change", () => change({ change: "startAtLogin", on: $("autostart").checked }));
$("settings-form").addEventListener("submit", (e) => e.preventDefault());
$("portal-another").addEventListener("click", () => { document.getElementById("tab-leases").click(); addPortal(); });
