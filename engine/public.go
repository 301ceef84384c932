package engine

import (
	"sort"
	"strings"
)

// ContactRequest creates an inbound/ACD contact (POST /contacts).
type ContactRequest struct {
	ID                 string            `json:"id,omitempty"`         // optional, else generated
	MediaType          string            `json:"media_type,omitempty"` // default telephony
	Type               string            `json:"type,omitempty"`       // inbound (default) | outbound | callTask
	JobType            string            `json:"job_type,omitempty"`   // inbound | previewAgent | previewQueue | predictive | outbound
	Queue              string            `json:"queue,omitempty"`
	Agent              string            `json:"agent,omitempty"` // previewAgent: the agent
	Service            string            `json:"service,omitempty"`
	ANI                string            `json:"ani,omitempty"`
	DNIS               string            `json:"dnis,omitempty"`
	ContentType        string            `json:"content_type,omitempty"` // channel: email (default) | object
	ContentDescription string            `json:"content_description,omitempty"`
	ChatID             string            `json:"chat_id,omitempty"`
	Priority           int               `json:"priority,omitempty"`
	CallData           map[string]string `json:"call_data,omitempty"`
}

// CreateContact queues a new contact and routes it; the returned view shows
// whether it was offered at once.
func (e *Engine) CreateContact(r ContactRequest) (*Contact, error) {
	if r.MediaType == "" {
		r.MediaType = MediaTelephony
	}
	if r.Type == "" {
		r.Type = "inbound"
	}
	switch r.MediaType {
	case MediaTelephony, MediaChat, MediaChannel:
	default:
		return nil, errf(CodeBadRequest, "media_type: %q is not telephony, chat or channel", r.MediaType)
	}
	switch r.Type {
	case "inbound", "callTask":
		if r.JobType == "" {
			r.JobType = "inbound"
		}
		if r.JobType != "inbound" {
			return nil, errf(CodeBadRequest, "job_type: %s contacts use job_type inbound", r.Type)
		}
	case "outbound":
		if r.JobType == "" {
			r.JobType = "predictive"
		}
		switch r.JobType {
		// outbound: a generic system-dialled job (the contract lists the
		// value); routed like predictive.
		case "previewAgent", "previewQueue", "predictive", "outbound":
		default:
			return nil, errf(CodeBadRequest, "job_type: outbound contacts use previewAgent, previewQueue, predictive or outbound")
		}
		if r.MediaType != MediaTelephony {
			return nil, errf(CodeBadRequest, "media_type: outbound jobs are telephony")
		}
	case "internal":
		return nil, errf(CodeBadRequest, "type: internal calls are placed by agents (CONTACT.MakeCall)")
	default:
		return nil, errf(CodeBadRequest, "type: %q is not inbound, outbound or callTask", r.Type)
	}
	if r.MediaType == MediaChannel {
		if r.ContentType == "" {
			r.ContentType = "email"
		}
		if r.ContentType != "email" && r.ContentType != "object" {
			return nil, errf(CodeBadRequest, "content_type: email or object")
		}
	} else if r.ContentType != "" || r.ContentDescription != "" {
		// The contract gives both to channel contacts only.
		return nil, errf(CodeBadRequest, "content_type, content_description: only for channel contacts")
	}
	for name, v := range map[string]string{"ani": r.ANI, "dnis": r.DNIS, "service": r.Service, "chat_id": r.ChatID} {
		if len(v) > 128 || strings.ContainsAny(v, "\x00\r\n") {
			return nil, errf(CodeBadRequest, "%s: at most 128 characters, no control characters", name)
		}
	}
	if len(r.ContentDescription) > 1024 {
		return nil, errf(CodeBadRequest, "content_description: at most 1024 bytes")
	}
	if err := checkCallData(r.CallData); err != nil {
		return nil, err
	}
	if r.ID != "" && !validID(r.ID) {
		return nil, errf(CodeBadRequest, "id: 1-128 characters of letters, digits, . _ - @ + :")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r.ID != "" && (e.contacts[r.ID] != nil || e.recentBy[r.ID] != nil) {
		return nil, errf(CodeBadRequest, "id: contact %q already exists", r.ID)
	}
	var q *queue
	if r.Queue != "" {
		if q = e.queues[r.Queue]; q == nil {
			return nil, errf(CodeNotFound, "no queue %q", r.Queue)
		}
	}
	if r.JobType == "previewAgent" {
		if e.agents[r.Agent] == nil {
			return nil, errf(CodeNotFound, "agent: no agent %q (previewAgent needs one)", r.Agent)
		}
	} else {
		if r.Agent != "" {
			return nil, errf(CodeBadRequest, "agent: only for previewAgent jobs")
		}
		if q == nil {
			return nil, errf(CodeBadRequest, "queue: required")
		}
	}
	c := e.newContact(r.MediaType, r.Type, r.JobType, true)
	if r.ID != "" {
		delete(e.contacts, c.v.ID)
		c.v.ID = r.ID
		e.contacts[r.ID] = c
	}
	v := &c.v
	v.Service, v.ANI, v.DNIS = r.Service, r.ANI, r.DNIS
	v.ContentType, v.ContentDescription, v.Priority = r.ContentType, r.ContentDescription, r.Priority
	v.CallData = copyMap(r.CallData)
	if r.MediaType == MediaChat {
		v.ChatID = r.ChatID
		if v.ChatID == "" {
			v.ChatID = "chat-" + v.ID
		}
	}
	if q != nil {
		e.enqueue(c, q)
	}
	if r.JobType == "previewAgent" {
		c.targetAgent = r.Agent
		e.waitSeq++
		c.waitSeq = e.waitSeq
		c.enqueuedAt = e.now()
	}
	e.route()
	return c.view(), nil
}

// Contacts lists active contacts (and up to 1000 recently finished ones when all).
func (e *Engine) Contacts(all bool) []*Contact {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*Contact, 0, len(e.contacts))
	for _, c := range oldestFirst(e.contacts) {
		out = append(out, c.view())
	}
	if all {
		for _, c := range e.recent {
			out = append(out, c.view())
		}
	}
	return out
}

