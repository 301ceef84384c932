import vm from 'node:vm';

// Test doubles: a manual clock and a scriptable fake WebSocket.
export class Clock {
  constructor() {
    this.t = 1_000_000;
    this.timers = [];
    this.n = 0;
    this.setTimeout = (f, ms) => {
      const id = ++this.n;
      this.timers.push({ id, at: this.t + Math.max(0, ms | 0), f });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
    this.now = () => this.t;
  }

  // advance runs every timer due within ms, in time order.
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const x = this.timers[0];
      if (!x || x.at > end) break;
      this.timers.shift();
      this.t = x.at;
      x.f();
    }
    this.t = end;
  }

  // next returns the delay until the next timer.
  next() {
    this.timers.sort((a, b) => a.at - b.at);
    return this.timers.length ? this.timers[0].at - this.t : -1;
  }
}

export function fakeWebSocketClass() {
  class FakeWS {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closed = null;
      FakeWS.all.push(this);
    }
    send(t) {
      if (this.readyState !== 1) throw new Error('not open');
      this.sent.push(JSON.parse(t));
    }
    close(code, reason) {
      this.readyState = 3;
      this.closed = { code, reason };
    }
    // server side
    open() {
      this.readyState = 1;
      this.onopen && this.onopen({});
    }
    recv(obj) {
      this.onmessage && this.onmessage({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
    }
    drop(code = 1006, reason = '') {
      this.readyState = 3;
      this.onclose && this.onclose({ code, reason });
    }
    last(op) {
      return this.sent.filter((m) => !op || m.op === op).slice(-1)[0];
    }
  }
  FakeWS.all = [];
  FakeWS.latest = () => FakeWS.all[FakeWS.all.length - 1];
  return FakeWS;
}

export class MemStorage {
  constructor() { this.m = new Map(); }
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null; }
  setItem(k, v) { this.m.set(k, String(v)); }
  removeItem(k) { this.m.delete(k); }
}

export const flush = () => new Promise((r) => setImmediate(r));

export function welcome(extra) {
  return Object.assign({ op: 'welcome', v: 1, session: 's1', epoch: 'e1', seq: 0, snapshot: true, replayed: 0,
    agent: { id: 'a1', state: 'LOGGEDOUT', since: 1 }, contacts: [], limits: { ping_interval_ms: 25000 } }, extra || {});
}

export function contactEvent(seq, event, extra) {
  return { op: 'event', seq, data: Object.assign({ event, time: 1000 + seq, id: 'k1', uuid: 'u1', type: 'inbound', media_type: 'telephony', job_type: 'inbound', isACD: true, ani: '+39 06 1234', state: 'offered', agent: 'a1' }, extra || {}) };
}

// shimRealm runs a fake DOM (source text) and then shim.js in the window w,
// whose setTimeout pushes [fn, ms] into timers. run(code) evaluates in the
// realm; tick(ms) runs the shim's timers of that delay, as if that time
// passed.
export function shimRealm(w, dom, shim, timers) {
  vm.createContext(w);
  vm.runInContext(dom, w);
  vm.runInContext(shim, w, { filename: 'shim.js' });
  const tick = (ms) => {
    const due = timers.filter((t) => t[1] === ms);
    for (const t of due) timers.splice(timers.indexOf(t), 1);
    due.forEach((t) => t[0]());
  };
  const run = (code) => vm.runInContext(code, w);
  return { run, tick };
}

// Elements that keep their attributes (as 'attr:' + name properties) and
// a parent (_parent), detached unless a test says otherwise.
export const ATTR_DOM = `
  Node.prototype.nodeType = 1;
  Node.prototype.isConnected = false;
  Object.defineProperty(Node.prototype, 'parentNode', { get: function () { return this._parent || null; }, configurable: true });
  Element.prototype.setAttribute = function (k, v) { this['attr:' + k] = String(v); };
  Element.prototype.getAttribute = function (k) { return this['attr:' + k] === undefined ? null : this['attr:' + k]; };
  Element.prototype.hasAttribute = function (k) { return this['attr:' + k] !== undefined; };
`;

