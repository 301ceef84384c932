// Eighteenth legitimate pass (legit18, the legit30 cases x1001-x1006):
// a template builder's Insert button sets a link's target to _top and
// saves the template in the same click task (x1001): only what the follow
// under way takes (its link, form, submitter, and <base>) is lent the
// root's name. An empty modal "please wait" <dialog> over an opaque
// ::backdrop (x1002) is made modeless, not closed: the page still reads it
// open and hears its close once, when it closes it. A shared modal hidden
// while blank and shown again with a question (x1003) is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shimRealm, TARGET_DOM, DEEP_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const TDOM = TARGET_DOM + `
  // the document's bases: what document.write parsed (parse() adds them)
  var bases = [];
  Document.prototype.querySelectorAll = function (q) { return q === 'base[target]' ? bases.filter(function (b) { return b.getAttribute('target') != null; }) : []; };
  function parse(html) { var m = /<base target="?([^">]*)/.exec(html); if (m) bases.push(make('base', { target: m[1] })); }
`;

function targetPage() {
  const desk = { name: 'desk' };
  const timers = [], on = {};
  const w = {
    console, setTimeout: (f, ms) => { timers.push([f, ms | 0]); return timers.length; }, setInterval: () => 2, open: () => null,
    addEventListener(t, f) { (on[t] = on[t] || []).push(f); },
  };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test', ancestorOrigins: ['http://desk.test'] };
  w.fireClick = (target, then) => { for (const f of on.click || []) f({ type: 'click', target }); return then(); };
  return shimRealm(w, TDOM, shim, timers);
}

test('legit18: a target set in a click handler on what the follow does not take reads and saves as written (x1001)', () => {
  const { run, tick } = targetPage();
  // the Insert button (no link, no form) is clicked: its handler builds a
  // _top link, a _parent link, a _top form and a button's formtarget
  const r = run(`var insert = make('button', {}), a = make('a', { href: 'offer.html' }), b = make('a', { href: 'p.html' }), f = make('form', {}), s = make('button', { type: 'submit' });
    fireClick(insert, function () {
      a.setAttribute('target', '_top'); b.setAttribute('target', '_parent'); f.setAttribute('target', '_top'); s.setAttribute('formtarget', '_parent');
      return [a.getAttribute('target'), b.getAttribute('target'), f.getAttribute('target'), s.getAttribute('formtarget')];
    })`);
  assert.deepEqual([...r], ['_top', '_parent', '_top', '_parent']);
  tick(0);
  // the link the click follows is still lent the root's name (x713: onclick="this.target='_top'")
  assert.equal(run(`fireClick(a, function () { a.setAttribute('target', '_top'); return a.getAttribute('target'); })`), '_self');
  tick(0);
  assert.equal(run(`a.getAttribute('target')`), '_top');
  // and so is a form being submitted, and a <base>
  assert.equal(run(`f.requestSubmit(); f.setAttribute('target', '_parent'); var bs = make('base', {}); bs.setAttribute('target', '_top'); [f.getAttribute('target'), bs.getAttribute('target'), b.getAttribute('target')].join()`), '_self,_self,_parent');
});

// a dialog whose close queues its close event and toggles as Chromium's
// do; window capture listeners run before the dialog's own
const DDOM = DEEP_DOM + `
  var winL = [], wAdd = window.addEventListener, queued = [];
  window.addEventListener = function (n, f, c) { wAdd(n, f, c); if (c === true || c && c.capture) winL.push([n, f]); };
  window.removeEventListener = function (n, f) { winL = winL.filter(function (x) { return x[0] !== n || x[1] !== f; }); };
  function fire(e, type, o) {
    var ev = Object.assign({ type: type, target: e, stopped: false, stopImmediatePropagation: function () { this.stopped = true; } }, o || {});
    winL.filter(function (x) { return x[0] === type; }).forEach(function (x) { if (!ev.stopped) x[1](ev); });
    if (!ev.stopped) (e.on[type] || []).forEach(function (f) { f(ev); });
  }
  function flush() { var q = queued; queued = []; q.forEach(function (f) { f(); }); }
  function HTMLDialogElement() {}
  HTMLDialogElement.prototype = Object.create(HTMLElement.prototype);
  HTMLDialogElement.prototype.showModal = function () { this.open = true; this.modal = true; };
  HTMLDialogElement.prototype.show = function () { fire(this, 'beforetoggle', { oldState: 'closed', newState: 'open' }); this.open = true; this.modal = false; };
  HTMLDialogElement.prototype.close = function (v) {
    if (!this.open) return;
    var e = this;
    fire(e, 'beforetoggle', { oldState: 'open', newState: 'closed' });
    e.open = false; e.modal = false; if (v !== undefined) e.returnValue = v;
    queued.push(function () { fire(e, 'toggle', { oldState: 'open', newState: e.open ? 'open' : 'closed' }); });
    queued.push(function () { fire(e, 'close'); });
  };
  function dialog(cs, rect) {
    var e = el(cs, rect, 'dialog');
    Object.setPrototypeOf(e, HTMLDialogElement.prototype);
    e.on = {}; e.returnValue = '';
    e.addEventListener = function (t, f) { (this.on[t] = this.on[t] || []).push(f); };
    e.matches = function (q) { return !!this.open && /:modal/.test(q) && this.modal; };
    return e;
  }
