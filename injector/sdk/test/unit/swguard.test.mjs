// Pass 24: injector/swguard.js, which crm_frame puts first in a CRM
// service worker's script. Pages, frames and scripts a worker made or
// cached itself reached the CRM window unrewritten (x780, x784, x785): the
// guard's first capture listener keeps such requests from the worker's
// own listeners, and static routes answered from a cache go to the
// listeners instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const guard = fs.readFileSync(fileURLToPath(new URL('../../../swguard.js', import.meta.url)), 'utf8');

// A worker global (self: an EventTarget holding the worker's classes):
// Node's EventTarget and Event (stopImmediatePropagation as browsers have
// it), FetchEvent and Request with prototype getters.
function withDOM() {
  const ctx = vm.createContext({ EventTarget, Event });
  vm.runInContext(`
    var self = new EventTarget();
    class Request {
      constructor(mode, destination) { this._m = mode; this._d = destination; }
      get mode() { return this._m; }
      get destination() { return this._d; }
    }
    class FetchEvent extends Event {
      constructor(r) { super('fetch'); this._r = r; this.answered = null; }
      get request() { return this._r; }
      respondWith(p) { this.answered = p; }
    }
    var routes = [];
    class InstallEvent extends Event {
      constructor() { super('install'); }
      addRoutes(rules) { routes.push(rules); return Promise.resolve(); }
    }
    function fetchOf(mode, dest) { var e = new FetchEvent(new Request(mode, dest)); self.dispatchEvent(e); return e.answered; }
    self.Event = Event; self.FetchEvent = FetchEvent; self.Request = Request; self.InstallEvent = InstallEvent;
  `, ctx);
  return ctx;
}

test('swguard: documents, frames and scripts never reach the worker\'s listeners', () => {
  const w = withDOM();
  vm.runInContext(guard, w);
  vm.runInContext(`
    self.addEventListener('fetch', function (e) { e.respondWith('bubble:' + e.request.destination); });
    self.addEventListener('fetch', function (e) { e.respondWith('capture:' + e.request.destination); }, true);
    // the worker replaces the getters the guard reads: it read them first
    Object.defineProperty(Request.prototype, 'mode', { get: function () { return 'cors'; } });
    Object.defineProperty(Request.prototype, 'destination', { get: function () { return 'image'; } });
    Object.defineProperty(FetchEvent.prototype, 'request', { get: function () { return new Request('cors', 'image'); } });
  `, w);
  for (const [mode, dest] of [['navigate', 'document'], ['navigate', 'iframe'], ['navigate', 'frame'], ['no-cors', 'script'], ['cors', 'script'], ['navigate', 'object'], ['no-cors', 'embed'], ['navigate', '']]) {
    assert.equal(vm.runInContext(`fetchOf(${JSON.stringify(mode)}, ${JSON.stringify(dest)})`, w), null, `${mode} ${dest}`);
  }
  // images, styles, fetch() and the rest stay the worker's
  assert.equal(vm.runInContext(`fetchOf('no-cors', 'image')`, w), 'capture:image');
  assert.equal(vm.runInContext(`fetchOf('cors', '')`, w), 'capture:image');
});

test('swguard: the worker\'s listeners still answer what is not held, in their order', () => {
  const w = withDOM();
  vm.runInContext(guard, w);
  vm.runInContext(`var seen = []; self.onfetch = null;
    self.addEventListener('fetch', function (e) { seen.push('a:' + e.request.destination); });
    self.addEventListener('fetch', function (e) { seen.push('b:' + e.request.destination); e.respondWith('json'); });`, w);
  assert.equal(vm.runInContext(`fetchOf('cors', 'json')`, w), 'json');
  assert.equal(vm.runInContext(`fetchOf('navigate', 'document')`, w), null);
  assert.equal(vm.runInContext('seen.join()', w), 'a:json,b:json');
});

test('swguard: once per worker (a module graph may carry it more than once)', () => {
  const w = withDOM();
  vm.runInContext(guard, w);
  vm.runInContext(guard, w);
  vm.runInContext(`var n = 0; var sp = Event.prototype.stopImmediatePropagation;
    Event.prototype.stopImmediatePropagation = function () { n++; };`, w);
  // the guard stops through the function it kept, not the replaced one
  assert.equal(vm.runInContext(`self.addEventListener('fetch', function (e) { e.respondWith('x'); }); fetchOf('navigate', 'document')`, w), null);
  assert.equal(vm.runInContext('n', w), 0);
});

test('swguard: static routes answered from a cache go to the fetch listeners', () => {
  const w = withDOM();
  vm.runInContext(guard, w);
  vm.runInContext(`
    var flip = 0, tricky = { condition: { requestMode: 'navigate' } };
    Object.defineProperty(tricky, 'source', { enumerable: true, get: function () { return flip++ ? 'cache' : 'network'; } });
    var hidden = { condition: {} };
    Object.defineProperty(hidden, 'source', { enumerable: false, value: 'cache' });
    var ie = new InstallEvent();
    ie.addRoutes([{ condition: { requestMode: 'navigate' }, source: 'cache' }, { condition: {}, source: { cacheName: 'v1' } },
      { condition: { requestDestination: 'image' }, source: 'network' }, { condition: {}, source: 'race-network-and-fetch-handler' }, tricky, hidden]);
    ie.addRoutes({ condition: {}, source: 'cache' });
  `, w);
  const routes = JSON.parse(vm.runInContext('JSON.stringify(routes)', w));
  assert.deepEqual(routes[0].map((r) => r.source), ['fetch-event', 'fetch-event', 'network', 'race-network-and-fetch-handler', 'network', 'fetch-event']);
  assert.deepEqual(routes[0][0].condition, { requestMode: 'navigate' });
  assert.equal(routes[1].source, 'fetch-event');
});

test('swguard: a global without listeners (not a worker) is left alone', () => {
  const ctx = vm.createContext({});
  assert.doesNotThrow(() => vm.runInContext(guard, ctx));
});
