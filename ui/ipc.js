// The window's only way to the app: the commands its capability grants and
// the app's events. Errors arrive as {code, message}.

const tauri = window.__TAURI__;

export function call(command, args = {}) {
  return tauri.core.invoke(command, args);
}

export function on(event, handler) {
  return tauri.event.listen(event, (e) => handler(e.payload));
}

// `<1m`, `42m`, `1h 05m`, `3d 04h`: whole minutes, as the tray menu says it.
export function span(ms) {
  const minutes = Math.floor(Math.max(0, ms) / 60000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const two = (n) => String(n).padStart(2, "0");
  if (minutes === 0) return "<1m";
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m`;
  return `${m}m`;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c);
  }
  return node;
}

export function clock(ms) {
  return ms ? new Date(ms).toLocaleString() : "—";
}
