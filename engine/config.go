package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Media types (the spec's media_type values).
const (
	MediaTelephony = "telephony"
	MediaChat      = "chat"
	MediaChannel   = "channel"
)

// PopupOn values: when the engine emits POPUP for an ACD contact.
const (
	PopupOnAccept      = "accept"      // when the agent accepts (default)
	PopupOnRinging     = "ringing"     // right after JOBCHANGED setup
	PopupOnEstablished = "established" // right after ESTABLISHED
)

// Config is the engine configuration. The zero value of every optional field
// means "use the default" (see Defaults).
type Config struct {
	// Secret is the HS256 key agent tokens are signed with; at least 32 bytes
	// unless Dev is set.
	Secret []byte `json:"-"`
	// Dev relaxes the secret length check (demo and tests only).
	Dev bool `json:"dev,omitempty"`
	// HistoryLength is how many events each agent's log keeps for resume
	// (default 4096).
	HistoryLength int `json:"history_length,omitempty"`
	// NoAnswerTimeout: an offered contact not accepted in time is re-queued and
	// the agent put in FORCED (default 20s).
	NoAnswerTimeout time.Duration `json:"no_answer_timeout,omitempty"`
	// ACWTimeout ends the offline (After Call Work) phase automatically
	// (default 30s). OfflineEnable(id,true) keeps it open until OfflineEnd.
	ACWTimeout time.Duration `json:"acw_timeout,omitempty"`
	// LogoutGrace: an agent whose connections are all gone for this long is
	// logged out (default 60s).
	LogoutGrace time.Duration `json:"logout_grace,omitempty"`
	// DialAnswerAfter: how long a dialled customer takes to answer in the
	// built-in model (default 3s). A negative value disables the automatic
	// answer: a real CTI then sends ESTABLISHED through the API.
	DialAnswerAfter time.Duration `json:"dial_answer_after,omitempty"`
	// PopupOn is accept (default), ringing or established.
	PopupOn string `json:"popup_on,omitempty"`
	// PauseCodes are the pause sub-states agents may choose.
	PauseCodes []PauseCode `json:"pause_codes,omitempty"`
	// Queues and their member agents.
	Queues []QueueConfig `json:"queues,omitempty"`
	// Agents known in advance (an agent with a valid token is created on
	// first connection otherwise).
	Agents []AgentConfig `json:"agents,omitempty"`
	// Capacity is the default per-media capacity of an agent: telephony is
	// always 1; chat default 3; channel default 5.
	Capacity map[string]int `json:"capacity,omitempty"`
	// Simulate generates demo traffic when Enabled.
	Simulate SimulateConfig `json:"simulate,omitempty"`

	// WebSocket limits.
	MaxMessageSize int64         `json:"max_message_size,omitempty"` // default 64 KiB
	SendQueue      int           `json:"send_queue,omitempty"`       // messages per connection, default 256
	WriteTimeout   time.Duration `json:"write_timeout,omitempty"`    // default 10s
	PingInterval   time.Duration `json:"ping_interval,omitempty"`    // default 25s; read deadline is 2x
	HelloTimeout   time.Duration `json:"hello_timeout,omitempty"`    // default 10s
	// MaxConnsPerAgent bounds the pages one agent may have open (default 32).
	MaxConnsPerAgent int `json:"max_conns_per_agent,omitempty"`
	// CommandRate and CommandBurst bound the messages one connection may
	// send (a token bucket: default 20 per second, bursts of 40). A client
	// above it is cut off with close code 4008; others are not affected.
	CommandRate  float64 `json:"command_rate,omitempty"`
	CommandBurst int     `json:"command_burst,omitempty"`
}

// PauseCode is a configured pause sub-state.
type PauseCode struct {
	Code  int    `json:"code"`
	Label string `json:"label"`
}

// QueueConfig is a queue (workgroup) and its member agents.
type QueueConfig struct {
	Name    string   `json:"name"`
	Service string   `json:"service,omitempty"`
	Agents  []string `json:"agents"`
}

// AgentConfig declares an agent.
type AgentConfig struct {
	ID       string         `json:"id"`
	Name     string         `json:"name,omitempty"`
	Capacity map[string]int `json:"capacity,omitempty"`
}

// SimulateConfig drives the built-in demo traffic generator.
type SimulateConfig struct {
	Enabled bool `json:"enabled,omitempty"`
	// Calls, Chats, Emails: new inbound contacts per minute.
	Calls  float64 `json:"calls_per_minute,omitempty"`
	Chats  float64 `json:"chats_per_minute,omitempty"`
	Emails float64 `json:"emails_per_minute,omitempty"`
	// HangupAfter: mean talk time before the customer hangs up (default 90s);
	// 0 < AbandonProbability <= 1 makes queued customers give up.
	HangupAfter        time.Duration `json:"hangup_after,omitempty"`
	AbandonAfter       time.Duration `json:"abandon_after,omitempty"` // default 60s
	AbandonProbability float64       `json:"abandon_probability,omitempty"`
	// Seed makes the traffic reproducible (0 = random).
	Seed uint64 `json:"seed,omitempty"`
}

// Defaults returns a copy of c with every unset optional field filled in.
func (c Config) Defaults() Config {
	if c.HistoryLength == 0 {
		c.HistoryLength = 4096
	}
	if c.NoAnswerTimeout == 0 {
		c.NoAnswerTimeout = 20 * time.Second
	}
	if c.ACWTimeout == 0 {
		c.ACWTimeout = 30 * time.Second
	}
	if c.LogoutGrace == 0 {
		c.LogoutGrace = 60 * time.Second
	}
	if c.DialAnswerAfter == 0 {
		c.DialAnswerAfter = 3 * time.Second
	}
	if c.PopupOn == "" {
		c.PopupOn = PopupOnAccept
	}
	caps := map[string]int{MediaTelephony: 1, MediaChat: 3, MediaChannel: 5}
	for k, v := range c.Capacity {
		caps[k] = v
	}
	c.Capacity = caps
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = 64 << 10
	}
	if c.SendQueue == 0 {
		c.SendQueue = 256
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.PingInterval == 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.HelloTimeout == 0 {
		c.HelloTimeout = 10 * time.Second
	}
	if c.MaxConnsPerAgent == 0 {
		c.MaxConnsPerAgent = 32
	}
	if c.CommandRate == 0 {
		c.CommandRate = 20
	}
	if c.CommandBurst == 0 {
		c.CommandBurst = 40
	}
	s := &c.Simulate
	if s.HangupAfter == 0 {
		s.HangupAfter = 90 * time.Second
	}
	if s.AbandonAfter == 0 {
		s.AbandonAfter = 60 * time.Second
	}
	return c
}

// Validate reports every problem of the (defaulted) configuration at once.
func (c Config) Validate() error {
	c = c.Defaults()
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	switch {
	case len(c.Secret) == 0 && !c.Dev:
		add("secret: required (HS256 key of at least 32 bytes)")
	case len(c.Secret) < 32 && !c.Dev:
		add("secret: %d bytes is too short, need at least 32", len(c.Secret))
	}
	if c.HistoryLength < 1 || c.HistoryLength > 1<<20 {
		add("history_length: %d out of range 1..1048576", c.HistoryLength)
	}
	for name, d := range map[string]time.Duration{"no_answer_timeout": c.NoAnswerTimeout, "acw_timeout": c.ACWTimeout, "logout_grace": c.LogoutGrace, "write_timeout": c.WriteTimeout, "ping_interval": c.PingInterval, "hello_timeout": c.HelloTimeout} {
		if d < 0 {
			add("%s: must be positive, got %s", name, d)
		}
	}
	if !(c.CommandRate > 0 && c.CommandRate <= 1e6) {
		add("command_rate: %v out of range (0, 1000000] messages per second", c.CommandRate)
	}
	if c.CommandBurst < 1 || c.CommandBurst > 1e6 {
		add("command_burst: %d out of range 1..1000000", c.CommandBurst)
	}
	switch c.PopupOn {
	case PopupOnAccept, PopupOnRinging, PopupOnEstablished:
	default:
		add("popup_on: %q is not one of accept, ringing, established", c.PopupOn)
	}
	seenCode := map[int]bool{}
	for _, p := range c.PauseCodes {
		if p.Code <= 0 {
			add("pause_codes: code %d must be a positive number", p.Code)
		}
		if seenCode[p.Code] {
			add("pause_codes: code %d listed twice", p.Code)
		}
		seenCode[p.Code] = true
		if strings.TrimSpace(p.Label) == "" {
			add("pause_codes: code %d needs a label", p.Code)
		}
	}
	checkCaps := func(where string, m map[string]int) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := m[k]
			switch k {
			case MediaTelephony:
				if v != 1 && v != 0 {
					add("%s: telephony capacity must be 1 (or 0 to disable), got %d", where, v)
				}
			case MediaChat, MediaChannel:
				if v < 0 || v > 100 {
					add("%s: %s capacity %d out of range 0..100", where, k, v)
				}
			default:
				add("%s: unknown media %q (telephony, chat, channel)", where, k)
			}
		}
	}
	checkCaps("capacity", c.Capacity)
	seenAgent := map[string]bool{}
	for _, a := range c.Agents {
		if !validID(a.ID) {
			add("agents: invalid agent id %q (1-128 chars, letters, digits, . _ - @)", a.ID)
		}
		if seenAgent[a.ID] {
			add("agents: agent %q listed twice", a.ID)
		}
		seenAgent[a.ID] = true
		checkCaps("agents "+a.ID+" capacity", a.Capacity)
	}
	seenQueue := map[string]bool{}
	for _, q := range c.Queues {
		if !validID(q.Name) {
			add("queues: invalid queue name %q", q.Name)
		}
		if seenQueue[q.Name] {
			add("queues: queue %q listed twice", q.Name)
		}
		seenQueue[q.Name] = true
		for _, a := range q.Agents {
			if !validID(a) {
				add("queues %s: invalid agent id %q", q.Name, a)
			}
		}
	}
	if c.MaxMessageSize < 1024 {
		add("max_message_size: %d is below 1024 bytes", c.MaxMessageSize)
	}
	if c.SendQueue < 1 {
		add("send_queue: must be at least 1")
	}
	if c.MaxConnsPerAgent < 1 {
		add("max_conns_per_agent: must be at least 1")
	}
	s := c.Simulate
	if s.Enabled {
		if s.Calls < 0 || s.Chats < 0 || s.Emails < 0 {
			add("simulate: rates must not be negative")
		}
		if s.Calls+s.Chats+s.Emails == 0 {
			add("simulate: enabled but every rate is 0")
		}
		if len(c.Queues) == 0 {
			add("simulate: needs at least one queue")
		}
		if s.AbandonProbability < 0 || s.AbandonProbability > 1 {
			add("simulate: abandon_probability %v out of range 0..1", s.AbandonProbability)
		}
		if s.HangupAfter < 0 || s.AbandonAfter < 0 {
			add("simulate: durations must be positive")
		}
	}
	return errors.Join(errs...)
}

// validID accepts agent ids, queue names and contact ids.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '.' || r == '_' || r == '-' || r == '@' || r == '+' || r == ':':
		default:
			return false
		}
	}
	return true
}
