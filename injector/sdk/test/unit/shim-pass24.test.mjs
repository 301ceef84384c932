// Pass 24: a shadow root without a <slot> renders none of its host's
// children. Attached to <body> or to the page's wrapper and left blank, it
// blanked the page with every node still in the DOM (x782, x783): 250 ms
// later such a root gets a <slot> of the shim's, which goes again once the
// page puts content of its own in the root (x788); a component hiding its
// own config text is not the page (x787).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// Shadow roots (fragments with a host), querySelectorAll over descendants,
// createElement, and a tree walker that honours the filter's REJECT.
const DOM = LIVE_DOM + `
  function ShadowRoot() {} ShadowRoot.prototype = Object.create(Node.prototype);
  EP.attachShadow = function () { var r = new ShadowRoot(); r.nodeType = 11; r.childNodes = []; r.host = this; r.addEventListener = function () {}; this.__root = r; return r; };
  ShadowRoot.prototype.querySelector = function (q) { return this.querySelectorAll(q)[0] || null; };
  // a text is drawn when every shadow root above it has a slot taking the
  // child on its path (by its slot attribute, or the default slot)
  var drawn = function (x) {
    for (var c = x, p = x.parentNode; p; c = p, p = p.parentNode) {
      if (!p.__root) continue;
      var name = c.attrs && c.attrs.slot;
      if (!p.__root.querySelectorAll('slot').some(function (s) { var n = s.attrs && s.attrs.name; return name ? n === name : n == null; })) return false;
    }
    return true;
  };
  Document.prototype.createRange = function () { var n; return { selectNodeContents: function (x) { n = x; }, getClientRects: function () { return drawn(n) ? [{}] : []; } }; };
  var matches = function (c, q) {
    return String(q).split(',').some(function (s) {
      s = s.trim();
      return s === '*' || (s === 'slot:not([name])' ? c.localName === 'slot' && !(c.attrs && 'name' in c.attrs) : c.localName === s);
    });
  };
  EP.querySelectorAll = NP.querySelectorAll = function (q) { var out = []; (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 1) { if (matches(c, q)) out.push(c); walk(c); } }); })(this); return out; };
  EP.hasAttribute = function (k) { return !!this.attrs && k in this.attrs; };
  Document.prototype.createElement = function (n) { return mk(n); };
  Document.prototype.createTreeWalker = function (root, what, filter) {
    var list = [], i = 0;
    (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 3) list.push(c); else if (c.nodeType === 1 && (!filter || filter.acceptNode(c) !== 2)) walk(c); }); })(root);
    return { nextNode: function () { return list[i++] || null; } };
  };
  EP.setHTMLUnsafe = function (h) { this.written = h; };
  var customElements = { defs: {}, define: function (n, C) { this.defs[n] = C; } };
  var slots = function (r) { return r.childNodes.filter(function (c) { return c.localName === 'slot'; }).length; };
`;

test('pass24: a blank shadow root on <body> gets a slot, which goes when the page fills the root', () => {
  const p = livePage(DOM, shim);
  p.run("var r = body.attachShadow({ mode: 'closed' });");
  assert.equal(p.run('slots(r)'), 0, 'not before 250 ms');
  p.later(250);
  assert.equal(p.run('slots(r)'), 1);
  assert.equal(p.run('window.__crmframe.stats.blank'), 1);
  // the page's own content in the root: ours goes
  p.run("var h = mk('header', [text('Agent console')]); r.appendChild(h);");
  p.later(0);
  assert.equal(p.run('slots(r)'), 0);
  assert.equal(p.run('r.childNodes.length'), 1);
});

test('pass24: the page\'s wrapper counts, a root that shows something or has its own slot does not', () => {
  const p = livePage(DOM, shim);
  p.run(`var wrap = mk('div', [marker, nav]); body.insertBefore(wrap, body.firstChild);
    var r1 = wrap.attachShadow({ mode: 'open' });
    var shows = mk('div', [text('other')]); body.appendChild(shows); var r2 = shows.attachShadow({ mode: 'open' }); r2.appendChild(mk('p', [text('Shown instead')]));
    var own = mk('div', [text('slotted')]); body.appendChild(own); var r3 = own.attachShadow({ mode: 'open' }); r3.appendChild(mk('slot'));`);
  p.later(250);
  assert.equal(p.run('slots(r1)'), 1, 'the wrapper of the page');
  assert.equal(p.run('r2.childNodes.length'), 1);
  assert.equal(p.run('slots(r3)'), 1, 'its own slot, not ours');
});

