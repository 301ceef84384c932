// TypeScript declarations for the crmframe AGENTDESKTOP SDK (docs/sdk.md).
// The SDK is injected by crmframe into every CRM page as window.AGENTDESKTOP.
// Names in PascalCase are AgentDesktop-compatible; the lower-case modern
// layer and everything marked "crmframe extension" are ours.

export type MediaType = 'telephony' | 'chat' | 'channel';
export type ContactType = 'inbound' | 'outbound' | 'callTask' | 'internal';
export type ContentType = 'email' | 'object';
export type JobType = 'inbound' | 'manual' | 'outbound' | 'previewAgent' | 'previewQueue' | 'predictive';
export type JobState = 'online' | 'offline';
/** crmframe extension: the contact's life-cycle state. */
export type ContactState = 'queued' | 'offered' | 'preview' | 'dialing' | 'online' | 'offline' | 'finished';
/** The phase of JOBCHANGED / JOBSTARTED (crmframe's decision: spec §3.2). */
export type JobPhase = 'setup' | 'online' | 'offline';

export type MediaEventName =
  | 'CONNECTIONSTARTED' | 'RINGING' | 'DIALING' | 'DATACHANGED' | 'ESTABLISHED' | 'HELD' | 'RETRIEVED' | 'CONNECTIONCLEARED';
export type AcdEventName = 'JOBSCHEDULED' | 'JOBCHANGED' | 'JOBSTARTED' | 'JOBFINISHED';
/** crmframe extensions carried on the same stream. */
export type ExtensionEventName = 'CHATMESSAGE' | 'RECORDINGSTARTED' | 'RECORDINGSTOPPED' | 'PARTYCHANGED';
export type ContactEventName = MediaEventName | AcdEventName | 'POPUP' | ExtensionEventName;
export type AgentState = 'LOGGEDIN' | 'PAUSE' | 'PAUSESUBSTATE' | 'FORCED' | 'LOGGEDOUT';
export type AgentEventName = AgentState;
export type EngineEventName = ContactEventName | AgentEventName;

export interface ChatMessage {
  from: 'agent' | 'customer';
  text: string;
  /** ms since the Unix epoch */
  time: number;
}

/** crmframe extension: a consulted / conferenced party. */
export interface Party {
  kind: 'agent' | 'queue' | 'number';
  target: string;
  contact?: string;
  state: 'consulting' | 'connected' | 'conference';
}

/** A contact as held in the live snapshot (spec §3.5 fields plus extensions). */
export interface Contact {
  /** the contact's CT7 identifier */
  id: string;
  uuid: string;
  chat_id?: string;
  type: ContactType;
  media_type: MediaType;
  content_type?: ContentType;
  content_description?: string;
  job_type: JobType;
  job_state?: JobState;
  /** always present; "" when none */
  service: string;
  /** always present; "" when unknown */
  ani: string;
  /** always present; "" when unknown */
  dnis: string;
  /** always present; "" when the contact was never queued */
  queue: string;
  /** from CONNECTIONCLEARED on */
  reason?: string;
  isACD: boolean;
  startTime?: number;
  endTime?: number;
  offlineStartTime?: number;
  offlineEndTime?: number;
  // ---- crmframe extensions ----
  call_data?: Record<string, string>;
  /** the owning agent's id */
  agent?: string;
  state: ContactState;
  held: boolean;
  recording: boolean;
  offline_enabled: boolean;
  priority?: number;
  createdTime: number;
  transferred_from?: string;
  peer?: string;
  parties?: Party[];
  /** last 50 chat lines (chat contacts) */
  messages?: ChatMessage[];
  last_event?: ContactEventName;
}

/** Every contact event: the contact's fields at that moment plus the event name. */
export interface ContactEvent extends Omit<Contact, 'messages' | 'last_event'> {
  event: ContactEventName;
  /** ms since the Unix epoch */
  time: number;
  /** JOBCHANGED / JOBSTARTED: setup | online | offline */
  phase?: JobPhase;
  /** DATACHANGED: the CallData keys whose value changed (PARTYCHANGED tells other field changes, e.g. a consultation call taking over the customer) */
  changed?: string[];
  /** CHATMESSAGE: the new line */
  message?: ChatMessage;
  /** set on events synthesised by bindContactCallback(fn, {replay:true}) */
  replayed?: boolean;
}

