// Entry point of the bundle (injector/sdk/sdk.js): reads the configuration
// the proxy put on the injected <script> tag, defines window.AGENTDESKTOP
// exactly once and, in a CRM page, connects to <path_prefix>/ws.
import { Client } from './client.js';
import { buildAPI } from './api.js';
import { screenPop } from './dom.js';
import { wsURL } from './transport.js';
import { ShimReporter } from './shimreport.js';
import { SURL, parse } from './safe.js';

const DEFAULT_PREFIX = '/__crmframe';

// prefixFromSrc: "/__crmframe/sdk.js?v=…" → "/__crmframe"; other script
// names (e.g. /AD/widget/agentdesktop_widget.js) give the default.
export function prefixFromSrc(src, base) {
  try {
    const p = new SURL(src, base).pathname;
    const i = p.lastIndexOf('/');
    if (/^sdk([.-][\w-]+)?\.js$/.test(p.slice(i + 1)) && i > 0) return p.slice(0, i);
  } catch (e) { /* no src */ }
  return DEFAULT_PREFIX;
}

function parseJSON(s) {
  if (!s) return null;
  try {
    const v = parse(s);
    return v && typeof v === 'object' ? v : null;
  } catch (e) {
    return null;
  }
}

// SLOT keeps the running SDK even when a page overwrites AGENTDESKTOP.
const SLOT = Symbol.for('crmframe.sdk');

export function install(w) {
  const prev = w[SLOT] || (w.AGENTDESKTOP && w.AGENTDESKTOP.__crmframe && w.AGENTDESKTOP);
  if (prev) {
    // loading the SDK again (agentdesktop_widget.js) asks for it: one global, one connection
    w.AGENTDESKTOP = prev;
    return prev;
  }
  const d = w.document;
  const s = d && d.currentScript;
  const attr = (n) => (s && s.getAttribute ? s.getAttribute(n) : null);
  const g = w.__crmframe_sdk || {}; // optional page-provided configuration
  const cfg = {
    prefix: attr('data-crmframe-prefix') || g.prefix || prefixFromSrc(s && s.src, w.location.href),
    widget: attr('data-crmframe-widget') || g.widget || 'crm',
    screenPop: parseJSON(attr('data-crmframe-screen-pop')) || g.screenPop || null,
    autoConnect: (attr('data-crmframe-autoconnect') || String(g.autoConnect)) !== 'false',
    token: attr('data-crmframe-token') || g.token || '',
  };
  let storage = null;
  try {
    storage = w.sessionStorage;
  } catch (e) { /* sandboxed: no resume across pages */ }
  const conn = { origin: '', prefix: cfg.prefix, token: '' };
  const url = () => {
    // about:srcdoc and about:blank documents have no host of their own:
    // their base URL is their parent's page.
    const loc = conn.origin ? new SURL(conn.origin) : w.location.protocol === 'about:' && d ? new SURL(d.baseURI) : w.location;
    return wsURL(loc, conn.prefix, conn.token);
  };
  const client = new Client({
    WebSocket: w.WebSocket,
    url,
    client: { kind: 'widget', id: cfg.widget },
    storage,
    storageKey: 'crmframe.sdk:' + cfg.prefix,
    maxQueue: g.maxQueue,
    commandTimeout: g.commandTimeout,
  });
  const env = {
    window: w,
    document: d,
    widgetId: cfg.widget,
    alertAckTimeout: g.alertAckTimeout || 1500,
    token() {
      if (conn.token || cfg.token) return conn.token || cfg.token;
      try {
        const m = /(?:^|;\s*)crmframe_token=([^;]*)/.exec((d && d.cookie) || '');
        return m ? decodeURIComponent(m[1]) : '';
      } catch (e) {
        return ''; // sandboxed document: cookie access throws
      }
    },
    // connect({origin, token, prefix, client:{kind,id}, storageKey}) lets a
    // desktop shell connect to the CRM origin with its token.
    connect(o) {
      o = o || {};
      if (o.origin) conn.origin = o.origin;
      if (o.prefix) conn.prefix = o.prefix;
      if (o.token !== undefined) conn.token = o.token;
      const opts = {};
      if (o.client) {
        opts.client = o.client;
        if (o.client.id) env.widgetId = o.client.id;
      }
      if (o.storageKey && o.storageKey !== client.o.storageKey) {
        client.store.key = o.storageKey;
        client.store.clear();
        client.restored = client.store.load();
      }
      client.connect(opts);
      // this connection's state: ready() stays resolved from the first one
      const p = client.synced();
      p.catch(() => {}); // a page that ignores it gets no unhandled rejection
      return p;
    },
  };
  const AD = buildAPI(client, env);
  if (cfg.screenPop) client.hooks.push(screenPop(w, cfg.screenPop, client.store));
  w.AGENTDESKTOP = AD;
  Object.defineProperty(w, SLOT, { value: AD });
  // the shim's counters (absent where there is no shim) reach the engine
  const shim = new ShimReporter(client, () => w.__crmframe && w.__crmframe.stats);
  // back online / back to the tab: skip the backoff wait (and leave 'failed')
  if (w.addEventListener) {
    w.addEventListener('online', () => client.retryNow());
    w.addEventListener('pagehide', () => shim.leave());
    w.addEventListener('pageshow', (e) => { if (e && e.persisted) shim.back(); });
  }
  if (d && d.addEventListener) {
    d.addEventListener('visibilitychange', () => {
      if (d.visibilityState === 'visible') client.retryNow();
      else shim.send();
    });
  }
  if (cfg.autoConnect && w.WebSocket) {
    // Connect once the page's own scripts (and inject scripts) have had
    // the chance to bind their listeners: replayed events then reach them.
    // The state restored from sessionStorage is available at once anyway.
    if (d && d.readyState === 'loading') {
      client.pending();
      // a page that called disconnect() meanwhile stays disconnected
      d.addEventListener('DOMContentLoaded', () => { if (!client.stopped) client.connect(); }, { once: true });
    } else {
      client.connect();
    }
  }
  return AD;
}
