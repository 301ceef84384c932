package caddymodule_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// TestShimReportMetrics: a page's op "report" over the authenticated agent
// WebSocket moves crmframe_shim_actions_total through a real Caddy; unknown
// kinds and early reports only move crmframe_shim_dropped_total.
func TestShimReportMetrics(t *testing.T) {
	up := caddyrun.FreePort(t) // nothing listens: only the WebSocket is used
	port, apiPort, mport := caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t)
	caddyrun.Start(t, engineConfig(port, apiPort, fmt.Sprintf("http://127.0.0.1:%d", up), fmt.Sprintf("http://127.0.0.1:%d {\n\tmetrics /metrics\n}\n", mport)))
	murl := fmt.Sprintf("http://127.0.0.1:%d/metrics", mport)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	before := opsScrape(t, murl)
	// Every kind is there at zero before any report.
	if f := before["crmframe_shim_actions_total"]; f == nil || len(f.GetMetric()) != len(engine.ShimKinds()) {
		t.Fatalf("crmframe_shim_actions_total not exported at zero for every kind: %v", f)
	}

	tok, err := engine.MintToken([]byte(testSecret), "a2", "Bea", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wsURL := fmt.Sprintf("ws://127.0.0.1:%d/__crmframe/ws", port)
	// Without a token there is no connection to report on.
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Origin": {base}}); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: err=%v resp=%v", err, resp)
	}
	ws, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Origin": {base}, "Cookie": {engine.TokenCookie + "=" + tok}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	send := func(v any) {
		t.Helper()
		if err := ws.WriteJSON(v); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"op": "hello", "v": 1, "client": map[string]string{"kind": "widget", "id": "crm"}})
	readUntil(t, ws, func(m wsMsg, _ map[string]any) bool { return m.Op == "welcome" })
	send(map[string]any{"op": "report", "shim": map[string]any{"top": 3, "blank": 2, "no-such-kind": 7}})
	send(map[string]any{"op": "report", "shim": map[string]any{"top": 50}}) // too soon: dropped
	send(map[string]any{"op": "ping", "id": "p"})
	readUntil(t, ws, func(m wsMsg, _ map[string]any) bool { return m.Op == "pong" && m.ID == "p" })

	after := opsScrape(t, murl)
	delta := func(name string, lv ...string) float64 {
		return opsVal(after, name, lv...) - opsVal(before, name, lv...)
	}
	for _, c := range []struct {
		name, label, value string
		want               float64
	}{
		{"crmframe_shim_actions_total", "kind", "top", 3},
		{"crmframe_shim_actions_total", "kind", "blank", 2},
		{"crmframe_shim_actions_total", "kind", "open", 0},
		{"crmframe_shim_dropped_total", "reason", "unknown_kind", 1},
		{"crmframe_shim_dropped_total", "reason", "rate_limited", 1},
	} {
		if got := delta(c.name, c.label, c.value); got != c.want {
			t.Errorf("%s{%s=%q} moved by %v, want %v", c.name, c.label, c.value, got, c.want)
		}
	}
	for _, m := range after["crmframe_shim_actions_total"].GetMetric() {
		if v := m.GetLabel()[0].GetValue(); !slices.Contains(engine.ShimKinds(), v) {
			t.Errorf("label value %q is not an allowed kind", v)
		}
	}
}

// TestShimKindsMatchShim: the engine's allow-list is exactly what
// injector/sdk/shim.js counts, so a new counter there is not silently
// dropped as unknown_kind.
func TestShimKindsMatchShim(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "injector", "sdk", "shim.js"))
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	// count('kind') and lie('parent', …) (counted with count(name))
	for _, m := range regexp.MustCompile(`\b(?:count|lie)\('([^']+)'`).FindAllStringSubmatch(string(src), -1) {
		set[m[1]] = true
	}
	var got []string
	for k := range set {
		got = append(got, k)
	}
	sort.Strings(got)
	if !slices.Equal(got, engine.ShimKinds()) {
		t.Fatalf("shim.js counts %v, the engine accepts %v", got, engine.ShimKinds())
	}
}
