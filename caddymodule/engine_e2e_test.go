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

	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

const testSecret = "0123456789abcdef0123456789abcdef-test"

type wsMsg struct {
	Op       string          `json:"op"`
	Seq      uint64          `json:"seq"`
	Snapshot bool            `json:"snapshot"`
	Data     json.RawMessage `json:"data"`
	OK       bool            `json:"ok"`
	ID       string          `json:"id"`
}

func readUntil(t *testing.T, c *websocket.Conn, pred func(wsMsg, map[string]any) bool) wsMsg {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m wsMsg
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("read: %v", err)
		}
		var d map[string]any
		_ = json.Unmarshal(m.Data, &d)
		if pred(m, d) {
			return m
		}
	}
}

func engineConfig(port, apiPort int, upstream, extra string, engineExtra ...string) string {
	return fmt.Sprintf(`{
	crm_engine {
		secret %q
		demo_tokens
		queue sales a1 a2
		pause_code 1701 Lunch
		%s
	}
}
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors http://desk.example.com
	}
	reverse_proxy %s
}
http://127.0.0.1:%d {
	crm_engine_api
}
%s`, testSecret, strings.Join(engineExtra, "\n\t\t"), port, strings.TrimPrefix(upstream, "http://"), apiPort, extra)
}

func TestEngineThroughCrmFrame(t *testing.T) {
	// The upstream echoes the cookies it receives: our token must not be there.
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "cookies=%q query=%q", r.Header.Get("Cookie"), r.URL.RawQuery)
	}))
	defer up.Close()
	port, apiPort := caddyrun.FreePort(t), caddyrun.FreePort(t)
	caddyrun.Start(t, engineConfig(port, apiPort, up.URL, ""))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// A forged token is refused with a reason, and never reaches the CRM.
	resp, err := noRedirect.Get(base + "/crm/page?crmframe_token=forged")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "invalid token") {
		t.Errorf("forged token: %d %q", resp.StatusCode, body)
	}

	tok, err := engine.MintToken([]byte(testSecret), "a1", "Anna", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err = noRedirect.Get(base + "/crm/page?x=1&crmframe_token=" + tok)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/crm/page?x=1" {
		t.Fatalf("token redirect: %d Location=%q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == engine.TokenCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.Value != tok {
		t.Fatalf("token cookie = %+v", cookie)
	}
	req, _ := http.NewRequest("GET", base+"/crm/page?x=1", nil)
	req.AddCookie(cookie)
	req.AddCookie(&http.Cookie{Name: "JSESSIONID", Value: "crm"})
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), tok) || strings.Contains(string(body), engine.TokenCookie) || !strings.Contains(string(body), "JSESSIONID=crm") {
		t.Errorf("upstream saw %s", body)
	}

	// WebSocket: foreign Origin refused, own origin with the cookie accepted.
	wsURL := fmt.Sprintf("ws://127.0.0.1:%d/__crmframe/ws", port)
	hdr := http.Header{"Origin": {"http://evil.example.com"}, "Cookie": {engine.TokenCookie + "=" + tok}}
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, hdr); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: err=%v resp=%v", err, resp)
	}
	// Near misses of the desktop's and the CRM's origins are foreign too:
	// "null" (sandboxed frames), another scheme, port or host.
	for _, o := range []string{"null", "https://desk.example.com", "http://desk.example.com:8080", "http://sub.desk.example.com",
		"http://desk.example.com.evil.example", strings.Replace(base, "http:", "https:", 1), base + "0"} {
		hdr.Set("Origin", o)
		if _, resp, err := websocket.DefaultDialer.Dial(wsURL, hdr); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: err=%v resp=%v", o, err, resp)
		}
	}
	hdr.Set("Origin", "http://desk.example.com")
	hdr.Del("Cookie")
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, hdr); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: err=%v resp=%v", err, resp)
	}
	hdr.Set("Origin", base)
	hdr.Set("Cookie", engine.TokenCookie+"="+tok)
	ws, resp, err := websocket.DefaultDialer.Dial(wsURL, hdr)
	if err != nil {
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("dial: %v: %d %s", err, resp.StatusCode, b)
		}
		t.Fatalf("dial: %v", err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"op": "hello", "v": 1, "client": map[string]string{"kind": "widget", "id": "crm"}}); err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, func(m wsMsg, _ map[string]any) bool { return m.Op == "welcome" })
	if err := ws.WriteJSON(map[string]any{"op": "cmd", "id": "r1", "name": "AGENT.Ready"}); err != nil {
		t.Fatal(err)
	}
	if m := readUntil(t, ws, func(m wsMsg, _ map[string]any) bool { return m.Op == "result" && m.ID == "r1" }); !m.OK {
		t.Fatalf("AGENT.Ready: %s", m.Data)
	}

	// A reload closes the old config's listeners and connections.
	fresh := caddyrun.ReloadClient()
	post := func(path, body string) (int, string) {
		resp, err := fresh.Post(api+path, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, b := post("/contacts", `{"media_type":"telephony","queue":"sales","ani":"+390255501234"}`); code != http.StatusCreated {
		t.Fatalf("POST /contacts: %d %s", code, b)
	}
	readUntil(t, ws, func(m wsMsg, d map[string]any) bool {
		return m.Op == "event" && d["event"] == "RINGING" && d["ani"] == "+390255501234"
	})

	// A reload with a changed engine config keeps the engine, its state and
	// this very connection, and applies the change.
	caddyrun.Reload(t, engineConfig(port, apiPort, up.URL, fmt.Sprintf("http://127.0.0.1:%d {\n\trespond ok\n}\n", caddyrun.FreePort(t)),
		"queue support a1", "acw_timeout 45s"))
	if code, b := post("/contacts", `{"media_type":"chat","queue":"sales","ani":"chat-visitor"}`); code != http.StatusCreated {
		t.Fatalf("POST /contacts after reload: %d %s", code, b)
	}
	readUntil(t, ws, func(m wsMsg, d map[string]any) bool { return m.Op == "event" && d["ani"] == "chat-visitor" })
	resp, err = fresh.Get(api + "/agents")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"LOGGEDIN"`) {
		t.Errorf("agent state lost across reload: %s", body)
	}
	resp, err = fresh.Get(api + "/queues")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"support"`) {
		t.Errorf("reloaded config not applied: %s", body)
	}

	// Demo tokens: loopback only (this client is loopback).
	resp, err = fresh.Post(base+"/__crmframe/demo/token", "application/json", strings.NewReader(`{"agent":"a2"}`))
	if err != nil {
		t.Fatal(err)
	}
	var dt struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&dt)
	resp.Body.Close()
	if c, err := engine.VerifyToken([]byte(testSecret), dt.Token, time.Now()); err != nil || c.AgentID != "a2" {
		t.Errorf("demo token: %v %+v", err, c)
	}
}
