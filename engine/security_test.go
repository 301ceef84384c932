package engine

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"
)

// secObs records rate-limit cut-offs on top of countObs.
type secObs struct {
	*countObs
	limited atomic.Int32
	agents  atomic.Value // last agent id cut off
}

func (o *secObs) RateLimited(agentID, kind string) {
	o.limited.Add(1)
	o.agents.Store(agentID + ":" + kind)
}

func newSecRig(t *testing.T, mod func(*Config)) (*wsRig, *secObs) {
	t.Helper()
	cfg := testConfig()
	if mod != nil {
		mod(&cfg)
	}
	obs := &secObs{countObs: &countObs{}}
	e, err := New(cfg, WithClock(NewFakeClock(time.Now())), WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	h := e.WebSocketHandler(WSOptions{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == deskOrigin }})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { e.Close(); srv.Close() })
	return &wsRig{rig: &rig{t: t, e: e, rec: map[string]*recorder{}}, srv: srv, obs: obs.countObs}, obs
}

func (w *wsRig) dialToken(tok string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(w.srv.URL, "http") + "/?token=" + tok
	ws, resp, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {deskOrigin}})
	if err == nil {
		w.t.Cleanup(func() { ws.Close() })
	}
	return ws, resp, err
}

func (w *wsRig) lastRefusal() string {
	var last string
	w.obs.get(func() {
		if n := len(w.obs.refused); n > 0 {
			last = w.obs.refused[n-1]
		}
	})
	return last
}

// A flood of messages gets its connection closed with 4008 once the burst
// is spent; the engine ran at most burst + rate x elapsed of its commands,
// and another agent's connection keeps answering meanwhile.
func TestWSRateLimitCutsOffFlood(t *testing.T) {
	const rate, burst = 20, 40
	w, obs := newSecRig(t, func(c *Config) { c.CommandRate, c.CommandBurst = rate, burst })
	good, _ := w.connect("a2", nil)
	// A burst within the allowance is fine.
	for i := 0; i < burst-2; i++ {
		good.send(map[string]any{"op": "ping", "id": "p"})
	}
	for i := 0; i < burst-2; i++ {
		if m := good.read(); m["op"] != "pong" {
			t.Fatalf("burst: %v", m)
		}
	}
	flood, wel := w.connect("a1", map[string]any{"client": map[string]any{"kind": "widget", "id": "crm"}})
	if lim := wel["limits"].(map[string]any); lim["command_rate"] != float64(rate) || lim["command_burst"] != float64(burst) {
		t.Fatalf("welcome limits %v", lim)
	}
	start := time.Now()
	sent := 0
	cmd, _ := json.Marshal(map[string]any{"op": "cmd", "id": "f", "name": "AGENT.GetState"})
	for ; sent < 2000; sent++ {
		if err := flood.ws.WriteMessage(websocket.TextMessage, cmd); err != nil {
			break // the server closed on us
		}
	}
	var closeErr error
	for closeErr == nil {
		_, closeErr = flood.readWire(5 * time.Second)
	}
	elapsed := time.Since(start)
	if !websocket.IsCloseError(closeErr, CloseRateLimited) {
		t.Fatalf("flood after %d messages: %v, want close %d", sent, closeErr, CloseRateLimited)
	}
	if obs.limited.Load() != 1 || obs.agents.Load() != "a1:widget" {
		t.Fatalf("observer: %d %v", obs.limited.Load(), obs.agents.Load())
	}
	var ran int
	w.obs.get(func() {
		for _, c := range w.obs.cmds {
			if strings.HasPrefix(c, "AGENT.GetState") {
				ran++
			}
		}
	})
	if max := burst + int(rate*elapsed.Seconds()) + 2; ran > max {
		t.Fatalf("engine ran %d flood commands in %v, allowance %d", ran, elapsed, max)
	}
	// The other agent is unaffected.
	good.send(map[string]any{"op": "ping", "id": "after"})
	if m := good.read(); m["op"] != "pong" || m["id"] != "after" {
		t.Fatalf("other client: %v", m)
	}
	var closed []string
	w.obs.get(func() { closed = append(closed, w.obs.closed...) })
	if len(closed) != 1 || closed[0] != "widget:rate_limited" {
		t.Fatalf("ConnClosed reasons %v", closed)
	}
}

func TestRateLimitConfig(t *testing.T) {
	d := Config{}.Defaults()
	if d.CommandRate != 20 || d.CommandBurst != 40 {
		t.Fatalf("defaults %v %v", d.CommandRate, d.CommandBurst)
	}
	for _, c := range []Config{{CommandRate: -1}, {CommandBurst: -3}} {
		c.Secret = testConfig().Secret
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "command_") {
			t.Fatalf("%+v: %v", c, err)
		}
	}
}

