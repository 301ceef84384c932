// Test probe: runs right after the injected SDK and before the CRM's
// libraries, so it captures the built-ins it needs while they are pristine.
// It sends every record to the test server with sendBeacon (it survives the
// screen-pop navigation and needs no storage) and keeps them in window.T.
(function () {
  'use strict';
  var AD = window.AGENTDESKTOP;
  var stringify = JSON.stringify, isArray = Array.isArray;
  var beacon = navigator.sendBeacon.bind(navigator);
  var frame = window.name || 'top';
  var load = location.pathname + '#' + Math.random().toString(36).slice(2, 8);
  var n = 0;
  // The test's own serialiser: arrays as arrays despite the Array#toJSON
  // that hostile.js installs.
  function rep(k, v) { var o = this[k]; return isArray(o) ? o : v; }
  function str(v) { return stringify(v, rep); }
  function send(kind, data) { beacon('/rec', str({ frame: frame, load: load, n: ++n, kind: kind, data: data })); }
  window.T = { AD: AD, load: load, send: send, str: str, data: [] };
  send('load', { href: location.href, status: AD.getStatus().status, contacts: AD.getContacts() });
  AD.WIDGET.bindContactCallback(function (ev) {
    var rp = AD.getResumePoint();
    send('event', { seq: rp ? rp.seq : -1, ev: ev });
  });
  AD.WIDGET.bindDataCallback(function (d) { T.data.push(d); send('data', d); });
  AD.on('status', function (s) { send('status', { status: s.status, resumed: !!s.resumed, code: s.code || 0 }); });
})();
