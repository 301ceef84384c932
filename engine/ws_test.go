package engine

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const deskOrigin = "https://desk.example"

type countObs struct {
	NopObserver
	mu      sync.Mutex
	refused []string
	slow    int
	welcome []string
	opened  int
	closed  []string
	cmds    []string
}

func (o *countObs) Refused(r *http.Request, status int, reason string) {
	o.mu.Lock()
	o.refused = append(o.refused, fmt.Sprintf("%d %s", status, reason))
	o.mu.Unlock()
}
func (o *countObs) SlowDisconnect(string, string) { o.mu.Lock(); o.slow++; o.mu.Unlock() }
func (o *countObs) Welcome(kind, how string) {
	o.mu.Lock()
	o.welcome = append(o.welcome, kind+":"+how)
	o.mu.Unlock()
}
func (o *countObs) ConnOpened(string) { o.mu.Lock(); o.opened++; o.mu.Unlock() }
func (o *countObs) ConnClosed(kind, reason string) {
	o.mu.Lock()
	o.closed = append(o.closed, kind+":"+reason)
	o.mu.Unlock()
}
func (o *countObs) Command(name, code string) {
	o.mu.Lock()
	o.cmds = append(o.cmds, name+":"+code)
	o.mu.Unlock()
}
func (o *countObs) get(f func()) { o.mu.Lock(); f(); o.mu.Unlock() }

type wsRig struct {
	*rig
	srv *httptest.Server
	obs *countObs
}

func newWSRig(t *testing.T, mod func(*Config)) *wsRig {
	t.Helper()
	cfg := testConfig()
	if mod != nil {
		mod(&cfg)
	}
	clk := NewFakeClock(time.Now())
	obs := &countObs{}
	e, err := New(cfg, WithClock(clk), WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	h := e.WebSocketHandler(WSOptions{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == deskOrigin }})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { e.Close(); srv.Close() })
	return &wsRig{rig: &rig{t: t, e: e, clk: clk, rec: map[string]*recorder{}}, srv: srv, obs: obs}
}

