// Fails when the committed bundles differ from a fresh build of src/ (run
// `npm run build --prefix injector/sdk/test` and commit the result).
'use strict';
const fs = require('fs');
const path = require('path');
const { bundle, OUTPUTS, MAX_BYTES } = require('./build.js');

bundle().then((b) => {
  let ok = true;
  if (b.length > MAX_BYTES) {
    console.error(`bundle is ${b.length} bytes, over the ${MAX_BYTES} budget`);
    ok = false;
  }
  for (const f of OUTPUTS) {
    let cur = null;
    try { cur = fs.readFileSync(f); } catch (e) { /* missing */ }
    if (!cur || !cur.equals(b)) {
      console.error(`${path.relative(process.cwd(), f)} is stale: run npm run build --prefix injector/sdk/test`);
      ok = false;
    }
  }
  if (!ok) process.exit(1);
  console.log(`bundle fresh (${b.length} bytes minified, budget ${MAX_BYTES})`);
}).catch((e) => { console.error(e); process.exit(1); });