// Contact returns one contact, active or recently finished.
func (e *Engine) Contact(id string) (*Contact, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c := e.contacts[id]; c != nil {
		return c.view(), nil
	}
	if c := e.recentBy[id]; c != nil {
		return c.view(), nil
	}
	return nil, errf(CodeNotFound, "no contact %q", id)
}

// Agents lists every known agent sorted by id.
func (e *Engine) Agents() []Agent {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Agent, 0, len(e.agents))
	for _, a := range e.agents {
		out = append(out, a.view())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Queues lists the configured queues with their waiting contacts.
func (e *Engine) Queues() []Queue {
	e.mu.Lock()
	defer e.mu.Unlock()
	w := e.waiting()
	out := make([]Queue, 0, len(e.qnames))
	for _, n := range e.qnames {
		q := e.queues[n]
		v := Queue{Name: q.name, Service: q.service, Agents: append([]string{}, q.agents...), Waiting: []string{}}
		for _, c := range w {
			if c.queue == q {
				v.Waiting = append(v.Waiting, c.v.ID)
			}
		}
		out = append(out, v)
	}
	return out
}

// SetAgentState sets an agent's state from the API: LOGGEDIN, PAUSE (code 0
// or a configured sub-state code), PAUSESUBSTATE (a configured code),
// FORCED (a CTI's own no-answer pause) or LOGGEDOUT.
func (e *Engine) SetAgentState(agentID, state string, code int) (Agent, error) {
	return e.setAgentStateAPI(agentID, state, code, "")
}

func (e *Engine) setAgentStateAPI(agentID, state string, code int, reason string) (Agent, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.agents[agentID]
	if a == nil {
		return Agent{}, errf(CodeNotFound, "no agent %q", agentID)
	}
	var err error
	switch state {
	case StateLoggedIn:
		_, err = e.ready(a)
	case StatePauseSubstate:
		// a sub-state is its code ("PAUSESUBSTATE [1701]"): without one
		// this would silently be a generic PAUSE
		if code == 0 {
			err = errf(CodeBadRequest, "code: PAUSESUBSTATE needs a configured pause code")
			break
		}
		_, err = e.pauseAgent(a, code)
	case StatePause:
		_, err = e.pauseAgent(a, code)
	case StateForced:
		_, err = e.force(a, reason)
	case StateLoggedOut:
		_, err = e.logout(a)
	default:
		err = errf(CodeBadRequest, "state: LOGGEDIN, PAUSE, PAUSESUBSTATE, FORCED or LOGGEDOUT")
	}
	return a.view(), err
}

// Snapshot returns the agent's state and active contacts at the broker's
// current seq.
func (e *Engine) Snapshot(agentID string) (Snapshot, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.agents[agentID]
	if a == nil {
		return Snapshot{}, errf(CodeNotFound, "no agent %q", agentID)
	}
	return e.snapshotLocked(a), nil
}

func (e *Engine) snapshotLocked(a *agent) Snapshot {
	s := Snapshot{Epoch: e.broker.Epoch(), Seq: e.broker.Seq(a.id), Agent: a.view(), Contacts: []*Contact{}}
	for _, c := range oldestFirst(a.contacts) {
		s.Contacts = append(s.Contacts, c.view())
	}
	return s
}

// oldestFirst orders contacts by creation, not by id or millisecond
// (ids do not sort numerically, and many contacts share a millisecond).
func oldestFirst[K comparable](m map[K]*contact) []*contact {
	out := make([]*contact, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].createdSeq < out[j].createdSeq })
	return out
}