// framedPage runs the shim (after the fake DOM) in a CRM root window framed
// by a foreign desktop (framed: false, the top window itself), with the
// mode data-crmframe-breakout would give it; extra joins the window's
// properties. Timers never fire.
export function framedPage(dom, shim, { framed = true, mode = null } = {}, extra = {}) {
  const desk = { name: 'desk' };
  const w = { console, setTimeout: () => 1, setInterval: () => 2, open: () => null, addEventListener() {}, __crmframe_breakout: mode, ...extra };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => (framed ? desk : w), enumerable: true });
  w.parent = framed ? desk : w;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test', ancestorOrigins: framed ? ['http://desk.test'] : [] };
  const { run } = shimRealm(w, dom, shim, []);
  return { w, run };
}

// STYLE_DOM is an element style for shim tests (source text for a vm
// realm): properties with their !important flag, cssText round-trips.
// A document whose write() records what reaches the browser, and the
// element classes of a form: the base of the pass-21/22 fakes.
export const FORM_DOM = `
  function Document() {}
  Document.prototype.open = function () { return this; };
  Document.prototype.write = function (v) { (this.written = this.written || []).push(v); };
  Document.prototype.writeln = function () {};
  Document.prototype.close = function () {};
  Document.prototype.querySelector = function () { return null; };
  function EventTarget() {} function Node() {} function Element() {} function HTMLElement() {} function HTMLFormElement() {}
  Node.prototype = Object.create(EventTarget.prototype);
  Element.prototype = Object.create(Node.prototype); HTMLElement.prototype = Object.create(Element.prototype);
  HTMLFormElement.prototype = Object.create(HTMLElement.prototype);
`;

// FORM_DOM plus what the loading-frame tests share: attribute reads, an
// <iframe> whose contentWindow the test sets (_cw), a document still loading.
export const LOADING_DOM = FORM_DOM + `
  Node.prototype.nodeType = 1;
  Element.prototype.getAttribute = function (k) { return this['attr:' + k] === undefined ? null : this['attr:' + k]; };
  Element.prototype.hasAttribute = function (k) { return this['attr:' + k] !== undefined; };
  function HTMLIFrameElement() {} HTMLIFrameElement.prototype = Object.create(HTMLElement.prototype);
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', { get: function () { return this._cw; }, configurable: true });
  var document = new Document();
  document.readyState = 'loading';
  document.currentScript = null;
`;

export const STYLE_DOM = `
  function Style() { this.p = {}; this.i = {}; }
  Style.prototype.getPropertyValue = function (k) { return this.p[k] || ''; };
  Style.prototype.getPropertyPriority = function (k) { return this.i[k] ? 'important' : ''; };
  Style.prototype.setProperty = function (k, v, imp) { this.p[k] = v; this.i[k] = !!imp; };
  Style.prototype.removeProperty = function (k) { delete this.p[k]; delete this.i[k]; };
  Object.defineProperty(Style.prototype, 'cssText', { get: function () { return JSON.stringify([this.p, this.i]); }, set: function (t) { var a = JSON.parse(t); this.p = a[0]; this.i = a[1]; } });
  ['display', 'visibility', 'opacity'].forEach(function (k) { Object.defineProperty(Style.prototype, k, { get: function () { return this.p[k] || ''; } }); });
`;

// LIVE_DOM is a small live DOM for shim tests (source text for a vm
// realm): nodes keep childNodes/parentNode; every insertion and removal
// makes a childList record for the observers of its parent (no subtree),
// queued until the test delivers them; detach(n) takes n out as a method
// the shim does not hook would (Range.deleteContents, setHTMLUnsafe).
// It holds a document with <html><head/><body>marker, nav, script</body>,
// a MutationObserver whose records deliver() hands over; tests add their
// own getComputedStyle.
// SHEET_DOM: constructable stylesheets that keep their text, and the
// document's adopted list (the hide net writes its rules there).
export const SHEET_DOM = `
  function CSSStyleSheet() { this.text = ''; }
  CSSStyleSheet.prototype.replaceSync = function (t) { this.text = t; };
  var adopted = [];
  Object.defineProperty(Document.prototype, 'adoptedStyleSheets', { get: function () { return adopted; }, set: function (v) { adopted = v; }, configurable: true });
`;

// NAV_DOM: element navigation (first/last element child, element
// siblings, parent element) over the fake's childNodes; NP is Node.prototype.
export const NAV_DOM = `
  var kids = function (n) { return n.childNodes.filter(function (c) { return c.nodeType === 1; }); };
  var at = function (n, d) { if (!n.parentNode) return null; var k = kids(n.parentNode); return k[k.indexOf(n) + d] || null; };
  Object.defineProperty(NP, 'firstElementChild', { get: function () { return kids(this)[0] || null; } });
  Object.defineProperty(NP, 'lastElementChild', { get: function () { var k = kids(this); return k[k.length - 1] || null; } });
  Object.defineProperty(NP, 'nextElementSibling', { get: function () { return at(this, 1); } });
  Object.defineProperty(NP, 'previousElementSibling', { get: function () { return at(this, -1); } });
  Object.defineProperty(NP, 'parentElement', { get: function () { var p = this.parentNode; return p && p.nodeType === 1 ? p : null; } });
`;

