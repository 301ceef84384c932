// Package engine is crmframe's embedded contact engine: agents, queues and an
// ACD, contact life-cycles for every media and job type of the AgentDesktop
// contract, a per-agent ordered event log (Broker) and the WebSocket hub that
// streams it to the injected SDK and the desktop shell, plus an HTTP API for
// operators and real CTIs and a demo traffic simulator.
//
// Concurrency: one mutex guards all engine state. Events are encoded and
// published to the Broker while it is held, which gives every agent a single
// total order; delivery to connections never blocks (bounded queues).
// It never imports Caddy; the caddymodule package adapts it.
package engine

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Engine holds agents, queues and contacts.
type Engine struct {
	mu       sync.Mutex
	cfg      Config
	clock    Clock
	broker   Broker
	obs      Observer
	agents   map[string]*agent
	queues   map[string]*queue
	qnames   []string
	contacts map[string]*contact // not finished
	recent   []*contact          // finished, newest last, bounded
	recentBy map[string]*contact
	pause    map[int]string
	idPrefix string
	nextID   uint64
	waitSeq  uint64
	closed   bool
	conns    map[*conn]struct{} // attached (hello answered)
	pending  map[*conn]struct{} // upgraded, no hello yet: Close must reach them too
	sim      *Simulator
}

const maxRecent = 1000

type agent struct {
	id, name  string
	state     string
	code      int
	label     string
	reason    string
	since     time.Time
	queues    []string
	capacity  map[string]int
	contacts  map[string]*contact
	idleSince map[string]time.Time
	conns     int
	grace     Timer
	graceGen  uint64
	// loggedOutAt is the wall-clock time of the last explicit logout
	// (AGENT.Logout, API LOGGEDOUT): older tokens are refused.
	loggedOutAt time.Time
}

type queue struct {
	name, service string
	agents        []string
}

type contact struct {
	v            Contact
	agent        *agent
	queue        *queue
	targetAgent  string // previewAgent
	waitSeq      uint64
	createdSeq   uint64 // creation order: "oldest first" even within one millisecond
	enqueuedAt   time.Time
	queuedOnce   bool
	excluded     map[string]bool
	timer        Timer
	timerGen     uint64
	popupSent    bool
	established  time.Time
	offlineAt    time.Time
	acwExtended  bool
	peer         *contact // internal call: the other side
	consultOf    *contact // consult leg: the original customer contact
	wasConnected bool
}

// Option customises New.
type Option func(*Engine)

// WithClock injects a clock (tests use NewFakeClock).
func WithClock(c Clock) Option { return func(e *Engine) { e.clock = c } }

// WithBroker injects a broker (default: NewMemoryBroker(cfg.HistoryLength)).
func WithBroker(b Broker) Option { return func(e *Engine) { e.broker = b } }

// WithObserver installs metrics/log hooks.
func WithObserver(o Observer) Option { return func(e *Engine) { e.obs = o } }

// New validates cfg and returns an engine. Call Start to run the simulator
// (when configured) and Close to stop.
func New(cfg Config, opts ...Option) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.Defaults()
	e := &Engine{
		cfg: cfg, clock: RealClock{}, obs: NopObserver{},
		agents: map[string]*agent{}, queues: map[string]*queue{},
		contacts: map[string]*contact{}, recentBy: map[string]*contact{},
		pause: map[int]string{}, conns: map[*conn]struct{}{}, pending: map[*conn]struct{}{},
	}
	for _, o := range opts {
		o(e)
	}
	if e.broker == nil {
		e.broker = NewMemoryBroker(cfg.HistoryLength)
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	e.idPrefix = hex.EncodeToString(b[:])
	e.applyStaffingLocked(cfg)
	return e, nil
}

// applyStaffingLocked installs cfg's pause codes, configured agents (names,
// capacities) and queues with their members.
func (e *Engine) applyStaffingLocked(cfg Config) {
	e.pause = map[int]string{}
	for _, p := range cfg.PauseCodes {
		e.pause[p.Code] = p.Label
	}
	for _, ac := range cfg.Agents {
		a := e.agentLocked(ac.ID)
		if ac.Name != "" {
			a.name = ac.Name
		}
		for k, v := range ac.Capacity {
			a.capacity[k] = v
		}
	}
	e.queues = map[string]*queue{}
	e.qnames = nil
	for _, qc := range cfg.Queues {
		q := &queue{name: qc.Name, service: qc.Service, agents: append([]string(nil), qc.Agents...)}
		e.queues[q.name] = q
		e.qnames = append(e.qnames, q.name)
		for _, id := range qc.Agents {
			a := e.agentLocked(id)
			a.queues = append(a.queues, q.name)
		}
	}
	sort.Strings(e.qnames)
}