// ExternalEvent is a CTI event pushed through POST /events so that a real
// ACD can drive the same life-cycle.
type ExternalEvent struct {
	Agent    string            `json:"agent,omitempty"`
	Contact  string            `json:"contact,omitempty"`
	Event    string            `json:"event"`
	Reason   string            `json:"reason,omitempty"`
	Code     int               `json:"code,omitempty"`
	CallData map[string]string `json:"call_data,omitempty"`
	Text     string            `json:"text,omitempty"`
}

// External applies a CTI event. Agent events (LOGGEDIN, PAUSE,
// PAUSESUBSTATE, FORCED, LOGGEDOUT) need only agent; contact events need contact
// (and, when agent is given, it must own the contact).
func (e *Engine) External(x ExternalEvent) (any, error) {
	switch x.Event {
	case StateLoggedIn, StatePause, StatePauseSubstate, StateForced, StateLoggedOut:
		if x.Contact != "" {
			return nil, errf(CodeBadRequest, "contact: not used by agent events")
		}
		if x.Reason != "" && !validID(x.Reason) {
			return nil, errf(CodeBadRequest, "reason: a short word")
		}
		return e.setAgentStateAPI(x.Agent, x.Event, x.Code, x.Reason)
	}
	switch x.Event {
	case EvEstablished, EvConnectionCleared, EvHeld, EvRetrieved, EvDataChanged, EvChatMessage, EvJobFinished:
	default:
		// Checked before the contact, so a misspelt event is not reported as an unknown contact.
		return nil, errf(CodeBadRequest, "event: %q not supported (ESTABLISHED, CONNECTIONCLEARED, HELD, RETRIEVED, DATACHANGED, CHATMESSAGE, JOBFINISHED, LOGGEDIN, PAUSE, PAUSESUBSTATE, FORCED, LOGGEDOUT)", x.Event)
	}
	if x.Reason != "" && !validID(x.Reason) {
		return nil, errf(CodeBadRequest, "reason: a short word")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.contacts[x.Contact]
	if c == nil || (x.Agent != "" && (c.agent == nil || c.agent.id != x.Agent)) {
		return nil, errf(CodeNotFound, "no active contact %q for agent %q", x.Contact, x.Agent)
	}
	reason := func(def string) string {
		if x.Reason != "" {
			return x.Reason
		}
		return def
	}
	switch x.Event {
	case EvEstablished:
		switch c.v.State {
		case CStateOffered, CStatePreview:
			e.answer(c)
		case CStateDialing:
			if c.peer != nil {
				return nil, errf(CodeInvalidState, "internal call: the called agent answers")
			}
			e.establish(c)
		default:
			return nil, errf(CodeInvalidState, "contact %s is %s", c.v.ID, c.v.State)
		}
	case EvConnectionCleared:
		switch c.v.State {
		case CStateQueued:
			e.abandon(c)
		case CStateOffered:
			if c.peer != nil {
				return nil, errf(CodeInvalidState, "internal call: the calling agent hangs up")
			}
			e.abandon(c)
		case CStateDialing:
			e.clear(c, reason(ReasonNoAnswer))
		case CStateOnline:
			e.clear(c, reason(ReasonCustomerHangup))
		default:
			return nil, errf(CodeInvalidState, "contact %s is %s", c.v.ID, c.v.State)
		}
	case EvHeld, EvRetrieved:
		if err := e.hold(c, x.Event == EvHeld); err != nil {
			return nil, err
		}
	case EvDataChanged:
		if len(x.CallData) == 0 {
			return nil, errf(CodeBadRequest, "call_data: required")
		}
		if err := checkCallData(x.CallData); err != nil {
			return nil, err
		}
		if c.agent == nil {
			for k, v := range x.CallData { // queued: no stream yet
				if c.v.CallData == nil {
					c.v.CallData = map[string]string{}
				}
				c.v.CallData[k] = v
			}
		} else {
			e.setCallData(c, x.CallData)
		}
	case EvChatMessage:
		if c.v.MediaType != MediaChat || c.v.State != CStateOnline {
			return nil, errf(CodeInvalidState, "contact %s is not an online chat", c.v.ID)
		}
		if err := checkText(x.Text); err != nil {
			return nil, err
		}
		e.chatMessage(c, "customer", x.Text)
	case EvJobFinished:
		if c.v.State != CStateOffline {
			return nil, errf(CodeInvalidState, "contact %s is %s, not offline", c.v.ID, c.v.State)
		}
		e.finish(c)
	}
	return c.view(), nil
}

// ---- connections (hub) ----

// attach registers a connection of the agent and subscribes it atomically
// with the snapshot, so no event falls between them.
func (e *Engine) attach(cn *conn, epoch string, since uint64, resume bool) (missed []*Entry, cur uint64, snap *Snapshot, unsub func(), err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.pending, cn) // attached below, or refused and closed by the caller
	if e.closed {
		return nil, 0, nil, nil, errf(CodeUnavailable, "server shutting down")
	}
	a := e.agentLocked(cn.agentID)
	if err := revoked(a, cn.claims); err != nil {
		// The agent logged out between the upgrade and the hello.
		return nil, 0, nil, nil, errf(CodeForbidden, "%v", err)
	}
	if a.conns >= e.cfg.MaxConnsPerAgent {
		return nil, 0, nil, nil, errf(CodeForbidden, "too many connections for this agent (%d)", e.cfg.MaxConnsPerAgent)
	}
	if a.name == "" && cn.name != "" {
		a.name = cn.name
	}
	a.conns++
	a.graceGen++
	if a.grace != nil {
		a.grace.Stop()
		a.grace = nil
	}
	e.conns[cn] = struct{}{}
	if !resume {
		epoch, since = e.broker.Epoch(), e.broker.Seq(a.id)
	}
	missed, cur, ok, unsub := e.broker.Subscribe(a.id, cn, epoch, since)
	if !ok || !resume {
		s := e.snapshotLocked(a)
		snap = &s
		missed = nil
	}
	return missed, cur, snap, unsub, nil
}

// track registers a connection that has not sent hello yet, so that Close
// reaches it; false when the engine is already closed.
func (e *Engine) track(cn *conn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.pending[cn] = struct{}{}
	return true
}

// detach unregisters a connection; the last one starts the logout grace.
func (e *Engine) detach(cn *conn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.pending, cn)
	if _, ok := e.conns[cn]; !ok {
		return
	}
	delete(e.conns, cn)
	a := e.agents[cn.agentID]
	if a == nil {
		return
	}
	a.conns--
	// after Close the process is going away: do not log agents out, they
	// reconnect to the next instance
	if e.closed || a.conns > 0 || a.state == StateLoggedOut && len(a.contacts) == 0 {
		return
	}
	a.graceGen++
	gen := a.graceGen
	a.grace = e.clock.AfterFunc(e.cfg.LogoutGrace, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if a.graceGen != gen || a.conns > 0 {
			return
		}
		a.grace = nil
		e.forceLogout(a, "disconnected")
	})
}
