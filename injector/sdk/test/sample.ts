// A sample integration type-checked against agentdesktop.d.ts
// (`npm test --prefix injector/sdk/test` runs tsc --noEmit on it).
import type { AgentDesktopError, ContactEvent, EngineEvent, ConnectionStatus, Contact } from '../agentdesktop';

const AD = window.AGENTDESKTOP;

// AgentDesktop-style: one callback for contact and agent events.
function onEvent(ev: EngineEvent): void {
  switch (ev.event) {
    case 'POPUP':
    case 'ESTABLISHED': {
      const c = ev as ContactEvent;
      openCustomer(c.ani ?? '', c.id);
      break;
    }
    case 'JOBCHANGED': {
      const c = ev as ContactEvent;
      if (c.phase === 'offline') AD.CONTACT.OfflineEnable(c.id, true);
      break;
    }
    case 'PAUSESUBSTATE':
      console.log('pause code', 'code' in ev ? ev.code : undefined);
      break;
  }
}
AD.WIDGET.unbindContactCallback(onEvent);
AD.WIDGET.bindContactCallback(onEvent);
AD.WIDGET.bindContactCallback(onEvent, { replay: true });

// Compat calls, ignoring the result as old widgets do.
AD.CONTACT.MakeCall('0612345678', undefined, 12, undefined, 'ORDER=42;LANG=it');
AD.CONTACT.SetCallData('k1', 'KEY=value');
AD.TAB.Badge(2);
AD.TAB.GoTo('AGENTDESKTOP_MY_WIDGET');
AD.WIDGET.sendDataToWidget('AGENTDESKTOP_MY_WIDGET', { ticket: 7 });
const container: string = AD.WIDGET.getContainerID();

// Modern layer.
async function main(): Promise<void> {
  const { agent, contacts } = await AD.ready();
  console.log(container, agent?.state, contacts.length);
  const current: Contact | undefined = AD.getContacts().find((c) => c.state === 'online');
  if (current) openCustomer(current.ani ?? '', current.id);

  AD.on('status', (s: ConnectionStatus) => console.log(s.status, new Date(s.since)));
  AD.on('RINGING', (e) => console.log('ringing from', e.ani, e.media_type));
  AD.on('LOGGEDIN', (e) => console.log('agent', e.agent, e.state));
  AD.once('CHATMESSAGE', (e) => console.log(e.message?.from, e.message?.text));
  const off = AD.on('*', (e) => console.log(e.event));
  off();

  try {
    const codes = await AD.AGENT.GetPauseCodes();
    await AD.AGENT.Pause(codes[0]?.code);
    const c = await AD.CONTACT.Hold('k1');
    console.log(c.held, c.parties?.[0]?.state);
    await AD.command('CONTACT.Hold', { contactId: 'k1', hold: false }, { timeout: 2000 });
  } catch (err) {
    const e = err as AgentDesktopError;
    if (e.code === 'invalid_state' || e.code === 'timeout' || e.code === 'queue_full') console.warn(e.message);
  }
  const shown = await AD.ALERT.Show({ title: 'Customer VIP', text: 'Be nice', level: 'warning', timeout: 0 });
  if (shown.where === 'page') AD.ALERT.Hide(shown.id);
  AD.UI.bindDialogCallback((d) => console.log(d.event, d.dialog));
}

function openCustomer(phone: string, id: string): void {
  location.assign('/customers?phone=' + encodeURIComponent(phone) + '&contact=' + encodeURIComponent(id));
}

void main();
