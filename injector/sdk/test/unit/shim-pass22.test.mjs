// Pass 22: target values that arrive in HTML strings — a <base
// target=_top> a page's click handler inserts after the shim's capture
// listener saw the click (x713), targets and formtargets of written markup
// — and declarative shadow roots written by script (setHTMLUnsafe,
// document.write: x712), whose closed roots get a marker element that hands
// them to the click/submit listeners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, FORM_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// document.write records what reaches the browser; customElements keeps
// what the shim defines.
const DOM = FORM_DOM + `
  HTMLFormElement.prototype.submit = function () {};
  var customElements = { defs: {}, define: function (n, C) { if (this.defs[n]) throw new Error('taken'); this.defs[n] = C; }, get: function (n) { return this.defs[n]; } };
  var document = new Document();
  document.readyState = 'loading';
  document.currentScript = null;
`;

function page(opts) {
  const { w, run } = framedPage(DOM, shim, opts);
  const written = (html) => run(`document.written = []; document.write(${JSON.stringify(html)}); document.written[0]`);
  return { w, run, written };
}

test('a <base> target leaving the CRM in written HTML is retargeted while a follow is under way, quoted or not (x713)', () => {
  const { w, run, written } = page();
  // outside a follow they stay as written (the click path lends the root's name)
  assert.equal(written('<base target=_top>'), '<base target=_top>');
  run('new HTMLFormElement().submit()'); // a follow (the fake's timers never end it)
  assert.equal(written('<base target=_top>'), '<base target="_self">');
  // a link, form or button parsed now is not the one followed (legit29):
  // counted, kept, and retargeted when it is clicked
  assert.equal(written(`<a href="r.html" TARGET='_TOP'>r</a><area target="_parent" href=m>`), `<a href="r.html" TARGET='_TOP'>r</a><area target="_parent" href=m>`);
  assert.equal(written('<form action=s target="_top"><button formtarget=_top>go</button><input type=image formtarget="_top"></form>'),
    '<form action=s target="_top"><button formtarget=_top>go</button><input type=image formtarget="_top"></form>');
  assert.equal(w.__crmframe.stats.target, 7);
});

test('other targets, other elements and text stay as written', () => {
  const { w, written } = page();
  for (const html of [
    '<a href="x" target="_blank">top</a><a target=main>top</a><form target="_self">',
    '<div target="_top">top</div><button target="_top">top</button><a formtarget="_top">top</a>',
    '<p>target=_top</p><a data-target="_top" href=x>top</a>',
  ]) assert.equal(written(html), html);
  assert.equal(w.__crmframe.stats.target, undefined);
});

test('written HTML keeps _top where the page is not framed or in detect mode', () => {
  assert.equal(page({ framed: false }).written('<base target=_top>'), '<base target=_top>');
  const det = page({ mode: 'detect' });
  assert.equal(det.written('<base target=_top>'), '<base target=_top>');
  assert.equal(det.w.__crmframe.stats.target, 1);
});

test('a declarative shadow root written by script gets the marker, which hands its root to the listeners once (x712)', () => {
  const { run, written } = page();
  const html = '<rec-card><template shadowrootmode="closed"><a href="r" target="_top"><slot></slot></a></template></rec-card>';
  assert.equal(written(html), '<rec-card><template shadowrootmode="closed"><crmframe-dsd></crmframe-dsd><a href="r" target="_top"><slot></slot></a></template></rec-card>');
  // a template that is not a shadow root has no marker
  assert.equal(written('<template id="row"><a target="_top">top</a></template>'), '<template id="row"><a target="_top">top</a></template>');
  const seen = JSON.parse(run(`
    var root = { nodeType: 11, on: [], addEventListener: function (t, f, c) { this.on.push(t + (c ? ':capture' : '')); } };
    var C = customElements.get('crmframe-dsd'), out = { proto: Object.getPrototypeOf(C) === HTMLElement };
    var m = new C(), gone = 0;
    out.element = m instanceof HTMLElement;
    m.getRootNode = function () { return root; };
    m.remove = function () { gone++; };
    m.connectedCallback();
    // a clone or a second marker in the same root: listened once
    var m2 = new C(); m2.getRootNode = m.getRootNode; m2.remove = m.remove; m2.connectedCallback();
    // a marker in the document itself (no shadow root): removed, nothing listened
    var m3 = new C(); m3.getRootNode = function () { return document; }; m3.remove = m.remove; m3.connectedCallback();
    out.on = root.on; out.gone = gone;
    JSON.stringify(out)`));
  assert.deepEqual(seen, { proto: true, element: true, on: ['click:capture', 'submit:capture', 'beforetoggle:capture', 'toggle:capture'], gone: 3 });
});

test('no marker when the page took the element name first', () => {
  const { run } = framedPage(DOM + `customElements.define('crmframe-dsd', function () {});`, shim);
  const out = run(`document.written = []; document.write('<x-a><template shadowrootmode=open><a target=_top>top</a></template></x-a>'); document.written[0]`);
  assert.equal(out, '<x-a><template shadowrootmode=open><a target=_top>top</a></template></x-a>');
});
