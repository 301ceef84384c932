package engine

import (
	"errors"
	"fmt"
	"time"
)

// Agent states; each is also the name of the agent event announcing it.
const (
	StateLoggedOut     = "LOGGEDOUT"
	StateLoggedIn      = "LOGGEDIN"
	StatePause         = "PAUSE"
	StatePauseSubstate = "PAUSESUBSTATE"
	StateForced        = "FORCED"
)

// Contact life-cycle states (the `state` field, a crmframe extension).
const (
	CStateQueued   = "queued"   // waiting in a queue
	CStateOffered  = "offered"  // ringing at an agent (JOBCHANGED setup sent)
	CStatePreview  = "preview"  // preview job shown to the agent, not dialled yet
	CStateDialing  = "dialing"  // outbound call dialling the customer
	CStateOnline   = "online"   // ESTABLISHED
	CStateOffline  = "offline"  // After Call Work
	CStateFinished = "finished" // JOBFINISHED sent (or abandoned in queue)
)

// Contact event names (spec §3.1–3.3) and crmframe extensions.
const (
	EvJobScheduled       = "JOBSCHEDULED"
	EvConnectionStarted  = "CONNECTIONSTARTED"
	EvRinging            = "RINGING"
	EvDialing            = "DIALING"
	EvJobChanged         = "JOBCHANGED"
	EvPopup              = "POPUP"
	EvEstablished        = "ESTABLISHED"
	EvJobStarted         = "JOBSTARTED"
	EvHeld               = "HELD"
	EvRetrieved          = "RETRIEVED"
	EvDataChanged        = "DATACHANGED"
	EvConnectionCleared  = "CONNECTIONCLEARED"
	EvJobFinished        = "JOBFINISHED"
	EvChatMessage        = "CHATMESSAGE"      // extension
	EvRecordingStarted   = "RECORDINGSTARTED" // extension
	EvRecordingStopped   = "RECORDINGSTOPPED" // extension
	EvPartyChanged       = "PARTYCHANGED"     // extension: consult / conference
	PhaseSetup           = "setup"
	PhaseOnline          = "online"
	PhaseOffline         = "offline"
	ReasonAnswered       = "normal"
	ReasonAgentHangup    = "agent_hangup"
	ReasonCustomerHangup = "customer_hangup"
	ReasonRejected       = "rejected"
	ReasonNoAnswer       = "no_answer"
	ReasonAbandoned      = "abandoned"
	ReasonTransferred    = "transferred"
	ReasonLoggedOut      = "agent_logged_out"
	ReasonCancelled      = "cancelled"
	ReasonPeerHangup     = "peer_hangup"
)

// Error codes returned by commands and the API.
const (
	CodeOK           = "ok"
	CodeBadRequest   = "bad_request"   // malformed or missing argument
	CodeNotFound     = "not_found"     // unknown id, or a contact of another agent
	CodeInvalidState = "invalid_state" // the command is not allowed in the current state
	CodeForbidden    = "forbidden"     // the caller may not do this at all
	CodeUnsupported  = "unsupported"   // not possible for this media / job type
	CodeUnavailable  = "unavailable"   // target agent busy, logged out, at capacity or (ACD blind transfer) paused
	CodeUnknown      = "unknown_command"
	CodeInternal     = "internal"
)