export interface AgentEvent {
  event: AgentEventName;
  time: number;
  /** agent id */
  agent: string;
  name?: string;
  state: AgentState;
  /** PAUSESUBSTATE: the sub-state code (e.g. 1701) */
  code?: number;
  label?: string;
  /** e.g. "disconnected" for a forced logout */
  reason?: string;
  replayed?: boolean;
}

export type EngineEvent = ContactEvent | AgentEvent;

export interface Agent {
  id: string;
  name?: string;
  state: AgentState;
  code?: number;
  label?: string;
  reason?: string;
  /** ms since the Unix epoch of the last state change */
  since: number;
  queues?: string[];
  capacity?: Record<string, number>;
  busy?: Record<string, number>;
  connections?: number;
}

export interface PauseCode {
  code: number;
  label: string;
}

export type ConnectionStatusName = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface ConnectionStatus {
  status: ConnectionStatusName;
  /** ms since the Unix epoch when this status began */
  since: number;
  previous?: ConnectionStatusName;
  /** consecutive failed attempts */
  attempt: number;
  /** connected: when */
  connectedAt?: number;
  /** connected: whether the stream resumed gap-free (false: fresh snapshot) */
  resumed?: boolean;
  /** connected after a resume: events replayed */
  replayed?: number;
  /** WebSocket close code of the last connection */
  code?: number;
  reason?: string;
  /** reconnecting: ms until the next attempt */
  retryIn?: number;
}

export interface SnapshotEvent {
  agent: Agent | null;
  contacts: Contact[];
  resumed: false;
  reason: 'fresh' | 'history_lost';
}

export interface ResumePoint {
  epoch: string;
  seq: number;
}

export type ErrorCode =
  // engine
  | 'bad_request' | 'not_found' | 'invalid_state' | 'forbidden' | 'unsupported' | 'unavailable' | 'unknown_command' | 'internal'
  // SDK
  | 'timeout' | 'not_connected' | 'queue_full' | 'disconnected' | 'bad_argument' | 'protocol_error';

export interface AgentDesktopError extends Error {
  name: 'AgentDesktopError';
  code: ErrorCode;
  message: string;
}

/** AGENTDESKTOP.AgentDesktopError: every rejected command is an instance. */
export interface AgentDesktopErrorConstructor {
  new (code: ErrorCode, message?: string): AgentDesktopError;
  readonly prototype: AgentDesktopError;
}

/** AGENTDESKTOP.Errors: every error code as a constant. */
export interface ErrorCodes {
  readonly BAD_REQUEST: 'bad_request';
  readonly NOT_FOUND: 'not_found';
  readonly INVALID_STATE: 'invalid_state';
  readonly UNSUPPORTED: 'unsupported';
  readonly UNAVAILABLE: 'unavailable';
  readonly FORBIDDEN: 'forbidden';
  readonly UNKNOWN_COMMAND: 'unknown_command';
  readonly INTERNAL: 'internal';
  readonly TIMEOUT: 'timeout';
  readonly NOT_CONNECTED: 'not_connected';
  readonly QUEUE_FULL: 'queue_full';
  readonly DISCONNECTED: 'disconnected';
  readonly BAD_ARGUMENT: 'bad_argument';
  readonly PROTOCOL: 'protocol_error';
}

export interface RelayMessage {
  name: string;
  /** "kind:id" of the sending page, e.g. "widget:crm" or "desktop:shell" */
  from: string;
  to?: string;
  data: unknown;
}

export interface WidgetDataEvent {
  event: 'WIDGETDATA';
  /** the sending widget id */
  widget: string;
  data: unknown;
  from: string;
}

export interface DialogEvent {
  event: 'DIALOGOPENED' | 'DIALOGCLOSED';
  /** e.g. "accept" for the Accept/Reject popup */
  dialog: string;
  data: unknown;
  from: string;
}

export type AlertLevel = 'info' | 'success' | 'warning' | 'error';

