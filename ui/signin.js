// The sign-in dialog: choose the browser (PKCE: "continue in your
// browser") or a device code (the code, copy and open-browser buttons).
// Cancel or Esc stops a running sign-in.

import { call } from "./ipc.js";

const $ = (id) => document.getElementById(id);
const dlg = $("sign-in-dialog");
let current = null;
let running = false;

function show(part) {
  for (const id of ["dlg-choose", "dlg-wait", "dlg-code"]) $(id).hidden = id !== part;
}

function reset(session) {
  current = session;
  running = false;
  for (const n of dlg.querySelectorAll(".dlg-session")) n.textContent = session;
  $("dlg-title").textContent = `Sign in to ${session}`;
  $("dlg-error").hidden = true;
  $("dlg-note").hidden = true;
  $("dlg-done").hidden = true;
  $("dlg-cancel").textContent = "Cancel";
  $("device-code").textContent = "";
  show("dlg-choose");
}

export function openSignIn(session) {
  reset(session);
  dlg.showModal();
  $("dlg-browser").focus();
}

async function start(method) {
  $("dlg-error").hidden = true;
  $("dlg-wait-text").textContent = method === "browser" ? "Opening your browser…" : "Asking for a code…";
  show("dlg-wait");
  try {
    await call("sign_in", { args: { session: current, method } });
    running = true;
  } catch (e) {
    fail(e);
  }
}

function fail(e) {
  running = false;
  $("dlg-error").textContent = `${e.message ?? e}${e.code ? ` [${e.code}]` : ""}`;
  $("dlg-error").hidden = false;
  show("dlg-choose");
}

export function onSignInEvent(p) {
  if (!dlg.open || (p.session && p.session !== current)) return;
  switch (p.step) {
    case "browser":
      $("dlg-wait-text").textContent = "Continue in your browser…";
      show("dlg-wait");
      break;
    case "deviceCode":
      $("device-code").textContent = p.userCode;
      $("dlg-uri").textContent = p.uri;
      show("dlg-code");
      $("dlg-copy").focus();
      break;
    case "openUrl":
      $("dlg-wait-text").textContent = `Open this address in a browser on this machine: ${p.url}`;
      show("dlg-wait");
      break;
    case "note":
      $("dlg-note").textContent = p.message;
      $("dlg-note").hidden = false;
      break;
    case "done":
      running = false;
      show(null);
      $("dlg-done").hidden = false;
      $("dlg-cancel").textContent = "Close";
      $("dlg-cancel").focus();
      setTimeout(() => { if (dlg.open && !running) dlg.close(); }, 1500);
      break;
    case "failed":
      fail(p.error);
      break;
    case "cancelled":
      running = false;
      break;
  }
}

async function cancel() {
  if (running) {
    running = false;
    try { await call("cancel_sign_in", { args: { session: current } }); } catch (_) { /* already ended */ }
  }
  if (dlg.open) dlg.close();
}

async function copyCode() {
  const code = $("device-code").textContent;
  try {
    await navigator.clipboard.writeText(code);
  } catch (_) {
    const range = document.createRange();
    range.selectNodeContents($("device-code"));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    document.execCommand("copy");
  }
  $("dlg-copy").textContent = "Copied";
  setTimeout(() => { $("dlg-copy").textContent = "Copy code"; }, 1500);
}

$("dlg-browser").addEventListener("click", () => start("browser"));
$("dlg-device").addEventListener("click", () => start("device_code"));
$("dlg-cancel").addEventListener("click", cancel);
$("dlg-copy").addEventListener("click", copyCode);
$("dlg-open").addEventListener("click", () => call("open_sign_in_page", { args: { session: current } }).catch(fail));
$("dlg-uri").addEventListener("click", (e) => {
  e.preventDefault();
  call("open_sign_in_page", { args: { session: current } }).catch(fail);
});
// Esc: the dialog's cancel event; stop the sign-in too.
dlg.addEventListener("cancel", (e) => { e.preventDefault(); cancel(); });
