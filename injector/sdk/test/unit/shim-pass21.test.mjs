// Pass 21: escapes found in real code's idioms — an SVG 1.1 link
// (xlink:href, target="_top": Graphviz/Doxygen output, x660), a form
// submitted with requestSubmit() inside a declarative shadow root the
// shim's listeners never saw (x662), and window.stop() while the page is
// still parsed, which cut the served document off (x661).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, FORM_DOM, ATTR_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const XLINK = 'http://www.w3.org/1999/xlink';
// Elements keep plain and namespaced attributes; click() and
// requestSubmit() record the target the browser would navigate.
const DOM = FORM_DOM + ATTR_DOM + `
  Element.prototype.setAttributeNS = function (ns, k, v) { this['ns:' + ns + ':' + k] = String(v); };
  Element.prototype.hasAttributeNS = function (ns, k) { return this['ns:' + ns + ':' + k] !== undefined; };
  var nav = [];
  HTMLElement.prototype.click = function () { nav.push(['click', this.getAttribute('target')]); };
  // the SVG <a> has no click(): a click event dispatched on it
  EventTarget.prototype.dispatchEvent = function (e) { nav.push([e.type, this.getAttribute('target')]); return true; };
  HTMLFormElement.prototype.submit = function () { nav.push(['submit', this.getAttribute('target')]); };
  HTMLFormElement.prototype.requestSubmit = function (s) {
    if (s != null && s.form !== this) throw new TypeError('not a submit button of this form');
    nav.push(['requestSubmit', s && s.hasAttribute('formtarget') ? s.getAttribute('formtarget') : this.getAttribute('target')]);
  };
  function make(C, name) { var e = new C(); e.localName = name; return e; }
  var document = new Document();
  document.readyState = 'loading';
  document.currentScript = null;
`;

// page: a CRM root framed by a foreign desktop (or not framed), mode as
// data-crmframe-breakout would give it; stops counts window.stop() calls
// that reached the browser.
function page(opts) {
  const calls = { stops: 0 };
  const { w, run } = framedPage(DOM, shim, opts, { stop() { calls.stops++; } });
  return { w, run, calls };
}

test('an SVG link with only xlink:href and target=_top is a link: it navigates the CRM root (x660)', () => {
  const { w, run } = page();
  const nav = run(`
    var svgA = make(Element, 'a');
    svgA.setAttributeNS('${XLINK}', 'href', 'x660.html?step=3');
    svgA['attr:target'] = '_top'; // as parsed
    svgA.dispatchEvent({ type: 'click' });
    // an <a> without any href is not a link, its target stays
    var bare = make(HTMLElement, 'a'); bare['attr:target'] = '_top';
    bare.click();
    nav`);
  assert.deepEqual(JSON.parse(JSON.stringify(nav)), [['click', '_self'], ['click', '_top']]);
  assert.equal(w.__crmframe.stats.target, 1);
});

test('requestSubmit() retargets the form, or the submitter that has its own formtarget (x662)', () => {
  const { w, run } = page();
  const nav = run(`
    var f = make(HTMLFormElement, 'form'); f['attr:target'] = '_top';
    f.requestSubmit();
    var g = make(HTMLFormElement, 'form'); g['attr:target'] = 'main';
    var b = make(HTMLElement, 'button'); b.form = g; b['attr:formtarget'] = '_PARENT';
    g.requestSubmit(b);
    // the browser still judges the submitter (an error, nothing submitted)
    var other = make(HTMLElement, 'button'); other.form = f;
    try { g.requestSubmit(other); } catch (e) { nav.push(['threw', e.name]); }
    nav`);
  assert.deepEqual(JSON.parse(JSON.stringify(nav)), [['requestSubmit', '_self'], ['requestSubmit', '_self'], ['threw', 'TypeError']]);
  assert.equal(run(`g.getAttribute('target')`), 'main');
  assert.ok(w.__crmframe.stats.target >= 2);
});

test('window.stop() at the CRM root is refused while the page is parsed, and works once it is (x661)', () => {
  const { w, run, calls } = page();
  run(`window.stop(); stop();`);
  assert.equal(calls.stops, 0);
  assert.equal(w.__crmframe.stats.blank, 2);
  run(`document.readyState = 'interactive'; window.stop();`);
  assert.equal(calls.stops, 1);
  run(`document.readyState = 'complete'; window.stop();`);
  assert.equal(calls.stops, 2);
  // it still looks like the browser's own
  assert.equal(run(`window.stop.name`), 'stop');
});

test('window.stop() is the browser\'s own when not framed, and only counted in detect mode', () => {
  const top = page({ framed: false });
  top.run(`window.stop()`);
  assert.equal(top.calls.stops, 1);
  const det = page({ mode: 'detect' });
  det.run(`window.stop()`);
  assert.equal(det.calls.stops, 1);
  assert.equal(det.w.__crmframe.stats.blank, 1);
});

test('a parser-run script\'s stop() halts the parse with a hidden <plaintext> of the shim\'s, which can be undone (x661, x687)', () => {
  const { w, run, calls } = page();
  run(`document.currentScript = { async: false, defer: false }; window.stop();`);
  assert.equal(calls.stops, 0);
  assert.deepEqual(JSON.parse(run(`JSON.stringify(document.written)`)), ['<plaintext hidden>']);
  assert.equal(w.__crmframe.stats.blank, undefined, 'counted only if the page stays blank');
  // an async script's or a timer's: a write would reopen the document
  run(`document.written = []; document.currentScript = { async: true, defer: false }; window.stop(); document.currentScript = null; window.stop();`);
  assert.equal(calls.stops, 0);
  assert.equal(run(`document.written.length`), 0);
  assert.equal(w.__crmframe.stats.blank, 2);
});

test('markup that swallows the rest of the page, written while it is parsed, goes through as written (Mobify, md-page: x680-x685)', () => {
  const { w, run } = page();
  const writes = ['--><plaintext style=display:none><!--', '<PLAINTEXT hidden>', '<!--[if lt IE 9]>', '<script src="ie.js"><\/script>', '<![endif]-->'];
  run(writes.map((x) => `document.write(${JSON.stringify(x)});`).join(''));
  assert.deepEqual(JSON.parse(run(`JSON.stringify(document.written)`)), writes);
  assert.equal(w.__crmframe.stats.blank, undefined);
});
