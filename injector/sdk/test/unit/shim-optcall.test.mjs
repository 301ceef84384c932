// An optional call's argument list is no parenthesis (found by
// e2e/semantics_test.go): in code that spells location, the run-time
// scanner took the '(' of f?.(…) for one like (0, t)[l] and wrapped from
// there, making a SyntaxError of o.getWin?.().city[t].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');
const V = '(globalThis.__crmframe_vtop||(x=>x))(';

test("an optional call's arguments are not taken for a parenthesis", () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  for (const c of ["l = 'location'; o.getWin?.().city[t]", "l = 'location'; f?.(1)[t]", "l = 'location'; a.b?.(c, d).e[t]"]) {
    assert.equal(w.__crmframe_code(c), c);
  }
  // a parenthesis still is one: (0, t)[l]
  assert.equal(w.__crmframe_code("l = 'location'; (0, t)[l] = u"), "l = 'location'; " + V + '(0, t))[l] = u');
  const code = "var l = 'lo' + 'cation', o = { w: { city: { top: 'T' } }, getWin() { return this.w } };\nreturn o.getWin?.().city[t] + (o.none?.(1)[t] === undefined)";
  assert.equal(run(`new Function('t', __crmframe_code(${JSON.stringify(code)}))('top')`), 'Ttrue');
});
