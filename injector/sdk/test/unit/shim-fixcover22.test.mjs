// legit21 x721, x722: a layer taking no clicks over the page that shows
// content of its own (a boot preloader's logo and text, a route
// transition's canvas snapshot of the previous view) is left for its first
// 2 s as a cover, then judged as any; covers showing nothing are hidden at
// the second look as before. Time is the realm's Date.now (T, set by the
// test), not the test's clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, NAV_DOM, COVER_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// The cover page of fakes.mjs; a canvas with e.pix reads back as two
// colours (a drawing), without it as one flat colour.
const DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + COVER_DOM + `
  var T = 100000;
  Date.now = function () { return T; };
  scratchCtx.getImageData = function () {
    var s = this.src, d = [];
    for (var i = 0; i < 16; i++) { var v = s && s.pix && i % 3 === 1 ? 34 : 247; d.push(v, v, v, s ? s.alpha : 0); }
    return { data: d };
  };
`;

const page = () => {
  const p = livePage(DOM, shim);
  p.loaded();
  p.interval();
  return p;
};
const hidden = (p) => p.run('getComputedStyle(c).visibility') === 'hidden';
// look(p, ms): that much time passes, then a 250 ms look
const look = (p, ms) => { p.run(`T += ${ms}`); p.interval(); };

const PRELOADER = 'var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)" })); c.appendChild(text("ACME CRM")); c.appendChild(mk("small", [text("Loading your workspace")]));';
const CANVAS = 'var c = el({}, [0, 0, 800, 600], "canvas"); c.width = 800; c.height = 600; c.alpha = 255; body.appendChild(c);';

test('fixcover22: a preloader with its own text and a canvas snapshot that is not one colour wait 2 s as covers, then are hidden', () => {
  for (const [name, code] of [['x721: a white preloader with its logo text', PRELOADER], ['x722: an opaque canvas snapshot of the previous view', CANVAS + ' c.pix = true;']]) {
    const p = page();
    p.run(code);
    look(p, 250); // first seen
    look(p, 250); // judged first: it waits
    for (let t = 300; t <= 1800; t += 300) {
      look(p, 300);
      assert.equal(hidden(p), false, `${name}: still the page's ${t} ms after it was judged first`);
    }
    assert.equal(p.w.__crmframe.stats.unhide, undefined, name);
    look(p, 300); // 2.1 s after the first judgement: judged as any cover
    assert.equal(hidden(p), true, `${name}: a message over the page stays 2 s at most`);
    assert.equal(p.w.__crmframe.stats.unhide, 1, name);
  }
});

test('fixcover22: covers showing nothing of their own are hidden at the second look as before', () => {
  for (const [name, code] of Object.entries({
    'a white layer with no text': 'var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)" }));',
    'x564: a canvas drawn one flat colour': CANVAS,
    'text painted transparent': 'var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)", color: "rgba(0, 0, 0, 0)" })); c.appendChild(text("ACME CRM"));',
    'text out of view': 'var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)" })); var s = c.appendChild(mk("span", [text("cannot be framed")])); s.rect = [0, -500, 100, 20];',
    'blank text': 'var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)" })); c.appendChild(text("  \\u200b "));',
    'a picture child as big as the viewport (x631 inside a wrapper)': 'var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)" })); var i = c.appendChild(mk("img")); i.rect = [0, 0, 800, 600]; c.querySelectorAll = function () { return [i]; };',
  })) {
    const p = page();
    p.run(code);
    look(p, 250);
    assert.equal(hidden(p), false, `${name}: left alone at the first look`);
    look(p, 250);
    assert.equal(hidden(p), true, name);
  }
  // a logo picture (small, in view) is content of its own
  const l = page();
  l.run('var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)" })); var i = c.appendChild(mk("img")); i.rect = [350, 250, 100, 100]; c.querySelectorAll = function () { return [i]; };');
  look(l, 250); look(l, 250);
  assert.equal(hidden(l), false, 'a logo');
});

test('fixcover22: the wait is not renewed by taking the layer out briefly, restarts after 2 s away, and is not given to a layer hidden before', () => {
  // away for 500 ms: the old wait goes on
  const p = page();
  p.run(PRELOADER);
  look(p, 250); look(p, 250); look(p, 1000);
  p.run('c.remove()');
  look(p, 300); look(p, 300);
  p.run('body.appendChild(c)');
  look(p, 300);
  assert.equal(hidden(p), false, 'first look after its return');
  look(p, 300);
  assert.equal(hidden(p), true, 'judged: its 2 s were spent before it went');
  // the page takes the net's hide back: hidden again at once, no new wait
  p.run('c.removeAttribute("data-crmframe-cover")');
  assert.equal(hidden(p), false);
  look(p, 250);
  assert.equal(hidden(p), true);
  assert.equal(p.w.__crmframe.stats.unhide, 2);
  // hidden while it showed nothing, then the page takes the hide back and
  // writes a message into it: hidden again at once
  const h = page();
  h.run('var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)" }));');
  look(h, 250); look(h, 250);
  assert.equal(hidden(h), true);
  h.run('c.removeAttribute("data-crmframe-cover"); c.appendChild(text("This page cannot be shown in a frame"))');
  look(h, 250);
  assert.equal(hidden(h), true, 'no wait for a layer hidden before');
  // a preloader used again at the next route, 3 s later: a new wait
  const q = page();
  q.run(PRELOADER);
  look(q, 250); look(q, 250); look(q, 1000);
  q.run('c.remove()');
  look(q, 3000);
  q.run('body.appendChild(c)');
  look(q, 250); look(q, 250); look(q, 1500);
  assert.equal(hidden(q), false, 'shown again after 3 s away: waits again');
  assert.equal(q.w.__crmframe.stats.unhide, undefined);
});