// Config returns the effective (defaulted) configuration.
func (e *Engine) Config() Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// Broker returns the engine's broker.
func (e *Engine) Broker() Broker { return e.broker }

// Clock returns the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

// Start starts the simulator when cfg.Simulate.Enabled.
func (e *Engine) Start() {
	e.mu.Lock()
	if e.cfg.Simulate.Enabled && e.sim == nil {
		e.sim = NewSimulator(e, e.cfg.Simulate)
	}
	s := e.sim
	e.mu.Unlock()
	if s != nil {
		s.Start()
	}
}

// Close stops the simulator and tells every WebSocket connection to
// reconnect (close code 1012), also those that have not sent hello yet.
// It returns once each connection's close frame is written, or after
// closeWait (at most write_timeout) at the latest: the process usually
// exits right after, and a frame not yet written would reach the agent as
// 1006. Engine state is left as it is.
func (e *Engine) Close() {
	e.mu.Lock()
	s := e.sim
	e.closed = true
	bound := min(closeWait, e.cfg.WriteTimeout)
	conns := make([]*conn, 0, len(e.conns)+len(e.pending))
	for c := range e.conns {
		conns = append(conns, c)
	}
	for c := range e.pending {
		conns = append(conns, c)
	}
	e.mu.Unlock()
	if s != nil {
		s.Stop()
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		c.shutdown(CloseServiceRestart, "server restarting, reconnect", &wg)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		// A peer that stopped reading holds its writer: drop the rest.
		for _, c := range conns {
			c.abandon()
		}
	}
}

// closeWait bounds how long Close waits for the close frames.
const closeWait = time.Second

func (e *Engine) now() time.Time { return e.clock.Now() }

func (e *Engine) agentLocked(id string) *agent {
	a := e.agents[id]
	if a == nil {
		a = &agent{id: id, state: StateLoggedOut, since: e.now(), contacts: map[string]*contact{},
			idleSince: map[string]time.Time{}, capacity: map[string]int{}}
		for k, v := range e.cfg.Capacity {
			a.capacity[k] = v
		}
		e.agents[id] = a
	}
	return a
}