export const LIVE_DOM = STYLE_DOM + `
  var observers = [], queue = [];
  function Node() {} function Element() {} Element.prototype = Object.create(Node.prototype);
  function HTMLElement() {} HTMLElement.prototype = Object.create(Element.prototype);
  function Document() {} Document.prototype = Object.create(Node.prototype);
  function DocumentFragment() {} DocumentFragment.prototype = Object.create(Node.prototype);
  function HTMLFormElement() {} HTMLFormElement.prototype = Object.create(HTMLElement.prototype);
  HTMLFormElement.prototype.submit = function () {};
  var NP = Node.prototype, EP = Element.prototype;
  var record = function (t, added, removed, prev, next) {
    observers.forEach(function (o) { if (o.targets.indexOf(t) >= 0) queue.push([o, { type: 'childList', target: t, addedNodes: added, removedNodes: removed, previousSibling: prev, nextSibling: next }]); });
  };
  var detach = function (c) {
    var p = c.parentNode;
    if (!p) return;
    var i = p.childNodes.indexOf(c);
    p.childNodes.splice(i, 1); c.parentNode = null;
    record(p, [], [c], p.childNodes[i - 1] || null, p.childNodes[i] || null);
  };
  NP.insertBefore = function (c, ref) {
    detach(c);
    var k = this.childNodes, i = ref ? k.indexOf(ref) : -1;
    if (i < 0) i = k.length;
    k.splice(i, 0, c); c.parentNode = this;
    record(this, [c], [], k[i - 1] || null, k[i + 1] || null);
    return c;
  };
  NP.appendChild = function (c) { return this.insertBefore(c, null); };
  NP.removeChild = function (c) { detach(c); return c; };
  EP.remove = function () { detach(this); };
  EP.replaceWith = function (n) { var p = this.parentNode; p.insertBefore(n, this); detach(this); };
  EP.replaceChildren = function () { this.childNodes.slice().forEach(detach); for (var i = 0; i < arguments.length; i++) this.appendChild(arguments[i]); };
  Object.defineProperty(NP, 'isConnected', { get: function () { for (var n = this; n; n = n.parentNode) if (n === document) return true; return false; } });
  Object.defineProperty(NP, 'firstChild', { get: function () { return this.childNodes[0] || null; } });
  Object.defineProperty(NP, 'lastChild', { get: function () { return this.childNodes[this.childNodes.length - 1] || null; } });
  var sib = function (n, d) { var k = n.parentNode ? n.parentNode.childNodes : []; return k[k.indexOf(n) + d] || null; };
  Object.defineProperty(NP, 'nextSibling', { get: function () { return sib(this, 1); } });
  Object.defineProperty(NP, 'previousSibling', { get: function () { return sib(this, -1); } });
  Object.defineProperty(NP, 'textContent', { get: function () { return this.nodeType === 3 ? this.data : this.childNodes.map(function (c) { return c.textContent; }).join(''); } });
  var META = /^(html|head|body|title|meta|link|style|script|base|template)$/;
  EP.querySelector = Document.prototype.querySelector = function () { var hit = null; (function walk(n) { n.childNodes.forEach(function (c) { if (!hit && c.nodeType === 1) { if (!META.test(c.localName)) hit = c; else walk(c); } }); })(this); return hit; };
  EP.querySelectorAll = function () { return []; };
  EP.getAttribute = function () { return null; };
  EP.contains = function (x) { for (; x; x = x.parentNode) if (x === this) return true; return false; };
  EP.getBoundingClientRect = function () { return { left: 0, top: 0, width: 100, height: 20, right: 100, bottom: 20 }; };
  function mk(name, kids) { var e = new HTMLElement(); e.nodeType = 1; e.localName = name; e.style = new Style(); e.sheet = {}; e.childNodes = []; (kids || []).forEach(function (c) { e.appendChild(c); }); return e; }
  function text(s) { var t = new Node(); t.nodeType = 3; t.data = s; t.childNodes = []; return t; }
  function MutationObserver(cb) { this.cb = cb; this.targets = []; observers.push(this); }
  MutationObserver.prototype.observe = function (t) { this.targets.push(t); };
  MutationObserver.prototype.disconnect = function () { this.targets = []; };
  MutationObserver.prototype.takeRecords = function () { var o = this, mine = queue.filter(function (q) { return q[0] === o; }); queue = queue.filter(function (q) { return q[0] !== o; }); return mine.map(function (q) { return q[1]; }); };
  // deliver: the observers' microtask, one batch per observer
  function deliver() { var q = queue; queue = []; observers.forEach(function (o) { var recs = q.filter(function (x) { return x[0] === o; }).map(function (x) { return x[1]; }); if (recs.length) o.cb(recs); }); }
  var document = new Document();
  document.nodeType = 9; document.childNodes = []; document.readyState = 'complete'; document.currentScript = null;
  Object.defineProperty(document, 'documentElement', { get: function () { return this.childNodes.filter(function (c) { return c.nodeType === 1; })[0] || null; } });
  Object.defineProperty(document, 'body', { get: function () { var h = this.documentElement; return h && h.childNodes.filter(function (c) { return c.localName === 'body'; })[0] || null; } });
  Object.defineProperty(document, 'head', { get: function () { var h = this.documentElement; return h && h.childNodes[0] || null; } });
  var marker = mk('div', [text('CRM page ok')]), nav = mk('a', [text('next')]);
  document.appendChild(mk('html', [mk('head'), mk('body', [marker, nav, mk('script', [text('var x = 1;')])])]));
  var body = document.body, html = document.documentElement;
`;