func (w *wsRig) token(agent string) string {
	tok, err := MintToken(w.e.cfg.Secret, agent, "Agent "+agent, time.Hour, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

type client struct {
	t       *testing.T
	ws      *websocket.Conn
	pending []map[string]any // read while waiting for a result
}

func (w *wsRig) dial(agent string) (*client, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(w.srv.URL, "http") + "/?token=" + w.token(agent)
	h := http.Header{"Origin": {deskOrigin}}
	ws, resp, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		return nil, resp, err
	}
	w.t.Cleanup(func() { ws.Close() })
	return &client{t: w.t, ws: ws}, resp, nil
}

func (w *wsRig) connect(agent string, hello map[string]any) (*client, map[string]any) {
	w.t.Helper()
	c, _, err := w.dial(agent)
	if err != nil {
		w.t.Fatal(err)
	}
	if hello == nil {
		hello = map[string]any{}
	}
	hello["op"] = "hello"
	hello["v"] = 1
	c.send(hello)
	wel := c.read()
	if wel["op"] != "welcome" {
		w.t.Fatalf("expected welcome, got %v", wel)
	}
	// Fresh or resumed, the welcome says whose stream it is.
	if wel["agent_id"] != agent {
		w.t.Fatalf("welcome agent_id = %v, want %q", wel["agent_id"], agent)
	}
	return c, wel
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) read() map[string]any {
	c.t.Helper()
	m, err := c.tryRead(5 * time.Second)
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *client) tryRead(d time.Duration) (map[string]any, error) {
	if len(c.pending) > 0 {
		m := c.pending[0]
		c.pending = c.pending[1:]
		return m, nil
	}
	return c.readWire(d)
}

func (c *client) readWire(d time.Duration) (map[string]any, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(d))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// events reads n event messages and returns "seq:NAME" strings.
func (c *client) events(n int) []string {
	c.t.Helper()
	var out []string
	for len(out) < n {
		m := c.read()
		if m["op"] != "event" {
			continue
		}
		out = append(out, fmt.Sprintf("%v:%v", m["seq"], m["data"].(map[string]any)["event"]))
	}
	return out
}

func (c *client) cmd(id, name string, args any) map[string]any {
	c.t.Helper()
	c.send(map[string]any{"op": "cmd", "id": id, "name": name, "args": args})
	for {
		m, err := c.readWire(5 * time.Second)
		if err != nil {
			c.t.Fatal(err)
		}
		if m["op"] == "result" && m["id"] == id {
			return m
		}
		c.pending = append(c.pending, m)
	}
}

func TestWSTwoConnectionsSameOrder(t *testing.T) {
	w := newWSRig(t, nil)
	c1, wel := w.connect("a1", map[string]any{"client": map[string]any{"kind": "desktop", "id": "shell"}})
	c2, _ := w.connect("a1", map[string]any{"client": map[string]any{"kind": "widget", "id": "crm"}})
	if wel["snapshot"] != true || wel["agent"].(map[string]any)["state"] != StateLoggedOut || wel["v"] != float64(1) {
		t.Fatal(wel)
	}
	if res := c1.cmd("1", "AGENT.Ready", nil); res["ok"] != true {
		t.Fatal(res)
	}
	cc := w.create(ContactRequest{Queue: "sales"})
	if res := c2.cmd("2", "CONTACT.Answer", map[string]any{"contactId": cc.ID}); res["ok"] != true {
		t.Fatal(res)
	}
	a := c1.events(8)
	b := c2.events(8)
	eq(t, a, b)
	eq(t, a, []string{"1:LOGGEDIN", "2:JOBSCHEDULED", "3:CONNECTIONSTARTED", "4:RINGING", "5:JOBCHANGED", "6:POPUP", "7:ESTABLISHED", "8:JOBSTARTED"})
	// relay: c2 asks the shell to open a tab; c2 does not get its own relay
	c2.send(map[string]any{"op": "relay", "name": "TAB.Open", "data": map[string]any{"title": "x"}})
	m := c1.read()
	if m["op"] != "relay" || m["name"] != "TAB.Open" || m["from"] != "widget:crm" {
		t.Fatal(m)
	}
	c2.send(map[string]any{"op": "relay", "name": "EVIL.Thing"})
	if m := c2.read(); m["op"] != "error" || m["error"].(map[string]any)["code"] != CodeForbidden {
		t.Fatal(m)
	}
	// targeted relay reaches only the named client
	c3, _ := w.connect("a1", map[string]any{"client": map[string]any{"kind": "widget", "id": "other"}})
	c1.send(map[string]any{"op": "relay", "name": "WIDGET.Data", "to": "widget:other", "data": 1})
	if m := c3.read(); m["op"] != "relay" || m["to"] != "widget:other" {
		t.Fatal(m)
	}
	c2.send(map[string]any{"op": "ping", "id": "p"})
	if m := c2.read(); m["op"] != "pong" {
		t.Fatal("c2 got the targeted relay:", m)
	}
}

func TestWSResumeNoGapNoDuplicate(t *testing.T) {
	w := newWSRig(t, nil)
	c1, wel := w.connect("a1", nil)
	epoch := wel["epoch"].(string)
	c1.cmd("1", "AGENT.Ready", nil)
	cc := w.create(ContactRequest{Queue: "sales"})
	c1.cmd("2", "CONTACT.Answer", map[string]any{"contactId": cc.ID})
	got := c1.events(8)
	c1.ws.Close() // page navigation mid-call
	// events while disconnected
	other, _ := w.connect("a1", nil)
	other.cmd("3", "CONTACT.Hold", map[string]any{"contactId": cc.ID})
	other.cmd("4", "CONTACT.SetCallData", map[string]any{"contactId": cc.ID, "data": "X=1"})
	c2, wel2 := w.connect("a1", map[string]any{"resume": map[string]any{"epoch": epoch, "seq": 8}})
	if wel2["snapshot"] != false || wel2["replayed"] != float64(2) || wel2["seq"] != float64(10) {
		t.Fatal(wel2)
	}
	got = append(got, c2.events(2)...)
	other.cmd("5", "CONTACT.Retrieve", map[string]any{"contactId": cc.ID})
	got = append(got, c2.events(1)...)
	eq(t, got, []string{"1:LOGGEDIN", "2:JOBSCHEDULED", "3:CONNECTIONSTARTED", "4:RINGING", "5:JOBCHANGED", "6:POPUP",
		"7:ESTABLISHED", "8:JOBSTARTED", "9:HELD", "10:DATACHANGED", "11:RETRIEVED"})
	// resume at the head: nothing replayed
	c3, wel3 := w.connect("a1", map[string]any{"resume": map[string]any{"epoch": epoch, "seq": 11}})
	if wel3["snapshot"] != false || wel3["replayed"] != float64(0) {
		t.Fatal(wel3)
	}
	other.cmd("6", "CONTACT.Hold", map[string]any{"contactId": cc.ID})
	eq(t, c3.events(1), []string{"12:HELD"})
	// another epoch (server restarted): snapshot with the current contact
	_, wel4 := w.connect("a1", map[string]any{"resume": map[string]any{"epoch": "old", "seq": 3}})
	if wel4["snapshot"] != true || len(wel4["contacts"].([]any)) != 1 {
		t.Fatal(wel4)
	}
	if ct := wel4["contacts"].([]any)[0].(map[string]any); ct["id"] != cc.ID || ct["state"] != CStateOnline || ct["held"] != true || ct["last_event"] != "HELD" {
		t.Fatal(ct)
	}
	w.obs.get(func() {
		if fmt.Sprint(w.obs.welcome) != "[other:fresh other:fresh other:resumed other:resumed other:snapshot]" {
			t.Error(w.obs.welcome)
		}
	})
}

func TestWSResumeAfterOverflowGetsSnapshot(t *testing.T) {
	w := newWSRig(t, func(c *Config) { c.HistoryLength = 4 })
	c1, wel := w.connect("a1", nil)
	c1.cmd("1", "AGENT.Ready", nil)
	c1.ws.Close()
	cc := w.create(ContactRequest{Queue: "sales"}) // 4 events, plus 1 = 5 > history
	_, wel2 := w.connect("a1", map[string]any{"resume": map[string]any{"epoch": wel["epoch"], "seq": 0}})
	if wel2["snapshot"] != true || wel2["seq"] != float64(5) {
		t.Fatal(wel2)
	}
	if ct := wel2["contacts"].([]any); len(ct) != 1 || ct[0].(map[string]any)["id"] != cc.ID {
		t.Fatal(ct)
	}
	// seq from the future also gets a snapshot
	_, wel3 := w.connect("a1", map[string]any{"resume": map[string]any{"epoch": wel["epoch"], "seq": 99}})
	if wel3["snapshot"] != true {
		t.Fatal(wel3)
	}
	// but a resume still inside history replays
	_, wel4 := w.connect("a1", map[string]any{"resume": map[string]any{"epoch": wel["epoch"], "seq": 1}})
	if wel4["snapshot"] != false || wel4["replayed"] != float64(4) {
		t.Fatal(wel4)
	}
}

func TestWSOtherAgentsContactRefused(t *testing.T) {
	w := newWSRig(t, nil)
	c1, _ := w.connect("a1", nil)
	c2, _ := w.connect("a2", nil)
	c1.cmd("1", "AGENT.Ready", nil)
	cc := w.create(ContactRequest{Queue: "sales"})
	res := c2.cmd("x", "CONTACT.Answer", map[string]any{"contactId": cc.ID})
	if res["ok"] != false || res["error"].(map[string]any)["code"] != CodeNotFound {
		t.Fatal(res)
	}
	res = c2.cmd("y", "CONTACT.HangupByContactID", map[string]any{"contactId": cc.ID})
	if res["ok"] != false {
		t.Fatal(res)
	}
	if w.state(cc.ID) != CStateOffered {
		t.Fatal("state changed")
	}
	// a2's stream never saw a1's contact
	c2.send(map[string]any{"op": "ping"})
	if m := c2.read(); m["op"] != "pong" {
		t.Fatal("a2 received", m)
	}
}

func TestWSAuthAndOrigin(t *testing.T) {
	w := newWSRig(t, nil)
	base := "ws" + strings.TrimPrefix(w.srv.URL, "http") + "/"
	good := w.token("a1")
	expired, _ := MintToken(w.e.cfg.Secret, "a1", "", time.Minute, time.Now().Add(-time.Hour))
	forged, _ := MintToken([]byte("another-secret-another-secret-xx"), "a1", "", time.Hour, time.Now())
	for _, tc := range []struct {
		name   string
		url    string
		hdr    http.Header
		status int
		reason string
	}{
		{"missing token", base, http.Header{"Origin": {deskOrigin}}, 401, "missing token"},
		{"forged", base + "?token=" + forged, http.Header{"Origin": {deskOrigin}}, 401, "signature is invalid"},
		{"expired", base + "?token=" + expired, http.Header{"Origin": {deskOrigin}}, 401, "expired"},
		{"garbage", base + "?token=abc", http.Header{"Origin": {deskOrigin}}, 401, "invalid token"},
		{"foreign origin", base + "?token=" + good, http.Header{"Origin": {"https://evil.example"}}, 403, "origin not allowed"},
		{"cookie ok", base, http.Header{"Origin": {deskOrigin}, "Cookie": {TokenCookie + "=" + good}}, 101, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws, resp, err := websocket.DefaultDialer.Dial(tc.url, tc.hdr)
			if tc.status == 101 {
				if err != nil {
					t.Fatal(err)
				}
				ws.Close()
				return
			}
			if err == nil {
				ws.Close()
				t.Fatal("connected")
			}
			if resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("resp %v err %v", resp, err)
			}
			var last string
			w.obs.get(func() { last = w.obs.refused[len(w.obs.refused)-1] })
			if !strings.Contains(last, tc.reason) || !strings.HasPrefix(last, fmt.Sprint(tc.status)) {
				t.Fatalf("refusal reason %q", last)
			}
		})
	}
	// a plain GET is not an upgrade
	resp, err := http.Get(w.srv.URL)
	if err != nil || resp.StatusCode != 400 {
		t.Fatal(resp, err)
	}
	resp.Body.Close()
}

