package engine

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Command names accepted by Do (and over the WebSocket "cmd" op).
var Commands = []string{
	"AGENT.Ready", "AGENT.Pause", "AGENT.Logout", "AGENT.GetState", "AGENT.GetPauseCodes", "AGENT.Snapshot",
	"CONTACT.Answer", "CONTACT.Reject", "CONTACT.Hangup", "CONTACT.HangupByContactID",
	"CONTACT.Hold", "CONTACT.Retrieve", "CONTACT.SetCallData", "CONTACT.MakeCall",
	"CONTACT.Transfer", "CONTACT.TransferComplete", "CONTACT.TransferCancel", "CONTACT.Conference",
	"CONTACT.StartRecording", "CONTACT.StopRecording", "CONTACT.OfflineEnd", "CONTACT.OfflineEnable",
	"CHAT.Send",
}

var knownCommand = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range Commands {
		m[c] = true
	}
	return m
}()

// CmdArgs are the arguments of every command (each uses a subset).
type CmdArgs struct {
	ContactID   string          `json:"contactId,omitempty"`
	Hold        *bool           `json:"hold,omitempty"`        // CONTACT.Hold: explicit; absent = toggle
	Data        json.RawMessage `json:"data,omitempty"`        // SetCallData: "K=v;K2=v2" or {"K":"v"}
	Destination string          `json:"destination,omitempty"` // MakeCall: number, "agent:<id>" or an agent id
	ServiceID   json.RawMessage `json:"serviceId,omitempty"`
	CallData    json.RawMessage `json:"callData,omitempty"` // MakeCall / StartRecording
	Mode        string          `json:"mode,omitempty"`     // Transfer: blind | consult
	TargetType  string          `json:"targetType,omitempty"`
	Target      string          `json:"target,omitempty"`
	Enable      *bool           `json:"enable,omitempty"` // OfflineEnable
	Text        string          `json:"text,omitempty"`   // CHAT.Send
	Code        int             `json:"code,omitempty"`   // AGENT.Pause sub-state
}

// Do runs a command for agentID. A refused command returns an *Error and
// changes nothing.
func (e *Engine) Do(agentID, name string, raw json.RawMessage) (any, error) {
	label := name
	if !knownCommand[name] {
		label = "unknown"
	}
	res, err := e.do(agentID, name, raw)
	e.obs.Command(label, ErrorCode(err))
	return res, err
}