`;

const dialogPage = () => {
  const p = livePage(DDOM, shim);
  p.loaded();
  p.look = () => { p.run('deliver()'); p.interval(); p.run('runFrames()'); p.tick(0); };
  p.look();
  return p;
};

test('legit18: an empty modal "please wait" screen over an opaque ::backdrop is made modeless: open until the page closes it, its close heard once (x1002)', () => {
  const p = dialogPage();
  p.run(`var heard = [], c = dialog({ pointerEvents: 'auto' }, [400, 300, 0, 0]); c.backdrop = { backgroundColor: 'rgb(238, 241, 245)' };
    c.addEventListener('close', function () { heard.push('close ' + c.returnValue); });
    c.addEventListener('beforetoggle', function (e) { heard.push('before ' + e.newState); });
    c.addEventListener('toggle', function (e) { heard.push('toggle ' + e.oldState + '>' + e.newState); });
    body.appendChild(c); c.showModal();`);
  p.look(); p.look(); p.run('flush()'); p.look(); p.run('flush()');
  assert.equal(p.run(`getComputedStyle(c).visibility`), 'hidden', 'hidden: it covers the page');
  assert.deepEqual([p.run('c.open'), p.run('c.modal')], [true, false], 'still open for the page, the page no longer inert');
  assert.deepEqual([...p.run('heard')], [], 'the page hears none of our close and show');
  p.run(`c.close('saved'); flush()`);
  assert.deepEqual([...p.run('heard')], ['before closed', 'toggle open>closed', 'close saved']);
});

test('legit18: a shared modal hidden while blank and shown again with a question is shown; shown again blank it stays hidden (x1003)', () => {
  const p = dialogPage();
  p.run(`var c = dialog({ pointerEvents: 'auto' }, [400, 300, 0, 0]); c.backdrop = { backgroundColor: 'rgb(240, 240, 240)' };
    body.appendChild(c); c.showModal();`);
  p.look(); p.look(); p.run('flush()');
  assert.equal(p.run(`getComputedStyle(c).visibility`), 'hidden');
  p.run(`c.close(); flush(); c.appendChild(text('Merge this contact?')); c.rect = [250, 200, 300, 120]; c.showModal()`);
  assert.equal(p.run(`getComputedStyle(c).visibility`), 'visible', 'the question is shown');
  p.look(); p.look();
  assert.equal(p.run(`getComputedStyle(c).visibility`), 'visible', 'and stays');
  // emptied and shown blank again: hidden again
  p.run(`c.close(); flush(); c.removeChild(c.firstChild); c.rect = [400, 300, 0, 0]; c.showModal()`);
  p.look(); p.look();
  assert.equal(p.run(`getComputedStyle(c).visibility`), 'hidden');
});

test('legit18: a modal hidden while blank that the page fills while it is still open is shown at the next look (x1002 "Order saved.")', () => {
  const p = dialogPage();
  p.run(`var c = dialog({ pointerEvents: 'auto' }, [400, 300, 0, 0]); c.backdrop = { backgroundColor: 'rgb(238, 241, 245)' };
    body.appendChild(c); c.showModal();`);
  p.look(); p.look(); p.run('flush()');
  assert.equal(p.run(`getComputedStyle(c).visibility`), 'hidden');
  p.run(`c.appendChild(text('Order saved.')); c.rect = [250, 200, 300, 120];`);
  p.look();
  assert.equal(p.run(`getComputedStyle(c).visibility`), 'visible', 'its message is shown');
  p.look();
  assert.equal(p.run(`getComputedStyle(c).visibility`), 'visible', 'and stays');
  // one that stays blank stays hidden
  p.run(`var e = dialog({ pointerEvents: 'auto' }, [400, 300, 0, 0]); e.backdrop = { backgroundColor: 'rgb(255, 255, 255)' }; body.appendChild(e); e.showModal();`);
  p.look(); p.look(); p.look(); p.look();
  assert.equal(p.run(`getComputedStyle(e).visibility`), 'hidden');
});

test('legit18: a <base target=_top> parsed from HTML while a click is followed reads as written from the next task (x1007)', () => {
  const { run, tick } = targetPage();
  // the router's click handler renders the article (the written markup is
  // what the browser parses)
  const during = run(`var row = make('a', { href: '/help/42' });
    fireClick(row, function () { document.written = []; document.write('<base target="_top"><h4>Refunds</h4>'); parse(document.written[0]); return bases[0].getAttribute('target'); })`);
  assert.equal(during, '_self', 'the follow under way cannot leave through it');
  tick(0);
  assert.equal(run(`bases[0].getAttribute('target')`), '_top');
  // the next follow lends it the root's name again
  assert.equal(run(`fireClick(row, function () { return bases[0].getAttribute('target'); })`), '_self');
  tick(0);
  assert.equal(run(`bases[0].getAttribute('target')`), '_top');
});