func TestWSProtocolErrors(t *testing.T) {
	w := newWSRig(t, func(c *Config) { c.MaxMessageSize = 2048 })
	c, _, err := w.dial("a1")
	if err != nil {
		t.Fatal(err)
	}
	c.send(map[string]any{"op": "cmd", "id": "1", "name": "AGENT.Ready"})
	if m := c.read(); m["op"] != "error" || m["error"].(map[string]any)["code"] != CodeInvalidState {
		t.Fatal("cmd before hello:", m)
	}
	c.send(map[string]any{"op": "hello", "v": 2})
	if m := c.read(); m["op"] != "error" || !strings.Contains(fmt.Sprint(m["error"]), "version") {
		t.Fatal(m)
	}
	c.send(map[string]any{"op": "hello"})
	if m := c.read(); m["op"] != "welcome" {
		t.Fatal(m)
	}
	for _, raw := range []string{`{"op":"dance"}`, `not json`, `[1,2]`, `{"op":""}`, `{"op":"cmd","name":"AGENT.Ready"}`, `{"op":"hello"}`} {
		_ = c.ws.WriteMessage(websocket.TextMessage, []byte(raw))
		if m := c.read(); m["op"] != "error" {
			t.Fatalf("%s -> %v", raw, m)
		}
	}
	_ = c.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2})
	if m := c.read(); m["op"] != "error" {
		t.Fatal(m)
	}
	if res := c.cmd("u", "NOPE.Nothing", nil); res["error"].(map[string]any)["code"] != CodeUnknown {
		t.Fatal(res)
	}
	// still alive
	c.send(map[string]any{"op": "ping", "id": "p1"})
	if m := c.read(); m["op"] != "pong" || m["id"] != "p1" {
		t.Fatal(m)
	}
	// too large: closed with 1009
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(`{"op":"ping","id":"`+strings.Repeat("x", 4000)+`"}`))
	_, err = c.tryRead(5 * time.Second)
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("want 1009, got %v", err)
	}
}