test('pass24: a component hiding a little text of its own keeps it hidden', () => {
  const p = livePage(DOM, shim);
  p.run(`body.insertBefore(mk('p', [text('Customer called about a delayed delivery.')]), body.firstChild);
    var conf = mk('x-conf', [text('{"queue":"support"}')]); body.appendChild(conf);
    var r = conf.attachShadow({ mode: 'closed' });`);
  p.later(250);
  assert.equal(p.run('slots(r)'), 0);
  assert.equal(p.run('window.__crmframe.stats.blank'), undefined);
});

test('pass24: only at the CRM root and in neutralize', () => {
  for (const opts of [{ nested: true }, { mode: 'detect' }]) {
    const p = livePage(DOM, shim, opts);
    p.run("var r = body.attachShadow({ mode: 'closed' });");
    p.later(250);
    assert.equal(p.run('slots(r)'), 0, JSON.stringify(opts));
  }
});

test('pass24: a declarative shadow root written by script gets the marker that hands its root over, trigger words or not', () => {
  const p = livePage(DOM, shim);
  p.run(`body.setHTMLUnsafe('<div id="w"><template shadowrootmode="closed"></template><p>Case 4711</p></div>');`);
  // (parsed open, with a marker that closes it again: Chromium 148 never
  // upgrades the marker of a root setHTMLUnsafe parses)
  assert.match(p.run('body.written'), /<template shadowrootmode="open"><crmframe-dsd closed><\/crmframe-dsd><\/template><p>Case 4711<\/p>/);
  // its connectedCallback judges the root like an attached one
  p.run(`var host = mk('div', [text('The whole page text')]); body.appendChild(host);
    var r = host.attachShadow({ mode: 'closed' });`);
  p.later(250);
  assert.equal(p.run('slots(r)'), 1);
  // markup without a declarative root stays as given
  p.run(`body.setHTMLUnsafe('<template><p>x</p></template>');`);
  assert.equal(p.run('body.written'), '<template><p>x</p></template>');
});

test('pass24: an empty element in the root shows nothing (x793); a picture shows; named slots that draw the page are the page\'s', () => {
  const p = livePage(DOM, shim);
  p.run(`var r = body.attachShadow({ mode: 'closed' }); r.appendChild(mk('div', [mk('span')]));`);
  p.later(250);
  assert.equal(p.run('slots(r)'), 1);
  const q = livePage(DOM, shim);
  q.run(`var wrap = mk('div', [marker, nav]); body.insertBefore(wrap, body.firstChild);
    var r1 = wrap.attachShadow({ mode: 'closed' }); r1.appendChild(mk('div', [mk('img')]));`);
  q.later(250);
  assert.equal(q.run('slots(r1)'), 0, 'a picture shows');
  q.run(`var named = mk('slot'); named.attrs = { name: 'side' };
    var other = mk('section', [text('The rest of the page, longer than the first.')]); body.appendChild(other);
    var r2 = other.attachShadow({ mode: 'open' }); r2.appendChild(named);`);
  q.later(250);
  assert.equal(q.run('slots(r2)'), 2, 'a named slot that takes none of the text');
  // a layout of named slots that the page's children go to: drawn, left alone
  const l = livePage(DOM, shim);
  l.run(`var main = mk('main', [marker, nav]); main.attrs = { slot: 'content' };
    var shell = mk('app-shell', [main]); body.insertBefore(shell, body.firstChild);
    var r3 = shell.attachShadow({ mode: 'open' }); var sl = mk('slot'); sl.attrs = { name: 'content' }; r3.appendChild(mk('div', [sl]));`);
  l.later(250);
  assert.equal(l.run('r3.childNodes.length'), 1);
  assert.equal(l.run('window.__crmframe.stats.blank'), undefined);
});
