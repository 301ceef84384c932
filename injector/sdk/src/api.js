// The AGENTDESKTOP global: the AgentDesktop-compatible PascalCase namespaces
// and the modern layer (Promises, on/off/once, snapshot getters, status).
import { SdkError, Codes, EngineCodes } from './errors.js';
import { showPanel } from './dom.js';
import { SPromise, SMap, assign, setT, clearT, log } from './safe.js';

export const VERSION = '1.0.0';
const RELAY_EVENTS = { 'UI.DialogOpened': 'DIALOGOPENED', 'UI.DialogClosed': 'DIALOGCLOSED', 'WIDGET.Data': 'WIDGETDATA' };

export function buildAPI(client, env) {
  const w = env.window;
  const widget = () => env.widgetId;
  const warn = (name) => (e) => {
    if (!env.quiet) log('warn', '[AGENTDESKTOP] ' + name + ' failed: ' + (e && e.code) + ': ' + (e && e.message));
  };
  // run sends a command; compat callers that ignore the Promise get a console
  // warning instead of an unhandled rejection.
  const run = (name, args, opts) => {
    const p = client.command(name, args, opts);
    p.catch(warn(name));
    return p;
  };
  const bad = (msg) => {
    const p = SPromise.reject(new SdkError(Codes.BAD_ARGUMENT, msg));
    p.catch(() => {});
    return p;
  };
  const id = (v) => (v === undefined || v === null ? '' : String(v));
  const onContact = (name, extra) => (ContactID, ...rest) => {
    if (!id(ContactID)) return bad(name + ': ContactID required');
    return run(name, assign({ contactId: id(ContactID) }, extra ? extra(...rest) : {}));
  };
  const target = (Target, TargetType) => {
    let t = id(Target);
    let type = TargetType;
    if (!type) {
      const m = /^(agent|queue|number):(.*)$/.exec(t);
      if (m) [, type, t] = m;
      else type = 'number';
    }
    return { target: t, targetType: type };
  };
  const transfer = (mode) => (ContactID, Target, TargetType) => {
    if (!id(ContactID) || !id(Target)) return bad('CONTACT.Transfer: ContactID and Target required');
    return run('CONTACT.Transfer', assign({ contactId: id(ContactID), mode }, target(Target, TargetType)));
  };

  // ---- relays: TAB / ALERT / UI / WIDGET between pages of the agent ----
  const alerts = new SMap();
  let alertN = 0;
  client.events.on('relay', (r) => {
    if (r.name === 'ALERT.Ack' && r.data && alerts.has(r.data.id)) {
      const a = alerts.get(r.data.id);
      alerts.delete(r.data.id);
      a.ack();
      return;
    }
    const ev = RELAY_EVENTS[r.name];
    if (ev) client.events.emit(ev, assign({}, r.data && typeof r.data === 'object' && !Array.isArray(r.data) ? r.data : { data: r.data }, { event: ev, from: r.from }), false);
  });
  const tab = (name, data) => client.relay('TAB.' + name, assign({ widget: widget() }, data));

  const ALERT = {
    // Show(Title, Text, Level?, Timeout?) or Show({title,text,level,timeout}).
    Show(Title, Text, Level, Timeout) {
      const o = Title && typeof Title === 'object' ? Title : { title: Title, text: Text, level: Level, timeout: Timeout };
      const a = {
        id: o.id || widget() + '-' + ++alertN + '-' + Math.floor(Math.random() * 1e6),
        widget: widget(), title: id(o.title), text: id(o.text),
        level: ['info', 'success', 'warning', 'error'].indexOf(o.level) >= 0 ? o.level : 'info',
        timeout: o.timeout === undefined ? 5000 : Math.max(0, +o.timeout || 0),
      };
      return new SPromise((resolve) => {
        const inPage = () => {
          alerts.delete(a.id);
          if (!env.document) return resolve({ id: a.id, where: 'none' });
          const hide = showPanel(env.document, a, () => alerts.delete(a.id));
          alerts.set(a.id, { hide, ack() {} });
          resolve({ id: a.id, where: 'page' });
        };
        if (!client.relay('ALERT.Show', a)) return inPage();
        const t = setT(inPage, env.alertAckTimeout);
        alerts.set(a.id, { ack() { clearT(t); alerts.set(a.id, { shell: true, ack() {} }); resolve({ id: a.id, where: 'shell' }); } });
      });
    },
    Hide(AlertID) {
      const ids = AlertID ? [id(AlertID)] : [...alerts.keys()];
      for (const k of ids) {
        const a = alerts.get(k);
        if (a && a.hide) a.hide();
        alerts.delete(k);
        client.relay('ALERT.Hide', { id: k, widget: widget() });
      }
      return true;
    },
  };

  const on = (name, fn) => client.events.on(name, fn);
  const replay = (fn) => client.ready().then(() => {
    const a = client.agent();
    if (a && a.state) {
      // shaped like a live agent event: no `id` (that is how a callback
      // tells agent events from contact events), no snapshot-only fields
      const ev = { event: a.state, time: a.since, agent: a.id, state: a.state };
      for (const k of ['name', 'code', 'label', 'reason']) if (a[k]) ev[k] = a[k];
      ev.replayed = true;
      fn(ev);
    }
    for (const c of client.contacts()) {
      const ev = assign({}, c, { event: c.last_event || 'POPUP', replayed: true });
      // as live events: no snapshot-only fields (chat history stays in GetMessages)
      delete ev.last_event;
      delete ev.messages;
      // the phase a JOB* event had (events.md): derived, the snapshot does not keep it
      if (ev.event === 'JOBSTARTED') ev.phase = 'online';
      if (ev.event === 'JOBCHANGED') ev.phase = c.state === 'offline' ? 'offline' : 'setup';
      fn(ev);
    }
  });

  const AD = {
    __crmframe: true,
    version: VERSION,
    // every error code as a constant, and the class for instanceof checks
    Errors: Object.freeze(assign({}, EngineCodes, Codes)),
    AgentDesktopError: SdkError,

    // ---- modern layer ----
    on,
    off: (name, fn) => client.events.off(name, fn),
    once: (name, fn) => client.events.on(name, fn, true),
    ready: () => client.ready(),
    getAgent: () => client.agent(),
    getContacts: () => client.contacts(),
    getContact: (ContactID) => client.contact(ContactID),
    getStatus: () => client.status(),
    getResumePoint: () => client.resumePoint(),
    command: (name, args, opts) => run(name, args, opts),
    relay: (name, data, to) => client.relay(name, data, to),
    connect: (opts) => env.connect(opts),
    disconnect: (forget) => client.disconnect(forget),

    CONTACT: {
      MakeCall(DestinationNumber, ResourceType, ServiceID, CallProfileID, CallData) {
        if (!id(DestinationNumber)) return bad('CONTACT.MakeCall: DestinationNumber required');
        return run('CONTACT.MakeCall', { destination: id(DestinationNumber), resourceType: ResourceType, serviceId: ServiceID, callProfileId: CallProfileID, callData: CallData });
      },
      Answer: onContact('CONTACT.Answer'),
      Reject: onContact('CONTACT.Reject'),
      Hangup(ContactID) {
        return run('CONTACT.Hangup', id(ContactID) ? { contactId: id(ContactID) } : {});
      },
      HangupByContactID: onContact('CONTACT.HangupByContactID'),
      Hold: onContact('CONTACT.Hold', (on) => (typeof on === 'boolean' ? { hold: on } : {})),
      Retrieve: onContact('CONTACT.Retrieve'),
      OfflineEnd: onContact('CONTACT.OfflineEnd'),
      OfflineEnable: onContact('CONTACT.OfflineEnable', (Enable) => ({ enable: Enable !== false && Enable !== 'false' && Enable !== 0 })),
      SetCallData: onContact('CONTACT.SetCallData', (Data) => ({ data: Data })),
      StartRecording: onContact('CONTACT.StartRecording', (CallRecorders, CallData, Message) => ({ callRecorders: CallRecorders, callData: CallData, message: Message })),
      StopRecording: onContact('CONTACT.StopRecording', (CallRecorders) => ({ callRecorders: CallRecorders })),
      Transfer(ContactID, Target, TargetType, Mode) {
        return transfer(Mode === 'consult' ? 'consult' : 'blind')(ContactID, Target, TargetType);
      },
      BlindTransfer: transfer('blind'),
      ConsultTransfer: transfer('consult'),
      CompleteTransfer: onContact('CONTACT.TransferComplete'),
      CancelTransfer: onContact('CONTACT.TransferCancel'),
      Conference: onContact('CONTACT.Conference'),
      GetContacts: () => client.contacts(),
      GetContact: (ContactID) => client.contact(ContactID),
    },

    AGENT: {
      Ready: () => run('AGENT.Ready'),
      // Pause() / Pause(null) / Pause(0): generic PAUSE; otherwise a pause
      // code, never silently turned into a generic pause.
      Pause(Code) {
        if (Code === undefined || Code === null || Code === '' || Code === 0 || Code === '0') return run('AGENT.Pause', {});
        const n = +Code;
        if (!Number.isInteger(n) || n <= 0) return bad('AGENT.Pause: Code must be a positive pause code, got ' + String(Code));
        return run('AGENT.Pause', { code: n });
      },
      Logout: () => run('AGENT.Logout'),
      GetState: () => run('AGENT.GetState'),
      GetPauseCodes: () => run('AGENT.GetPauseCodes'),
      GetSnapshot: () => run('AGENT.Snapshot'),
    },

    CHAT: {
      SendMessage(ContactID, Text) {
        if (!id(ContactID) || !id(Text).trim()) return bad('CHAT.SendMessage: ContactID and Text required');
        return run('CHAT.Send', { contactId: id(ContactID), text: id(Text) });
      },
      GetMessages(ContactID) {
        const c = client.contact(ContactID);
        return c && c.messages ? c.messages.slice() : [];
      },
      bindMessageCallback(fn) {
        if (!client.events.has('CHATMESSAGE', fn)) on('CHATMESSAGE', fn);
      },
      unbindMessageCallback: (fn) => client.events.off('CHATMESSAGE', fn),
    },

    WIDGET: {
      // bindContactCallback(fn[, {replay:true}]): fn gets every contact and
      // agent event; binding the same fn twice keeps one registration.
      bindContactCallback(fn, opts) {
        if (typeof fn !== 'function' || client.events.has('*', fn)) return;
        on('*', fn);
        if (opts && opts.replay) replay(fn);
      },
      unbindContactCallback: (fn) => client.events.off('*', fn),
      bindDataCallback(fn) {
        if (!client.events.has('WIDGETDATA', fn)) on('WIDGETDATA', fn);
      },
      unbindDataCallback: (fn) => client.events.off('WIDGETDATA', fn),
      getContainerID: () => widget(),
      getToken: () => env.token(),
      getTokenOneShot: () => SPromise.resolve(env.token()),
      sendDataToWidget(WidgetID, Data) {
        if (!id(WidgetID)) return false;
        return client.relay('WIDGET.Data', { widget: widget(), data: Data === undefined ? null : Data }, id(WidgetID));
      },
    },

    TAB: {
      GoTo: (WidgetID) => tab('GoTo', { target: id(WidgetID) || widget() }),
      Badge: (Count) => tab('Badge', { count: Math.max(0, Math.floor(+Count) || 0) }),
      Open: (TabID, Title, Url) => tab('Open', { tab: id(TabID), title: id(Title), url: id(Url) }),
      Focus: (TabID) => tab('Focus', { tab: id(TabID) }),
      Close: (TabID) => tab('Close', { tab: id(TabID) }),
      SetTitle: (Title, TabID) => tab('Title', { tab: id(TabID), title: id(Title) }),
    },

    ALERT,

    UI: {
      bindDialogCallback(fn) {
        for (const n of ['DIALOGOPENED', 'DIALOGCLOSED']) if (!client.events.has(n, fn)) on(n, fn);
      },
      unbindDialogCallback(fn) {
        client.events.off('DIALOGOPENED', fn);
        client.events.off('DIALOGCLOSED', fn);
      },
      DialogOpened: (Name, Data) => client.relay('UI.DialogOpened', { dialog: id(Name), data: Data === undefined ? null : Data }),
      DialogClosed: (Name, Data) => client.relay('UI.DialogClosed', { dialog: id(Name), data: Data === undefined ? null : Data }),
    },
  };
  AD.CONTACT.TransferComplete = AD.CONTACT.CompleteTransfer;
  AD.CONTACT.TransferCancel = AD.CONTACT.CancelTransfer;
  AD.CHAT.Send = AD.CHAT.SendMessage;
  return AD;
}