export interface AlertOptions {
  title: string;
  text?: string;
  level?: AlertLevel;
  /** ms; 0 keeps it until hidden. Default 5000. */
  timeout?: number;
  id?: string;
}

export interface AlertShown {
  id: string;
  /** shell: shown by the desktop shell; page: in-page fallback panel; none: no document to draw in */
  where: 'shell' | 'page' | 'none';
}

export interface SdkEventMap {
  status: ConnectionStatus;
  snapshot: SnapshotEvent;
  relay: RelayMessage;
  error: AgentDesktopError;
  WIDGETDATA: WidgetDataEvent;
  DIALOGOPENED: DialogEvent;
  DIALOGCLOSED: DialogEvent;
}

export type AgentEventMap = { [K in AgentEventName]: AgentEvent };
export type ContactEventMap = { [K in ContactEventName]: ContactEvent };
export type EventMap = SdkEventMap & AgentEventMap & ContactEventMap & { '*': EngineEvent };
export type EventName = keyof EventMap;

export interface ReadyState {
  agent: Agent | null;
  contacts: Contact[];
}

export interface CommandOptions {
  /** ms, default 10000 */
  timeout?: number;
}

export interface ConnectOptions {
  /** origin of the crmframe-proxied CRM, e.g. "https://crm.desk.example.com" (default: this page's origin) */
  origin?: string;
  /** agent token (JWT), sent as ?token= */
  token?: string;
  /** path prefix, default "/__crmframe" */
  prefix?: string;
  client?: { kind: 'widget' | 'desktop' | 'sdk'; id: string };
  /** sessionStorage key for resume bookkeeping */
  storageKey?: string;
}

export type Listener<T> = (event: T) => void;
/** A contact or agent event callback (bindContactCallback). */
export type ContactCallback = Listener<EngineEvent>;

export interface ContactNamespace {
  MakeCall(DestinationNumber: string, ResourceType?: string, ServiceID?: string | number, CallProfileID?: string | number, CallData?: string | Record<string, string>): Promise<Contact>;
  Answer(ContactID: string): Promise<Contact>;
  /** crmframe extension: refuse an offered contact. */
  Reject(ContactID: string): Promise<Contact>;
  /** Without an id: the contact in progress. */
  Hangup(ContactID?: string): Promise<Contact>;
  HangupByContactID(ContactID: string): Promise<Contact>;
  /** Toggles hold; the second argument (crmframe extension) forces it. */
  Hold(ContactID: string, On?: boolean): Promise<Contact>;
  /** crmframe extension */
  Retrieve(ContactID: string): Promise<Contact>;
  OfflineEnd(ContactID: string): Promise<Contact>;
  OfflineEnable(ContactID: string, Enable: boolean): Promise<Contact>;
  SetCallData(ContactID: string, Data: string | Record<string, string>): Promise<Contact>;
  StartRecording(ContactID: string, CallRecorders?: string, CallData?: string | Record<string, string>, Message?: string): Promise<Contact>;
  StopRecording(ContactID: string, CallRecorders?: string): Promise<Contact>;
  /** Target "agent:<id>", "queue:<name>" or a number; or give TargetType. */
  Transfer(ContactID: string, Target: string, TargetType?: 'agent' | 'queue' | 'number', Mode?: 'blind' | 'consult'): Promise<Contact>;
  /** Rejects with `unavailable` when an ACD contact's target agent is paused (PAUSE, PAUSESUBSTATE, FORCED): a paused agent is scheduled for nothing. */
  BlindTransfer(ContactID: string, Target: string, TargetType?: 'agent' | 'queue' | 'number'): Promise<Contact>;
  ConsultTransfer(ContactID: string, Target: string, TargetType?: 'agent' | 'queue' | 'number'): Promise<Contact>;
  CompleteTransfer(ContactID: string): Promise<Contact>;
  CancelTransfer(ContactID: string): Promise<Contact>;
  TransferComplete(ContactID: string): Promise<Contact>;
  TransferCancel(ContactID: string): Promise<Contact>;
  Conference(ContactID: string): Promise<Contact>;
  GetContacts(): Contact[];
  GetContact(ContactID: string): Contact | null;
}