func (e *Engine) do(agentID, name string, raw json.RawMessage) (any, error) {
	if !knownCommand[name] {
		return nil, errf(CodeUnknown, "unknown command %q", name)
	}
	var args CmdArgs
	if t := bytes.TrimSpace(raw); len(t) > 0 && !bytes.Equal(t, []byte("null")) {
		if err := json.Unmarshal(t, &args); err != nil {
			return nil, errf(CodeBadRequest, "args: %v", err)
		}
	}
	if !validID(agentID) {
		return nil, errf(CodeBadRequest, "invalid agent id")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.agentLocked(agentID)
	switch name {
	case "AGENT.Ready":
		return e.ready(a)
	case "AGENT.Pause":
		return e.pauseAgent(a, args.Code)
	case "AGENT.Logout":
		return e.logout(a)
	case "AGENT.GetState":
		return a.view(), nil
	case "AGENT.GetPauseCodes":
		return append([]PauseCode{}, e.cfg.PauseCodes...), nil
	case "AGENT.Snapshot":
		return e.snapshotLocked(a), nil
	case "CONTACT.MakeCall":
		return e.makeCall(a, args)
	case "CONTACT.Hangup":
		if args.ContactID == "" {
			c, err := e.current(a)
			if err != nil {
				return nil, err
			}
			return e.hangup(c)
		}
	}
	c, err := e.own(a, args.ContactID)
	if err != nil {
		return nil, err
	}
	switch name {
	case "CONTACT.Answer":
		if c.v.State != CStateOffered && c.v.State != CStatePreview {
			return nil, errf(CodeInvalidState, "contact %s is %s, not offered", c.v.ID, c.v.State)
		}
		e.answer(c)
	case "CONTACT.Reject":
		if c.v.State != CStateOffered && c.v.State != CStatePreview {
			return nil, errf(CodeInvalidState, "contact %s is %s, not offered", c.v.ID, c.v.State)
		}
		if p := c.peer; p != nil {
			c.peer, p.peer = nil, nil
			e.unassign(c, ReasonRejected, false)
			e.clear(p, ReasonRejected)
		} else {
			e.unassign(c, ReasonRejected, true)
			e.route()
		}
	case "CONTACT.Hangup", "CONTACT.HangupByContactID":
		return e.hangup(c)
	case "CONTACT.Hold":
		want := !c.v.Held
		if args.Hold != nil {
			want = *args.Hold
		}
		if err := e.hold(c, want); err != nil {
			return nil, err
		}
	case "CONTACT.Retrieve":
		if err := e.hold(c, false); err != nil {
			return nil, err
		}
	case "CONTACT.SetCallData":
		kv, err := parseCallData(args.Data)
		if err != nil {
			return nil, err
		}
		if len(kv) == 0 {
			return nil, errf(CodeBadRequest, "data: no KEY=value pair")
		}
		e.setCallData(c, kv)
	case "CONTACT.Transfer":
		return e.transfer(a, c, args)
	case "CONTACT.TransferComplete":
		return e.transferComplete(c)
	case "CONTACT.TransferCancel":
		return e.transferCancel(c)
	case "CONTACT.Conference":
		return e.conference(c)
	case "CONTACT.StartRecording", "CONTACT.StopRecording":
		start := name == "CONTACT.StartRecording"
		if c.v.MediaType != MediaTelephony {
			return nil, errf(CodeUnsupported, "recording is for telephony contacts")
		}
		if c.v.State != CStateOnline {
			return nil, errf(CodeInvalidState, "contact %s is %s, not online", c.v.ID, c.v.State)
		}
		if c.v.Recording == start {
			return nil, errf(CodeInvalidState, "recording already %v", map[bool]string{true: "on", false: "off"}[start])
		}
		var kv map[string]string
		if start {
			if kv, err = parseCallData(args.CallData); err != nil {
				return nil, err
			}
		}
		c.v.Recording = start
		if start {
			e.emit(c, EvRecordingStarted, "", nil)
			e.setCallData(c, kv)
		} else {
			e.emit(c, EvRecordingStopped, "", nil)
		}
	case "CONTACT.OfflineEnd":
		if c.v.State != CStateOffline {
			return nil, errf(CodeInvalidState, "contact %s is %s, not in the offline phase", c.v.ID, c.v.State)
		}
		e.finish(c)
	case "CONTACT.OfflineEnable":
		if args.Enable == nil {
			return nil, errf(CodeBadRequest, "enable: required boolean")
		}
		if !c.v.IsACD {
			return nil, errf(CodeUnsupported, "manual contacts have no offline phase")
		}
		c.v.OfflineEnabled = *args.Enable
		c.acwExtended = *args.Enable
		if c.v.State == CStateOffline {
			if *args.Enable {
				e.stopTimer(c)
			} else {
				e.finish(c)
			}
		}
	case "CHAT.Send":
		if c.v.MediaType != MediaChat {
			return nil, errf(CodeUnsupported, "contact %s is not a chat", c.v.ID)
		}
		if c.v.State != CStateOnline {
			return nil, errf(CodeInvalidState, "chat %s is %s, not online", c.v.ID, c.v.State)
		}
		if err := checkText(args.Text); err != nil {
			return nil, err
		}
		e.chatMessage(c, "agent", args.Text)
	}
	return c.view(), nil
}

func checkText(t string) error {
	if strings.TrimSpace(t) == "" {
		return errf(CodeBadRequest, "text: required")
	}
	if len(t) > 4096 || !utf8.ValidString(t) {
		return errf(CodeBadRequest, "text: must be valid UTF-8 of at most 4096 bytes")
	}
	return nil
}

func (e *Engine) chatMessage(c *contact, from, text string) {
	m := ChatMessage{From: from, Text: text, Time: ms(e.now())}
	c.v.Messages = append(c.v.Messages, m)
	if len(c.v.Messages) > 50 {
		c.v.Messages = c.v.Messages[len(c.v.Messages)-50:]
	}
	e.emit(c, EvChatMessage, "", func(ev *ContactEvent) { ev.Message = &m })
}

// own returns the agent's contact id; another agent's contact is reported
// as not_found so that ids cannot be probed.
func (e *Engine) own(a *agent, id string) (*contact, error) {
	if id == "" {
		return nil, errf(CodeBadRequest, "contactId: required")
	}
	c := e.contacts[id]
	if c == nil || c.agent != a {
		return nil, errf(CodeNotFound, "no contact %q for this agent", id)
	}
	return c, nil
}

// current picks the contact Hangup() without an id means.
func (e *Engine) current(a *agent) (*contact, error) {
	var live, tel []*contact
	for _, c := range a.contacts {
		if c.v.State == CStateOnline || c.v.State == CStateDialing {
			live = append(live, c)
			if c.v.MediaType == MediaTelephony {
				tel = append(tel, c)
			}
		}
	}
	switch {
	case len(tel) == 1:
		return tel[0], nil
	case len(live) == 1:
		return live[0], nil
	case len(live) == 0:
		return nil, errf(CodeInvalidState, "no contact in progress")
	}
	return nil, errf(CodeBadRequest, "several contacts in progress: give contactId")
}

func (e *Engine) hangup(c *contact) (any, error) {
	switch c.v.State {
	case CStateOnline:
		e.clear(c, ReasonAgentHangup)
	case CStateDialing:
		e.clear(c, ReasonCancelled)
	case CStateOffered, CStatePreview:
		return nil, errf(CodeInvalidState, "contact %s is offered: use Reject", c.v.ID)
	default:
		return nil, errf(CodeInvalidState, "contact %s is %s, not in progress", c.v.ID, c.v.State)
	}
	return c.view(), nil
}

func (e *Engine) hold(c *contact, on bool) error {
	if c.v.MediaType != MediaTelephony {
		return errf(CodeUnsupported, "hold is for telephony contacts")
	}
	if c.v.State != CStateOnline {
		return errf(CodeInvalidState, "contact %s is %s, not online", c.v.ID, c.v.State)
	}
	if c.v.Held == on {
		return errf(CodeInvalidState, "contact %s already %s", c.v.ID, map[bool]string{true: "held", false: "retrieved"}[on])
	}
	if !on && len(c.v.Parties) > 0 && c.v.Parties[0].State != "conference" {
		return errf(CodeInvalidState, "consultation in progress: complete, cancel or conference it")
	}
	c.v.Held = on
	if on {
		e.emit(c, EvHeld, "", nil)
	} else {
		e.emit(c, EvRetrieved, "", nil)
	}
	return nil
}

func (e *Engine) setCallData(c *contact, kv map[string]string) {
	var changed []string
	for k, v := range kv {
		if old, ok := c.v.CallData[k]; ok && old == v {
			continue
		}
		if c.v.CallData == nil {
			c.v.CallData = map[string]string{}
		}
		c.v.CallData[k] = v
		changed = append(changed, k)
	}
	if len(changed) == 0 {
		return
	}
	sort.Strings(changed)
	e.emit(c, EvDataChanged, "", func(ev *ContactEvent) { ev.Changed = changed })
}

// parseCallData accepts "K=v;K2=v2" (AgentDesktop style) or a JSON object of
// strings (numbers and booleans are kept as their JSON text).
func parseCallData(raw json.RawMessage) (map[string]string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil, nil
	}
	out := map[string]string{}
	switch t[0] {
	case '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return nil, errf(CodeBadRequest, "call data: %v", err)
		}
		for _, part := range strings.Split(s, ";") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			k, v, ok := strings.Cut(part, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return nil, errf(CodeBadRequest, "call data: %q is not KEY=value", part)
			}
			out[k] = v
		}
	case '{':
		var m map[string]any
		if err := json.Unmarshal(t, &m); err != nil {
			return nil, errf(CodeBadRequest, "call data: %v", err)
		}
		for k, v := range m {
			switch x := v.(type) {
			case string:
				out[k] = x
			case nil:
				out[k] = ""
			case map[string]any, []any:
				return nil, errf(CodeBadRequest, "call data: value of %q must be a string", k)
			default:
				b, _ := json.Marshal(x)
				out[k] = string(b)
			}
		}
	default:
		return nil, errf(CodeBadRequest, "call data: want \"K=v;K2=v2\" or an object")
	}
	return out, checkCallData(out)
}

