// Tests of the shim's blanking guard against legitimate pages of the third
// legit pass (docs/framebusting-passes.md, x371 and x383): a nested CRM frame
// empties its own body, and the nodes an undo put back stand in only until
// the page mounts its next view. A small live DOM with a MutationObserver
// and boxes (text gives an element a box) in a vm realm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flush, shimRealm } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const DOM = `
  var observers = [];
  function Node() {}
  function Element() {} Element.prototype = Object.create(Node.prototype);
  function HTMLElement() {} HTMLElement.prototype = Object.create(Element.prototype);
  function Document() {} Document.prototype = Object.create(Node.prototype);
  function HTMLFormElement() {} HTMLFormElement.prototype = Object.create(HTMLElement.prototype);
  HTMLFormElement.prototype.submit = function () {};
  var NP = Node.prototype, EP = Element.prototype;
  var kids = function (n) { return n.childNodes || (n.childNodes = []); };
  var within = function (n, root) { for (; n; n = n.parentNode) if (n === root) return true; return false; };
  // childList records for every observer watching n (or, subtree, above it)
  var notify = function (n, added, removed) {
    observers.forEach(function (o) {
      o.targets.forEach(function (t) {
        if (t[0] !== n && !(t[1].subtree && within(n, t[0]))) return;
        if (!o.queue.length) queueMicrotask(function () { var q = o.queue; o.queue = []; if (q.length) o.cb(q); });
        o.queue.push({ type: 'childList', target: n, addedNodes: added, removedNodes: removed });
      });
    });
  };
  var detach = function (c) { var p = c.parentNode; if (p) { var k = kids(p); k.splice(k.indexOf(c), 1); c.parentNode = null; notify(p, [], [c]); } };
  NP.insertBefore = function (c, ref) { detach(c); var k = kids(this), i = ref ? k.indexOf(ref) : -1; k.splice(i < 0 ? k.length : i, 0, c); c.parentNode = this; notify(this, [c], []); return c; };
  NP.appendChild = function (c) { return this.insertBefore(c, null); };
  NP.removeChild = function (c) { detach(c); return c; };
  NP.replaceChild = function (n, old) { this.insertBefore(n, old); detach(old); return old; };
  Object.defineProperty(NP, 'isConnected', { get: function () { return within(this, document); }, configurable: true });
  Object.defineProperty(NP, 'nextSibling', { get: function () { var k = this.parentNode ? kids(this.parentNode) : []; return k[k.indexOf(this) + 1] || null; }, configurable: true });
  Object.defineProperty(NP, 'previousSibling', { get: function () { var k = this.parentNode ? kids(this.parentNode) : []; return k[k.indexOf(this) - 1] || null; }, configurable: true });
  Object.defineProperty(NP, 'lastChild', { get: function () { var k = kids(this); return k[k.length - 1] || null; }, configurable: true });
  Object.defineProperty(NP, 'textContent', { get: function () { return this.nodeType === 3 ? this.data : kids(this).map(function (c) { return c.textContent; }).join(''); },
    set: function (v) { kids(this).slice().forEach(detach); if (v) this.appendChild(text(v)); }, configurable: true });
  Object.defineProperty(EP, 'innerHTML', { get: function () { return this.textContent; }, set: function (v) { kids(this).slice().forEach(detach); v = String(v).replace(/<[^>]*>/g, ''); if (v) this.appendChild(text(v)); }, configurable: true });
  Object.defineProperty(EP, 'firstElementChild', { get: function () { return kids(this).filter(function (c) { return c.nodeType === 1; })[0] || null; }, configurable: true });
  EP.remove = function () { detach(this); };
  EP.replaceWith = function (n) { this.parentNode.replaceChild(n, this); };
  EP.replaceChildren = function () { kids(this).slice().forEach(detach); for (var i = 0; i < arguments.length; i++) this.appendChild(arguments[i]); };
  EP.append = function () { for (var i = 0; i < arguments.length; i++) this.appendChild(typeof arguments[i] === 'string' ? text(arguments[i]) : arguments[i]); };
  EP.getAttribute = function () { return null; };
  EP.querySelectorAll = function () { return []; };
  var META = /^(html|head|body|title|meta|link|style|script|base|template)$/;
  EP.querySelector = function () { var hit = null; (function walk(n) { kids(n).forEach(function (c) { if (!hit && c.nodeType === 1) { if (!META.test(c.localName)) hit = c; else walk(c); } }); })(this); return hit; };
  // a box: 100 x 20 when the element holds text (scripts and hidden ones none)
  var shown = function (e) { return !e.hidden && e.localName !== 'script' && e.textContent.trim() !== ''; };
  EP.getBoundingClientRect = function () { var s = shown(this); return { left: 0, top: 0, right: s ? 100 : 0, bottom: s ? 20 : 0, width: s ? 100 : 0, height: s ? 20 : 0 }; };
  EP.checkVisibility = function () { return !this.hidden; };
  function text(s) { var n = Object.create(NP); n.nodeType = 3; n.data = s; return n; }
  function mk(name, content, pos) { var e = new HTMLElement(); e.nodeType = 1; e.localName = name; e.position = pos || 'static'; if (content) e.appendChild(typeof content === 'string' ? text(content) : content); return e; }
  function MutationObserver(cb) { this.cb = cb; this.targets = []; this.queue = []; }
  MutationObserver.prototype.observe = function (t, o) { this.targets.push([t, o]); if (observers.indexOf(this) < 0) observers.push(this); };
  MutationObserver.prototype.disconnect = function () { this.targets = []; this.queue = []; observers.splice(observers.indexOf(this), 1); };
  function getComputedStyle(e) { return { position: e.position || 'static', display: 'block', visibility: 'visible', opacity: '1' }; }
  var ids = function () { return kids(document.body).map(function (c) { return c.id || c.localName || '#text'; }).join(); };
  Object.defineProperty(Document.prototype, 'documentElement', { get: function () { return kids(this)[0] || null; }, configurable: true });
  Object.defineProperty(Document.prototype, 'body', { get: function () { var h = this.documentElement; return h && kids(h).filter(function (c) { return c.localName === 'body'; })[0] || null; },
    set: function (b) { var h = this.documentElement, old = this.body; if (old) h.replaceChild(b, old); else h.appendChild(b); }, configurable: true });
  Object.defineProperty(Document.prototype, 'head', { get: function () { return kids(this.documentElement)[0]; }, configurable: true });
  Document.prototype.nodeType = 9;
  var document = new Document();
  document.readyState = 'complete';
  var html = mk('html'), body = mk('body');
  html.appendChild(mk('head', mk('title', 'CRM'))); html.appendChild(body); document.appendChild(html);
  var marker = mk('div', 'CRM page ok'); marker.id = 'old-app';
  var nav = mk('a', 'next'); nav.id = 'nav';
  body.append(nav, marker);
