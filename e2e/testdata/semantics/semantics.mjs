// Differential check of crmframe's two JavaScript rewriters (the served one
// in Go, the shim's run-time one): random programs that reach top,
// location, eval and windows through odd paths (calls that need their this,
// private fields, optional chains, with, shadowing names, patterns) must
// compute the same values rewritten as written, when the shim's wrappers
// answer as they do for ordinary objects. Driven by e2e/semantics_test.go:
//   node semantics.mjs gen <seed> <count>   JSON list of programs that parse
//   node semantics.mjs check < {programs, served}   JSON report
import vm from 'node:vm';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from '../../../injector/sdk/test/unit/fakes.mjs';

function generator(seed) {
  let a = seed >>> 0;
  const rnd = n => { // mulberry32
    a = (a + 0x6D2B79F5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
  const pick = l => l[rnd(l.length)];
  const roots = ['o', 'o.a', 'f[0]', 'o.list[0]', 'new C()', 'C.s()', 'window', 'self', 'top', '(0, o)', 'o?.a', 'o.m()',
    'o.getWin()', "o['a']", 'o[k]', 'o.list[i]', 'c.q()', 'c', 'g()', 'h(o)', 'o . getWin ()', 'this', 'o.win.win', 'arr[0][0]',
    '(o)', '[o][0]', 'o.getWin?.()', 'o?.getWin()', 'parent', 'frames[0]', 'o.n(o)', 'o["getWin"]()', 'ns.location',
    'ns.location.Geo', 'new ns.location.Geo()', 'o.top', "o['top']", 'o[t]', 'window.o', 'self.o.a', 'globalThis.o'];
  const sufs = ['.location', '?.location', "['location']", '[k]', '[l]', '.top', "['top']", '[t]', '.a', '.m()', '.getWin()',
    '.n(1)', '.href', '?.href', '.self', '.b', '.city', '.path', '?.[k]', '.location.href', '.win', '[0]', '.q()', '.pl', '.z',
    '.x', '.constructor.name', '.getWin ()', '.location .href', '. location'];
  const expr = d => {
    let e = pick(roots);
    for (let i = rnd(4); i > 0; i--) e += pick(sufs);
    if (d > 0) {
      switch (rnd(12)) {
        case 0: return `(${expr(d - 1)})`;
        case 1: return `(0, ${expr(d - 1)})`;
        case 2: return `((x) => x)(${expr(d - 1)})${pick(sufs)}`;
        case 3: return `[${expr(d - 1)}][0]${pick(sufs)}`;
        case 4: return `(${expr(d - 1)} || o)${pick(sufs)}`;
        case 5: return `(cond ? ${expr(d - 1)} : o)${pick(sufs)}`;
        case 6: return '`${' + expr(d - 1) + '}`';
        case 7: return `${expr(d - 1)} === ${expr(d - 1)}`;
        case 8: return `typeof ${expr(d - 1)}`;
        case 9: return `(function () { return ${expr(d - 1)} }).call(o)`;
        case 10: return `id(${expr(d - 1)}, ${expr(d - 1)})${pick(sufs)}`;
      }
    }
    return e;
  };
  const stmt = () => {
    const e = expr(2);
    switch (rnd(18)) {
      case 0: return `with (o) { rec(${expr(1).replace(/^o\./, '')}) }`;
      case 1: return `var {top: T1, location: L1} = ${pick(roots)}; rec(T1); rec(L1)`;
      case 2: return `rec(eval(${JSON.stringify('rec(' + expr(1) + ')')}))`;
      case 3: return `rec(new Function('o', 'f', 'k', 'l', 'C', 'c', ${JSON.stringify('return ' + expr(1))})(o, f, k, l, C, c))`;
      case 4: return `${pick(['o.a', 'o.list[0]', 'o.getWin()', 'c.q()', 'f[0]'])}${pick(['.location', "['location']", '[k]', '[l]'])} = {href: 'set'}; rec(o.a); rec(o.location)`;
      case 5: return `class D extends C { r() { return super.q() } }; rec(new D().r()${pick(sufs)})`;
      case 6: return `x = ${e}\nrec(x)`;
      case 7: return `rec(${e}\n)`;
      case 8: return `(function () { 'use strict'; rec(${e}) })()`;
      case 9: return `rec(${e}); rec(${expr(1)})`;
      case 10: return `{ let top = o.a, location = 5; rec(${e}) }`;
      case 11: return `rec([${e}].map(w => w${pick(sufs)}))`;
      case 12: case 13: case 14: case 15: return pick([
        `(function (top, self, window) { rec(${e}) })(o.a, o, o.win)`,
        `(function (w) { var t = w.top; if (t !== w) rec(t${pick(sufs)}); else rec(1) })(${pick(roots)})`,
        `var w = ${pick(roots)}; rec(w.top === w); rec(w.self${pick(sufs)}); rec(w[t]${pick(sufs)})`,
        `function top2() { return ${e} } rec(top2())`,
        `var {top} = ${pick(roots)}; rec(top${pick(sufs)})`,
        `let [a1, b1] = [${e}, ${expr(1)}]; rec(a1); rec(b1)`,
        `rec(Object.keys({top: 1, location: ${e}, [k]: 2, [t]: 3}))`,
        `var self = o; rec(self.top${pick(sufs)}); rec(self.eval)`,
        `rec(/top|location/.test(String(${e})))`,
        `lbl: for (var q of [${e}]) { rec(q${pick(sufs)}); break lbl }`,
        `rec(window[t] === top); rec(self['top'] === window.top); rec(window[k] === location)`,
        `rec(${pick(roots)}\n[0])`,
        `var e1 = eval; rec(e1('1 + 1')); rec(window.eval('typeof top')); rec(o.eval)`,
        `rec({ top, location, self }.top === top)`,
        `rec(delete o.a.top); rec(o.a)`,
        `o.a.top = ${e}; rec(o.a.top)`,
        `rec(${pick(roots)}.top${pick(sufs)})`,
        `rec(((top)).location === location); rec(parent.location === location)`,
        `class E { static top = 1; static location = 2; get location() { return 3 } m() { return this.location } } rec(E.top + E.location + new E().m())`,
        `rec(top.frames === frames); rec(typeof top.postMessage)`,
        `function tag(s) { return this === o ? o : 'lost' } o.tag = tag; rec(o.tag\`x\`${pick(sufs)}); rec(o.tag\`a\${k}b\`.location)`,
        `(async function () { try { rec((await o.getWin())${pick(sufs)}) } catch (e) { rec("E:" + e.name) } })()`,
        `function* gen() { rec((yield o)${pick(sufs)}) } var it = gen(); it.next(); it.next(o.a)`,
        `var p = { __proto__: o, m() { return super.getWin()${pick(sufs)} } }; rec(p.m())`,
        `class F extends C { constructor() { super(); rec(new.target.name) } q2() { return super.q()${pick(sufs)} } } rec(new F().q2())`,
        `rec('location' in o.a); rec(delete o.a[k]); rec(o.a)`,
        `rec([...[${e}]][0])`,
        `rec(o.none?.()${pick(sufs)})`,
        `rec((o.n ?? o.m)(o)${pick(sufs)})`,
        `var z = {}; z.location ||= o.a.location; rec(z.location${pick(sufs)})`,
        `class G { [k]() { return this.x } x = 4 } rec(new G()[k]())`,
        `var gg = { get location() { return this.a } , a: 7 }; rec(gg.location); rec(gg[k]); rec(gg[l])`,
        `var {location: L2 = 1, [t]: T2 = 2} = ${pick(roots)}; rec(L2); rec(T2)`,
        `for (var kk in o.a) rec(kk); rec(Object.entries(o.a).length)`,
        `(function () { rec(arguments[0]${pick(sufs)}); rec(arguments[0].getWin()${pick(sufs)}) })(o)`,
        `rec(void ${e}); rec((o.a, o)${pick(sufs)})`,
        `rec(eval('var ev1 = o.getWin().location; ev1')); rec(typeof ev1)`,
        `(function () { var loc = 3; rec(eval('loc + 1')); eval('var hoisted = 5'); rec(hoisted) })()`,
        `(function () { 'use strict'; rec(eval('this')); rec(eval('typeof arguments')) }).call(o)`,
        `rec(new Function('return eval(arguments[0])')('o.getWin().location.href'))`,
        `rec(Function('a', 'return eval("a" + ".location")')(o))`,
      ]);
      default: return `rec(${e})`;
    }
  };
  return () => {
    const parts = [];
    for (let j = 1 + rnd(3); j > 0; j--) parts.push(`try { ${stmt()} } catch (e) { rec('E:' + e.name) }`);
    return parts.join('\n');
  };
}

// The page's world: an unframed window (top === window) whose wrappers
// answer as the shim's do for ordinary objects (identity; x.__crmframe_top
// is x.top), so a rewrite may change nothing a program computes.
const WORLD = `
  var window = globalThis, self = globalThis, top = globalThis, parent = globalThis, frames = [];
  var location = { href: 'http://crm.test/', ancestorOrigins: [] };
  Object.defineProperty(Object.prototype, '__crmframe_top', { get() { return this.top }, set(v) { Reflect.set(Object(this), 'top', v, this) }, configurable: true });
  Object.defineProperty(Object.prototype, '__crmframe_ancestorOrigins', { get() { return this.ancestorOrigins }, configurable: true });
  Object.defineProperty(Object.prototype, '__crmframe_ieval', { get() { return this.eval }, configurable: true });
  globalThis.__crmframe_vtop = x => x; globalThis.__crmframe_post = x => x; globalThis.__crmframe_code = x => x; Object.defineProperty(String.prototype, '__crmframe_vtop', { value: x => x }); Object.defineProperty(String.prototype, '__crmframe_post', { value: x => x }); // with code: ''.__crmframe_vtop(top)
  globalThis.__crmframe_doc = x => x; globalThis.__crmframe_url = x => x;
  globalThis.__crmframe_key = k => k === 'top' ? '__crmframe_top' : k;
  var R = [];
  function rec(v) {
    try {
      R.push(typeof v === 'function' ? 'fn:' + v.name : v === globalThis ? 'G' : typeof v === 'object' && v !== null ?
        JSON.stringify(v, (q, x) => x === globalThis ? 'G' : typeof x === 'function' ? 'fn' : x).slice(0, 200) : String(v));
    } catch (e) { R.push('E:' + e.name) }
  }
  var ns = { location: { Geo: function () { this.made = 1 } } };
  var o = { a: { b: 1, location: { href: 'h1', city: 'T' }, top: 5, self: 's' }, location: { href: 'h0' }, top: { x: 2 }, self: 'me',
    getWin() { return this.win }, win: null, m() { return this.a }, n: function (x) { return this === o ? x : 'lost' },
    list: [{ location: { path: '/p' } }], eval: 3 };
  o.win = o;
  frames.push(o);
  class C { #p = { location: { z: 9 } }; get pl() { return this.#p.location } q() { return this.#p } static s() { return new C() } }
  var c = new C(), f = [o], arr = [[o.a]], i = 0, cond = 1, k = 'location', l = 'lo' + 'cation', t = 'top', x;
  function g() { return o } function h(v) { return v.a } function id(a, b) { return a }
  globalThis.o = o;
`;

function run(code) {
  const ctx = vm.createContext({});
  vm.runInContext(WORLD, ctx);
  try { vm.runInContext(code, ctx, { timeout: 5000 }); } catch (e) { return ['THROW ' + (e && e.name)]; }
  return vm.runInContext('R', ctx);
}

// same reports whether got matches want. An optional chain's receiver
// wrap (a?.b.location -> vtop(a?.b)?.location, pass 33) reads undefined
// where the original threw a TypeError for a nullish a.b (documented):
// in a program with ?. what follows a TypeError is not compared.
function same(want, got, src) {
  let n = want.length;
  if (src.includes('?.') && want.includes('E:TypeError')) n = want.indexOf('E:TypeError');
  else if (want.length !== got.length) return false;
  return got.length >= n && want.slice(0, n).every((w, q) => w === got[q]);
}

const [cmd, seed, count] = process.argv.slice(2);
if (cmd === 'gen') {
  const next = generator(+seed), out = [];
  for (let n = 0; n < +count; n++) {
    const p = next();
    try { new vm.Script(p); out.push(p); } catch { /* a generated syntax error: not a program */ }
  }
  process.stdout.write(JSON.stringify(out));
} else if (cmd === 'check') {
  const { programs, served } = JSON.parse(fs.readFileSync(0, 'utf8'));
  const shim = fs.readFileSync(fileURLToPath(new URL('../../../injector/sdk/shim.js', import.meta.url)), 'utf8');
  const { w } = framedPage(LOADING_DOM, shim);
  const report = { checked: programs.length, changed: { served: 0, shim: 0 }, mismatches: [] };
  programs.forEach((src, n) => {
    const want = run(src);
    for (const [who, out] of [['served', served[n]], ['shim', w.__crmframe_code(src)]]) {
      if (out === src) continue;
      report.changed[who]++;
      const got = run(out);
      if (!same(want, got, src)) report.mismatches.push({ who, src, out, want, got });
    }
  });
  process.stdout.write(JSON.stringify(report));
} else {
  console.error('usage: node semantics.mjs gen <seed> <count> | check');
  process.exit(2);
}