func checkCallData(m map[string]string) error {
	if len(m) > 100 {
		return errf(CodeBadRequest, "call data: at most 100 keys")
	}
	for k, v := range m {
		if strings.TrimSpace(k) == "" || len(k) > 128 || !utf8.ValidString(k) {
			return errf(CodeBadRequest, "call data: invalid key %q", k)
		}
		if len(v) > 4096 || !utf8.ValidString(v) {
			return errf(CodeBadRequest, "call data: value of %q too long or not UTF-8", k)
		}
	}
	return nil
}

// ---- agent state ----

func (e *Engine) ready(a *agent) (any, error) {
	if a.state == StateLoggedIn {
		return nil, errf(CodeInvalidState, "agent already LOGGEDIN")
	}
	e.setAgentState(a, StateLoggedIn, 0, "")
	return a.view(), nil
}

func (e *Engine) pauseAgent(a *agent, code int) (any, error) {
	st := StatePause
	if code != 0 {
		if _, ok := e.pause[code]; !ok {
			return nil, errf(CodeBadRequest, "unknown pause code %d", code)
		}
		st = StatePauseSubstate
	}
	if a.state == st && a.code == code {
		return nil, errf(CodeInvalidState, "agent already in %s", st)
	}
	e.setAgentState(a, st, code, "")
	return a.view(), nil
}

