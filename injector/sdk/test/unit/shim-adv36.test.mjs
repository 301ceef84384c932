// Pass 36 (adv36): ways code built at run time entered the page unswapped:
// text put into a script by insertAdjacentText, insertAdjacentHTML and
// setHTMLUnsafe (an empty script in the document runs when its first text
// arrives), a script inserted by insertAdjacentElement, the window's eval
// handed out by Reflect.get and property descriptors, and a javascript: URL
// given to navigation.navigate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');
const BUST = "if (window.top !== window.self) window.top.location.href = 'x.html'";

// Elements whose insertAdjacent* and setHTMLUnsafe record what reaches the
// platform; text lives in _text (textContent), children in kids.
const DOM = LOADING_DOM + `
  var seen = [];
  Object.defineProperty(Node.prototype, 'textContent', { get: function () { return this._text || ''; }, set: function (v) { this._text = String(v); }, configurable: true });
  Node.prototype.isConnected = false;
  Element.prototype.insertAdjacentText = function (where, t) { seen.push(['text', where, t]); };
  Element.prototype.insertAdjacentHTML = function (where, h) { seen.push(['html', where, h]); };
  Element.prototype.setHTMLUnsafe = function (h) { seen.push(['unsafe', h]); };
  Element.prototype.insertAdjacentElement = function (where, el) { seen.push(['el', where, el.textContent]); return el; };
  function el(name, connected, parent) { var e = new HTMLElement(); e.localName = name; e.isConnected = !!connected; e.parentNode = parent || null; return e; }
  function Navigation() {} Navigation.prototype.navigate = function (u) { seen.push(['nav', u]); return {}; };
  var navigation = new Navigation();
`;

test('text put into a script by insertAdjacentText/HTML and setHTMLUnsafe is swapped as code; other elements keep theirs', () => {
  const { run } = framedPage(DOM, shim);
  const out = JSON.parse(run(`
    var s = el('script', true), div = el('div', true), tpl = el('script', true); tpl['attr:type'] = 'text/template';
    var kid = el('b', true, s);
    s.insertAdjacentText('afterbegin', ${JSON.stringify(BUST)});
    s.insertAdjacentText('BeforeEnd', ${JSON.stringify(BUST)});
    kid.insertAdjacentText('afterend', ${JSON.stringify(BUST)});
    s.insertAdjacentHTML('beforeend', ${JSON.stringify(BUST)});
    s.setHTMLUnsafe(${JSON.stringify(BUST)});
    div.insertAdjacentText('afterbegin', ${JSON.stringify(BUST)});
    tpl.insertAdjacentText('afterbegin', ${JSON.stringify(BUST)});
    s.insertAdjacentText('beforebegin', ${JSON.stringify(BUST)});
    JSON.stringify(seen)`));
  const swapped = (x) => x !== BUST && /__crmframe_top/.test(x);
  assert.deepEqual(out.slice(0, 5).map((e) => [e[0], swapped(e[e.length - 1])]), [['text', true], ['text', true], ['text', true], ['html', true], ['unsafe', true]]);
  assert.deepEqual(out.slice(5).map((e) => e[2]), [BUST, BUST, BUST]);
});

test('a script inserted with insertAdjacentElement has its text swapped; a detached target leaves it', () => {
  const { run } = framedPage(DOM, shim);
  const out = JSON.parse(run(`
    var body = el('body', true), s = el('script'), loose = el('div'), s2 = el('script');
    // text a setter never saw (a text node's data set while detached)
    s._text = ${JSON.stringify(BUST)}; s2._text = ${JSON.stringify(BUST)};
    body.insertAdjacentElement('beforeend', s);
    loose.insertAdjacentElement('afterbegin', s2);
    JSON.stringify(seen)`));
  assert.ok(out[0][2] !== BUST && /__crmframe_top/.test(out[0][2]), out[0][2]);
  assert.equal(out[1][2], BUST);
});

