// What legacy CRMs do to the global environment, loaded after Prototype.js
// 1.7.3 (which already set Array.from = $A and replaced Array#map, filter,
// some, every, reverse…). Every replacement records a call made directly by
// the SDK's code (HOSTILE.sdkCalls, which must stay empty); several are
// broken on purpose, so that any use by the SDK also fails functionally.
var URL = '/crm/ajax.php'; // a legacy global named like a built-in

(function () {
  var W = window, R = Reflect.apply, slice = Array.prototype.slice;
  var H = W.HOSTILE = { sdkCalls: [] };

  // The SDK is the line after its banner in the injected bundle; the
  // frame-busting shim before it may use the page's functions.
  var sdkLines = {};
  function sdkLine(url) {
    if (!(url in sdkLines)) {
      sdkLines[url] = -1;
      var x = new XMLHttpRequest();
      x.open('GET', url, false);
      x.send();
      var ls = x.responseText.split('\n');
      for (var i = 0; i < ls.length; i++) {
        if (ls[i].indexOf('/* crmframe AGENTDESKTOP SDK') === 0) { sdkLines[url] = i + 2; break; }
      }
    }
    return sdkLines[url];
  }
  function note(name) {
    var caller = (new Error().stack || '').split('\n')[3] || '';
    var m = /(https?:\/\/[^\s()]*(?:\/__crmframe\/sdk\.js|agentdesktop_widget\.js)[^\s():]*):(\d+):\d+/.exec(caller);
    if (m && +m[2] === sdkLine(m[1])) H.sdkCalls.push(name + ' from ' + caller.trim().slice(0, 160));
  }

  // Prototype.js 1.6: toJSON methods returning JSON *text*, so that the
  // native JSON.stringify encodes arrays, dates and wrappers twice
  // ({"a":"[1]"}); its Hash#toJSON; its bind.
  function inspect(v) {
    if (v === null || v === undefined) return 'null';
    if (typeof v.toJSON === 'function') return v.toJSON();
    if (typeof v === 'object') {
      var p = [];
      for (var k in v) if (typeof v[k] !== 'function') p.push('"' + k + '": ' + inspect(v[k]));
      return '{' + p.join(', ') + '}';
    }
    return String(v);
  }
  Array.prototype.toJSON = function () {
    var r = [];
    for (var i = 0; i < this.length; i++) r.push(inspect(this[i]));
    return '[' + r.join(', ') + ']';
  };
  String.prototype.toJSON = function () { return '"' + this.replace(/"/g, '\\"') + '"'; };
  Number.prototype.toJSON = function () { return isFinite(this) ? this.toString() : 'null'; };
  Date.prototype.toJSON = function () { return '"' + this.getUTCFullYear() + '-' + (this.getUTCMonth() + 1) + '-' + this.getUTCDate() + '"'; };
  Hash.prototype.toJSON = function () { return inspect(this.toObject()); };
  Function.prototype.bind = function () {
    note('Function.prototype.bind');
    var m = this, a = $A(arguments), o = a.shift();
    return function () { return R(m, o, a.concat($A(arguments))); };
  };
  Function.prototype.call = function (self) { note('Function.prototype.call'); return R(this, self, R(slice, arguments, [1])); };
  Function.prototype.apply = function (self, args) { note('Function.prototype.apply'); return R(this, self, args == null ? [] : args); };

  // Crockford's json.js (2007): enumerable methods every for…in sees.
  Object.prototype.toJSONString = function () { return inspect(this); };
  Object.prototype.parseJSON = function () { return eval('(' + this + ')'); };
  Array.prototype.toJSONString = function () { return inspect(this); };

  // A JSON "polyfill" replacing the native one: no string escaping,
  // inherited keys, eval.
  W.JSON = {
    stringify: function (v) {
      note('JSON.stringify');
      if (typeof v === 'string') return '"' + v + '"';
      if (v && typeof v === 'object') {
        var p = [];
        for (var k in v) p.push('"' + k + '":' + W.JSON.stringify(v[k]));
        return '{' + p.join(',') + '}';
      }
      return String(v);
    },
    parse: function (s) { note('JSON.parse'); return eval('(' + s + ')'); },
  };

  // WebSocket replaced (a Flash-era fallback that never connects).
  W.WebSocket = function () { note('WebSocket'); throw new Error('WebSocket replaced by the CRM'); };

  // An old Promise shim on jQuery-Deferred lines: then only, no catch, no statics.
  W.Promise = function (executor) {
    note('Promise');
    var cbs = [], done = false, val;
    executor(function (v) { done = true; val = v; cbs.forEach(function (f) { f(v); }); }, function () {});
    return { then: function (f) { if (done) f(val); else cbs.push(f); return this; } };
  };

  // Timer and event wrappers (an idle tracker).
  ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'].forEach(function (name) {
    var orig = W[name];
    W[name] = function () { note(name); return R(orig, W, arguments); };
  });
  var ael = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function () { note('addEventListener'); return R(ael, this, arguments); };

  // Object.assign "polyfill" copying inherited keys; a maps wrapper named Map.
  Object.assign = function (t) {
    note('Object.assign');
    for (var i = 1; i < arguments.length; i++) for (var k in arguments[i]) t[k] = arguments[i][k];
    return t;
  };
  W.Map = function Map(el) { note('Map'); this.el = el; };
  W.Set = function Set() { note('Set'); };

  // An IE-era console stub.
  W.console = { log: function () {} };

  // AMD and CommonJS globals, and the CRM's own AGENTDESKTOP.
  W.define = function () { note('define'); };
  W.define.amd = { jQuery: true };
  W.require = function () { note('require'); throw new Error('require'); };
  W.module = { exports: {} };
  W.exports = W.module.exports;
  W.AGENTDESKTOP = { page: true, CONTACT: {} };
})();