`;

// page(): a CRM window running the shim over the DOM above; the CRM root
// framed by a foreign desktop, or (nested) a frame of a CRM window.
function page({ nested = false, mode = null } = {}) {
  const timers = [];
  const desk = { name: 'desk' };
  const crmRoot = { __crmframe: { marker: 'crmframe', realParent: desk } };
  const w = {
    console, queueMicrotask, WeakSet, WeakMap,
    setTimeout: (f, ms) => { timers.push([f, ms]); return timers.length; },
    setInterval: () => 0,
    addEventListener() {},
    pageXOffset: 0, pageYOffset: 0,
    __crmframe_breakout: mode,
  };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = nested ? crmRoot : desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:' };
  const { run, tick } = shimRealm(w, DOM, shim, timers);
  return { w, run, tick, ids: () => run('ids()') };
}

test('legit13: a nested CRM frame emptying its own body keeps it empty (x371); the CRM root still gets its page back', async () => {
  for (const code of ['document.body.innerHTML = ""', 'document.body.replaceChildren()', 'document.body.textContent = ""', 'document.body.remove()']) {
    const n = page({ nested: true });
    assert.equal(n.w.__crmframe.root, false);
    n.run(code);
    n.tick(250);
    await flush();
    assert.equal(n.run('document.body ? document.body.textContent : ""'), '', code);
    assert.equal(n.w.__crmframe.stats.blank, undefined, code);
    const r = page();
    assert.equal(r.w.__crmframe.root, true);
    r.run(code);
    r.tick(250);
    assert.equal(r.run('document.body.textContent'), 'nextCRM page ok', code);
    assert.equal(r.w.__crmframe.stats.blank, 1, code);
  }
});

test('legit13: after an undo, the next view the page mounts replaces the restored nodes (x383)', async () => {
  for (const blanking of ['document.body.replaceChildren()', 'document.body.innerHTML = ""', 'document.body.textContent = ""']) {
    const p = page();
    p.run(blanking);
    p.tick(250);
    assert.equal(p.ids(), 'nav,old-app', blanking + ': undone');
    // 400 ms later: the lazy module mounts (an empty marker div first)
    p.run('var m = mk("div"); m.id = "crm-marker"; var app = mk("div", "Cases (new module)"); app.id = "new-app"; document.body.append(m, app)');
    assert.equal(p.ids(), 'nav,old-app,crm-marker,new-app', 'the observer runs in a microtask');
    await flush();
    assert.equal(p.ids(), 'crm-marker,new-app', blanking);
    // the page goes on as it likes: nothing stands in any more
    p.run('document.body.append(mk("p", "more"))');
    await flush();
    assert.equal(p.ids(), 'crm-marker,new-app,p');
  }
});

test('legit13: inserts that show nothing or float over the page keep the restored nodes; a later view still replaces them', async () => {
  const p = page();
  p.run('document.body.replaceChildren()');
  p.tick(250);
  p.run(`document.body.append(mk("script", "track()"), mk("div"), "\\n  ");
    var h = mk("div", "hidden template"); h.hidden = true; document.body.appendChild(h);
    document.body.appendChild(mk("div", "Saved", "fixed")); document.body.appendChild(mk("div", "tooltip", "absolute"))`);
  await flush();
  assert.equal(p.ids(), 'nav,old-app,script,div,#text,div,div,div');
  // an empty container filled later (its content is a mutation below body)
  p.run('var root = mk("main"); document.body.appendChild(root)');
  await flush();
  assert.match(p.ids(), /^nav,old-app,/);
  p.run('root.appendChild(mk("h1", "Cases"))');
  await flush();
  assert.equal(p.ids(), 'script,div,#text,div,div,div,main');
});

test('legit13: a restored node the page inserts again is its own; after 10 s the restored page is the one in use; a swapped body', async () => {
  // the shell keeps its nav and mounts the new view next to it
  const p = page();
  p.run('document.body.replaceChildren()');
  p.tick(250);
  p.run('var navEl = document.body.childNodes[0]; document.body.append(navEl, mk("div", "new view"))');
  await flush();
  assert.equal(p.ids(), 'nav,div');
  // 10 s after the undo the restored page is the page in use: a view
  // appended then (a panel the agent opened) keeps it
  const q = page();
  q.run('document.body.replaceChildren()');
  q.tick(250);
  q.tick(10000);
  q.run('document.body.appendChild(mk("section", "panel"))');
  await flush();
  assert.equal(q.ids(), 'nav,old-app,section');
  // a body swapped for an empty one and undone: what the page then appends
  // to document.body replaces the restored children too
  const s = page();
  s.run('document.body = mk("body")');
  s.tick(250);
  assert.equal(s.ids(), 'nav,old-app');
  s.run('document.body.appendChild(mk("div", "app"))');
  await flush();
  assert.equal(s.ids(), 'div');
});

test('legit13: a buster that blanks and writes its message later (in flow or floating): the message replaces the restored page as one written at once does; detect mode restores nothing', async () => {
  const now = page();
  now.run('document.body.replaceChildren(mk("h1", "This page cannot be framed"))');
  now.tick(250);
  assert.equal(now.ids(), 'h1');
  const later = page();
  later.run('document.body.replaceChildren()');
  later.tick(250);
  assert.equal(later.ids(), 'nav,old-app');
  later.run('document.body.appendChild(mk("h1", "This page cannot be framed"))');
  await flush();
  assert.equal(later.ids(), 'h1');
  // so does one shown floating (position: fixed) in the blank body (x723: a
  // sign-in card after a purge); next to an element of its own still showing
  // nothing (an app root yet to mount) it is a toast: the page stays
  const cover = page();
  cover.run('document.body.replaceChildren()');
  cover.tick(250);
  cover.run('document.body.appendChild(mk("div", "This page cannot be framed", "fixed"))');
  await flush();
  assert.equal(cover.ids(), 'div');
  const toast = page();
  toast.run('document.body.replaceChildren()');
  toast.tick(250);
  toast.run('var root = mk("main"); root.id = "root"; document.body.append(root, mk("div", "Saved", "fixed"))');
  await flush();
  assert.equal(toast.ids(), 'nav,old-app,root,div');
  const det = page({ mode: 'detect' });
  det.run('document.body.replaceChildren()');
  det.tick(250);
  assert.equal(det.ids(), '');
  assert.equal(det.w.__crmframe.stats.blank, 1);
});
