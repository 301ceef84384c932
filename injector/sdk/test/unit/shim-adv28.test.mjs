// Pass 28 (adv28): a frame still loading its src page kept its eval, its
// string timers, its async and generator function constructors and its
// History steps pristine after pass 27 guarded the rest of its realm: code
// run there read the real top (x920-x923), a step walked the tab's joint
// session history past the desktop (x924).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// The loading frame's realm: its code runs in a with over its window (a
// stand-in for its global, whose top is the real one).
const DOM = LOADING_DOM + `
  var PF = Function;
  var steps = [], timers = [];
  function History() {}
  History.prototype.go = function (n) { steps.push(['go', n]); };
  History.prototype.back = function () { steps.push(['back']); };
  History.prototype.forward = function () { steps.push(['forward']); };
  var history = new History(), HP0 = { go: History.prototype.go, back: History.prototype.back, forward: History.prototype.forward };
  // this window's own entries: one back, none forward
  var navigation = { currentEntry: { index: 1 }, entries: function () { return [0, 1]; } };
  function loadingFrame() {
    var fr = new HTMLIFrameElement();
    fr.localName = 'iframe';
    fr['attr:src'] = 'report.html';
    var cw = { document: { contentType: 'text/html' }, location: { protocol: 'about:' }, top: window.top };
    cw.globalThis = cw;
    var run = function (code) { return PF('w', 'with (w) { return (function () { ' + code + ' })(); }')(cw); };
    cw.eval = function (code) { return run('return (' + code + ');'); };
    cw.setTimeout = function setTimeout(code) { timers.push(function () { return typeof code === 'function' ? code() : run(code); }); return 1; };
    cw.setInterval = function setInterval(code) { return cw.setTimeout(code); };
    cw.Function = function Function() { var a = [].slice.call(arguments), body = a.pop(); return PF('w', 'with (w) { return function (' + a.join(',') + ') { ' + body + ' }; }')(cw); };
    cw.History = function () {}; cw.History.prototype = Object.create(History.prototype);
    // its own History: the methods as they were before the shim ran
    cw.History.prototype.go = HP0.go; cw.History.prototype.back = HP0.back; cw.History.prototype.forward = HP0.forward;
    fr._cw = cw;
    return fr;
  }
  var name = function (x) { return x === window ? 'crm' : x && x.name === 'desk' ? 'desk' : x; };
`;

function page(opts) {
  const { w, run } = framedPage(DOM, shim, opts);
  return { w, run };
}

test('a loading frame\'s eval swaps its code: the CRM window reads its virtual top (x920)', () => {
  const { run } = page();
  const out = run(`
    var fr = loadingFrame(), cw = fr._cw, ev0 = cw.eval;
    var before = name(cw.eval('top'));
    fr.contentWindow; // handed out
    [before, name(cw.eval('top')), cw.eval('6 * 7'), cw.eval === ev0, cw.__crmframe_natives(cw.eval) === ev0,
     // what the swap writes into code run there is lent too
     cw.eval('typeof globalThis.__crmframe_ieval + typeof __crmframe_post + typeof __crmframe_key')]`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), ['desk', 'crm', 42, false, true, 'functionfunctionfunction']);
});

test('a string timer queued on a loading frame runs swapped (x921)', () => {
  const { run } = page();
  const out = run(`
    var fr = loadingFrame(), cw = fr._cw, got = [];
    window.__got = function (t) { got.push(name(t)); };
    fr.contentWindow;
    cw.setTimeout('parent.__got(top)', 0);
    cw.setInterval('parent.__got(top)', 10);
    cw.setTimeout(function () { got.push('fn'); }, 0);
    cw.parent = window;
    timers.forEach(function (f) { f(); });
    got`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), ['crm', 'crm', 'fn']);
});

test('the async and generator constructors of a loading frame compile swapped code (x922, x923)', () => {
  const { run } = page();
  const out = run(`
    var fr = loadingFrame(), cw = fr._cw, F1 = cw.Function;
    // its AsyncFunction, GeneratorFunction, AsyncGeneratorFunction: compile
    // in its realm; the shim reaches them through functions its Function makes
    var kinds = [0, 1, 2].map(function () { var C = function () { return F1.apply(null, arguments); }; C.prototype = { constructor: C }; return C; });
    cw.Function = function Function(body) {
      if (arguments.length === 1 && /^return \\[async function/.test(body)) return function () { return kinds.map(function (C) { return Object.create(C.prototype); }); };
      return F1.apply(null, arguments);
    };
    var before = name(kinds[0].prototype.constructor('return top')());
    fr.contentWindow;
    [before].concat(kinds.map(function (C) { return name(C.prototype.constructor('return top')()); }))`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), ['desk', 'crm', 'crm', 'crm']);
});