// force puts an agent in the forced pause a CTI decided (its own no-answer
// timeout); the engine's own timeout does the same in noAnswer.
func (e *Engine) force(a *agent, reason string) (any, error) {
	if a.state == StateForced || a.state == StateLoggedOut {
		return nil, errf(CodeInvalidState, "agent is %s", a.state)
	}
	if reason == "" {
		reason = ReasonNoAnswer
	}
	e.setAgentState(a, StateForced, 0, reason)
	return a.view(), nil
}

func (e *Engine) logout(a *agent) (any, error) {
	if a.state == StateLoggedOut {
		return nil, errf(CodeInvalidState, "agent already LOGGEDOUT")
	}
	if len(a.contacts) > 0 {
		return nil, errf(CodeInvalidState, "agent has %d unfinished contact(s)", len(a.contacts))
	}
	e.setAgentState(a, StateLoggedOut, 0, "")
	// Wall clock, like the tokens' iat (the engine clock may be faked).
	a.loggedOutAt = time.Now()
	return a.view(), nil
}

// forceLogout ends everything of an agent whose connections are gone.
func (e *Engine) forceLogout(a *agent, reason string) {
	ids := make([]string, 0, len(a.contacts))
	for id := range a.contacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := a.contacts[id]
		if c == nil || c.agent != a {
			continue
		}
		switch c.v.State {
		case CStateOffered, CStatePreview:
			if p := c.peer; p != nil {
				c.peer, p.peer = nil, nil
				e.unassign(c, ReasonLoggedOut, false)
				e.clear(p, ReasonPeerHangup)
			} else {
				e.unassign(c, ReasonLoggedOut, true)
			}
		case CStateOnline, CStateDialing:
			e.clear(c, ReasonLoggedOut)
		case CStateOffline:
			e.finish(c)
		}
	}
	if a.state != StateLoggedOut {
		e.setAgentState(a, StateLoggedOut, 0, reason)
	}
	e.route()
}

// ---- calls ----

func (e *Engine) newContact(media, typ, job string, acd bool) *contact {
	now := e.now()
	c := &contact{v: Contact{ID: e.newID(), UUID: newUUID(), Type: typ, MediaType: media, JobType: job,
		IsACD: acd, OfflineEnabled: acd, CreatedTime: ms(now), State: CStateQueued}}
	c.createdSeq = e.nextID
	e.contacts[c.v.ID] = c
	e.obs.ContactPhase(media, "", CStateQueued)
	return c
}

func (e *Engine) targetAgent(a *agent, id, media string) (*agent, error) {
	if id == a.id {
		return nil, errf(CodeBadRequest, "cannot target yourself")
	}
	t := e.agents[id]
	if t == nil {
		return nil, errf(CodeNotFound, "no agent %q", id)
	}
	if t.state == StateLoggedOut || t.busy(media) >= t.capacity[media] || media == MediaTelephony && t.liveTelephony() > 0 {
		return nil, errf(CodeUnavailable, "agent %q cannot take a %s contact now", id, media)
	}
	return t, nil
}

func checkNumber(s string) error {
	if s == "" || len(s) > 64 {
		return errf(CodeBadRequest, "destination: 1 to 64 characters")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return errf(CodeBadRequest, "destination: control character")
		}
	}
	return nil
}

