// Pass 20: new paints judged on the cover watch's cheap candidates: url()
// backgrounds, a video's poster, drop-shadow filters (x623, x625, x630).
// Legitimate layers stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, NAV_DOM, COVER_DOM, IMAGE_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// The cover page of fakes.mjs (COVER_DOM), plus images whose decoding a
// test makes (decode(src, ink), ink null: tainted).
const DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + COVER_DOM + `
  BASE.fill = 'rgb(0, 0, 0)'; BASE.fillOpacity = '1';
` + IMAGE_DOM('255, 255, 255', 24);

const hiddenAt = (p, v) => p.run(`getComputedStyle(${v}).visibility`) === 'hidden';

// a page after load and its first look
const page = (opts) => {
  const p = livePage(DOM, shim, opts);
  p.loaded();
  p.interval();
  return p;
};
test('pass20: new paints judged on the cheap candidates too: url() background, video poster, drop-shadow', () => {
  const PNG = 'data:image/png;base64,AAAA';
  const img = (ink, code) => {
    const p = page();
    p.run(`var c = (function () { ${code} })()`);
    p.interval(); // the image is asked for
    p.run(`decode(${JSON.stringify(PNG)}, ${ink})`);
    p.interval(); p.interval();
    return { hidden: hiddenAt(p, 'c'), unhide: p.w.__crmframe.stats.unhide };
  };
  const bg = `return body.appendChild(el({ backgroundImage: 'url("${PNG}")' }))`;
  assert.deepEqual(img(1, bg), { hidden: true, unhide: 1 }, 'x623: an opaque picture over the viewport');
  assert.deepEqual(img(0.07, bg), { hidden: false, unhide: undefined }, 'a watermark tile at 7 %');
  assert.deepEqual(img(null, bg), { hidden: false, unhide: undefined }, 'a cross-origin picture (unreadable) is not judged');
  const poster = `var v = el({}, [0, 0, 800, 600], "video"); v.readyState = 0; v.poster = ${JSON.stringify(PNG)}; return body.appendChild(v)`;
  assert.deepEqual(img(1, poster), { hidden: true, unhide: 1 }, 'x630: a video showing an opaque poster');
  assert.deepEqual(img(1, poster.replace('v.readyState = 0', 'v.readyState = 4')), { hidden: false, unhide: undefined }, 'a playing video is judged by its frame');
  const shadow = (f, rect) => {
    const p = page();
    p.run(`var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)", filter: ${JSON.stringify(f)} }, ${JSON.stringify(rect)}))`);
    p.interval(); p.interval();
    return hiddenAt(p, 'c');
  };
  assert.equal(shadow('drop-shadow(rgb(255, 255, 255) 800px 0px 0px)', [-800, 0, 800, 600]), true, 'x625: a box out of view whose drop-shadow paints the viewport');
  assert.equal(shadow('drop-shadow(rgba(0, 0, 0, 0.3) 0px 2px 4px)', [300, 200, 200, 100]), false, 'a card\'s soft shadow');
});
