// legit21 fixes (docs/framebusting-passes.md, x723 and x727): the blanking guard's
// stand-in ends when all the page put in its blank body that shows is a
// floating card (a sign-in card after a session purge), and the hide net
// leaves a late inline hide of the page's own while the page renders under
// it (a route swap), for a while.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// Computed style (and checkVisibility) from the inline style and e.sheet; styled() changes an
// inline style with the attribute record a browser makes; the clock (T) is
// the test's.
const DOM = LIVE_DOM + `
  function getComputedStyle(e) {
    var v = function (k, d) { return e.style.p[k] || e.sheet[k] || d; };
    return { display: v('display', 'block'), visibility: v('visibility', 'visible'), opacity: v('opacity', '1'), contentVisibility: 'visible', clipPath: 'none', transform: 'none', position: e.sheet.position || 'static' };
  }
  EP.checkVisibility = function () { var cs = getComputedStyle(this); return cs.display !== 'none' && cs.visibility !== 'hidden' && cs.opacity !== '0'; };
  function styled(e, k, v, imp) {
    if (v) e.style.setProperty(k, v, imp); else e.style.removeProperty(k);
    observers.forEach(function (o) { if (o.targets.indexOf(e) >= 0) queue.push([o, { type: 'attributes', target: e, attributeName: 'style' }]); });
  }
  var T = 1e6; Date.now = function () { return T; };
`;

const page = () => livePage(DOM, shim);
const KIDS = 'body.childNodes.map(function (c) { return c.localName || c.data; }).join()';
// deliver what happened now, then let ms pass (timers of that delay)
const wait = (p, ms) => { p.run('deliver(); T += ' + ms); p.later(ms); };
const opacity = (p) => p.run('getComputedStyle(body).opacity');
const render = (p, s) => p.run(`body.appendChild(mk("p", [text(${JSON.stringify(s)})]))`);

test('fixblank22: a lone floating card in the blank body ends the stand-in: the purged record stays gone (x723)', () => {
  const p = page();
  p.run('body.replaceChildren()');
  p.later(250);
  assert.equal(p.run(KIDS), 'div,a,script', 'the blanking was undone');
  p.run('var card = mk("div", [text("Your session has ended")]); card.sheet.position = "fixed"; body.appendChild(card)');
  assert.equal(p.run(KIDS), 'div', 'only the card, before the page\'s next statement');
  // a card that shows nothing (no box) keeps the stand-in; it goes when the card shows
  const q = page();
  q.run('body.replaceChildren()');
  q.later(250);
  q.run('var card = mk("div"); card.sheet.position = "fixed"; card.getBoundingClientRect = function () { return { left: 0, top: 0, width: 0, height: 0, right: 0, bottom: 0 }; }; body.appendChild(card)');
  q.later(0);
  assert.equal(q.run(KIDS), 'div,a,script,div');
  q.run('delete card.getBoundingClientRect; card.appendChild(text("Sign in"))');
  q.run('body.appendChild(mk("script"))');
  assert.equal(q.run(KIDS), 'div,script');
  // a floating card next to a hidden element of the page's own keeps it (a
  // view still to show); once that element shows, the stand-in goes
  const r = page();
  r.run('body.replaceChildren()');
  r.later(250);
  r.run('var view = mk("main", [text("Next")]); view.style.setProperty("display", "none"); body.appendChild(view)');
  r.run('var toast = mk("div", [text("Loading")]); toast.sheet.position = "fixed"; body.appendChild(toast)');
  assert.equal(r.run(KIDS), 'div,a,script,main,div');
  r.run('view.style.removeProperty("display"); body.appendChild(mk("script"))');
  assert.equal(r.run(KIDS), 'main,div,script');
});