func TestWSHelloTimeoutAndShutdown(t *testing.T) {
	w := newWSRig(t, func(c *Config) { c.HelloTimeout = 100 * time.Millisecond })
	c, _, err := w.dial("a1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.tryRead(5 * time.Second)
	if !websocket.IsCloseError(err, CloseHelloTimeout) {
		t.Fatalf("want %d, got %v", CloseHelloTimeout, err)
	}
	c2, _ := w.connect("a1", nil)
	w.e.Close()
	_, err = c2.tryRead(5 * time.Second)
	if !websocket.IsCloseError(err, CloseServiceRestart) {
		t.Fatalf("want 1012, got %v", err)
	}
	if _, resp, err := w.dial("a1"); err == nil || resp.StatusCode != 503 {
		t.Fatal("accepted after Close")
	}
}

func TestWSMaxConnsPerAgent(t *testing.T) {
	w := newWSRig(t, func(c *Config) { c.MaxConnsPerAgent = 1 })
	w.connect("a1", nil)
	c, _, _ := w.dial("a1")
	c.send(map[string]any{"op": "hello"})
	if m := c.read(); m["op"] != "error" || m["error"].(map[string]any)["code"] != CodeForbidden {
		t.Fatal(m)
	}
	if _, err := c.tryRead(5 * time.Second); !websocket.IsCloseError(err, ClosePolicy) {
		t.Fatal(err)
	}
}

// A client that stops reading is cut off; the engine and other clients are
// not slowed.
func TestWSSlowClientCutOff(t *testing.T) {
	// The write timeout is generous so a CPU-starved race run cannot cut the
	// fast reader; the stuck one is cut by its queue overflowing.
	w := newWSRig(t, func(c *Config) { c.SendQueue = 64; c.WriteTimeout = 10 * time.Second })
	stuck, _ := w.connect("a1", map[string]any{"client": map[string]any{"kind": "widget", "id": "stuck"}})
	fast, _ := w.connect("a1", nil)
	w.must("a1", "AGENT.Ready", nil)
	cc := w.create(ContactRequest{Queue: "sales"})
	w.must("a1", "CONTACT.Answer", id(cc.ID))
	big := strings.Repeat("x", 4000)
	var fastSeq atomic.Int64
	fastErr := make(chan error, 1)
	go func() {
		last := int64(0)
		for {
			m, err := fast.tryRead(10 * time.Second)
			if err != nil {
				fastErr <- err
				return
			}
			if m["op"] == "event" {
				s := int64(m["seq"].(float64))
				if s != last+1 && last != 0 {
					fastErr <- fmt.Errorf("gap: %d after %d", s, last)
					return
				}
				last = s
				fastSeq.Store(s)
			}
		}
	}()
	slowCount := func() (n int) { w.obs.get(func() { n = w.obs.slow }); return }
	start := time.Now()
	// publish until the stuck client overflows (kernel buffers absorb the
	// first megabytes), plus 100 events more
	extra := -1
	for i := 0; i < 50000 && extra != 0; i++ {
		w.must("a1", "CONTACT.SetCallData", map[string]any{"contactId": cc.ID, "data": fmt.Sprintf("K=%d%s", i, big)})
		for int64(w.e.broker.Seq("a1"))-fastSeq.Load() > 32 { // a live reader keeps up; the stuck one does not read at all
			select {
			case err := <-fastErr:
				t.Fatal("fast client:", err)
			default:
			}
			time.Sleep(100 * time.Microsecond)
		}
		if extra > 0 {
			extra--
		} else if extra < 0 && slowCount() > 0 {
			extra = 100
		}
	}
	publish := time.Since(start)
	if slowCount() != 1 {
		t.Fatalf("slow disconnects: %d", slowCount())
	}
	final := int64(w.e.broker.Seq("a1"))
	for deadline := time.Now().Add(10 * time.Second); fastSeq.Load() < final; {
		if time.Now().After(deadline) {
			t.Fatalf("fast client stopped at %d of %d", fastSeq.Load(), final)
		}
		time.Sleep(time.Millisecond)
	}
	// the stuck client, reading at last, finds its connection closed
	var err error
	for err == nil {
		_, err = stuck.tryRead(5 * time.Second)
	}
	if websocket.IsCloseError(err, CloseSlowConsumer) {
		t.Log("got close frame 4000")
	}
	t.Logf("published %d events in %s", final, publish)
}

func TestWSReconfigureKeepsConnections(t *testing.T) {
	w := newWSRig(t, nil)
	c, _ := w.connect("a1", nil)
	c.cmd("1", "AGENT.Ready", nil)
	cfg := testConfig()
	cfg.Queues = []QueueConfig{{Name: "new", Agents: []string{"a1"}}}
	if err := w.e.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	w.create(ContactRequest{Queue: "new"})
	eq(t, c.events(5), []string{"1:LOGGEDIN", "2:JOBSCHEDULED", "3:CONNECTIONSTARTED", "4:RINGING", "5:JOBCHANGED"})
	// Close ends connections but does not log agents out
	w.e.Close()
	for {
		if _, err := c.tryRead(5 * time.Second); err != nil {
			break
		}
	}
	for deadline := time.Now().Add(5 * time.Second); w.e.Agents()[0].Connections > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("server kept the connection")
		}
	}
	w.clk.Advance(time.Hour) // (the offer times out: FORCED, but no logout)
	if st := w.agentState("a1"); st == StateLoggedOut {
		t.Fatal("Close logged the agent out")
	}
}