export interface AgentNamespace {
  Ready(): Promise<Agent>;
  /** Without a code: generic PAUSE; with one: PAUSESUBSTATE [code]. */
  Pause(Code?: number | string): Promise<Agent>;
  Logout(): Promise<Agent>;
  GetState(): Promise<Agent>;
  GetPauseCodes(): Promise<PauseCode[]>;
  GetSnapshot(): Promise<{ epoch: string; seq: number; agent: Agent; contacts: Contact[] }>;
}

export interface ChatNamespace {
  SendMessage(ContactID: string, Text: string): Promise<Contact>;
  Send(ContactID: string, Text: string): Promise<Contact>;
  GetMessages(ContactID: string): ChatMessage[];
  bindMessageCallback(fn: Listener<ContactEvent>): void;
  unbindMessageCallback(fn: Listener<ContactEvent>): void;
}

export interface WidgetNamespace {
  /** replay (crmframe extension): once ready, fn also gets the agent state as an AgentEvent (no `id`) and each current contact as a ContactEvent without `time`, all with `replayed: true`. */
  bindContactCallback(fn: ContactCallback, options?: { replay?: boolean }): void;
  unbindContactCallback(fn: ContactCallback): void;
  bindDataCallback(fn: Listener<WidgetDataEvent>): void;
  unbindDataCallback(fn: Listener<WidgetDataEvent>): void;
  getContainerID(): string;
  getToken(): string;
  getTokenOneShot(): Promise<string>;
  /** false when not connected */
  sendDataToWidget(WidgetID: string, Data: unknown): boolean;
}

/** Relayed to the desktop shell; each returns false when not connected. */
export interface TabNamespace {
  GoTo(WidgetID: string): boolean;
  Badge(Count: number): boolean;
  Open(TabID: string, Title: string, Url?: string): boolean;
  Focus(TabID?: string): boolean;
  Close(TabID: string): boolean;
  SetTitle(Title: string, TabID?: string): boolean;
}

export interface AlertNamespace {
  Show(Title: string, Text?: string, Level?: AlertLevel, Timeout?: number): Promise<AlertShown>;
  Show(options: AlertOptions): Promise<AlertShown>;
  Hide(AlertID?: string): boolean;
}

export interface UiNamespace {
  bindDialogCallback(fn: Listener<DialogEvent>): void;
  unbindDialogCallback(fn: Listener<DialogEvent>): void;
  DialogOpened(Name: string, Data?: unknown): boolean;
  DialogClosed(Name: string, Data?: unknown): boolean;
}

export interface AgentDesktopSDK {
  readonly __crmframe: true;
  readonly version: string;
  readonly Errors: ErrorCodes;
  readonly AgentDesktopError: AgentDesktopErrorConstructor;

  /** Registers fn once per call; the returned function removes this registration. */
  on<K extends EventName>(name: K, fn: Listener<EventMap[K]>): () => void;
  once<K extends EventName>(name: K, fn: Listener<EventMap[K]>): () => void;
  off<K extends EventName>(name: K, fn?: Listener<EventMap[K]>): void;
  /** Resolves once the first snapshot (or resume replay) is in. */
  ready(): Promise<ReadyState>;
  getAgent(): Agent | null;
  getContacts(): Contact[];
  getContact(id: string): Contact | null;
  getStatus(): ConnectionStatus;
  getResumePoint(): ResumePoint | null;
  command<T = unknown>(name: string, args?: Record<string, unknown>, options?: CommandOptions): Promise<T>;
  relay(name: string, data?: unknown, to?: string): boolean;
  /** Resolves with this connection's state once connected (at once when already connected); rejects with not_connected when disconnect() comes first or the connection fails for good. */
  connect(options?: ConnectOptions): Promise<ReadyState>;
  disconnect(forget?: boolean): void;

  CONTACT: ContactNamespace;
  AGENT: AgentNamespace;
  CHAT: ChatNamespace;
  WIDGET: WidgetNamespace;
  TAB: TabNamespace;
  ALERT: AlertNamespace;
  UI: UiNamespace;
}

declare global {
  interface Window {
    AGENTDESKTOP: AgentDesktopSDK;
  }
  const AGENTDESKTOP: AgentDesktopSDK;
}
