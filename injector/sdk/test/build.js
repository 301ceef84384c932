// Builds the SDK bundle: injector/sdk/sdk.js (embedded by the Go side) and
// the same bytes for the demo desktop shell (examples/desktop/agentdesktop.js).
// `node build.js` writes them; check-fresh.js compares them with a fresh build.
'use strict';
const path = require('path');
const fs = require('fs');
const esbuild = require('esbuild');

const SDK = path.resolve(__dirname, '..');
const OUTPUTS = [path.join(SDK, 'sdk.js'), path.resolve(SDK, '../../examples/desktop/agentdesktop.js')];
const MAX_BYTES = 25 * 1024;

async function bundle() {
  const r = await esbuild.build({
    entryPoints: [path.join(SDK, 'src/main.js')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2019',
    minify: true,
    legalComments: 'none',
    banner: { js: '/* crmframe AGENTDESKTOP SDK - built from injector/sdk/src by injector/sdk/test/build.js; do not edit. */' },
    logLevel: 'silent',
  });
  return Buffer.from(r.outputFiles[0].contents);
}

async function main() {
  const b = await bundle();
  if (b.length > MAX_BYTES) throw new Error(`bundle is ${b.length} bytes, over the ${MAX_BYTES} budget`);
  for (const f of OUTPUTS) fs.writeFileSync(f, b);
  console.log(`sdk.js: ${b.length} bytes minified → ${OUTPUTS.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
}

module.exports = { bundle, OUTPUTS, MAX_BYTES };
if (require.main === module) main().catch((e) => { console.error(e.message || e); process.exit(1); });