// livePage runs shim.js in a LIVE_DOM realm framed by a foreign desktop (or
// nested in a CRM root): later(ms) delivers the observers' records, runs the
// timers of that delay and the microtasks they queue; loaded() fires load;
// interval() runs the setInterval callbacks once.
export function livePage(dom, shim, { nested = false, mode = null } = {}) {
  const timers = [], load = [], every = [];
  const desk = { name: 'desk' };
  const crmRoot = { __crmframe: { marker: 'crmframe', realParent: desk } };
  const w = {
    console, WeakSet, WeakMap, URL,
    queueMicrotask: (f) => timers.push([f, 0]),
    setTimeout: (f, ms) => { timers.push([f, ms]); return timers.length; },
    setInterval: (f, ms) => { every.push([f, ms]); return every.length; },
    addEventListener: (n, f) => { if (n === 'load') load.push(f); },
    innerWidth: 800, innerHeight: 600, scrollX: 0, scrollY: 0,
    __crmframe_breakout: mode,
  };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = nested ? crmRoot : desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test' };
  const { run, tick } = shimRealm(w, dom, shim, timers);
  // the observer's microtask, then the timers of that delay (and the
  // microtasks they queue)
  const later = (ms) => { run('deliver()'); tick(ms); tick(0); run('deliver()'); };
  const loaded = () => { load.forEach((f) => f()); tick(250); };
  const interval = () => every.forEach((e) => e[0]());
  return { w, run, later, loaded, interval, tick };
}

