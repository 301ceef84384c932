/* crmframe: put first in a CRM service worker (breakout neutralize). A page, frame or script the worker made or cached itself would reach the CRM window without crm_frame's rewrite: such requests go to the network, through crm_frame. */
;(function (g) {
  'use strict';
  if (!g || typeof g.addEventListener !== 'function' || g.__crmframe_sw) return;
  try { Object.defineProperty(g, '__crmframe_sw', { value: true }); } catch (e) { return; }
  var R = Reflect.apply, gd = Object.getOwnPropertyDescriptor, isArr = Array.isArray, slice = Array.prototype.slice, map = Array.prototype.map;
  /* the getters as they are now: the worker's own code runs after this and may replace them */
  var getter = function (C, k) { var p = C && C.prototype, d = p && gd(p, k); return d && d.get; };
  var rd = function (get, o, k) { return get ? R(get, o, []) : o[k]; };
  var getReq = getter(g.FetchEvent, 'request'), getMode = getter(g.Request, 'mode'), getDest = getter(g.Request, 'destination');
  var stop = g.Event && g.Event.prototype.stopImmediatePropagation, add = g.addEventListener;
  var guarded = { document: 1, iframe: 1, frame: 1, object: 1, embed: 1, script: 1 };
  /* first listener, capture: the worker's own listeners (any phase) never see such a request, none answers it, and the browser fetches it itself */
  R(add, g, ['fetch', function (e) {
    var hold = true;
    try {
      var r = rd(getReq, e, 'request'), d = rd(getDest, r, 'destination');
      hold = rd(getMode, r, 'mode') === 'navigate' || guarded[d] === 1;
    } catch (x) { /* unreadable: held */ }
    if (hold) R(stop, e, []);
  }, true]);
  /* static routes (InstallEvent.addRoutes) answered from the cache skip the listeners: such a rule goes to them instead, each value of it read once */
  var IE = g.InstallEvent && g.InstallEvent.prototype, net = { network: 1, 'fetch-event': 1, 'race-network-and-fetch-handler': 1 };
  var rule = function (r) {
    if (!r || typeof r !== 'object') return r;
    var c = {}, k;
    for (k in r) c[k] = r[k];
    if (typeof c.source !== 'string' || net[c.source] !== 1) c.source = 'fetch-event';
    return c;
  };
  ['addRoutes', 'registerRouter'].forEach(function (k) {
    var f = IE && IE[k];
    if (typeof f !== 'function') return;
    IE[k] = function (rules) {
      var a = R(slice, arguments, []);
      a[0] = isArr(rules) ? R(map, rules, [rule]) : rule(rules);
      return R(f, this, a);
    };
  });
})(typeof self !== 'undefined' ? self : this);