test("the window's eval handed out by Reflect.get and descriptors swaps its code; other keys and objects keep theirs", () => {
  const { run, w } = framedPage(DOM, shim);
  const out = run(`
    var k = ['ev', 'al'].join(''), ie = window.__crmframe_ieval, mine = { eval: eval };
    var d = Object.getOwnPropertyDescriptor(window, k), rd = Reflect.getOwnPropertyDescriptor(window, k);
    [Reflect.get(window, k) === ie, d.value === ie, rd.value === ie, Object.getOwnPropertyDescriptors(window)[k].value === ie,
      d.writable, d.enumerable, Reflect.get(mine, k) === eval, Object.getOwnPropertyDescriptor(mine, k).value === eval,
      Reflect.get(window, 'setTimeout') === setTimeout].join()`);
  assert.equal(out, 'true,true,true,true,true,false,true,true,true');
  assert.equal(w.__crmframe_ieval('1 + 1'), 2);
});

test('navigation.navigate swaps the code of a javascript: URL and passes other URLs as they are', () => {
  const { run } = framedPage(DOM, shim);
  const out = JSON.parse(run(`
    navigation.navigate('javascript:' + encodeURIComponent(${JSON.stringify(BUST)}));
    navigation.navigate('b.html#x', { history: 'replace' });
    navigation.navigate({ toString: function () { return 'c.html'; } });
    JSON.stringify(seen)`));
  assert.ok(/^javascript:/.test(out[0][1]) && /__crmframe_top/.test(decodeURIComponent(out[0][1])), out[0][1]);
  assert.deepEqual(out.slice(1), [['nav', 'b.html#x'], ['nav', 'c.html']]);
});

// SVG: href.baseVal of a link, and the to/from/by/values an SVG <set> or
// <animate> gives the href it animates (x1072, x1073, x1080).
const SVG_DOM = DOM + `
  function SVGAnimatedString() {}
  Object.defineProperty(SVGAnimatedString.prototype, 'baseVal', { get: function () { return this._v; }, set: function (v) { this._v = String(v); seen.push(['base', this._v]); }, configurable: true });
  function SVGScriptElement() {} SVGScriptElement.prototype = Object.create(HTMLElement.prototype);
  Object.defineProperty(SVGScriptElement.prototype, 'href', { get: function () { return this._href || (this._href = new SVGAnimatedString()); }, configurable: true });
  Element.prototype.setAttribute = function (k, v) { seen.push(['attr', k, String(v)]); };
  function svg(name) { var e = el(name); e.namespaceURI = 'http://www.w3.org/2000/svg'; return e; }
`;

test("an SVG href.baseVal and an animation's to/from/by/values swap the code of javascript: URLs; other values are kept", () => {
  const { run } = framedPage(SVG_DOM, shim);
  const U = 'javascript:' + encodeURIComponent(BUST);
  const out = JSON.parse(run(`
    var U = ${JSON.stringify(U)}, link = new SVGAnimatedString(), cls = new SVGAnimatedString();
    link.baseVal = U; link.baseVal = '#sec'; cls.baseVal = 'x top';
    var st = svg('set'), an = svg('animate'), html = el('div');
    st.setAttribute('to', U); an.setAttribute('FROM', U); an.setAttribute('by', U); an.setAttribute('values', '#a;' + U + ';#b');
    st.setAttribute('to', 'red'); an.setAttribute('values', '#a;#b'); html.setAttribute('to', U);
    div = el('div', true); div.insertAdjacentHTML('beforeend', '<svg><a><set attributeName="href" to="' + U + '"/></a></svg>');
    JSON.stringify(seen)`));
  const swapped = (v) => /__crmframe_top/.test(decodeURIComponent(v));
  assert.deepEqual(out.map((e) => e[e.length - 1]).map((v) => v.includes('javascript:') ? swapped(v) : v),
    [true, '#sec', 'x top', true, true, true, true, 'red', '#a;#b', false, true]);
  assert.ok(/^#a;javascript:.*;#b$/.test(out[6][2]), out[6][2]);
});