func (e *Engine) newID() string {
	e.nextID++
	return e.idPrefix + "-" + strconv.FormatUint(e.nextID, 10)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ---- views ----

func (a *agent) view() Agent {
	v := Agent{ID: a.id, Name: a.name, State: a.state, Code: a.code, Label: a.label, Reason: a.reason,
		Since: ms(a.since), Queues: append([]string(nil), a.queues...), Capacity: map[string]int{}, Busy: map[string]int{},
		Connections: a.conns}
	for k, n := range a.capacity {
		v.Capacity[k] = n
		v.Busy[k] = 0
	}
	for _, c := range a.contacts {
		v.Busy[c.v.MediaType]++
	}
	return v
}

func (c *contact) view() *Contact {
	v := c.v
	if c.v.CallData != nil {
		v.CallData = make(map[string]string, len(c.v.CallData))
		for k, x := range c.v.CallData {
			v.CallData[k] = x
		}
	}
	v.Parties = append([]Party(nil), c.v.Parties...)
	v.Messages = append([]ChatMessage(nil), c.v.Messages...)
	return &v
}

// ---- publishing ----

func (e *Engine) publish(agentID, name string, v any) {
	data, err := json.Marshal(v)
	if err != nil { // cannot happen with our types; never publish half an event
		panic(fmt.Sprintf("engine: marshal %s: %v", name, err))
	}
	e.broker.Publish(agentID, name, data)
	e.obs.EventPublished(name)
}

// emit publishes a contact event on the owning agent's stream.
func (e *Engine) emit(c *contact, name, phase string, mod func(*ContactEvent)) {
	if c.agent == nil {
		return
	}
	v := c.v
	v.Messages = nil // chat history travels in snapshots, not in every event
	v.LastEvent = ""
	ev := &ContactEvent{Event: name, Time: ms(e.now()), Phase: phase, Contact: &v}
	// The contract makes these fields equal to their event's time: reuse
	// the reading that set the field (the clock may have moved on since).
	if t := eventTimeField(name, phase, &v); t != 0 {
		ev.Time = t
	}
	if mod != nil {
		mod(ev)
	}
	c.v.LastEvent = name
	e.publish(c.agent.id, name, ev)
}

// eventTimeField returns the field that must equal the time of event
// name (docs/events.md), 0 for other events.
func eventTimeField(name, phase string, v *Contact) int64 {
	switch {
	case name == EvEstablished:
		return v.StartTime
	case name == EvConnectionCleared:
		return v.EndTime
	case name == EvJobChanged && phase == PhaseOffline:
		return v.OfflineStartTime
	case name == EvJobFinished:
		return v.OfflineEndTime
	}
	return 0
}

func (e *Engine) setAgentState(a *agent, state string, code int, reason string) {
	from := a.state
	a.state, a.code, a.reason, a.since = state, code, reason, e.now()
	a.label = ""
	if state == StatePauseSubstate {
		a.label = e.pause[code]
	}
	if state == StateLoggedIn {
		for m := range a.capacity {
			if _, ok := a.idleSince[m]; !ok || from != StateLoggedIn {
				a.idleSince[m] = a.since
			}
		}
	}
	e.obs.AgentState(a.id, from, state, code)
	e.publish(a.id, state, &AgentEvent{Event: state, Time: ms(a.since), Agent: a.id, Name: a.name,
		State: state, Code: a.code, Label: a.label, Reason: reason})
	if state == StateLoggedIn {
		e.route()
	}
}

func (e *Engine) setState(c *contact, st string) {
	if c.v.State == st {
		return
	}
	e.obs.ContactPhase(c.v.MediaType, c.v.State, st)
	c.v.State = st
}

func (e *Engine) stopTimer(c *contact) {
	c.timerGen++
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

// after runs f under the engine lock after d unless c's timer is replaced.
func (e *Engine) after(c *contact, d time.Duration, f func()) {
	e.stopTimer(c)
	gen := c.timerGen
	c.timer = e.clock.AfterFunc(d, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if c.timerGen != gen || c.v.State == CStateFinished {
			return
		}
		c.timer = nil
		f()
	})
}

// ---- ACD ----

func (e *Engine) enqueue(c *contact, q *queue) {
	c.queue = q
	c.v.Queue = q.name
	if c.v.Service == "" {
		c.v.Service = q.service
	}
	if !c.queuedOnce {
		c.queuedOnce = true
		c.enqueuedAt = e.now()
		e.obs.QueueOffered(q.name, c.v.MediaType)
	}
	e.waitSeq++
	c.waitSeq = e.waitSeq
	c.agent = nil
	c.v.Agent = ""
	c.v.JobState = ""
	e.setState(c, CStateQueued)
	e.contacts[c.v.ID] = c
}

// waiting returns queued contacts in routing order: priority, then FIFO.
func (e *Engine) waiting() []*contact {
	var w []*contact
	for _, c := range e.contacts {
		if c.v.State == CStateQueued {
			w = append(w, c)
		}
	}
	sort.Slice(w, func(i, j int) bool {
		if w[i].v.Priority != w[j].v.Priority {
			return w[i].v.Priority > w[j].v.Priority
		}
		return w[i].waitSeq < w[j].waitSeq
	})
	return w
}

func (a *agent) busy(media string) int {
	n := 0
	for _, c := range a.contacts {
		if c.v.MediaType == media {
			n++
		}
	}
	return n
}

// liveTelephony counts telephony contacts not in After Call Work.
func (a *agent) liveTelephony() int {
	n := 0
	for _, c := range a.contacts {
		if c.v.MediaType == MediaTelephony && c.v.State != CStateOffline {
			n++
		}
	}
	return n
}

func (e *Engine) pickAgent(c *contact) *agent {
	var cands []string
	if c.targetAgent != "" {
		cands = []string{c.targetAgent}
	} else if c.queue != nil {
		cands = c.queue.agents
	}
	var best *agent
	for _, id := range cands {
		a := e.agents[id]
		if a == nil || a.state != StateLoggedIn {
			continue
		}
		if a.busy(c.v.MediaType) >= a.capacity[c.v.MediaType] {
			continue
		}
		if c.v.MediaType == MediaTelephony && a.liveTelephony() > 0 {
			continue
		}
		if better(c, a, best) {
			best = a
		}
	}
	return best
}

// better reports whether a beats b for c: agents who did not refuse c first,
// then the longest idle for c's media, then the smallest id.
func better(c *contact, a, b *agent) bool {
	if b == nil {
		return true
	}
	if c.excluded[a.id] != c.excluded[b.id] {
		return !c.excluded[a.id]
	}
	m := c.v.MediaType
	if !a.idleSince[m].Equal(b.idleSince[m]) {
		return a.idleSince[m].Before(b.idleSince[m])
	}
	return a.id < b.id
}

func (e *Engine) route() {
	for _, c := range e.waiting() {
		if a := e.pickAgent(c); a != nil {
			e.offer(c, a)
		}
	}
}

func (e *Engine) assign(c *contact, a *agent) {
	c.agent = a
	c.v.Agent = a.id
	a.contacts[c.v.ID] = c
	c.popupSent = false
	c.v.Reason = ""
	c.v.StartTime, c.v.EndTime, c.v.OfflineStartTime, c.v.OfflineEndTime = 0, 0, 0, 0
	c.wasConnected = false
	c.v.Held = false
	c.v.Recording = false
}

// offer hands a queued (or directly targeted) contact to an agent.
func (e *Engine) offer(c *contact, a *agent) {
	e.assign(c, a)
	c.v.JobState = ""
	preview := c.v.JobType == "previewAgent" || c.v.JobType == "previewQueue"
	// The state first: JOBSCHEDULED already carries offered/preview.
	if preview {
		e.setState(c, CStatePreview)
	} else {
		e.setState(c, CStateOffered)
	}
	if c.v.IsACD {
		e.emit(c, EvJobScheduled, "", nil)
	}
	if !preview {
		e.emit(c, EvConnectionStarted, "", nil)
		e.emit(c, EvRinging, "", nil)
	}
	if c.v.IsACD {
		e.emit(c, EvJobChanged, PhaseSetup, nil)
	}
	if e.cfg.PopupOn == PopupOnRinging {
		e.popup(c)
	}
	e.after(c, e.cfg.NoAnswerTimeout, func() { e.noAnswer(c) })
}

func (e *Engine) popup(c *contact) {
	if !c.popupSent {
		c.popupSent = true
		e.emit(c, EvPopup, "", nil)
	}
}

// unassign ends an offer that was not accepted: the agent's stream gets
// CONNECTIONCLEARED (reason) and JOBFINISHED; then the contact is re-queued
// (queued ACD contacts, when requeue) or finished.
func (e *Engine) unassign(c *contact, reason string, requeue bool) {
	e.stopTimer(c)
	a := c.agent
	now := ms(e.now())
	c.v.Reason = reason
	c.v.EndTime = now
	// The contact is over on this workstation: offline in the CTI (as
	// after any CONNECTIONCLEARED); the offline times belong to JOBFINISHED.
	c.v.JobState = PhaseOffline
	if c.v.State != CStatePreview {
		e.emit(c, EvConnectionCleared, "", nil)
	}
	c.v.OfflineEndTime = now
	if c.v.OfflineStartTime == 0 {
		c.v.OfflineStartTime = now
	}
	// Over for this agent even when the contact goes back to the queue:
	// JOBFINISHED says finished, like every other JOBFINISHED.
	e.emit(c, EvJobFinished, "", func(ev *ContactEvent) { ev.Contact.State = CStateFinished })
	delete(a.contacts, c.v.ID)
	a.idleSince[c.v.MediaType] = e.now()
	if c.consultOf != nil { // a consult leg is never re-queued
		e.consultGone(c)
		requeue = false
	}
	if c.targetAgent != "" { // previewAgent: for that agent only, it ends
		requeue = false
	}
	// A contact offered straight to an agent (blind transfer) still names
	// the queue it came from: it goes back there rather than being lost.
	q := c.queue
	if q == nil && c.v.Queue != "" && c.v.IsACD {
		q = e.queues[c.v.Queue]
	}
	if requeue && q != nil {
		if c.excluded == nil {
			c.excluded = map[string]bool{}
		}
		c.excluded[a.id] = true
		c.v.Reason = ""
		c.v.EndTime, c.v.OfflineStartTime, c.v.OfflineEndTime = 0, 0, 0
		e.enqueue(c, q)
		return
	}
	e.setState(c, CStateFinished)
	e.retire(c)
}

func (e *Engine) noAnswer(c *contact) {
	a := c.agent
	if p := c.peer; p != nil { // internal call: both sides clear, callee not forced
		c.peer, p.peer = nil, nil
		e.unassign(c, ReasonNoAnswer, false)
		e.clear(p, ReasonNoAnswer)
		return
	}
	e.unassign(c, ReasonNoAnswer, true)
	if c.v.IsACD && (a.state == StateLoggedIn || a.state == StatePause || a.state == StatePauseSubstate) {
		e.setAgentState(a, StateForced, 0, ReasonNoAnswer)
	}
	e.route()
}

// finishNoAgent marks a contact finished without agent events.
func (e *Engine) finishNoAgent(c *contact, reason string) {
	e.stopTimer(c)
	if c.v.Reason == "" {
		c.v.Reason = reason
	}
	c.agent, c.v.Agent = nil, ""
	e.setState(c, CStateFinished)
	e.retire(c)
}

func (e *Engine) retire(c *contact) {
	delete(e.contacts, c.v.ID)
	e.recent = append(e.recent, c)
	e.recentBy[c.v.ID] = c
	if len(e.recent) > maxRecent {
		delete(e.recentBy, e.recent[0].v.ID)
		e.recent = e.recent[1:]
	}
}

// connect puts an accepted/answered contact online.
func (e *Engine) establish(c *contact) {
	e.stopTimer(c)
	now := e.now()
	c.established = now
	c.wasConnected = true
	c.v.StartTime = ms(now)
	c.v.JobState = PhaseOnline
	e.setState(c, CStateOnline)
	e.emit(c, EvEstablished, "", nil)
	if e.cfg.PopupOn == PopupOnEstablished || !c.v.IsACD {
		e.popup(c)
	}
	if c.v.IsACD {
		e.emit(c, EvJobStarted, PhaseOnline, nil)
	}
}

// answer: the agent accepts an offered contact.
func (e *Engine) answer(c *contact) {
	e.stopTimer(c)
	if c.queue != nil && c.v.IsACD {
		e.obs.QueueAnswered(c.queue.name, c.v.MediaType, e.now().Sub(c.enqueuedAt))
	}
	if e.cfg.PopupOn == PopupOnAccept {
		e.popup(c)
	}
	if c.v.State == CStatePreview {
		e.dial(c)
		return
	}
	e.establish(c)
	if p := c.peer; p != nil && p.v.State == CStateDialing {
		e.establish(p)
	}
	if k := c.consultOf; k != nil {
		e.setPartyState(k, "connected")
	}
}

// dial starts an outbound call to the customer (preview jobs, manual calls).
func (e *Engine) dial(c *contact) {
	e.setState(c, CStateDialing)
	e.emit(c, EvConnectionStarted, "", nil)
	e.emit(c, EvDialing, "", nil)
	if !c.v.IsACD && e.cfg.PopupOn != PopupOnEstablished {
		e.popup(c)
	}
	if c.peer == nil && e.cfg.DialAnswerAfter > 0 {
		e.after(c, e.cfg.DialAnswerAfter, func() { e.establish(c) })
	}
}

// clear ends the online/dialing phase: CONNECTIONCLEARED, then After Call
// Work (ACD contacts with the offline phase enabled) or JOBFINISHED.
func (e *Engine) clear(c *contact, reason string) {
	e.stopTimer(c)
	now := e.now()
	c.v.Reason = reason
	c.v.EndTime = ms(now)
	c.v.Held = false
	c.v.Recording = false
	c.v.JobState = PhaseOffline
	if c.wasConnected {
		e.obs.HandleTime(c.v.MediaType, now.Sub(c.established))
	}
	e.emit(c, EvConnectionCleared, "", nil)
	if p := c.peer; p != nil {
		c.peer, p.peer = nil, nil
		if p.v.State != CStateFinished && p.v.State != CStateOffline {
			if p.v.State == CStateOffered {
				e.unassign(p, ReasonPeerHangup, false)
			} else {
				e.clear(p, ReasonPeerHangup)
			}
		}
	}
	if k := c.consultOf; k != nil {
		c.consultOf = nil
		e.consultGone2(k)
	}
	if len(c.v.Parties) > 0 {
		e.dropParties(c, reason)
	}
	if c.v.IsACD && c.wasConnected && c.v.OfflineEnabled && reason != ReasonLoggedOut {
		// after the events above: the offline phase starts now
		c.offlineAt = e.now()
		c.v.OfflineStartTime = ms(c.offlineAt)
		e.setState(c, CStateOffline)
		e.emit(c, EvJobChanged, PhaseOffline, nil)
		if !c.acwExtended {
			e.after(c, e.cfg.ACWTimeout, func() { e.finish(c) })
		}
		return
	}
	e.finish(c)
}

// finish sends JOBFINISHED and frees the agent's capacity.
func (e *Engine) finish(c *contact) {
	e.stopTimer(c)
	now := e.now()
	a := c.agent
	if c.v.State == CStateOffline {
		e.obs.ACWTime(c.v.MediaType, now.Sub(c.offlineAt))
	}
	c.v.OfflineEndTime = ms(now)
	if c.v.OfflineStartTime == 0 {
		c.v.OfflineStartTime = c.v.OfflineEndTime
	}
	e.setState(c, CStateFinished)
	e.emit(c, EvJobFinished, "", nil)
	if a != nil {
		delete(a.contacts, c.v.ID)
		a.idleSince[c.v.MediaType] = now
	}
	e.retire(c)
	e.route()
}

// abandon: the customer hangs up before an agent answered.
func (e *Engine) abandon(c *contact) {
	if c.queue != nil {
		e.obs.QueueAbandoned(c.queue.name, c.v.MediaType, e.now().Sub(c.enqueuedAt))
	}
	if k := c.consultOf; k != nil {
		c.consultOf = nil
		e.consultGone2(k)
	}
	if c.agent != nil {
		e.unassign(c, ReasonAbandoned, false)
		return
	}
	e.finishNoAgent(c, ReasonAbandoned)
}

// ---- consult / conference helpers ----

func (e *Engine) setPartyState(k *contact, st string) {
	if len(k.v.Parties) == 0 {
		return
	}
	k.v.Parties[0].State = st
	e.emit(k, EvPartyChanged, "", nil)
}

// consultGone: consult leg c goes away; tell the original contact.
func (e *Engine) consultGone(c *contact) {
	k := c.consultOf
	c.consultOf = nil
	if k != nil {
		e.consultGone2(k)
	}
}

func (e *Engine) consultGone2(k *contact) {
	if len(k.v.Parties) == 0 || k.v.State == CStateFinished {
		return
	}
	k.v.Parties = nil
	if k.agent != nil {
		e.emit(k, EvPartyChanged, "", nil)
	}
}

// dropParties: the original contact ends while a consult leg exists. When
// the agent leaves (hang-up, logout) a connected agent/queue leg takes over
// the customer, as TransferComplete; when the customer hangs up the two
// agents stay on their internal call. A leg not answered yet is cancelled.
func (e *Engine) dropParties(c *contact, reason string) {
	p := c.v.Parties[0]
	c.v.Parties = nil
	leg := e.contacts[p.Contact]
	if leg == nil || leg.consultOf != c {
		return
	}
	leg.consultOf = nil
	if leg.v.State != CStateOnline {
		e.cancelLeg(leg)
		return
	}
	if reason == ReasonAgentHangup || reason == ReasonLoggedOut {
		e.takeOver(leg, c)
		return
	}
	if len(leg.v.Parties) > 0 {
		leg.v.Parties = nil
		e.emit(leg, EvPartyChanged, "", nil)
	}
}

// takeOver: consult leg becomes the customer contact. Its type, ani, dnis
// and transferred_from change with its party: PARTYCHANGED. DATACHANGED
// means CallData changed (the contract), so it follows only for those.
func (e *Engine) takeOver(leg, orig *contact) {
	leg.v.Parties = nil
	leg.v.Type = orig.v.Type
	leg.v.ANI, leg.v.DNIS = orig.v.ANI, orig.v.DNIS
	leg.v.TransferredFrom = orig.v.ID
	leg.v.Peer = ""
	e.emit(leg, EvPartyChanged, "", nil)
	e.setCallData(leg, orig.v.CallData)
}

func (e *Engine) cancelLeg(leg *contact) {
	switch leg.v.State {
	case CStateQueued:
		e.finishNoAgent(leg, ReasonCancelled)
	case CStateOffered, CStatePreview:
		e.unassign(leg, ReasonCancelled, false)
	case CStateOnline, CStateDialing:
		e.clear(leg, ReasonCancelled)
	}
}