func (e *Engine) makeCall(a *agent, args CmdArgs) (any, error) {
	dest := strings.TrimSpace(args.Destination)
	if err := checkNumber(dest); err != nil {
		return nil, err
	}
	kv, err := parseCallData(args.CallData)
	if err != nil {
		return nil, err
	}
	if a.state == StateLoggedOut {
		return nil, errf(CodeInvalidState, "agent is LOGGEDOUT")
	}
	if a.liveTelephony() > 0 || a.capacity[MediaTelephony] < 1 {
		return nil, errf(CodeInvalidState, "agent already has a call")
	}
	var peer *agent
	if id, ok := strings.CutPrefix(dest, "agent:"); ok {
		if peer, err = e.targetAgent(a, id, MediaTelephony); err != nil {
			return nil, err
		}
	} else if _, ok := e.agents[dest]; ok && dest != a.id {
		if peer, err = e.targetAgent(a, dest, MediaTelephony); err != nil {
			return nil, err
		}
	}
	typ := "outbound"
	if peer != nil {
		typ = "internal"
	}
	c := e.newContact(MediaTelephony, typ, "manual", false)
	c.v.ANI, c.v.DNIS = a.id, dest
	if len(args.ServiceID) > 0 {
		var s any
		if json.Unmarshal(args.ServiceID, &s) == nil && s != nil {
			b, _ := json.Marshal(s)
			c.v.Service = strings.Trim(string(b), `"`)
		}
	}
	if len(kv) > 0 {
		c.v.CallData = kv
	}
	e.assign(c, a)
	if peer != nil {
		c.v.DNIS = peer.id
		p := e.newContact(MediaTelephony, "internal", "manual", false)
		p.v.ANI, p.v.DNIS = a.id, peer.id
		p.v.CallData = copyMap(c.v.CallData)
		c.peer, p.peer = p, c
		c.v.Peer, p.v.Peer = p.v.ID, c.v.ID
		e.dial(c)
		e.offer(p, peer)
	} else {
		e.dial(c)
	}
	return c.view(), nil
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	o := make(map[string]string, len(m))
	for k, v := range m {
		o[k] = v
	}
	return o
}

func (e *Engine) transfer(a *agent, c *contact, args CmdArgs) (any, error) {
	if c.v.State != CStateOnline {
		return nil, errf(CodeInvalidState, "contact %s is %s, not online", c.v.ID, c.v.State)
	}
	if c.peer != nil || c.consultOf != nil {
		return nil, errf(CodeUnsupported, "internal and consultation calls cannot be transferred")
	}
	if args.Mode != "blind" && args.Mode != "consult" {
		return nil, errf(CodeBadRequest, "mode: blind or consult")
	}
	if args.Mode == "consult" && c.v.MediaType != MediaTelephony {
		return nil, errf(CodeUnsupported, "consult transfer is for telephony contacts")
	}
	if len(c.v.Parties) > 0 {
		return nil, errf(CodeInvalidState, "a consultation is already in progress")
	}
	var t *agent
	var q *queue
	var err error
	switch args.TargetType {
	case "agent":
		if t, err = e.targetAgent(a, args.Target, c.v.MediaType); err != nil {
			return nil, err
		}
		// A blind transfer hands an ACD contact over with JOBSCHEDULED; the
		// contract says an agent in any pause is scheduled for nothing.
		if args.Mode == "blind" && c.v.IsACD && t.state != StateLoggedIn {
			return nil, errf(CodeUnavailable, "agent %q is in %s: not schedulable", t.id, t.state)
		}
	case "queue":
		if q = e.queues[args.Target]; q == nil {
			return nil, errf(CodeNotFound, "no queue %q", args.Target)
		}
	case "number":
		if c.v.MediaType != MediaTelephony {
			return nil, errf(CodeUnsupported, "only telephony contacts go to a number")
		}
		if err := checkNumber(args.Target); err != nil {
			return nil, err
		}
	default:
		return nil, errf(CodeBadRequest, "targetType: agent, queue or number")
	}
	if args.Mode == "blind" {
		e.clear(c, ReasonTransferred)
		if t == nil && q == nil {
			return c.view(), nil
		}
		n := e.newContact(c.v.MediaType, c.v.Type, c.v.JobType, c.v.IsACD)
		v := c.v
		n.v.ChatID, n.v.ContentType, n.v.ContentDescription = v.ChatID, v.ContentType, v.ContentDescription
		n.v.Service, n.v.ANI, n.v.DNIS, n.v.Queue, n.v.Priority = v.Service, v.ANI, v.DNIS, v.Queue, v.Priority
		n.v.CallData = copyMap(v.CallData)
		n.v.Messages = append([]ChatMessage(nil), v.Messages...)
		n.v.TransferredFrom = v.ID
		if t != nil {
			e.offer(n, t)
		} else {
			if !n.v.IsACD {
				n.v.IsACD, n.v.OfflineEnabled, n.v.JobType = true, true, "inbound"
			}
			n.excluded = map[string]bool{a.id: true}
			e.enqueue(n, q)
			e.route()
		}
		return n.view(), nil
	}
	// consult: hold the customer, call the target
	if !c.v.Held {
		c.v.Held = true
		e.emit(c, EvHeld, "", nil)
	}
	switch {
	case t != nil:
		leg := e.newContact(MediaTelephony, "internal", "manual", false)
		leg.v.ANI, leg.v.DNIS, leg.v.Peer = a.id, t.id, c.v.ID
		leg.v.CallData = copyMap(c.v.CallData)
		leg.consultOf = c
		c.v.Parties = []Party{{Kind: "agent", Target: t.id, Contact: leg.v.ID, State: "consulting"}}
		e.emit(c, EvPartyChanged, "", nil)
		e.offer(leg, t)
	case q != nil:
		leg := e.newContact(MediaTelephony, "internal", "inbound", true)
		leg.v.ANI, leg.v.DNIS, leg.v.Peer = a.id, q.name, c.v.ID
		leg.v.CallData = copyMap(c.v.CallData)
		leg.consultOf = c
		leg.excluded = map[string]bool{a.id: true}
		c.v.Parties = []Party{{Kind: "queue", Target: q.name, Contact: leg.v.ID, State: "consulting"}}
		e.emit(c, EvPartyChanged, "", nil)
		e.enqueue(leg, q)
		e.route()
	default:
		c.v.Parties = []Party{{Kind: "number", Target: args.Target, State: "connected"}}
		e.emit(c, EvPartyChanged, "", nil)
	}
	return c.view(), nil
}

