// Seventeenth legitimate pass (legit29): a _top/_parent target set by
// script (setAttribute, setters, HTML strings: a mail rendered through
// Document.parseHTMLUnsafe, x944) stays as written outside a follow, for
// reads, selectors and CSS; the click/submit path lends the root's name
// when it is followed, as for served values. A value set while a follow is
// under way (a click or submit handler running after our listener, x713)
// is still retargeted at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shimRealm, TARGET_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const DOM = TARGET_DOM;

function page({ mode = null } = {}) {
  const desk = { name: 'desk' };
  const timers = [], on = {};
  const w = {
    console, setTimeout: (f, ms) => { timers.push([f, ms | 0]); return timers.length; }, setInterval: () => 2, open: () => null,
    addEventListener(t, f) { (on[t] = on[t] || []).push(f); }, __crmframe_breakout: mode,
  };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test', ancestorOrigins: ['http://desk.test'] };
  w.fireClick = (target, then) => { for (const f of on.click || []) f({ type: 'click', target }); return then(); };
  const { run, tick } = shimRealm(w, DOM, shim, timers);
  const written = (html) => run(`document.written = []; document.write(${JSON.stringify(html)}); document.written[0]`);
  return { w, run, tick, written };
}

test('a leaving target set by script outside a follow stays as written (x944)', () => {
  const { w, run, written } = page();
  assert.equal(run(`var a = make('a', { href: 'x944.html' }); a.setAttribute('target', '_top'); a.getAttribute('target')`), '_top');
  assert.equal(run(`var f = make('form', {}); f.setAttribute('target', '_parent'); f.getAttribute('target')`), '_parent');
  assert.equal(written('<a id="portal" href="x944.html?step=2" target="_top">Portal</a>'), '<a id="portal" href="x944.html?step=2" target="_top">Portal</a>');
  assert.equal(w.__crmframe.stats.target, 3, 'still counted');
});

test('followed, it is lent the root\'s name and reads back as written in the next task', () => {
  const { run, tick } = page();
  const during = run(`var a = make('a', { href: 'x944.html' }); a.setAttribute('target', '_top');
    fireClick(a, function () { return a.getAttribute('target'); })`);
  assert.equal(during, '_self');
  tick(0);
  assert.equal(run(`a.getAttribute('target')`), '_top');
});

test('a value set while a follow is under way is retargeted at once, until the next task (x713)', () => {
  const { run, tick, written } = page();
  const r = run(`var b = make('a', { href: 'in.html' }), c = b;
    fireClick(b, function () { c.setAttribute('target', '_top'); return [c.getAttribute('target'), document.written = [], document.write('<base target=_top><a target=_top>new</a>'), document.written[0]]; })`);
  assert.equal(r[0], '_self');
  // in markup only <base> changes the follow under way; a new link is retargeted when clicked
  assert.equal(r[3], '<base target="_self"><a target=_top>new</a>');
  tick(0);
  assert.equal(run(`c.getAttribute('target')`), '_top', 'lent');
  assert.equal(run(`c.setAttribute('target', '_top'); c.getAttribute('target')`), '_top');
  assert.equal(written('<base target=_top>'), '<base target=_top>');
  // submit() and requestSubmit() start a follow too
  assert.equal(run(`var f = make('form', {}); f.requestSubmit(); f.setAttribute('target', '_top'); f.getAttribute('target')`), '_self');
});

test('a value set in a click handler is lent for the follow: the next task reads it as written (x950)', () => {
  const { run, tick } = page();
  const r = run(`var b = make('a', { href: 'in.html' }), c = b, f = make('form', {});
    f.requestSubmit();
    fireClick(b, function () { c.setAttribute('target', '_top'); f.setAttribute('target', '_parent'); return [c.getAttribute('target'), f.getAttribute('target')]; })`);
  assert.deepEqual([...r], ['_self', '_self']);
  tick(0);
  assert.deepEqual([...run(`[c.getAttribute('target'), f.getAttribute('target')]`)], ['_top', '_parent']);
  // one the page wrote again meanwhile stays as the page wrote it
  run(`fireClick(b, function () { c.setAttribute('target', '_top'); Element.prototype.setAttribute.call(c, 'target', 'detail'); })`);
  tick(0);
  assert.equal(run(`c.getAttribute('target')`), 'detail');
});

test('detect mode never rewrites, in a follow or not', () => {
  const { run } = page({ mode: 'detect' });
  assert.equal(run(`var b = make('a', { href: 'in.html' }), c = make('a', {}); fireClick(b, function () { c.setAttribute('target', '_top'); return c.getAttribute('target'); })`), '_top');
});