// clientFrame is a masked client frame (RFC 6455 §5.2), written raw so that
// tests control how frames meet the server's reads.
func clientFrame(op byte, payload []byte) []byte {
	if len(payload) > 125 {
		panic("short frames only")
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	b := append([]byte{0x80 | op, 0x80 | byte(len(payload))}, key[:]...)
	for i, p := range payload {
		b = append(b, p^key[i%4])
	}
	return b
}

func TestWSPingsKeepAnsweringClientAlive(t *testing.T) {
	// 500 ms, not less: the deadline is two intervals, and race-enabled
	// runs on a loaded 2-core machine answered a 50 ms and, at load 30, a
	// 200 ms ping too late (the client goroutine stalled past 400 ms).
	w := newWSRig(t, func(c *Config) { c.PingInterval = 500 * time.Millisecond })
	c, _ := w.connect("a1", nil)
	var pings atomic.Int32
	c.ws.SetPingHandler(func(s string) error {
		pings.Add(1)
		return c.ws.WriteControl(websocket.PongMessage, []byte(s), time.Now().Add(time.Second))
	})
	// Reading answers the pings while several read deadlines (2 intervals)
	// pass; an event from the engine ends the wait.
	start := time.Now()
	time.AfterFunc(3*time.Second, func() { _, _ = w.e.Do("a1", "AGENT.Ready", nil) })
	for {
		m := c.read()
		if m["op"] == "event" && time.Since(start) >= 3*time.Second {
			break
		}
	}
	if n := pings.Load(); n < 4 {
		t.Fatalf("%d pings in 3 s at a 500 ms interval", n)
	}
	if r := c.cmd("q", "AGENT.GetState", nil); r["ok"] != true {
		t.Fatal(r)
	}
}

func TestWSPingTimeout(t *testing.T) {
	w := newWSRig(t, func(c *Config) { c.PingInterval = 50 * time.Millisecond })
	c, _ := w.connect("a1", nil)
	// Not reading: the pings stay unanswered (and are not answered late).
	c.ws.SetPingHandler(func(string) error { return nil })
	time.Sleep(300 * time.Millisecond)
	var err error
	for err == nil {
		_, err = c.readWire(5 * time.Second)
	}
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) || !strings.Contains(err.Error(), "ping timeout") {
		t.Fatalf("want 1001 ping timeout, got %v", err)
	}
	var closed []string
	for end := time.Now().Add(5 * time.Second); len(closed) == 0 && time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		w.obs.get(func() { closed = append([]string(nil), w.obs.closed...) })
	}
	if len(closed) != 1 || closed[0] != "other:timeout" {
		t.Fatalf("ConnClosed reasons %v", closed)
	}
}

