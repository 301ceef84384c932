package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crmframe/crmframe/engine"
)

// TestFanoutClientsAgainstEngine runs the fan-out client (tokens, hello,
// commands, POST /events, event parsing) against the real engine served
// in-process, so the section works the day the binary serves it.
func TestFanoutClientsAgainstEngine(t *testing.T) {
	e, err := engine.New(engine.Config{Secret: []byte(benchSecret)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	mux := http.NewServeMux()
	mux.Handle(wsPath, e.WebSocketHandler(engine.WSOptions{CheckOrigin: func(*http.Request) bool { return false }}))
	mux.Handle("/api/", http.StripPrefix("/api", e.APIHandler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cfg := defaultConfig("quick")
	cfg.WSClients, cfg.WSPerAgent, cfg.WSEventRate, cfg.WSDuration = 10, 2, 200, 300*time.Millisecond
	rep := &Report{}
	b := &bench{cfg: cfg, rep: rep, logf: func(string, ...any) {}}
	if err := b.fanoutClients("ws"+strings.TrimPrefix(srv.URL, "http")+wsPath, srv.URL+"/api", os.Getpid()); err != nil {
		t.Fatal(err)
	}
	rows := map[string]Row{}
	for _, r := range rep.Rows {
		rows[strings.SplitN(r.Measure, " (", 2)[0]] = r
	}
	if r := rows["connections"]; r.Status != pass || !strings.HasPrefix(r.Result, "10 in") {
		t.Errorf("connections: %+v", r)
	}
	// 60 events (200/s × 0.3 s) + the probe, each to the 2 pages of its agent.
	if r := rows["events delivered / expected"]; r.Status != pass || r.Result != "122 / 122" {
		t.Errorf("deliveries: %+v", r)
	}
	if r := rows["delivery latency p50 / p99"]; strings.Contains(r.Result, "-") {
		t.Errorf("latency: %+v", r)
	}
	if len(rep.Notes) > 0 {
		t.Errorf("notes: %v", rep.Notes)
	}
}

// TestFanoutNotAvailable: a binary without the engine is reported, not
// failed.
func TestFanoutNotAvailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "plain CRM page")
	}))
	defer srv.Close()
	b := &bench{cfg: defaultConfig("quick"), rep: &Report{}, logf: func(string, ...any) {}}
	err := b.fanoutClients("ws"+strings.TrimPrefix(srv.URL, "http")+wsPath, srv.URL, os.Getpid())
	if _, ok := err.(errNotAvailable); !ok {
		t.Fatalf("want errNotAvailable, got %v", err)
	}
}