// COVER_DOM (on LIVE_DOM + SHEET_DOM + NAV_DOM): elements get attributes, a box
// (e.rect), computed style from e.cs (the net's cover rule makes a marked element
// hidden; reads counts the reads), ::backdrop from e.backdrop; a popover opens
// with showPopover; a canvas reads back as e.alpha (0-255) through the shim's
// scratch canvas; stackAt(x, y) is what elementsFromPoint lists (calls logged
// in probes); el(styles, rect, name) makes a fixed element taking no pointer
// events; deep is an element three wrappers into the page.
export const COVER_DOM = `
  EP.getAttribute = function (k) { return this.attrs && k in this.attrs ? this.attrs[k] : null; };
  EP.hasAttribute = function (k) { return !!this.attrs && k in this.attrs; };
  EP.setAttribute = function (k, v) { (this.attrs = this.attrs || {})[k] = String(v); };
  EP.removeAttribute = function (k) { if (this.attrs) delete this.attrs[k]; };
  EP.matches = function (q) { return !!this.open && /popover-open/.test(q); };
  HTMLElement.prototype.showPopover = function () { this.open = true; };
  EP.getBoundingClientRect = function () { var r = this.rect || [0, 0, 100, 20]; return { left: r[0], top: r[1], width: r[2], height: r[3], right: r[0] + r[2], bottom: r[1] + r[3] }; };
  var reads = 0;
  var BASE = { display: 'block', visibility: 'visible', opacity: '1', pointerEvents: 'auto', position: 'static', zIndex: 'auto', transform: 'none', filter: 'none',
    backdropFilter: 'none', backgroundColor: 'rgba(0, 0, 0, 0)', backgroundImage: 'none', boxShadow: 'none', outlineStyle: 'none', outlineWidth: '0px',
    outlineOffset: '0px', outlineColor: 'rgb(0, 0, 0)', contentVisibility: 'visible', clipPath: 'none', maskImage: 'none', webkitMaskImage: 'none',
    color: 'rgb(0, 0, 0)', webkitTextFillColor: 'rgb(0, 0, 0)', textShadow: 'none', webkitTextStrokeWidth: '0px' };
  ['Top', 'Right', 'Bottom', 'Left'].forEach(function (s) { BASE['border' + s + 'Width'] = '0px'; BASE['border' + s + 'Style'] = 'none'; BASE['border' + s + 'Color'] = 'rgb(0, 0, 0)'; });
  var marked = function (e) { return e.hasAttribute('data-crmframe-cover') && adopted.some(function (s) { return /\\[data-crmframe-cover\\]\\{visibility:hidden/.test(s.text); }); };
  function getComputedStyle(e, pseudo) {
    reads++;
    if (pseudo === '::backdrop') return Object.assign({ display: marked(e) ? 'none' : 'block', backgroundColor: 'rgba(0, 0, 0, 0)', backgroundImage: 'none', backdropFilter: 'none' }, marked(e) ? { backgroundColor: 'rgba(0, 0, 0, 0)' } : e.backdrop || {});
    if (pseudo) return { content: 'none', display: 'inline', position: 'static' };
    var cs = Object.assign({}, BASE, e.cs || {});
    if (e.style.p.visibility) cs.visibility = e.style.p.visibility;
    if (marked(e) && !(e.cs && e.cs.visibilityImportant)) cs.visibility = 'hidden';
    return cs;
  }
  var scratchCtx = { clearRect: function () { this.src = null; }, drawImage: function (c) { this.src = c; },
    getImageData: function () { var a = this.src ? this.src.alpha : 0, d = []; for (var i = 0; i < 16; i++) d.push(255, 255, 255, a); return { data: d }; } };
  Document.prototype.createElement = function (n) { var e = mk(n); if (n === 'canvas') e.getContext = function () { return scratchCtx; }; return e; };
  Document.prototype.querySelector = function () { return null; };
  Document.prototype.getElementById = function () { return null; };
  // text boxes are their element's box; stackAt(x, y) is what
  // elementsFromPoint lists there (set by a test; the probe is logged)
  Document.prototype.createTreeWalker = function (root) {
    var list = [], i = 0;
    (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 3) list.push(c); else walk(c); }); })(root);
    return { nextNode: function () { return list[i++] || null; } };
  };
  Document.prototype.createRange = function () { var n; return { selectNodeContents: function (x) { n = x; }, getClientRects: function () { return [n.parentNode.getBoundingClientRect()]; } }; };
  var stackAt = null, probes = [];
  // the geometric rule's elementFromPoint: the first text's element there
  Document.prototype.elementFromPoint = function (x, y) {
    var w = this.createTreeWalker(this.body), n;
    while ((n = w.nextNode())) { var r = n.parentNode.getBoundingClientRect(); if (x >= r.left && x < r.right && y >= r.top && y < r.bottom) return n.parentNode; }
    return this.body;
  };
  Document.prototype.elementsFromPoint = function (x, y) { probes.push([x, y, this.body.lastChild && this.body.lastChild.style.p['pointer-events']]); return stackAt ? stackAt(x, y) : []; };
  // el(styles, rect): a fixed element taking no pointer events
  function el(cs, rect, name) { var e = mk(name || 'div'); e.cs = Object.assign({ pointerEvents: 'none', position: 'fixed', zIndex: '2147483647' }, cs); e.rect = rect || [0, 0, 800, 600]; return e; }
  var app = mk('div', [mk('div', [mk('div')])]);
  body.insertBefore(app, body.firstChild);
  var deep = app.firstElementChild.firstElementChild;
`;

