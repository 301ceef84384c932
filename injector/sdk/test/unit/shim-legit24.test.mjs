// Legit pass 24 (x842, x853): a loading layer whose text lives in a CLOSED
// shadow root (host.shadowRoot is null) stays, as one with an open root
// (x806) does: the shim keeps the closed roots it saw attached. A layer
// whose closed root holds nothing is still hidden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, NAV_DOM, COVER_DOM, WATCH_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// the cover page of fakes.mjs with the deep watch's observers and frames
// (as in shim-deep22), a hit test a layer can take (hitOver), pseudo-element
// styles from e.pseudo, and images whose size a test gives (imgSize[url];
// none: never decoded)
const DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + COVER_DOM + WATCH_DOM + `
  var rawInsert = NP.insertBefore;
  var frames = [];
  function requestAnimationFrame(f) { frames.push(f); return frames.length; }
  function runFrames() { var f = frames; frames = []; f.forEach(function (x) { x(0); }); }
  var hitOver = null, efp = Document.prototype.elementFromPoint;
  Document.prototype.elementFromPoint = function (x, y) { return hitOver && hitOver(x, y) || efp.call(this, x, y); };
  var shell = mk('div');
  body.insertBefore(shell, marker); shell.appendChild(marker); shell.appendChild(nav);
  marker.rect = [10, 10, 300, 20]; nav.rect = [10, 40, 60, 20];
  var gcs0 = getComputedStyle;
  getComputedStyle = function (e, p) { return p && e.pseudo && e.pseudo[p] ? e.pseudo[p] : gcs0(e, p); };
  // querySelector by tag names only (SHOWS): the base fake answers any child
  EP.querySelector = function (q) { var ns = q.split(','), hit = null; (function walk(n) { n.childNodes.forEach(function (c) { if (!hit && c.nodeType === 1) { if (ns.indexOf(c.localName) >= 0) hit = c; else walk(c); } }); })(this); return hit; };
  var imgSize = {};
  // attachShadow: a root the host does not show for mode closed
  EP.attachShadow = function (o) { var r = { textContent: '', querySelector: function () { return null; } }; if (!o || o.mode !== 'closed') this.shadowRoot = r; return r; };
  function Image() {}
  Object.defineProperty(Image.prototype, 'src', { set: function (u) { var s = imgSize[u]; if (s) { this.naturalWidth = s[0]; this.naturalHeight = s[1]; this.onload(); } } });
`;

const hiddenAt = (p, v) => p.run(`getComputedStyle(${v}).visibility`) === 'hidden';

// a white layer taking clicks over the marker, with setup; hidden after
// two checks (three looks: an image is asked for at the first)
const run = (setup) => {
  const p = livePage(DOM, shim);
  p.loaded();
  const look = () => { p.run('deliver()'); p.interval(); p.run('runFrames()'); p.tick(0); };
  look();
  p.run(`var g = mk("div"); g.cs = { position: "fixed", zIndex: "9000", backgroundColor: "rgb(255, 255, 255)" }; g.rect = [0, 0, 800, 600];
    ${setup || ''}; rawInsert.call(body, g, null); hitOver = function () { return g; }`);
  look(); look(); look();
  return hiddenAt(p, 'g');
};
test('legit24: a closed shadow tree\'s text keeps a layer (x842), one level down too (x853); an empty closed tree does not', () => {
  assert.equal(run('var r = g.attachShadow({ mode: "closed" }); r.textContent = "Signing you in"'), false, 'x842: a boot screen\'s closed shadow text');
  assert.equal(run('var h = mk("crm-spinner"); h.rect = [380, 280, 40, 20]; h.attachShadow({ mode: "closed" }).textContent = "Validating address…"; g.appendChild(h)'), false, 'x853: a spinner component\'s closed label');
  assert.equal(run('g.attachShadow({ mode: "closed" })'), true, 'an empty closed tree');
  assert.equal(run('var r = g.attachShadow({ mode: "open" }); r.textContent = "Loading"'), false, 'an open one, as before (x806)');
});
