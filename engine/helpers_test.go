package engine

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

type recorder struct {
	mu     sync.Mutex
	events []map[string]any
	seqs   []uint64
}

func (r *recorder) Deliver(e *Entry) {
	var m struct {
		Op   string         `json:"op"`
		Seq  uint64         `json:"seq"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(e.Msg, &m); err != nil {
		panic(err)
	}
	if m.Op != "event" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, m.Data)
	r.seqs = append(r.seqs, m.Seq)
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = fmt.Sprint(e["event"])
		if p, ok := e["phase"]; ok {
			out[i] += ":" + fmt.Sprint(p)
		}
	}
	return out
}

func (r *recorder) last(name string) map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i]["event"] == name {
			return r.events[i]
		}
	}
	return nil
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.events, r.seqs = nil, nil
	r.mu.Unlock()
}

type rig struct {
	t   *testing.T
	e   *Engine
	clk *FakeClock
	rec map[string]*recorder
}

func testConfig() Config {
	return Config{
		Secret:     []byte("0123456789abcdef0123456789abcdef"),
		PauseCodes: []PauseCode{{Code: 1701, Label: "Lunch"}, {Code: 1702, Label: "Training"}},
		Queues: []QueueConfig{
			{Name: "sales", Service: "SalesSvc", Agents: []string{"a1", "a2"}},
			{Name: "support", Agents: []string{"a2", "a3"}},
		},
		Agents:          []AgentConfig{{ID: "a1", Name: "Alice"}, {ID: "a2", Name: "Bob"}, {ID: "a3"}},
		NoAnswerTimeout: 10 * time.Second,
		ACWTimeout:      15 * time.Second,
		LogoutGrace:     30 * time.Second,
		DialAnswerAfter: 2 * time.Second,
	}
}

func newRig(t *testing.T, mod func(*Config), opts ...Option) *rig {
	t.Helper()
	cfg := testConfig()
	if mod != nil {
		mod(&cfg)
	}
	clk := NewFakeClock(t0)
	e, err := New(cfg, append([]Option{WithClock(clk)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, e: e, clk: clk, rec: map[string]*recorder{}}
	for _, id := range []string{"a1", "a2", "a3"} {
		rec := &recorder{}
		e.broker.Subscribe(id, rec, e.broker.Epoch(), 0)
		r.rec[id] = rec
	}
	return r
}

func (r *rig) do(agent, name string, args any) (map[string]any, error) {
	r.t.Helper()
	raw, _ := json.Marshal(args)
	res, err := r.e.Do(agent, name, raw)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(res)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m, nil
}

func (r *rig) must(agent, name string, args any) map[string]any {
	r.t.Helper()
	m, err := r.do(agent, name, args)
	if err != nil {
		r.t.Fatalf("%s %s: %v", agent, name, err)
	}
	return m
}

func (r *rig) ready(ids ...string) {
	r.t.Helper()
	for _, id := range ids {
		r.must(id, "AGENT.Ready", nil)
		r.rec[id].reset()
	}
}

func (r *rig) create(req ContactRequest) *Contact {
	r.t.Helper()
	c, err := r.e.CreateContact(req)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

func (r *rig) ext(x ExternalEvent) {
	r.t.Helper()
	if _, err := r.e.External(x); err != nil {
		r.t.Fatalf("external %+v: %v", x, err)
	}
}

func (r *rig) state(id string) string {
	r.t.Helper()
	c, err := r.e.Contact(id)
	if err != nil {
		r.t.Fatal(err)
	}
	return c.State
}

func (r *rig) agentState(id string) string {
	for _, a := range r.e.Agents() {
		if a.ID == id {
			return a.State
		}
	}
	return ""
}

func eq(t *testing.T, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events\n got: %v\nwant: %v", got, want)
	}
}

func id(args ...string) map[string]any {
	m := map[string]any{}
	if len(args) > 0 {
		m["contactId"] = args[0]
	}
	return m
}