// Images the shim reads through a canvas: new Image() is recorded in images;
// decode(src, ink) loads the shim's image of src (size x size, every pixel
// rgb at alpha ink; ink null: cross-origin, getImageData throws).
export const IMAGE_DOM = (rgb, size) => `
  var images = [];
  function Image() { images.push(this); }
  function CanvasRenderingContext2D() {}
  CanvasRenderingContext2D.prototype.drawImage = function (img) { this.ink = img.ink; };
  CanvasRenderingContext2D.prototype.getImageData = function (x, y, w, h) {
    if (this.ink == null) throw new Error('tainted');
    var data = [];
    for (var i = 0; i < w * h; i++) data.push(${rgb}, Math.round(this.ink * 255));
    return { data: data };
  };
  function HTMLCanvasElement() {}
  HTMLCanvasElement.prototype.getContext = function () { return new CanvasRenderingContext2D(); };
  function decode(src, ink) { images.filter(function (i) { return i.src === src; }).forEach(function (i) { i.naturalWidth = i.naturalHeight = ${size}; i.ink = ink; i.onload(); }); }
`;

// Observers that see the subtree and attribute changes their options ask
// for (on top of LIVE_DOM's): record() queues a childList record for every
// observer watching the target, as the deep watch needs.
export const WATCH_DOM = `
  MutationObserver.prototype.observe = function (t, o) { this.targets.push(t); (this.opts = this.opts || []).push([t, o || {}]); };
  var watches = function (o, t, kind, name) {
    return (o.opts || []).some(function (x) {
      var o2 = x[1], on = x[0] === t || o2.subtree && x[0].contains && x[0].contains(t);
      return on && (kind === 'childList' ? o2.childList : o2.attributes && (!o2.attributeFilter || o2.attributeFilter.indexOf(name) >= 0));
    });
  };
  record = function (t, added, removed, prev, next) {
    observers.forEach(function (o) { if (watches(o, t, 'childList')) queue.push([o, { type: 'childList', target: t, addedNodes: added, removedNodes: removed, previousSibling: prev, nextSibling: next }]); });
  };
`;

// The cover page with the deep watch (as in shim-deep22): animation frames a
// test runs (runFrames), a hit test a layer can take (hitOver), and a shell
// holding the marker and #nav.
export const DEEP_DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + COVER_DOM + WATCH_DOM + `
  var rawInsert = NP.insertBefore;
  var frames = [];
  function requestAnimationFrame(f) { frames.push(f); return frames.length; }
  function runFrames() { var f = frames; frames = []; f.forEach(function (x) { x(0); }); }
  var hitOver = null, efp = Document.prototype.elementFromPoint;
  Document.prototype.elementFromPoint = function (x, y) { return hitOver && hitOver(x, y) || efp.call(this, x, y); };
  var shell = mk('div');
  body.insertBefore(shell, marker); shell.appendChild(marker); shell.appendChild(nav);
  marker.rect = [10, 10, 300, 20]; nav.rect = [10, 40, 60, 20];
`;

// TARGET_DOM: FORM_DOM and ATTR_DOM with the attribute stubs, make(name,
// attrs) and a loading document: the pages of the target tests (legit28,
// legit29, legit18) add their own navigation records and bases
export const TARGET_DOM = FORM_DOM + ATTR_DOM + `
  Element.prototype.removeAttribute = function (k) { delete this['attr:' + k]; };
  Element.prototype.getAttributeNS = function () { return null; };
  Element.prototype.hasAttributeNS = function () { return false; };
  HTMLFormElement.prototype.requestSubmit = function () {};
  function make(name, attrs) { var e = name === 'form' ? new HTMLFormElement() : new HTMLElement(); e.localName = name; for (var k in attrs) e['attr:' + k] = attrs[k]; return e; }
  var document = new Document();
  document.readyState = 'loading';
  document.currentScript = null;
`;

// NAV_LOG is realm source for the receiver tests (passes 33-35): location
// writes and replace() calls on the real top (real) and on this window are
// recorded in nav as 'desk <value>' or 'own <value>'.
export const NAV_LOG = `
  var nav = [], real = window.top;
  var who = function (o) { return o === real ? 'desk' : 'own'; };
  [real, window].forEach(function (o) {
    Object.defineProperty(o, 'location', { get: function () { var t = this; return { set href(v) { nav.push(who(t) + ' ' + v); }, replace: function (v) { nav.push(who(t) + ' ' + v); } }; }, set: function (v) { nav.push(who(this) + ' ' + v); }, configurable: true });
  });
`;