// A token issued before the agent logged out (AGENT.Logout or the API's
// LOGGEDOUT) is refused at connect with a reason; a token minted after the
// logout works.
func TestWSTokenReplayAfterLogout(t *testing.T) {
	w, _ := newSecRig(t, nil)
	secret := w.e.cfg.Secret
	old := func(agent string) string {
		tok, err := MintToken(secret, agent, "", time.Hour, time.Now().Add(-5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	a1old, a2old := old("a1"), old("a2")

	// Before any logout the old tokens work.
	ws, _, err := w.dialToken(a1old)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, ws: ws}
	c.send(map[string]any{"op": "hello"})
	if m := c.read(); m["op"] != "welcome" {
		t.Fatal(m)
	}
	c.cmd("r", "AGENT.Ready", nil)
	if res := c.cmd("l", "AGENT.Logout", nil); res["ok"] != true {
		t.Fatal(res)
	}
	if _, err := w.e.SetAgentState("a2", StateLoggedIn, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.e.External(ExternalEvent{Event: StateLoggedOut, Agent: "a2"}); err != nil {
		t.Fatal(err)
	}
	noIat, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Subject: "a1",
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}).SignedString(secret)
	for name, tok := range map[string]string{"a1 after AGENT.Logout": a1old, "a2 after API LOGGEDOUT": a2old, "a1 without iat": noIat} {
		_, resp, err := w.dialToken(tok)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: connected or wrong status (%v)", name, err)
		}
		if r := w.lastRefusal(); !strings.HasPrefix(r, "401 token revoked") {
			t.Fatalf("%s: refusal %q", name, r)
		}
	}
	// An agent that never logged out is not affected, and a fresh token works.
	if _, _, err := w.dialToken(old("a3")); err != nil {
		t.Fatal("a3:", err)
	}
	if _, _, err := w.dialToken(w.token("a1")); err != nil {
		t.Fatal("fresh token:", err)
	}
	// The grace logout (browser closed) is not a revocation.
	if err := revoked(&agent{}, Claims{AgentID: "a3"}); err != nil {
		t.Fatal(err)
	}
}

// A token checked at the upgrade but whose agent logs out before the hello
// is refused at the hello (error forbidden, close 1008).
func TestWSTokenRevokedBeforeHello(t *testing.T) {
	w, _ := newSecRig(t, nil)
	tok, _ := MintToken(w.e.cfg.Secret, "a1", "", time.Hour, time.Now().Add(-5*time.Second))
	ws, _, err := w.dialToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.e.SetAgentState("a1", StateLoggedIn, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.e.SetAgentState("a1", StateLoggedOut, 0); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, ws: ws}
	c.send(map[string]any{"op": "hello"})
	m := c.read()
	if m["op"] != "error" || m["error"].(map[string]any)["code"] != CodeForbidden || !strings.Contains(m["error"].(map[string]any)["message"].(string), "revoked") {
		t.Fatal(m)
	}
	if _, err := c.tryRead(5 * time.Second); !websocket.IsCloseError(err, ClosePolicy) {
		t.Fatal(err)
	}
}

// An agent guessing another agent's contact id can neither command it
// (every contact command answers not_found and changes nothing) nor see it
// (welcome snapshot, AGENT.Snapshot, events) nor reach the other agent's
// pages by relay.
func TestWSCrossAgentIsolation(t *testing.T) {
	w, _ := newSecRig(t, nil)
	c1, _ := w.connect("a1", map[string]any{"client": map[string]any{"kind": "desktop", "id": "shell"}})
	c1.cmd("r", "AGENT.Ready", nil)
	call := w.create(ContactRequest{Queue: "sales", MediaType: MediaTelephony})
	if res := c1.cmd("ans", "CONTACT.Answer", map[string]any{"contactId": call.ID}); res["ok"] != true {
		t.Fatal(res)
	}
	before, err := w.e.Contact(call.ID)
	if err != nil {
		t.Fatal(err)
	}
	c2, wel := w.connect("a2", map[string]any{"client": map[string]any{"kind": "widget", "id": "crm"}})
	raw, _ := json.Marshal(wel)
	if strings.Contains(string(raw), call.ID) {
		t.Fatalf("a2's welcome shows a1's contact: %s", raw)
	}
	c2.cmd("r2", "AGENT.Ready", nil)
	args := map[string]any{
		"contactId": call.ID, "hold": true, "data": "K=v", "enable": true, "text": "hi",
		"mode": "blind", "targetType": "agent", "target": "a2", "callData": "K=v",
	}
	for i, name := range Commands {
		if !strings.HasPrefix(name, "CONTACT.") && name != "CHAT.Send" || name == "CONTACT.MakeCall" {
			continue
		}
		res := c2.cmd("x"+string(rune('a'+i)), name, args)
		if res["ok"] != false || res["error"].(map[string]any)["code"] != CodeNotFound {
			t.Errorf("%s on a1's contact: %v", name, res)
		}
	}
	snap := c2.cmd("s", "AGENT.Snapshot", nil)
	if raw, _ := json.Marshal(snap); strings.Contains(string(raw), call.ID) {
		t.Fatalf("a2's snapshot shows a1's contact: %s", raw)
	}
	after, _ := w.e.Contact(call.ID)
	if after.State != before.State || after.Held != before.Held || len(after.CallData) != len(before.CallData) {
		t.Fatalf("a1's contact changed: %+v -> %+v", before, after)
	}
	// Relays stay within the agent, whatever "to" says.
	for _, to := range []string{"", "desktop:shell", "shell", "a1", "a1:desktop:shell"} {
		c2.send(map[string]any{"op": "relay", "name": "TAB.Open", "to": to, "data": map[string]any{"x": 1}})
	}
	c1.send(map[string]any{"op": "ping", "id": "end1"})
	c2.send(map[string]any{"op": "ping", "id": "end2"})
	for _, c := range []*client{c1, c2} {
		for {
			m := c.read()
			if m["op"] == "pong" {
				break
			}
			if c == c1 && m["op"] == "relay" {
				t.Fatalf("a1 received a2's relay: %v", m)
			}
			if b, _ := json.Marshal(m); c == c2 && strings.Contains(string(b), call.ID) {
				t.Fatalf("a2 received a1's contact: %s", b)
			}
		}
	}
}
