package caddymodule_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// loadRejected loads cfg (as `caddy reload` / POST /load do) after break
// has spoiled its JSON, and expects Caddy to reject it.
func loadRejected(t *testing.T, caddyfile string, spoil func(string) string) {
	t.Helper()
	js, err := caddyrun.Adapt(caddyfile)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(spoil(string(js))), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["admin"] = map[string]any{"disabled": true, "config": map[string]any{"persist": false}}
	cfg["logging"] = map[string]any{"logs": map[string]any{"default": map[string]any{"level": "ERROR"}}}
	js, _ = json.Marshal(cfg)
	if err := caddy.Load(js, false); err == nil {
		t.Fatal("the spoiled config was accepted")
	}
}

// TestEngineRejectedReload: a reload Caddy rejects leaves the running
// engine exactly as it was (settings, agents, connections); a good one
// applies its settings and keeps agents, contacts, history and open
// connections (docs/caddyfile.md, crm_engine).
func TestEngineRejectedReload(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "crm") }))
	defer up.Close()
	port, apiPort := caddyrun.FreePort(t), caddyrun.FreePort(t)
	caddyrun.Start(t, engineConfig(port, apiPort, up.URL, ""))
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	client := caddyrun.ReloadClient()
	get := func(path string) string {
		t.Helper()
		resp, err := client.Get(api + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	tok, err := engine.MintToken([]byte(testSecret), "a1", "Anna", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dial := func(resume string) (*websocket.Conn, map[string]any) {
		t.Helper()
		// The resume below connects right after a reload (CI: reset).
		ws, _, err := caddyrun.DialWS(fmt.Sprintf("ws://127.0.0.1:%d/__crmframe/ws?token=%s", port, tok), nil)
		if err != nil {
			t.Fatal(err)
		}
		hello := `{"op":"hello","v":1,"client":{"kind":"widget","id":"crm"}` + resume + `}`
		if err := ws.WriteMessage(websocket.TextMessage, []byte(hello)); err != nil {
			t.Fatal(err)
		}
		var w map[string]any
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if err := ws.ReadJSON(&w); err != nil || w["op"] != "welcome" {
			t.Fatalf("welcome: %v %v", w, err)
		}
		return ws, w
	}
	ws, welcome := dial("")
	defer ws.Close()
	cmd := func(id, name string) {
		t.Helper()
		if err := ws.WriteJSON(map[string]any{"op": "cmd", "id": id, "name": name}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m := readUntil(t, ws, func(m wsMsg, _ map[string]any) bool { return m.Op == "result" && m.ID == id }); !m.OK {
			t.Fatalf("%s: %s", name, m.Data)
		}
	}
	cmd("r1", "AGENT.Ready")
	resp, err := client.Post(api+"/contacts", "application/json", bytes.NewBufferString(`{"media_type":"chat","queue":"sales","ani":"before-reload"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	readUntil(t, ws, func(m wsMsg, d map[string]any) bool { return m.Op == "event" && d["event"] == "RINGING" })

	withVIP := engineConfig(port, apiPort, up.URL, "", "queue vip a1", "service_level_threshold 5s")
	// Another module (crm_frame: an ancestor without a scheme) fails to
	// provision: the engine's queues stay as they were.
	loadRejected(t, withVIP, func(js string) string {
		return strings.Replace(js, `"http://desk.example.com"`, `"desk2.example.com"`, 1)
	})
	if q := get("/queues"); strings.Contains(q, `"vip"`) || !strings.Contains(q, `"sales"`) {
		t.Errorf("after a reload crm_frame rejected: queues %s", q)
	}
	// crm_engine itself fails (a short secret): the running engine must
	// stay open, with this very connection.
	loadRejected(t, withVIP, func(js string) string { return strings.Replace(js, testSecret, "short", 1) })
	if q := get("/queues"); strings.Contains(q, `"vip"`) {
		t.Errorf("after a reload crm_engine rejected: queues %s", q)
	}
	cmd("r2", "AGENT.GetState")

	// A good reload applies the change and keeps everything else.
	caddyrun.Reload(t, withVIP)
	if q := get("/queues"); !strings.Contains(q, `"vip"`) {
		t.Errorf("after a good reload: queues %s", q)
	}
	var agents []struct {
		ID, State   string
		Connections int
		Busy        map[string]int
	}
	if err := json.Unmarshal([]byte(get("/agents")), &agents); err != nil {
		t.Fatal(err)
	}
	for _, a := range agents {
		if a.ID == "a1" && (a.State != "LOGGEDIN" || a.Connections != 1 || a.Busy["chat"] != 1) {
			t.Errorf("after a good reload: a1 %+v, want LOGGEDIN with its connection and its chat", a)
		}
	}
	if c := get("/contacts"); !strings.Contains(c, "before-reload") {
		t.Errorf("after a good reload: contacts %s", c)
	}
	cmd("r3", "AGENT.GetState") // the connection stayed open
	// The event log too: a page resuming from before the chat replays it.
	resume := fmt.Sprintf(`,"resume":{"epoch":%q,"seq":%v}`, welcome["epoch"], welcome["seq"])
	ws2, w2 := dial(resume)
	defer ws2.Close()
	if w2["snapshot"] != false || w2["replayed"] == float64(0) {
		t.Errorf("resume after a good reload: %v", w2)
	}
}
