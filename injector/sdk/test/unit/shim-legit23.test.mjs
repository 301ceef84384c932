// Legit pass 23 (x802-x806): a loading layer that takes the clicks and
// holds no text still shows something of its own, and stays: its own
// background picture set off in it (a centred GIF spinner, a splash's logo),
// boxes of another colour (a skeleton without shimmer), generated content
// (a ::after label) or an open shadow tree's text (a splash component). A
// blank layer (x629) is still hidden at the second check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEEP_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// the cover page of fakes.mjs with the deep watch's observers and frames
// (as in shim-deep22), a hit test a layer can take (hitOver), pseudo-element
// styles from e.pseudo, and images whose size a test gives (imgSize[url];
// none: never decoded)
const DOM = DEEP_DOM + `
  var gcs0 = getComputedStyle;
  getComputedStyle = function (e, p) { return p && e.pseudo && e.pseudo[p] ? e.pseudo[p] : gcs0(e, p); };
  // querySelector by tag names only (SHOWS): the base fake answers any child
  EP.querySelector = function (q) { var ns = q.split(','), hit = null; (function walk(n) { n.childNodes.forEach(function (c) { if (!hit && c.nodeType === 1) { if (ns.indexOf(c.localName) >= 0) hit = c; else walk(c); } }); })(this); return hit; };
  var imgSize = {};
  // attachShadow: a root the host does not show for mode closed (legit24)
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
const GIF = 'url("data:image/gif;base64,R0lGOD")';

test('legit23: a blank white layer taking clicks is still hidden (x629)', () => {
  assert.equal(run(), true);
});

test('legit23: its own background picture set off in it keeps a loading layer (x802, x803); a tile, a cover picture or one as large stay judged', () => {
  assert.equal(run(`g.cs.backgroundImage = '${GIF}'; g.cs.backgroundRepeat = "no-repeat"; g.cs.backgroundSize = "auto"; imgSize["data:image/gif;base64,R0lGOD"] = [32, 32]`), false, 'x802: a centred GIF spinner');
  assert.equal(run(`g.cs.backgroundImage = 'url("logo.svg")'; g.cs.backgroundRepeat = "no-repeat"; g.cs.backgroundSize = "160px 48px"`), false, 'x803: a logo of a given size');
  assert.equal(run(`g.cs.backgroundImage = 'url("logo.svg")'; g.cs.backgroundRepeat = "no-repeat no-repeat"; g.cs.backgroundSize = "50% auto"; imgSize["logo.svg"] = [100, 30]`), false, 'a logo half as wide as the layer');
  assert.equal(run(`g.cs.backgroundImage = 'url("logo.svg")'; g.cs.backgroundRepeat = "no-repeat"; g.cs.backgroundSize = "contain"; imgSize["logo.svg"] = [100, 100]`), true, 'a picture contained (scaled to the layer)');
  assert.equal(run(`g.cs.backgroundImage = 'url("never.gif")'; g.cs.backgroundRepeat = "no-repeat"`), false, 'a picture not decoded yet waits');
  assert.equal(run('var s = mk("img"); g.appendChild(s)'), false, 'an <img> inside (as before)');
  assert.equal(run(`g.cs.backgroundImage = '${GIF}'; g.cs.backgroundRepeat = "repeat"; imgSize["data:image/gif;base64,R0lGOD"] = [32, 32]`), true, 'a tile fills the layer');
  assert.equal(run(`g.cs.backgroundImage = 'url("w.png")'; g.cs.backgroundRepeat = "no-repeat"; g.cs.backgroundSize = "cover"`), true, 'a picture covering the layer');
  assert.equal(run(`g.cs.backgroundImage = 'url("w.png")'; g.cs.backgroundRepeat = "no-repeat"; g.cs.backgroundSize = "auto"; imgSize["w.png"] = [800, 600]`), true, 'a picture as large as the layer');
  assert.equal(run(`g.cs.backgroundImage = 'url("w.svg")'; g.cs.backgroundRepeat = "no-repeat"; g.cs.backgroundSize = "auto"; imgSize["w.svg"] = [0, 0]`), true, 'a picture with no size of its own (drawn over the box)');
  assert.equal(run(`g.cs.backgroundImage = 'url("w.png")'; g.cs.backgroundRepeat = "no-repeat"; g.cs.backgroundSize = "2px 2px"`), true, 'a dot');
});

test('legit23: boxes of another colour inside a layer keep it (x804, a skeleton); same-colour, tiny, hidden or layer-sized boxes do not', () => {
  const bars = (cs, rect) => `var b = mk("div"); b.cs = ${JSON.stringify(cs)}; b.rect = ${JSON.stringify(rect || [20, 20, 300, 14])}; g.appendChild(b)`;
  assert.equal(run(bars({ backgroundColor: 'rgb(226, 228, 232)' })), false, 'x804: a grey bar');
  assert.equal(run('var wrap = mk("div"); wrap.rect = [0, 0, 800, 600]; g.appendChild(wrap); ' + bars({ backgroundColor: 'rgb(226, 228, 232)' }).replace('g.appendChild(b)', 'wrap.appendChild(b)')), false, 'a bar one level down');
  assert.equal(run(bars({ backgroundColor: 'rgb(255, 255, 255)' })), true, 'a box of the layer\'s colour');
  assert.equal(run(bars({ backgroundColor: 'rgb(226, 228, 232)' }, [20, 20, 4, 4])), true, 'a speck');
  assert.equal(run(bars({ backgroundColor: 'rgb(226, 228, 232)', visibility: 'hidden' })), true, 'a hidden box');
  assert.equal(run(bars({ backgroundColor: 'rgb(226, 228, 232)', opacity: '0' })), true, 'a see-through box');
  assert.equal(run(bars({ backgroundColor: 'rgb(226, 228, 232)' }, [0, 0, 800, 600])), true, 'a second fill as large as the layer');
  assert.equal(run(bars({ backgroundColor: 'rgb(226, 228, 232)' }, [900, 20, 300, 14])), true, 'a box out of view');
  const ring = { borderTopStyle: 'solid', borderTopWidth: '4px', borderTopColor: 'rgb(51, 102, 204)' };
  assert.equal(run(bars(ring, [380, 280, 40, 40])), false, 'x808: a ring spinner standing still (a border)');
  assert.equal(run(bars(Object.assign({}, ring, { borderTopWidth: '1px' }), [380, 280, 40, 40])), true, 'a hairline');
  assert.equal(run(bars(Object.assign({}, ring, { borderTopColor: 'rgb(255, 255, 255)' }), [380, 280, 40, 40])), true, 'a border of the layer\'s colour');
  assert.equal(run('var h = mk("div"); h.cs = { display: "none" }; h.rect = [0, 0, 0, 0]; g.appendChild(h); ' + bars({ backgroundColor: 'rgb(226, 228, 232)' }).replace('g.appendChild(b)', 'h.appendChild(b)')), true, 'a bar in a subtree not displayed');
});

test('legit23: generated text and an open shadow tree\'s text keep a layer (x805, x806); empty generated content does not', () => {
  assert.equal(run('g.pseudo = { "::after": { content: \'"Please wait…"\', display: "block", position: "absolute" } }'), false, 'x805: a ::after label');
  assert.equal(run('g.pseudo = { "::before": { content: \'""\', display: "block", position: "absolute" } }'), true, 'an empty ::before (a box)');
  assert.equal(run('g.pseudo = { "::after": { content: \'"   "\', display: "block", position: "absolute" } }'), true, 'a blank ::after');
  assert.equal(run('g.pseudo = { "::after": { content: \'"Please wait…"\', display: "none", position: "absolute" } }'), true, 'a label not displayed');
  assert.equal(run('var i = mk("i"); i.rect = [390, 290, 20, 20]; i.pseudo = { "::before": { content: \'"⌛"\', display: "inline", position: "static" } }; g.appendChild(i)'), false, 'x807: an icon glyph in a child\'s ::before');
  assert.equal(run('var i = mk("i"); i.cs = { visibility: "hidden" }; i.pseudo = { "::before": { content: \'"⌛"\', display: "inline", position: "static" } }; g.appendChild(i)'), true, 'an icon in a hidden child');
  assert.equal(run('g.shadowRoot = { textContent: "Loading your workspace", querySelector: function () { return null; } }'), false, 'x806: a splash component\'s shadow text');
  assert.equal(run('var h = mk("crm-logo"); h.shadowRoot = { textContent: "", querySelector: function () { return {}; } }; g.appendChild(h)'), false, 'a picture in a nested shadow tree');
  assert.equal(run('g.shadowRoot = { textContent: " ", querySelector: function () { return null; } }'), true, 'an empty shadow tree');
});

// Legit pass 24 (x842, x853): a loading layer whose text lives in a CLOSED
// shadow root (host.shadowRoot is null) stays, as one with an open root
// (x806) does: the shim keeps the closed roots it saw attached. A layer
// whose closed root holds nothing is still hidden.
test('legit24: a closed shadow tree\'s text keeps a layer (x842), one level down too (x853); an empty closed tree does not', () => {
  assert.equal(run('var r = g.attachShadow({ mode: "closed" }); r.textContent = "Signing you in"'), false, 'x842: a boot screen\'s closed shadow text');
  assert.equal(run('var h = mk("crm-spinner"); h.rect = [380, 280, 40, 20]; h.attachShadow({ mode: "closed" }).textContent = "Validating address…"; g.appendChild(h)'), false, 'x853: a spinner component\'s closed label');
  assert.equal(run('g.attachShadow({ mode: "closed" })'), true, 'an empty closed tree');
  assert.equal(run('var r = g.attachShadow({ mode: "open" }); r.textContent = "Loading"'), false, 'an open one, as before (x806)');
});