// Error is a typed command/API error. A refused command changes nothing.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errf(code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// ErrorCode extracts the code of err (CodeInternal for foreign errors, CodeOK for nil).
func ErrorCode(err error) string {
	if err == nil {
		return CodeOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage is err's message without the code prefix of Error(): the
// wire and the API carry the code in its own field.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// Agent is the public view of an agent.
type Agent struct {
	ID     string   `json:"id"`
	Name   string   `json:"name,omitempty"`
	State  string   `json:"state"`
	Code   int      `json:"code,omitempty"`  // pause sub-state code
	Label  string   `json:"label,omitempty"` // pause sub-state label
	Reason string   `json:"reason,omitempty"`
	Since  int64    `json:"since"` // ms since epoch of the last state change
	Queues []string `json:"queues,omitempty"`
	// Capacity per media and Busy: unfinished contacts per media.
	Capacity    map[string]int `json:"capacity"`
	Busy        map[string]int `json:"busy"`
	Connections int            `json:"connections"`
}

// Party is a participant added by consult or conference.
type Party struct {
	Kind    string `json:"kind"` // agent | queue | number
	Target  string `json:"target"`
	Contact string `json:"contact,omitempty"` // the target's contact id (agent/queue targets)
	State   string `json:"state"`             // consulting | connected | conference
}

// ChatMessage is one chat line.
type ChatMessage struct {
	From string `json:"from"` // agent | customer
	Text string `json:"text"`
	Time int64  `json:"time"`
}

// Contact is the public view of a contact; its JSON fields are the spec's
// event properties plus crmframe extensions (state, agent, call_data, …).
type Contact struct {
	ID                 string            `json:"id"`
	UUID               string            `json:"uuid"`
	ChatID             string            `json:"chat_id,omitempty"`
	Type               string            `json:"type"`
	MediaType          string            `json:"media_type"`
	ContentType        string            `json:"content_type,omitempty"`
	ContentDescription string            `json:"content_description,omitempty"`
	JobType            string            `json:"job_type"`
	JobState           string            `json:"job_state,omitempty"`
	Service            string            `json:"service"`
	ANI                string            `json:"ani"`
	DNIS               string            `json:"dnis"`
	Queue              string            `json:"queue"`
	Reason             string            `json:"reason,omitempty"`
	IsACD              bool              `json:"isACD"`
	StartTime          int64             `json:"startTime,omitempty"`
	EndTime            int64             `json:"endTime,omitempty"`
	OfflineStartTime   int64             `json:"offlineStartTime,omitempty"`
	OfflineEndTime     int64             `json:"offlineEndTime,omitempty"`
	CallData           map[string]string `json:"call_data,omitempty"`
	Agent              string            `json:"agent,omitempty"`
	State              string            `json:"state"`
	Held               bool              `json:"held"`
	Recording          bool              `json:"recording"`
	OfflineEnabled     bool              `json:"offline_enabled"`
	Priority           int               `json:"priority,omitempty"`
	CreatedTime        int64             `json:"createdTime"`
	TransferredFrom    string            `json:"transferred_from,omitempty"`
	Peer               string            `json:"peer,omitempty"` // internal call / consult: the other side's contact id
	Parties            []Party           `json:"parties,omitempty"`
	Messages           []ChatMessage     `json:"messages,omitempty"` // last 50 chat lines
	LastEvent          string            `json:"last_event,omitempty"`
}

// ContactEvent is the JSON of a contact event: the contact's fields at that
// moment plus the event name, time and (JOB* events) phase.
type ContactEvent struct {
	Event   string       `json:"event"`
	Time    int64        `json:"time"`
	Phase   string       `json:"phase,omitempty"`
	Changed []string     `json:"changed,omitempty"` // DATACHANGED: keys that changed
	Message *ChatMessage `json:"message,omitempty"` // CHATMESSAGE
	*Contact
}

// AgentEvent is the JSON of an agent event.
type AgentEvent struct {
	Event  string `json:"event"`
	Time   int64  `json:"time"`
	Agent  string `json:"agent"`
	Name   string `json:"name,omitempty"`
	State  string `json:"state"`
	Code   int    `json:"code,omitempty"`
	Label  string `json:"label,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Snapshot is an agent's current state and every active contact.
type Snapshot struct {
	Epoch    string     `json:"epoch"`
	Seq      uint64     `json:"seq"`
	Agent    Agent      `json:"agent"`
	Contacts []*Contact `json:"contacts"`
}

// Queue is the public view of a queue.
type Queue struct {
	Name    string   `json:"name"`
	Service string   `json:"service,omitempty"`
	Agents  []string `json:"agents"`
	Waiting []string `json:"waiting"` // contact ids in routing order
}

func ms(t time.Time) int64 { return t.UnixMilli() }