test('a loading frame\'s History steps get this window\'s step check (x924)', () => {
  const { run } = page();
  const out = run(`
    var fr = loadingFrame(), cw = fr._cw;
    fr.contentWindow;
    cw.History.prototype.go.call(history, -5);
    cw.History.prototype.go.call(history, -1);
    cw.History.prototype.forward.call(history);
    cw.History.prototype.back.call(history);
    steps`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), [['go', -1], ['back']]);
});

test('the page a loading frame then loads gets its eval and timers back before its shim captures them', () => {
  const calls = [];
  const origEval = function (x) { calls.push(['eval', x]); return 7; };
  const origTimer = function setTimeout(x) { calls.push(['timer', x]); return 1; };
  const hookEval = function (x) { return origEval(x); }, hookTimer = function setTimeout() { return origTimer.apply(this, arguments); };
  const lent = (f) => (f === hookEval ? origEval : f === hookTimer ? origTimer : undefined);
  const { w } = framedPage(DOM, shim, {}, { eval: hookEval, setTimeout: hookTimer, __crmframe_natives: lent });
  assert.equal(w.eval, origEval);
  w.setTimeout('1', 0);
  assert.deepEqual(calls, [['timer', '1']]);
});

test('code strings: a child frame\'s key (frames[i][k], frames[i]?.[k], window?.[k]) goes through __crmframe_key (x930)', () => {
  const timers = [];
  const { w } = framedPage(DOM, shim, {}, { setTimeout: (c) => { timers.push(c); return 1; } });
  const K = '(globalThis.__crmframe_key||(x=>x))(';
  w.setTimeout("var t = frames[0]?.[k], u = frames[i][name], v = window?.[k]; frames[0]['x']; frames[0][1]; frames[0]?.x; a.frames[0]['x']; arr[0][k]", 1);
  w.setTimeout('return window.parent.frames[0][k] || self.frames?.[i]?.[k]', 1);
  assert.deepEqual(timers, [
    'var t = frames[0]?.[' + K + 'k)], u = frames[' + K + 'i)][' + K + 'name)], v = window?.[' + K + "k)]; frames[0]['x']; frames[0][1]; frames[0]?.x; a.frames[0]['x']; arr[0][k]",
    'return window.parent.frames[0][' + K + 'k)] || self.frames?.[' + K + 'i)]?.[' + K + 'k)]',
  ]);
});

// A connected element whose setHTMLUnsafe, and a document whose
// execCommand('insertHTML'), put a loading frame in (as the browser does,
// no insertion method of the shim's runs).
const WRITE_DOM = DOM + `
  var getAttr0 = Element.prototype.getAttribute;
  document.baseURI = 'http://crm.test/a.html';
  Element.prototype.isConnected = true;
  var written = [];
  Element.prototype.querySelectorAll = function () { return written; };
  Document.prototype.querySelectorAll = function () { return written; };
  Element.prototype.setHTMLUnsafe = function (html) { if (/<iframe/.test(html)) written.push(loadingFrame()); };
  Document.prototype.execCommand = function (c, u, html) { if (/<iframe/.test(html)) written.push(loadingFrame()); return true; };
  var slot = new HTMLElement();
`;

test('a loading frame written by setHTMLUnsafe or execCommand(insertHTML) is guarded before the call returns (x934, x925)', () => {
  const { run } = framedPage(WRITE_DOM, shim, {}, { URL });
  const out = run(`
    slot.setHTMLUnsafe('<iframe src="help.html"></iframe>');
    var a = written[0]._cw, open0 = a.open;
    document.execCommand('insertHTML', false, '<iframe src="help.html"></iframe>');
    var b = written[1]._cw;
    [Object.prototype.hasOwnProperty.call(a, '__crmframe_natives'), Object.prototype.hasOwnProperty.call(b, '__crmframe_natives'), typeof a.eval]`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), [true, true, 'function']);
});