func (e *Engine) consultLeg(c *contact) (*contact, error) {
	if len(c.v.Parties) == 0 {
		return nil, errf(CodeInvalidState, "no consultation in progress")
	}
	p := c.v.Parties[0]
	if p.Contact == "" {
		return nil, nil
	}
	leg := e.contacts[p.Contact]
	if leg == nil {
		return nil, errf(CodeInvalidState, "consultation already ended")
	}
	return leg, nil
}

func (e *Engine) transferComplete(c *contact) (any, error) {
	leg, err := e.consultLeg(c)
	if err != nil {
		return nil, err
	}
	if c.v.Parties[0].State == "consulting" {
		return nil, errf(CodeInvalidState, "the consulted party has not answered yet")
	}
	c.v.Parties = nil
	if leg != nil {
		leg.consultOf = nil
		e.takeOver(leg, c)
	}
	e.clear(c, ReasonTransferred)
	return c.view(), nil
}

func (e *Engine) transferCancel(c *contact) (any, error) {
	leg, err := e.consultLeg(c)
	if err != nil {
		return nil, err
	}
	c.v.Parties = nil
	if leg != nil {
		leg.consultOf = nil
		e.cancelLeg(leg)
	}
	e.emit(c, EvPartyChanged, "", nil)
	if c.v.Held {
		c.v.Held = false
		e.emit(c, EvRetrieved, "", nil)
	}
	return c.view(), nil
}

func (e *Engine) conference(c *contact) (any, error) {
	leg, err := e.consultLeg(c)
	if err != nil {
		return nil, err
	}
	if st := c.v.Parties[0].State; st != "connected" {
		return nil, errf(CodeInvalidState, "consultation is %s, not connected", st)
	}
	c.v.Parties[0].State = "conference"
	e.emit(c, EvPartyChanged, "", nil)
	if c.v.Held {
		c.v.Held = false
		e.emit(c, EvRetrieved, "", nil)
	}
	if leg != nil && leg.agent != nil {
		leg.v.Parties = []Party{{Kind: "agent", Target: c.agent.id, Contact: c.v.ID, State: "conference"}}
		e.emit(leg, EvPartyChanged, "", nil)
	}
	return c.view(), nil
}
