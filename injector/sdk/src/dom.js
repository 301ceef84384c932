// Browser-only helpers: the in-page alert panel (used when no desktop shell
// answers) and declarative screen-pop.

import { SURL, setT, clearT } from './safe.js';

const COLORS = { info: '#2563eb', success: '#059669', warning: '#d97706', error: '#dc2626' };

// showPanel draws an alert in a shadow root so the CRM's CSS cannot touch it;
// it returns a function that removes it.
export function showPanel(doc, a, onClose) {
  const host = doc.createElement('div');
  host.setAttribute('data-crmframe-alert', a.id);
  host.style.cssText = 'position:fixed;top:12px;right:12px;z-index:2147483647;max-width:360px';
  const root = host.attachShadow ? host.attachShadow({ mode: 'closed' }) : host;
  const box = doc.createElement('div');
  box.setAttribute('role', a.level === 'error' || a.level === 'warning' ? 'alert' : 'status');
  box.style.cssText = 'font:14px system-ui,sans-serif;background:#fff;color:#111;border-left:5px solid ' +
    (COLORS[a.level] || COLORS.info) + ';box-shadow:0 4px 16px rgba(0,0,0,.25);border-radius:6px;padding:10px 32px 10px 12px;position:relative;margin-bottom:8px';
  const t = doc.createElement('strong');
  t.textContent = a.title || '';
  const p = doc.createElement('div');
  p.textContent = a.text || '';
  const x = doc.createElement('button');
  x.textContent = '\u00d7';
  x.setAttribute('aria-label', 'Close');
  x.style.cssText = 'position:absolute;top:4px;right:6px;border:0;background:none;font-size:18px;cursor:pointer';
  box.appendChild(t);
  box.appendChild(p);
  box.appendChild(x);
  root.appendChild(box);
  (doc.body || doc.documentElement).appendChild(host);
  let timer = null;
  const remove = () => {
    if (timer) clearT(timer);
    if (host.parentNode) host.parentNode.removeChild(host);
    if (onClose) onClose();
  };
  x.onclick = remove;
  if (a.timeout > 0) timer = setT(remove, a.timeout);
  return remove;
}

// fillTemplate replaces {field} (or {call_data.KEY}) with the URL-escaped
// value from the event; unknown fields become empty.
export function fillTemplate(tpl, ev) {
  return String(tpl).replace(/\{([A-Za-z0-9_.-]+)\}/g, (_, k) => {
    let v = k.indexOf('call_data.') === 0 ? (ev.call_data || {})[k.slice(10)] : ev[k];
    return v == null ? '' : encodeURIComponent(String(v));
  });
}

export function pickTemplate(templates, ev) {
  if (!templates) return '';
  return templates[ev.media_type] || templates['*'] || templates.default || '';
}

// screenPop returns the after-event hook: on POPUP it navigates the CRM's
// root frame to the filled template, once per contact per tab.
export function screenPop(w, templates, store) {
  return (ev) => {
    if (ev.event !== 'POPUP' || !ev.id) return;
    const tpl = pickTemplate(templates, ev);
    if (!tpl) return;
    const cf = w.__crmframe;
    if (cf && cf.root === false) return; // the CRM root frame does it
    if (store.popDone(ev.id)) return;
    store.markPopped(ev.id);
    let target = w;
    try {
      if (w.__crmframe_top) target = w.__crmframe_top;
    } catch (e) { /* cross-origin: stay in this frame */ }
    const url = new SURL(fillTemplate(tpl, ev), w.location.href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    try {
      if (target.location.href === url.href) return;
      target.location.assign(url.href);
    } catch (e) {
      w.location.assign(url.href);
    }
  };
}
