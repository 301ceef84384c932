// crmframe demo agent desktop: a small, framework-free shell around the
// AGENTDESKTOP SDK (agentdesktop.js, the same bundle crmframe injects into
// CRM pages). It connects to the CRM origin's WebSocket as kind "desktop",
// shows contacts and the Accept/Reject popup, and serves widgets' TAB and
// ALERT requests.
(function () {
  'use strict';
  var AD = window.AGENTDESKTOP;
  var cfg = Object.assign({}, window.DESKTOP_CONFIG || {});
  var q = new URLSearchParams(location.search);
  if (q.get('crm')) cfg.crmUrl = q.get('crm');
  if (q.get('agent')) cfg.agent = q.get('agent');
  if (q.get('prefix')) cfg.prefix = q.get('prefix');
  var crmOrigin = new URL(cfg.crmUrl, location.href).origin;
  var $ = function (id) { return document.getElementById(id); };
  var selected = null; // selected contact id (chat pane)
  var offerFor = null; // contact id shown in the Accept/Reject dialog
  var session = null; // {agent, token}

  // h builds DOM safely: text is always textContent.
  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v == null || v === false) continue;
      if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null || c === false) continue;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return el;
  }
  function time(ms) { return new Date(ms || Date.now()).toLocaleTimeString(); }

  // ---- event log ----
  function log(kind, title, detail) {
    var li = h('li', { class: kind }, h('span', { class: 'muted', text: time() + ' ' }), h('span', { class: 'ev', text: title }), detail ? ' ' + detail : '');
    var ol = $('log');
    ol.insertBefore(li, ol.firstChild);
    while (ol.children.length > 300) ol.removeChild(ol.lastChild);
  }
  $('log-clear').onclick = function () { $('log').textContent = ''; };

  // run wraps a command: failures are logged and shown, never thrown.
  function run(label, p) {
    return p.then(function (r) { return r; }, function (e) {
      log('err', label + ' failed', e.code + ': ' + e.message);
      toast({ title: label + ' failed', text: e.message, level: 'error', timeout: 6000 }, 'desktop');
    });
  }

  // ---- login ----
  $('agent-id').value = sessionStorage.getItem('desk.agent') || cfg.agent || 'a1';
  $('login').onsubmit = function (e) {
    e.preventDefault();
    signIn($('agent-id').value.trim());
  };
  function signIn(agent) {
    if (!agent) return;
    fetch(crmOrigin + cfg.prefix + '/demo/token', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ agent: agent }),
    }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(r.status + ' ' + t); });
      return r.json();
    }).then(function (j) {
      if (!j || !j.token) throw new Error('no token in the answer');
      start(agent, j.token);
    }).catch(function (err) {
      log('err', 'sign-in failed', String(err.message || err));
      toast({ title: 'Sign-in failed', text: 'Is the demo token endpoint enabled on ' + crmOrigin + '? ' + (err.message || err), level: 'error', timeout: 0 }, 'desktop');
    });
  }
  function start(agent, token) {
    session = { agent: agent, token: token };
    sessionStorage.setItem('desk.agent', agent);
    sessionStorage.setItem('desk.token', token);
    $('who').textContent = 'agent ' + agent;
    $('login').hidden = true;
    $('state-buttons').hidden = false;
    AD.connect({ origin: crmOrigin, prefix: cfg.prefix, token: token, client: { kind: 'desktop', id: cfg.shellId }, storageKey: 'crmframe.desk:' + agent })
      .then(function () {
        render();
        AD.getContacts().forEach(function (c) { if (c.state === 'offered' || c.state === 'preview') showOffer(c); });
        return AD.AGENT.GetPauseCodes();
      })
      .then(function (codes) {
        var sel = $('pause-code');
        sel.textContent = '';
        sel.appendChild(h('option', { value: '', text: 'Pause (generic)' }));
        (codes || []).forEach(function (c) { sel.appendChild(h('option', { value: c.code, text: c.code + ' ' + c.label })); });
      }, function () {});
    openCrm(token);
  }
  $('btn-signout').onclick = function () {
    AD.disconnect(true);
    sessionStorage.removeItem('desk.token');
    session = null;
    $('login').hidden = false;
    $('state-buttons').hidden = true;
    $('who').textContent = 'not signed in';
    render();
  };

  // ---- agent state ----
  $('btn-ready').onclick = function () { run('Ready', AD.AGENT.Ready()); };
  $('btn-pause').onclick = function () { run('Pause', AD.AGENT.Pause($('pause-code').value || undefined)); };
  $('btn-logout').onclick = function () {
    // A logout revokes the tokens issued before it: the next sign-in (or a
    // reload) must mint a new one.
    run('Log out', AD.AGENT.Logout().then(function (r) { sessionStorage.removeItem('desk.token'); return r; }));
  };
  $('dial').onsubmit = function (e) {
    e.preventDefault();
    run('Call', AD.CONTACT.MakeCall($('dial-number').value.trim()));
  };

  AD.on('status', function (s) {
    var el = $('conn');
    el.className = 'pill conn-' + s.status;
    el.textContent = s.status + (s.retryIn ? ' (retry in ' + Math.round(s.retryIn / 100) / 10 + ' s)' : '');
    el.title = 'since ' + time(s.since) + (s.reason ? ' — ' + s.reason : '');
    log('sys', 'connection ' + s.status, s.resumed ? 'resumed, ' + (s.replayed || 0) + ' replayed' : s.reason || '');
  });
  AD.on('snapshot', function (s) { log('sys', 'snapshot', (s.contacts.length) + ' contact(s), ' + s.reason); render(); });

  // ---- engine events ----
  AD.on('*', function (ev) {
    var bits = [];
    if (ev.id) bits.push(ev.id);
    if (ev.phase) bits.push('phase=' + ev.phase);
    if (ev.media_type) bits.push(ev.media_type);
    if (ev.ani) bits.push('ani=' + ev.ani);
    if (ev.reason) bits.push('reason=' + ev.reason);
    if (ev.code) bits.push('code=' + ev.code + (ev.label ? ' ' + ev.label : ''));
    if (ev.changed) bits.push('changed=' + ev.changed.join(','));
    if (ev.message) bits.push(ev.message.from + ': ' + ev.message.text);
    log('', ev.event, bits.join(' '));
    if (ev.event === 'JOBCHANGED' && ev.phase === 'setup') showOffer(AD.getContact(ev.id) || ev);
    if (offerFor && ev.id === offerFor && (ev.event === 'CONNECTIONCLEARED' || ev.event === 'JOBFINISHED' || (ev.state !== 'offered' && ev.state !== 'preview'))) closeOffer('closed');
    if (ev.event === 'CHATMESSAGE' && ev.message && ev.message.from === 'customer' && selected !== ev.id) selected = ev.id;
    render();
  });

  // ---- Accept / Reject ----
  function showOffer(c) {
    offerFor = c.id;
    $('offer-title').textContent = 'Incoming ' + (c.media_type === 'telephony' ? 'call' : c.media_type === 'chat' ? 'chat' : c.content_type || 'contact');
    var dl = $('offer-fields');
    dl.textContent = '';
    var rows = [['From', c.ani], ['To', c.dnis], ['Queue', c.queue], ['Service', c.service], ['Subject', c.content_description], ['Job', c.job_type]];
    Object.keys(c.call_data || {}).forEach(function (k) { rows.push([k, c.call_data[k]]); });
    rows.forEach(function (r) { if (r[1]) { dl.appendChild(h('dt', { text: r[0] })); dl.appendChild(h('dd', { text: r[1] })); } });
    var d = $('offer');
    if (!d.open) d.showModal();
    AD.UI.DialogOpened('accept', { contactId: c.id });
  }
  function closeOffer(result) {
    var id = offerFor;
    offerFor = null;
    var d = $('offer');
    if (d.open) d.close('');
    if (id) AD.UI.DialogClosed('accept', { contactId: id, result: result });
  }
  $('offer').addEventListener('close', function () {
    var v = $('offer').returnValue;
    var id = offerFor;
    if (!id) return;
    offerFor = null;
    if (v === 'accept') { selected = id; run('Accept', AD.CONTACT.Answer(id)); }
    else if (v === 'reject') run('Reject', AD.CONTACT.Reject(id));
    AD.UI.DialogClosed('accept', { contactId: id, result: v || 'dismissed' });
  });

  // ---- contacts ----
  function button(label, fn, cls) { return h('button', { type: 'button', class: cls, onclick: fn, text: label }); }
  function contactCard(c) {
    var live = c.state === 'online';
    var acts = h('div', { class: 'actions' });
    var tel = c.media_type === 'telephony';
    if (c.state === 'offered' || c.state === 'preview') {
      acts.appendChild(button('Accept', function () { selected = c.id; run('Accept', AD.CONTACT.Answer(c.id)); }, 'good'));
      acts.appendChild(button('Reject', function () { run('Reject', AD.CONTACT.Reject(c.id)); }, 'bad'));
    }
    if (live && tel) acts.appendChild(button(c.held ? 'Retrieve' : 'Hold', function () { run('Hold', AD.CONTACT.Hold(c.id)); }));
    if (live || c.state === 'dialing') acts.appendChild(button('Hang up', function () { run('Hang up', AD.CONTACT.Hangup(c.id)); }, 'bad'));
    if (live && tel) acts.appendChild(button(c.recording ? 'Stop rec' : 'Record', function () {
      run('Recording', c.recording ? AD.CONTACT.StopRecording(c.id) : AD.CONTACT.StartRecording(c.id));
    }));
    var party = c.parties && c.parties[0];
    if (party) {
      acts.appendChild(h('span', { class: 'tag', text: party.kind + ' ' + party.target + ': ' + party.state }));
      if (party.state === 'connected') {
        acts.appendChild(button('Complete', function () { run('Complete transfer', AD.CONTACT.CompleteTransfer(c.id)); }, 'good'));
        acts.appendChild(button('Conference', function () { run('Conference', AD.CONTACT.Conference(c.id)); }));
      }
      if (party.state !== 'conference') acts.appendChild(button('Cancel consult', function () { run('Cancel transfer', AD.CONTACT.CancelTransfer(c.id)); }));
    }
    if (c.state === 'offline') {
      acts.appendChild(button('End ACW', function () { run('End ACW', AD.CONTACT.OfflineEnd(c.id)); }, 'good'));
      acts.appendChild(button('Keep ACW open', function () { run('Keep ACW', AD.CONTACT.OfflineEnable(c.id, true)); }));
    }
    if (live && !party) {
      var tgt = h('input', { placeholder: 'agent:a2, queue:sales or number', 'aria-label': 'transfer target' });
      var mode = h('select', { 'aria-label': 'transfer mode' }, h('option', { value: 'blind', text: 'blind' }), tel ? h('option', { value: 'consult', text: 'consult' }) : null);
      acts.appendChild(h('form', { onsubmit: function (e) {
        e.preventDefault();
        if (tgt.value.trim()) run('Transfer', AD.CONTACT.Transfer(c.id, tgt.value.trim(), undefined, mode.value));
      } }, tgt, mode, h('button', { type: 'submit', text: 'Transfer' })));
    }
    if (c.state !== 'finished') {
      var kv = h('input', { placeholder: 'KEY=value;K2=v2', 'aria-label': 'call data' });
      acts.appendChild(h('form', { onsubmit: function (e) {
        e.preventDefault();
        if (kv.value.trim()) run('Set call data', AD.CONTACT.SetCallData(c.id, kv.value.trim())).then(function (r) { if (r) kv.value = ''; });
      } }, kv, h('button', { type: 'submit', text: 'Set data' })));
    }
    var data = Object.keys(c.call_data || {}).map(function (k) { return k + '=' + c.call_data[k]; }).join('; ');
    var what = c.media_type === 'channel' ? (c.content_type || 'channel') : c.media_type;
    return h('div', { class: 'contact' + (selected === c.id ? ' selected' : ''), onclick: function (e) {
      if (e.target.closest('button,input,select,form')) return;
      selected = c.id;
      render();
    } },
      h('div', { class: 'top' }, h('strong', { text: what + ' ' + (c.ani || c.dnis || '') }),
        h('span', null, h('span', { class: 'tag ' + c.state, text: c.state + (c.held ? ' · held' : '') + (c.recording ? ' · rec' : '') }))),
      h('div', { class: 'meta', text: [c.id, c.type + '/' + c.job_type, c.queue && 'queue ' + c.queue, c.content_description, c.startTime && 'since ' + time(c.startTime)].filter(Boolean).join(' · ') }),
      data ? h('div', { class: 'meta', text: 'data: ' + data }) : null,
      acts);
  }

  function render() {
    var a = AD.getAgent();
    var st = $('agent-state');
    var state = session && a ? a.state : 'LOGGEDOUT';
    st.className = 'pill state-' + state;
    st.textContent = state + (a && a.code ? ' ' + a.code + (a.label ? ' ' + a.label : '') : '');
    var list = session ? AD.getContacts() : [];
    $('contact-count').textContent = list.length ? '(' + list.length + ')' : '';
    var box = $('contacts');
    box.textContent = '';
    if (!list.length) box.appendChild(h('p', { class: 'muted', text: session ? 'No contacts. Go Ready to receive some.' : 'Sign in to start.' }));
    list.forEach(function (c) { box.appendChild(contactCard(c)); });
    renderChat();
  }

  // ---- chat ----
  function renderChat() {
    var c = selected && AD.getContact(selected);
    var pane = $('chat');
    if (!c || c.media_type !== 'chat') { pane.hidden = true; return; }
    pane.hidden = false;
    $('chat-title').textContent = c.ani || c.chat_id || c.id;
    var log = $('chat-log');
    log.textContent = '';
    (c.messages || []).forEach(function (m) { log.appendChild(h('div', { class: 'msg ' + m.from, title: time(m.time), text: m.text })); });
    log.scrollTop = log.scrollHeight;
    $('chat-text').disabled = c.state !== 'online';
  }
  $('chat-form').onsubmit = function (e) {
    e.preventDefault();
    var t = $('chat-text');
    if (!selected || !t.value.trim()) return;
    run('Send', AD.CHAT.SendMessage(selected, t.value)).then(function (r) { if (r) t.value = ''; });
  };

  // ---- tabs: the CRM widget plus tabs widgets open ----
  var tabs = []; // {key, widget, tab, title, url, badge, pane}
  var active = null;
  function tabKey(widget, tab) { return widget + (tab ? '/' + tab : ''); }
  function findTab(widget, tab) { return tabs.filter(function (t) { return t.key === tabKey(widget, tab); })[0]; }
  function addTab(widget, tab, title, url) {
    var t = findTab(widget, tab);
    if (!t) {
      t = { key: tabKey(widget, tab), widget: widget, tab: tab || '', title: title || widget, badge: 0, closable: !!tab };
      t.pane = h('div', { class: 'pane', role: 'tabpanel' });
      $('tab-panes').appendChild(t.pane);
      tabs.push(t);
    }
    if (title) t.title = title;
    if (url && t.url !== url) {
      t.url = url;
      t.pane.textContent = '';
      t.pane.className = 'pane';
      t.pane.appendChild(h('iframe', { src: url, title: t.title }));
    } else if (!t.url && !t.pane.firstChild) {
      t.pane.className = 'pane empty';
      t.pane.appendChild(h('p', { class: 'muted', text: 'Tab "' + t.title + '" opened by widget ' + widget + '.' }));
    }
    renderTabs();
    return t;
  }
  function focusTab(t) {
    if (!t) return;
    active = t.key;
    renderTabs();
  }
  function closeTab(t) {
    if (!t || !t.closable) return;
    tabs.splice(tabs.indexOf(t), 1);
    t.pane.remove();
    if (active === t.key) active = tabs.length ? tabs[0].key : null;
    renderTabs();
  }
  function renderTabs() {
    var nav = $('tabs');
    nav.textContent = '';
    tabs.forEach(function (t) {
      var on = t.key === active;
      t.pane.hidden = !on;
      var b = h('button', { role: 'tab', 'aria-selected': on ? 'true' : 'false', onclick: function () { focusTab(t); } },
        t.title, t.badge ? h('span', { class: 'badge', text: String(t.badge) }) : null,
        t.closable ? h('span', { class: 'x', title: 'close', text: '\u00d7', onclick: function (e) { e.stopPropagation(); closeTab(t); } }) : null);
      nav.appendChild(b);
    });
  }
  function openCrm(token) {
    // The token travels as crmframe_token: crmframe turns it into its cookie
    // for the framed CRM and never forwards it upstream.
    var u = new URL(cfg.crmUrl, location.href);
    if (token) u.searchParams.set('crmframe_token', token);
    var t = addTab(cfg.crmWidgetId, '', 'CRM', u.href);
    focusTab(t);
  }

  // ---- relays from widgets: TAB.*, ALERT.*, WIDGET.Data ----
  AD.on('relay', function (r) {
    var d = r.data || {};
    var w = d.widget || (r.from || '').split(':').slice(1).join(':') || '?';
    log('relay', r.name, 'from ' + r.from + ' ' + JSON.stringify(d).slice(0, 120));
    switch (r.name) {
      case 'TAB.GoTo': focusTab(findTab(d.target || w, '')); break;
      case 'TAB.Badge': { var t = findTab(w, ''); if (t) { t.badge = d.count || 0; renderTabs(); } break; }
      case 'TAB.Open': focusTab(addTab(w, d.tab || 'tab', d.title, d.url)); break;
      case 'TAB.Focus': focusTab(findTab(w, d.tab)); break;
      case 'TAB.Close': closeTab(findTab(w, d.tab)); break;
      case 'TAB.Title': { var tt = findTab(w, d.tab); if (tt && d.title) { tt.title = d.title; renderTabs(); } break; }
      case 'ALERT.Show':
        toast(d, r.from);
        AD.relay('ALERT.Ack', { id: d.id }, r.from);
        break;
      case 'ALERT.Hide': hideToast(d.id); break;
    }
  });

  // ---- alerts ----
  var toasts = {};
  function toast(a, from) {
    var id = a.id || 'local-' + Date.now() + Math.random();
    hideToast(id);
    var el = h('div', { class: 'alert ' + (a.level || 'info'), role: a.level === 'error' || a.level === 'warning' ? 'alert' : 'status' },
      h('strong', { text: a.title || '' }), a.text ? h('div', { text: a.text }) : null,
      from ? h('div', { class: 'from', text: 'from ' + from }) : null,
      h('button', { type: 'button', 'aria-label': 'close', text: '\u00d7', onclick: function () { hideToast(id); } }));
    $('alerts').appendChild(el);
    toasts[id] = el;
    var ms = a.timeout === undefined ? 5000 : a.timeout;
    if (ms > 0) setTimeout(function () { hideToast(id); }, ms);
  }
  function hideToast(id) {
    var el = toasts[id];
    if (el) { el.remove(); delete toasts[id]; }
  }

  // ---- boot ----
  render();
  var saved = sessionStorage.getItem('desk.token');
  if (saved && sessionStorage.getItem('desk.agent')) start(sessionStorage.getItem('desk.agent'), saved);
  else openCrm('');
  window.addEventListener('online', function () { log('sys', 'browser online', ''); });
})();