test('fixblank22: a late inline hide while the page renders under it is left; the page shows itself again (x727)', () => {
  const p = page();
  p.loaded();
  p.run('styled(body, "opacity", "0")');
  render(p, 'Contact 728 - P. Greco');
  wait(p, 250);
  assert.equal(opacity(p), '0', 'not lifted at the first look');
  wait(p, 250);
  assert.equal(opacity(p), '0', 'nor at the next');
  p.run('styled(body, "opacity", "")');
  wait(p, 250);
  wait(p, 250);
  assert.equal(opacity(p), '1');
  assert.equal(p.w.__crmframe.stats.unhide, undefined, 'nothing was lifted');
});

test('fixblank22: the render grace ends: after 1.5 s, after 1 s with no change, at once with no change or a !important hide', () => {
  // the page keeps rendering: lifted once 1.5 s have passed since the hide
  const p = page();
  p.loaded();
  p.run('styled(body, "opacity", "0")');
  for (let t = 250; t <= 1250; t += 250) {
    render(p, 'row ' + t);
    wait(p, 250);
    assert.equal(opacity(p), '0', 'left at ' + t + ' ms');
  }
  render(p, 'row 1500');
  wait(p, 250);
  assert.equal(opacity(p), '1', 'lifted at 1.5 s');
  assert.equal(p.w.__crmframe.stats.unhide, 1);
  // one change at the hide, then quiet: lifted once 1 s passed without a change
  const q = page();
  q.loaded();
  q.run('styled(body, "visibility", "hidden")');
  render(q, 'header');
  for (let t = 0; t < 4; t++) wait(q, 250);
  assert.equal(q.run('getComputedStyle(body).visibility'), 'hidden', 'left at 1 s');
  wait(q, 250);
  assert.equal(q.run('getComputedStyle(body).visibility'), 'visible');
  // no change, or only a <style> added (x355, x511): lifted at the first look
  for (const extra of ['', 'body.appendChild(mk("style", [text("body{display:none}")]))']) {
    const r = page();
    r.loaded();
    r.run('styled(body, "opacity", "0"); ' + extra);
    wait(r, 250);
    assert.equal(opacity(r), '1', 'no render: ' + (extra || 'nothing'));
  }
  // an !important hide is no route swap's (x226)
  const s = page();
  s.loaded();
  s.run('styled(html, "display", "none", "important")');
  render(s, 'row');
  wait(s, 250);
  assert.equal(s.run('getComputedStyle(html).display'), 'block');
});

test('fixblank22: no render grace once the net lifted a hide, nor for a hide soon after the page showed itself', () => {
  // lifted once (a quiet hide): a page hiding again while rendering is lifted at once
  const p = page();
  p.loaded();
  p.run('styled(body, "opacity", "0")');
  wait(p, 250);
  assert.equal(opacity(p), '1');
  p.run('styled(body, "opacity", "0")');
  render(p, 'row');
  p.later(0);
  assert.equal(opacity(p), '1', 'lifted before paint');
  // a second hide 1 s after the first ended: lifted at the look; 2 s later: left again
  const q = page();
  q.loaded();
  q.run('styled(body, "opacity", "0")');
  render(q, 'a');
  wait(q, 250);
  assert.equal(opacity(q), '0');
  q.run('styled(body, "opacity", "")');
  for (let t = 0; t < 4; t++) wait(q, 250);
  q.run('styled(body, "opacity", "0")');
  render(q, 'b');
  wait(q, 250);
  assert.equal(opacity(q), '1', 'a guard flashing the view between hides');
  assert.equal(q.w.__crmframe.stats.unhide, 1);
  const r = page();
  r.loaded();
  r.run('styled(body, "opacity", "0")');
  render(r, 'a');
  wait(r, 250);
  r.run('styled(body, "opacity", "")');
  for (let t = 0; t < 8; t++) wait(r, 250);
  r.run('styled(body, "opacity", "0")');
  render(r, 'b');
  wait(r, 250);
  assert.equal(opacity(r), '0', 'a route swap 2 s after the last one');
});
