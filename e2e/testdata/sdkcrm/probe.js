// Test probe, inlined by e2e/sdk_test.go right after the SDK that crm_frame
// injects (an inline script runs before the SDK's WebSocket can deliver
// anything, so no replayed event is missed). It records, per page load, what
// the SDK knew at load, every bindContactCallback event (with the seq the SDK
// had reached) and every status change into sessionStorage (it survives the
// CRM frame's navigations) and into the page's <ol id="events">.
(function () {
  'use strict';
  var AD = window.AGENTDESKTOP;
  var load = location.pathname + '#' + Math.random().toString(36).slice(2, 8);
  function push(key, rec) {
    var a = JSON.parse(sessionStorage.getItem(key) || '[]');
    a.push(rec);
    sessionStorage.setItem(key, JSON.stringify(a));
  }
  var lines = [];
  function show(line) {
    lines.push(line);
    if (document.readyState === 'loading') return;
    var li = document.createElement('li');
    li.textContent = line;
    document.getElementById('events').appendChild(li);
  }
  document.addEventListener('DOMContentLoaded', function () {
    var ol = document.getElementById('events');
    lines.forEach(function (l) {
      var li = document.createElement('li');
      li.textContent = l;
      ol.appendChild(li);
    });
  });
  window.T = { load: load };
  push('t.loads', {
    load: load,
    href: location.href,
    status: AD.getStatus().status,
    resume: AD.getResumePoint(),
    contacts: AD.getContacts(),
    widget: AD.WIDGET.getContainerID(),
  });
  AD.WIDGET.bindContactCallback(function (ev) {
    var rp = AD.getResumePoint();
    push('t.events', { load: load, seq: rp ? rp.seq : -1, ev: ev });
    show((rp ? rp.seq : -1) + ' ' + ev.event + ' ' + (ev.id || ev.agent || ''));
  });
  AD.on('status', function (s) {
    push('t.status', { load: load, status: s.status, resumed: !!s.resumed, replayed: s.replayed || 0, code: s.code || 0 });
  });
})();
