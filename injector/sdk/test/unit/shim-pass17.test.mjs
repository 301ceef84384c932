// Tests of the shim against the seventeenth adversarial pass
// (docs/framebusting-passes.md, x504–x517): blanking that no hooked method or
// setter sees, undone from the records of a MutationObserver on the
// children of the document, <html> and <body>; hides that change no
// attribute, found by the hide net's 250 ms look at computed values. A
// small live DOM in a vm realm whose observer records are delivered and
// timers run by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// fakes.mjs's live DOM; computed display/visibility/opacity come from the
// inline style, else from e.sheet (what a stylesheet gives: no attribute
// changes).
const DOM = LIVE_DOM + `
  function getComputedStyle(e) {
    var v = function (k, d) { return e.style.p[k] || e.sheet[k] || d; };
    return { display: v('display', 'block'), visibility: v('visibility', 'visible'), opacity: v('opacity', '1'), contentVisibility: 'visible', clipPath: 'none', transform: 'none' };
  }
`;

const page = (opts) => livePage(DOM, shim, opts);

const KIDS = 'body.childNodes.map(function (c) { return c.localName || c.data; }).join()';

test('pass17: a body emptied child by child, by a range, moved into a fragment or a document emptied comes back when the page stays blank', () => {
  const cases = {
    'removeChild loop (x504)': 'while (body.firstChild) body.removeChild(body.firstChild)',
    'all at once, unhooked (x505, x507)': 'body.childNodes.slice().forEach(detach)',
    'body into a fragment (x510)': 'var f = new DocumentFragment(); f.nodeType = 11; f.childNodes = []; f.appendChild(body)',
    'body replaced by a text node (x506)': 'html.insertBefore(text(""), body); detach(body)',
    'document emptied, an empty html added (x508)': 'detach(html); document.appendChild(mk("html"))',
  };
  for (const [name, code] of Object.entries(cases)) {
    const p = page();
    p.run(code);
    assert.equal(p.run('document.body && document.body.textContent || ""'), '', name + ': the change itself happened');
    p.later(250);
    assert.equal(p.run('document.body === body && document.documentElement === html'), true, name);
    assert.equal(p.run(KIDS), 'div,a,script', name + ': in order');
    assert.equal(p.w.__crmframe.stats.blank, 1, name);
  }
});

test('pass17: clear-and-fill, real replacements, blank pages, nested frames and detect mode are left alone by the observer', () => {
  const kept = {
    'removeChild loop, then a new view': ['while (body.firstChild) body.removeChild(body.firstChild); body.appendChild(mk("main", [text("new view")]))', 'main'],
    'a new view 100 ms later, before the look': ['while (body.firstChild) body.removeChild(body.firstChild); deliver(); body.appendChild(mk("main", [text("later")]))', 'main'],
    'a message instead of the page': ['body.replaceChildren(mk("p", [text("Please open the CRM directly.")]))', 'p'],
  };
  for (const [name, [code, want]] of Object.entries(kept)) {
    const p = page();
    p.run(code);
    p.later(250);
    assert.equal(p.run(KIDS), want, name);
    assert.equal(p.w.__crmframe.stats.blank, undefined, name);
  }
  // a nested CRM frame empties its own body (a reading pane)
  const nested = page({ nested: true });
  nested.run('while (body.firstChild) body.removeChild(body.firstChild)');
  nested.later(250);
  assert.equal(nested.run(KIDS), '');
  // detect mode counts and keeps the change
  const det = page({ mode: 'detect' });
  det.run('while (body.firstChild) body.removeChild(body.firstChild)');
  det.later(250);
  assert.equal(det.run(KIDS), '');
  assert.equal(det.w.__crmframe.stats.blank, 1);
});

test('pass17: a hide by computed style alone (no attribute, no hook) is lifted after the next 250 ms look; a short one is not', () => {
  const p = page();
  p.loaded();
  p.interval(); // first look: the state at load
  // a stylesheet rule (CSSOM, :has(), a media switch) hides the body
  p.run('body.sheet.display = "none"');
  p.interval();
  p.tick(250);
  assert.equal(p.run('getComputedStyle(body).display'), 'block');
  assert.equal(p.w.__crmframe.stats.unhide, 1);
  // a hide the page takes back within 250 ms (a fade) is not touched
  const q = page();
  q.loaded();
  q.interval();
  q.run('body.sheet.opacity = "0"');
  q.interval();
  q.run('body.sheet.opacity = ""');
  q.tick(250);
  assert.equal(q.run('body.style.opacity'), '');
  assert.equal(q.w.__crmframe.stats.unhide, undefined);
});