// The hub consumes pongs between messages itself; pongs that arrive in
// pieces, together with a message or before the hello go through gorilla
// or are ignored, and every case keeps the stream intact.
func TestWSPongFraming(t *testing.T) {
	// 800 ms: the read deadline (two intervals) must outlast the test's own
	// sleeps and a stalled goroutine on a loaded machine (200 ms was cut
	// twice in five race runs at load 30).
	w := newWSRig(t, func(c *Config) {
		c.PingInterval = 800 * time.Millisecond
	})
	c, _ := w.connect("a1", nil)
	raw := c.ws.UnderlyingConn()
	pong := clientFrame(websocket.PongMessage, []byte("p"))
	ping := func(id string) []byte {
		return clientFrame(websocket.TextMessage, []byte(`{"op":"ping","id":"`+id+`"}`))
	}
	write := func(parts ...[]byte) {
		t.Helper()
		for i, p := range parts {
			if i > 0 {
				time.Sleep(20 * time.Millisecond)
			}
			if _, err := raw.Write(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	expectPong := func(id string) {
		t.Helper()
		for {
			m := c.read()
			if m["op"] == "pong" {
				if m["id"] != id {
					t.Fatalf("pong %v, want %s", m["id"], id)
				}
				return
			}
		}
	}
	write(pong)
	write(pong[:3], pong[3:], ping("1"))               // split pong, then a message
	write(append(append(pong, pong...), ping("2")...)) // two pongs and a message at once
	write(append(ping("3"), pong...))                  // a message, then a pong
	write(ping("4")[:5], ping("4")[5:])                // a split message
	write(clientFrame(websocket.PongMessage, make([]byte, 125)))
	for _, id := range []string{"1", "2", "3", "4"} {
		expectPong(id)
	}
	// Pongs keep the connection past several read deadlines (4 s, 2.5 of them).
	for i := 0; i < 20; i++ {
		time.Sleep(200 * time.Millisecond)
		write(pong)
	}
	write(ping("5"))
	expectPong("5")

}

// Before the hello, pongs do not extend the hello deadline: the close comes
// while they keep coming.
func TestWSPongsBeforeHello(t *testing.T) {
	w := newWSRig(t, func(c *Config) {
		c.PingInterval = time.Second
		c.HelloTimeout = 150 * time.Millisecond
	})
	pong := clientFrame(websocket.PongMessage, []byte("p"))
	c2, _, err := w.dial("a1")
	if err != nil {
		t.Fatal(err)
	}
	c2.ws.SetPingHandler(func(string) error { return nil })
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(40 * time.Millisecond):
			}
			if _, err := c2.ws.UnderlyingConn().Write(pong); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	if _, err := c2.tryRead(5 * time.Second); !websocket.IsCloseError(err, CloseHelloTimeout) {
		t.Fatalf("want %d, got %v", CloseHelloTimeout, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("hello timeout of 150 ms took %s: pongs extended it", d)
	}
}

// A connection the hub has closed (the socket stays open a moment for the
// close frame to arrive) runs no more of the client's commands.
func TestWSKilledConnectionRunsNoCommands(t *testing.T) {
	w := newWSRig(t, nil)
	c, _ := w.connect("a1", nil)
	before := w.agentState("a1")
	var cn *conn
	w.e.mu.Lock()
	for x := range w.e.conns {
		cn = x
	}
	w.e.mu.Unlock()
	cn.kill(CloseSlowConsumer, "send queue overflow: reconnect and resume", "slow")
	c.send(map[string]any{"op": "cmd", "id": "r", "name": "AGENT.Ready"})
	var err error
	for err == nil {
		_, err = c.readWire(5 * time.Second)
	}
	if !websocket.IsCloseError(err, CloseSlowConsumer) {
		t.Fatalf("want %d, got %v", CloseSlowConsumer, err)
	}
	var closed []string
	for end := time.Now().Add(5 * time.Second); len(closed) == 0 && time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		w.obs.get(func() { closed = append([]string(nil), w.obs.closed...) })
	}
	if len(closed) != 1 || closed[0] != "other:slow" {
		t.Fatalf("ConnClosed reasons %v", closed)
	}
	if got := w.agentState("a1"); got != before {
		t.Fatalf("agent state %s -> %s: a command ran on a closed connection", before, got)
	}
}
