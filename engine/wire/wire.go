// Package wire is the JSON envelope of crmframe's agent WebSocket protocol
// (docs/protocol.md). It only encodes and decodes; the engine gives meaning.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Version is the protocol version sent in welcome and accepted in hello.
const Version = 1

// Client → server ops.
const (
	OpHello = "hello"
	OpCmd   = "cmd"
	OpRelay = "relay"
	OpPing  = "ping"
	// OpReport carries the SDK's frame-busting shim counts (Shim).
	OpReport = "report"
)

// Server → client ops.
const (
	OpWelcome = "welcome"
	OpEvent   = "event"
	OpResult  = "result"
	OpPong    = "pong"
	OpError   = "error"
)

// Envelope is any client message.
type Envelope struct {
	Op     string          `json:"op"`
	V      int             `json:"v,omitempty"`
	ID     string          `json:"id,omitempty"`
	Name   string          `json:"name,omitempty"`
	Args   json.RawMessage `json:"args,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
	To     string          `json:"to,omitempty"`
	Resume *Resume         `json:"resume,omitempty"`
	Client *Client         `json:"client,omitempty"`
	// Shim: op "report", kind → count since the page's last report.
	Shim json.RawMessage `json:"shim,omitempty"`
}

// Resume asks for the events after Seq of Epoch.
type Resume struct {
	Epoch string `json:"epoch"`
	Seq   uint64 `json:"seq"`
}

// Client describes the page: kind widget|desktop|sdk|other, id e.g. the
// widget id.
type Client struct {
	Kind string `json:"kind,omitempty"`
	ID   string `json:"id,omitempty"`
}

// Err is a typed error.
type Err struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Welcome answers hello.
type Welcome struct {
	Op      string `json:"op"`
	V       int    `json:"v"`
	Session string `json:"session"`
	// AgentID lets a resuming client notice it resumed another agent's
	// stream (another agent logged in in the same browser tab).
	AgentID  string `json:"agent_id"`
	Agent    any    `json:"agent,omitempty"`
	Contacts any    `json:"contacts,omitempty"`
	Epoch    string `json:"epoch"`
	Seq      uint64 `json:"seq"`
	Snapshot bool   `json:"snapshot"`
	Replayed int    `json:"replayed"`
	Limits   Limits `json:"limits"`
}

// Limits tells the client the server's limits.
type Limits struct {
	MaxMessageSize int64 `json:"max_message_size"`
	SendQueue      int   `json:"send_queue"`
	PingInterval   int64 `json:"ping_interval_ms"`
	// CommandRate/CommandBurst: messages per second a client may send
	// (token bucket); above it the connection is closed with 4008.
	CommandRate  float64 `json:"command_rate,omitempty"`
	CommandBurst int     `json:"command_burst,omitempty"`
}

// Result answers cmd.
type Result struct {
	Op    string `json:"op"`
	ID    string `json:"id"`
	OK    bool   `json:"ok"`
	Data  any    `json:"data,omitempty"`
	Error *Err   `json:"error,omitempty"`
}

// Error reports a refused message that has no result.
type Error struct {
	Op    string `json:"op"`
	ID    string `json:"id,omitempty"`
	Error Err    `json:"error"`
}

// Relay is forwarded between pages of the same agent.
type Relay struct {
	Op   string          `json:"op"`
	Name string          `json:"name"`
	From string          `json:"from"`
	To   string          `json:"to,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Pong answers ping.
type Pong struct {
	Op   string `json:"op"`
	ID   string `json:"id,omitempty"`
	Time int64  `json:"time"`
}

// Decode parses and bounds-checks one client message. It never panics.
func Decode(b []byte) (*Envelope, error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		return nil, errors.New("message must be a JSON object")
	}
	if !utf8.Valid(t) {
		return nil, errors.New("message is not UTF-8")
	}
	var e Envelope
	if err := json.Unmarshal(t, &e); err != nil {
		return nil, fmt.Errorf("bad JSON: %v", err)
	}
	if e.Op == "" {
		return nil, errors.New("op: required")
	}
	for _, f := range []struct {
		name string
		v    string
		max  int
	}{{"op", e.Op, 32}, {"id", e.ID, 64}, {"name", e.Name, 64}, {"to", e.To, 160}} {
		if len(f.v) > f.max {
			return nil, fmt.Errorf("%s: longer than %d bytes", f.name, f.max)
		}
	}
	if e.Client != nil && (len(e.Client.Kind) > 32 || len(e.Client.ID) > 128) {
		return nil, errors.New("client: kind or id too long")
	}
	if e.Resume != nil && len(e.Resume.Epoch) > 64 {
		return nil, errors.New("resume.epoch: too long")
	}
	if e.V != 0 && e.V != Version {
		return nil, fmt.Errorf("v: protocol version %d not supported (server speaks %d)", e.V, Version)
	}
	return &e, nil
}
