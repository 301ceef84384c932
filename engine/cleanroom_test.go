package engine_test

// A clean-room client of the agent WebSocket protocol and the engine HTTP API,
// written from docs/protocol.md, docs/events.md, docs/api.md and the
// AgentDesktop contract only: it checks what an integrator is promised.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
)

const (
	crSecret = "cleanroom-secret-0123456789abcdef0123"
	crDesk   = "https://desk.example"
)

type crServer struct {
	t   *testing.T
	e   *engine.Engine
	clk *engine.FakeClock
	srv *httptest.Server
}

func crStart(t *testing.T, mod func(*engine.Config)) *crServer {
	t.Helper()
	cfg := engine.Config{
		Secret:     []byte(crSecret),
		PauseCodes: []engine.PauseCode{{Code: 1701, Label: "Lunch"}},
		Queues: []engine.QueueConfig{
			{Name: "sales", Service: "SalesSvc", Agents: []string{"a1", "a2"}},
			{Name: "support", Agents: []string{"a1", "a2"}},
		},
		Agents:          []engine.AgentConfig{{ID: "a1", Name: "Alice"}, {ID: "a2", Name: "Bob"}},
		DialAnswerAfter: 2 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	clk := engine.NewFakeClock(time.Now())
	e, err := engine.New(cfg, engine.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/crmframe/ws", e.WebSocketHandler(engine.WSOptions{CheckOrigin: func(r *http.Request) bool {
		return r.Header.Get("Origin") == crDesk
	}}))
	mux.Handle("/engine/", http.StripPrefix("/engine", e.APIHandler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { e.Close(); srv.Close() })
	return &crServer{t: t, e: e, clk: clk, srv: srv}
}

// token mints an HS256 JWT as a desktop back end would, with a JWT library.
func crToken(t *testing.T, claims jwt.MapClaims, method jwt.SigningMethod, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *crServer) token(agent string) string {
	return crToken(s.t, jwt.MapClaims{"sub": agent, "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "name": "N " + agent}, jwt.SigningMethodHS256, []byte(crSecret))
}

func (s *crServer) wsURL(q string) string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/crmframe/ws" + q
}

type crMsg = map[string]any

type crClient struct {
	t    *testing.T
	ws   *websocket.Conn
	in   chan crMsg
	done chan error // the read error (close frame) once the reader stops
	n    int
}

func (s *crServer) dial(q string, hdr http.Header) (*crClient, *http.Response, error) {
	ws, resp, err := websocket.DefaultDialer.Dial(s.wsURL(q), hdr)
	if err != nil {
		return nil, resp, err
	}
	c := &crClient{t: s.t, ws: ws, in: make(chan crMsg, 100000), done: make(chan error, 1)}
	s.t.Cleanup(func() { ws.Close() })
	go func() {
		for {
			typ, b, err := ws.ReadMessage()
			if err != nil {
				c.done <- err
				close(c.in)
				return
			}
			if typ != websocket.TextMessage {
				c.done <- fmt.Errorf("server sent frame type %d", typ)
				close(c.in)
				return
			}
			var m crMsg
			if err := json.Unmarshal(b, &m); err != nil {
				c.done <- fmt.Errorf("server sent non-JSON %q", b)
				close(c.in)
				return
			}
			c.in <- m
		}
	}()
	return c, resp, nil
}

// connect dials as agent with a desktop Origin and says hello.
func (s *crServer) connect(agent string, hello crMsg) (*crClient, crMsg) {
	s.t.Helper()
	c, _, err := s.dial("?token="+s.token(agent), http.Header{"Origin": {crDesk}})
	if err != nil {
		s.t.Fatal(err)
	}
	if hello == nil {
		hello = crMsg{}
	}
	hello["op"] = "hello"
	c.send(hello)
	w := c.next()
	if w["op"] != "welcome" {
		s.t.Fatalf("want welcome, got %v", w)
	}
	return c, w
}

func (c *crClient) send(m any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(m); err != nil {
		c.t.Fatal(err)
	}
}

// next returns the next message; the 5 s bound only stops a hung test.
func (c *crClient) next() crMsg {
	c.t.Helper()
	select {
	case m, ok := <-c.in:
		if !ok {
			c.t.Fatalf("connection closed: %v", <-c.done)
		}
		return m
	case <-time.After(5 * time.Second):
		c.t.Fatal("no message from the server")
	}
	return nil
}

// closed reads until the connection ends and returns its close code.
func (c *crClient) closed() (int, []crMsg) {
	c.t.Helper()
	var got []crMsg
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				err := <-c.done
				if ce, ok := err.(*websocket.CloseError); ok {
					return ce.Code, got
				}
				c.t.Fatalf("connection ended without a close frame: %v", err)
			}
			got = append(got, m)
		case <-time.After(10 * time.Second):
			c.t.Fatal("connection not closed")
		}
	}
}

// cmd sends a command and returns the events read before its result, and the result.
func (c *crClient) cmd(name string, args any) ([]crMsg, crMsg) {
	c.t.Helper()
	c.n++
	id := fmt.Sprintf("c%d", c.n)
	m := crMsg{"op": "cmd", "id": id, "name": name}
	if args != nil {
		m["args"] = args
	}
	c.send(m)
	var evs []crMsg
	for {
		r := c.next()
		switch r["op"] {
		case "result":
			if r["id"] != id {
				c.t.Fatalf("result for %v, want %s", r["id"], id)
			}
			checkResult(c.t, r)
			return evs, r
		case "event":
			evs = append(evs, r)
		default:
			c.t.Fatalf("%s: unexpected %v", name, r)
		}
	}
}

// ok runs a command that must succeed; it returns the events before the result and its data.
func (c *crClient) ok(name string, args any) ([]crMsg, any) {
	c.t.Helper()
	evs, r := c.cmd(name, args)
	if r["ok"] != true {
		c.t.Fatalf("%s %v: %v", name, args, r["error"])
	}
	return evs, r["data"]
}

// fail runs a command that must be refused with code, and with no event.
func (c *crClient) fail(code, name string, args any) {
	c.t.Helper()
	evs, r := c.cmd(name, args)
	if r["ok"] != false {
		c.t.Fatalf("%s %v: want %s, got ok %v", name, args, code, r["data"])
	}
	e := r["error"].(crMsg)
	if e["code"] != code {
		c.t.Errorf("%s %v: code %v (%v), want %s", name, args, e["code"], e["message"], code)
	}
	if len(evs) > 0 {
		c.t.Errorf("%s refused but published %v", name, evs)
	}
}

// sync pings and returns every event received before the pong.
func (c *crClient) sync() []crMsg {
	c.t.Helper()
	c.n++
	id := fmt.Sprintf("p%d", c.n)
	c.send(crMsg{"op": "ping", "id": id})
	var evs []crMsg
	for {
		m := c.next()
		if m["op"] == "pong" && m["id"] == id {
			return evs
		}
		if m["op"] != "event" {
			c.t.Fatalf("unexpected %v", m)
		}
		evs = append(evs, m)
	}
}

// expect asserts the messages are exactly these events (name or name:phase), checking every one.
func expect(t *testing.T, evs []crMsg, names ...string) []crMsg {
	t.Helper()
	var got []string
	var out []crMsg
	for _, m := range evs {
		if m["op"] != "event" {
			t.Fatalf("not an event: %v", m)
		}
		d := m["data"].(crMsg)
		checkEvent(t, d)
		n := d["event"].(string)
		if p, ok := d["phase"]; ok {
			n += ":" + p.(string)
		}
		got = append(got, n)
		out = append(out, d)
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Fatalf("events %v, want %v", got, names)
	}
	return out
}

func checkResult(t *testing.T, r crMsg) {
	t.Helper()
	switch r["ok"] {
	case true:
		if _, ok := r["error"]; ok {
			t.Errorf("ok result with error: %v", r)
		}
	case false:
		e, ok := r["error"].(crMsg)
		if !ok {
			t.Fatalf("failed result without error object: %v", r)
		}
		checkErrObj(t, e)
		if _, ok := r["data"]; ok {
			t.Errorf("failed result with data: %v", r)
		}
	default:
		t.Fatalf("result without boolean ok: %v", r)
	}
}

var crCodes = map[string]bool{"bad_request": true, "not_found": true, "invalid_state": true, "unsupported": true, "unavailable": true, "forbidden": true, "unknown_command": true, "internal": true}

func checkErrObj(t *testing.T, e crMsg) {
	t.Helper()
	code, _ := e["code"].(string)
	if !crCodes[code] {
		t.Errorf("undocumented error code %v", e)
	}
	if msg, ok := e["message"].(string); !ok || msg == "" {
		t.Errorf("error without message: %v", e)
	}
}

func isMillis(v any) bool {
	f, ok := v.(float64)
	return ok && f == float64(int64(f)) && f > 1.7e12 && f < 4e12
}

var (
	crAlways   = []string{"event", "time", "id", "uuid", "type", "media_type", "job_type", "isACD", "service", "ani", "dnis", "queue", "state", "held", "recording", "offline_enabled", "createdTime"}
	crOptional = []string{"chat_id", "content_type", "content_description", "job_state", "reason", "startTime", "endTime", "offlineStartTime", "offlineEndTime", "phase", "call_data", "agent", "priority", "transferred_from", "peer", "parties", "changed", "message"}
	crEnums    = map[string][]string{
		"type": {"inbound", "outbound", "callTask", "internal"}, "media_type": {"telephony", "chat", "channel"},
		"content_type": {"email", "object"}, "job_type": {"inbound", "manual", "outbound", "previewAgent", "previewQueue", "predictive"},
		"job_state": {"online", "offline"}, "state": {"queued", "offered", "preview", "dialing", "online", "offline", "finished"},
		"phase": {"setup", "online", "offline"},
	}
	crAgentEvents   = map[string]bool{"LOGGEDIN": true, "PAUSE": true, "PAUSESUBSTATE": true, "FORCED": true, "LOGGEDOUT": true}
	crContactEvents = map[string]bool{"CONNECTIONSTARTED": true, "RINGING": true, "DIALING": true, "DATACHANGED": true, "ESTABLISHED": true, "HELD": true, "RETRIEVED": true, "CONNECTIONCLEARED": true, "JOBSCHEDULED": true, "JOBCHANGED": true, "JOBSTARTED": true, "JOBFINISHED": true, "POPUP": true, "CHATMESSAGE": true, "RECORDINGSTARTED": true, "RECORDINGSTOPPED": true, "PARTYCHANGED": true}
)

func in(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkEvent applies the presence and type rules of docs/events.md.
func checkEvent(t *testing.T, d crMsg) {
	t.Helper()
	name, _ := d["event"].(string)
	for k, v := range d {
		if v == nil {
			t.Errorf("%s: %s is null", name, k)
		}
	}
	if !isMillis(d["time"]) {
		t.Errorf("%s: time %v not ms", name, d["time"])
	}
	if crAgentEvents[name] {
		if _, ok := d["id"]; ok {
			t.Errorf("agent event %s carries a contact id", name)
		}
		if _, ok := d["agent"].(string); !ok {
			t.Errorf("%s: agent %v", name, d["agent"])
		}
		if d["state"] != name {
			t.Errorf("%s: state %v", name, d["state"])
		}
		_, hasCode := d["code"]
		_, hasLabel := d["label"]
		if (name == "PAUSESUBSTATE") != hasCode || (name == "PAUSESUBSTATE") != hasLabel {
			t.Errorf("%s: code/label presence wrong: %v", name, d)
		}
		if name == "PAUSESUBSTATE" {
			if _, ok := d["code"].(float64); !ok {
				t.Errorf("PAUSESUBSTATE code not a number: %v", d["code"])
			}
		}
		return
	}
	if !crContactEvents[name] {
		t.Errorf("undocumented event %q", name)
		return
	}
	for _, k := range crAlways {
		if _, ok := d[k]; !ok {
			t.Errorf("%s: missing %s: %v", name, k, d)
		}
	}
	for _, k := range []string{"id", "uuid", "type", "media_type", "job_type", "service", "ani", "dnis", "queue", "state"} {
		if _, ok := d[k].(string); !ok {
			t.Errorf("%s: %s not a string: %v", name, k, d[k])
		}
	}
	for _, k := range []string{"isACD", "held", "recording", "offline_enabled"} {
		if _, ok := d[k].(bool); !ok {
			t.Errorf("%s: %s not a boolean: %v", name, k, d[k])
		}
	}
	for _, k := range []string{"createdTime", "startTime", "endTime", "offlineStartTime", "offlineEndTime"} {
		if v, ok := d[k]; ok && !isMillis(v) {
			t.Errorf("%s: %s = %v not ms", name, k, v)
		}
	}
	for _, k := range crOptional {
		v, ok := d[k]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case string:
			if x == "" {
				t.Errorf("%s: optional %s present but empty", name, k)
			}
		case float64:
			if x == 0 {
				t.Errorf("%s: optional %s present but zero", name, k)
			}
		case []any:
			if len(x) == 0 {
				t.Errorf("%s: optional %s present but empty", name, k)
			}
		case crMsg:
			if len(x) == 0 {
				t.Errorf("%s: optional %s present but empty", name, k)
			}
		}
	}
	for k, vals := range crEnums {
		if v, ok := d[k]; ok && !in(fmt.Sprint(v), vals) {
			t.Errorf("%s: %s = %v not one of %v", name, k, v, vals)
		}
	}
	_, hasPhase := d["phase"]
	if hasPhase != (name == "JOBCHANGED" || name == "JOBSTARTED") {
		t.Errorf("%s: phase presence wrong: %v", name, d["phase"])
	}
	if name == "JOBSTARTED" && d["phase"] != "online" {
		t.Errorf("JOBSTARTED phase %v", d["phase"])
	}
	if _, ok := d["changed"]; ok != (name == "DATACHANGED") {
		t.Errorf("%s: changed presence wrong", name)
	}
	if _, ok := d["message"]; ok != (name == "CHATMESSAGE") {
		t.Errorf("%s: message presence wrong", name)
	}
	if d["media_type"] == "chat" {
		if _, ok := d["chat_id"]; !ok {
			t.Errorf("%s: chat without chat_id", name)
		}
	} else if _, ok := d["chat_id"]; ok {
		t.Errorf("%s: chat_id on a %v contact", name, d["media_type"])
	}
	if _, ok := d["content_type"]; ok != (d["media_type"] == "channel") {
		t.Errorf("%s: content_type presence wrong", name)
	}
}

// api calls the engine HTTP API and decodes the JSON answer.
func (s *crServer) api(method, path, body string) (int, http.Header, any) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+"/engine"+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		s.t.Errorf("%s %s: answer is not JSON: %q", method, path, b)
	}
	return resp.StatusCode, resp.Header, v
}

func (s *crServer) createContact(body string) crMsg {
	s.t.Helper()
	st, _, v := s.api("POST", "/contacts", body)
	if st != http.StatusCreated {
		s.t.Fatalf("POST /contacts %s: %d %v", body, st, v)
	}
	return v.(crMsg)
}

func TestCleanroomAuthAndOrigin(t *testing.T) {
	s := crStart(t, nil)
	good := s.token("a1")
	key := []byte(crSecret)
	now := time.Now()
	refuse := func(name, q string, hdr http.Header, status int, reason string) {
		t.Helper()
		if hdr == nil {
			hdr = http.Header{}
		}
		_, resp, err := s.dial(q, hdr)
		if err == nil {
			t.Errorf("%s: connected", name)
			return
		}
		if resp == nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != status || !strings.Contains(string(b), reason) {
			t.Errorf("%s: %d %q, want %d %q", name, resp.StatusCode, b, status, reason)
		}
	}
	// Not an upgrade.
	resp, err := http.Get(s.srv.URL + "/crmframe/ws?token=" + good)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "websocket upgrade required") {
		t.Errorf("plain GET: %d %q", resp.StatusCode, b)
	}
	refuse("no token", "", nil, 401, "missing token")
	refuse("bad signature", "?token="+crToken(t, jwt.MapClaims{"sub": "a1", "exp": now.Add(time.Hour).Unix()}, jwt.SigningMethodHS256, []byte("another-secret-0123456789abcdef0123")), nil, 401, "invalid token: ")
	refuse("HS512", "?token="+crToken(t, jwt.MapClaims{"sub": "a1", "exp": now.Add(time.Hour).Unix()}, jwt.SigningMethodHS512, key), nil, 401, "invalid token: ")
	refuse("alg none", "?token="+crToken(t, jwt.MapClaims{"sub": "a1", "exp": now.Add(time.Hour).Unix()}, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType), nil, 401, "invalid token: ")
	refuse("expired", "?token="+crToken(t, jwt.MapClaims{"sub": "a1", "exp": now.Add(-time.Hour).Unix()}, jwt.SigningMethodHS256, key), nil, 401, "invalid token: ")
	refuse("no exp", "?token="+crToken(t, jwt.MapClaims{"sub": "a1"}, jwt.SigningMethodHS256, key), nil, 401, "invalid token: ")
	refuse("no sub", "?token="+crToken(t, jwt.MapClaims{"exp": now.Add(time.Hour).Unix()}, jwt.SigningMethodHS256, key), nil, 401, "invalid token: ")
	refuse("garbage", "?token=abc", nil, 401, "invalid token: ")
	refuse("foreign origin", "?token="+good, http.Header{"Origin": {"https://evil.example"}}, 403, "origin not allowed: https://evil.example")
	// The parameter wins over the cookie, both ways.
	refuse("bad param, good cookie", "?token=abc", http.Header{"Cookie": {"crmframe_token=" + good}}, 401, "invalid token: ")
	hello := func(c *crClient, agent string) {
		t.Helper()
		c.send(crMsg{"op": "hello"})
		if w := c.next(); w["op"] != "welcome" || w["agent_id"] != agent {
			t.Errorf("welcome %v, want agent %s", w, agent)
		}
		c.ws.Close()
	}
	for name, tc := range map[string]struct {
		q   string
		hdr http.Header
	}{
		"cookie":                 {"", http.Header{"Cookie": {"crmframe_token=" + good}, "Origin": {crDesk}}},
		"param":                  {"?token=" + good, http.Header{"Origin": {crDesk}}},
		"good param, bad cookie": {"?token=" + good, http.Header{"Cookie": {"crmframe_token=abc"}}},
		"no Origin":              {"?token=" + good, nil},
	} {
		c, resp, err := s.dial(tc.q, tc.hdr)
		if err != nil {
			t.Errorf("%s: %v %v", name, err, resp)
			continue
		}
		hello(c, "a1")
	}
	// A token without iat after a logout, and one issued before it, are revoked.
	c, _ := s.connect("a1", nil)
	c.ok("AGENT.Ready", nil)
	c.ok("AGENT.Logout", nil)
	c.ws.Close()
	refuse("no iat after logout", "?token="+crToken(t, jwt.MapClaims{"sub": "a1", "exp": now.Add(time.Hour).Unix()}, jwt.SigningMethodHS256, key), nil, 401, "token revoked: ")
	refuse("iat before logout", "?token="+crToken(t, jwt.MapClaims{"sub": "a1", "exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix()}, jwt.SigningMethodHS256, key), nil, 401, "token revoked: ")
	c2, _, err := s.dial("?token="+crToken(t, jwt.MapClaims{"sub": "a1", "exp": now.Add(time.Hour).Unix(), "iat": now.Add(time.Second).Unix()}, jwt.SigningMethodHS256, key), nil)
	if err != nil {
		t.Fatalf("fresh token after logout: %v", err)
	}
	hello(c2, "a1")
}

func TestCleanroomHelloAndEnvelope(t *testing.T) {
	s := crStart(t, nil)
	c, _, err := s.dial("?token="+s.token("a1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	errReply := func(msg any, code string, id any) {
		t.Helper()
		switch m := msg.(type) {
		case []byte:
			if err := c.ws.WriteMessage(websocket.BinaryMessage, m); err != nil {
				t.Fatal(err)
			}
		case string:
			if err := c.ws.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
				t.Fatal(err)
			}
		default:
			c.send(m)
		}
		r := c.next()
		if r["op"] != "error" {
			t.Fatalf("%v: got %v, want error %s", msg, r, code)
		}
		e := r["error"].(crMsg)
		checkErrObj(t, e)
		if e["code"] != code || r["id"] != id {
			t.Errorf("%v: error %v id %v, want %s id %v", msg, e, r["id"], code, id)
		}
	}
	// Before hello.
	errReply(crMsg{"op": "cmd", "id": "c0", "name": "AGENT.GetState"}, "invalid_state", "c0")
	errReply(crMsg{"op": "relay", "name": "TAB.Open"}, "invalid_state", nil)
	errReply(crMsg{"op": "hello", "v": 2}, "bad_request", nil)
	// Not documented: ping is answered before hello too.
	c.send(crMsg{"op": "ping", "id": "early"})
	if p := c.next(); p["op"] != "pong" || p["id"] != "early" {
		t.Errorf("ping before hello: %v", p)
	}
	c.send(crMsg{"op": "hello", "v": 1, "client": crMsg{"kind": "widget", "id": "crm"}})
	w := c.next()
	if w["op"] != "welcome" {
		t.Fatalf("welcome: %v", w)
	}
	for k, want := range map[string]string{"v": "number", "session": "string", "agent_id": "string", "epoch": "string", "seq": "number", "snapshot": "bool", "replayed": "number", "limits": "object", "agent": "object", "contacts": "array"} {
		var ok bool
		switch want {
		case "number":
			_, ok = w[k].(float64)
		case "string":
			_, ok = w[k].(string)
		case "bool":
			_, ok = w[k].(bool)
		case "object":
			_, ok = w[k].(crMsg)
		case "array":
			_, ok = w[k].([]any)
		}
		if !ok {
			t.Errorf("welcome %s = %#v, want %s", k, w[k], want)
		}
	}
	if w["v"] != 1.0 || w["agent_id"] != "a1" || w["snapshot"] != true || w["seq"] != 0.0 || w["replayed"] != 0.0 {
		t.Errorf("welcome %v", w)
	}
	lim, _ := w["limits"].(crMsg)
	for k, v := range map[string]float64{"max_message_size": 65536, "send_queue": 256, "ping_interval_ms": 25000, "command_rate": 20, "command_burst": 40} {
		if lim[k] != v {
			t.Errorf("limits.%s = %v, want %v", k, lim[k], v)
		}
	}
	agent, _ := w["agent"].(crMsg)
	for _, k := range []string{"id", "name", "state", "since", "queues", "capacity", "busy", "connections"} {
		if _, ok := agent[k]; !ok {
			t.Errorf("snapshot agent lacks %s: %v", k, agent)
		}
	}
	if agent["state"] != "LOGGEDOUT" || agent["id"] != "a1" {
		t.Errorf("agent %v", agent)
	}
	// After hello.
	errReply(crMsg{"op": "hello"}, "invalid_state", nil)
	errReply(crMsg{"op": "dance", "id": "x"}, "bad_request", "x")
	errReply(crMsg{"id": "y"}, "bad_request", "y")
	errReply("{not json", "bad_request", nil)
	errReply("[1,2]", "bad_request", nil)
	errReply("42", "bad_request", nil)
	errReply([]byte(`{"op":"ping","id":"b"}`), "bad_request", nil)
	errReply(crMsg{"op": "cmd", "name": "AGENT.GetState"}, "bad_request", nil)
	errReply(crMsg{"op": "cmd", "id": "n1"}, "bad_request", "n1")
	errReply(crMsg{"op": "cmd", "id": strings.Repeat("i", 65), "name": "AGENT.GetState"}, "bad_request", nil)
	errReply(crMsg{"op": "relay", "name": "EVIL.x"}, "forbidden", nil)
	errReply(crMsg{"op": "relay", "name": "CONTACT.Hold"}, "forbidden", nil)
	// A 64-char id is fine; unknown commands have their own code.
	c.n = 0
	c.send(crMsg{"op": "cmd", "id": strings.Repeat("i", 64), "name": "AGENT.GetState"})
	if r := c.next(); r["op"] != "result" || r["ok"] != true {
		t.Errorf("64-char id: %v", r)
	}
	c.fail("unknown_command", "AGENT.Dance", nil)
	errReply(crMsg{"op": "cmd", "id": "e1", "name": ""}, "bad_request", "e1")
	// A refused message's id comes back, so a pending command is not left hanging.
	errReply(crMsg{"op": "cmd", "id": "e2", "name": strings.Repeat("N", 65)}, "bad_request", "e2")
	errReply(crMsg{"op": "cmd", "id": "e3", "name": "AGENT.GetState", "v": 9}, "bad_request", "e3")
	// Ping with and without id.
	c.send(crMsg{"op": "ping", "id": "p1"})
	if p := c.next(); p["op"] != "pong" || p["id"] != "p1" || !isMillis(p["time"]) {
		t.Errorf("pong %v", p)
	}
	c.send(crMsg{"op": "ping"})
	if p := c.next(); p["op"] != "pong" || !isMillis(p["time"]) {
		t.Errorf("pong %v", p)
	}
	// Still open after all of it.
	c.ok("AGENT.GetState", nil)
}

func TestCleanroomAgentCommands(t *testing.T) {
	s := crStart(t, nil)
	c, _ := s.connect("a1", nil)
	_, st := c.ok("AGENT.GetState", nil)
	if st.(crMsg)["state"] != "LOGGEDOUT" {
		t.Errorf("GetState %v", st)
	}
	_, pc := c.ok("AGENT.GetPauseCodes", nil)
	if b, _ := json.Marshal(pc); string(b) != `[{"code":1701,"label":"Lunch"}]` {
		t.Errorf("pause codes %s", b)
	}
	evs, d := c.ok("AGENT.Ready", nil)
	ev := expect(t, evs, "LOGGEDIN")[0]
	if ev["agent"] != "a1" || ev["name"] != "Alice" || d.(crMsg)["state"] != "LOGGEDIN" {
		t.Errorf("LOGGEDIN %v / %v", ev, d)
	}
	c.fail("invalid_state", "AGENT.Ready", nil)
	c.fail("bad_request", "AGENT.Pause", crMsg{"code": 9999})
	c.fail("bad_request", "AGENT.Pause", crMsg{"code": "lunch"})
	evs, d = c.ok("AGENT.Pause", crMsg{"code": 1701})
	ev = expect(t, evs, "PAUSESUBSTATE")[0]
	if ev["code"] != 1701.0 || ev["label"] != "Lunch" || d.(crMsg)["state"] != "PAUSESUBSTATE" {
		t.Errorf("PAUSESUBSTATE %v / %v", ev, d)
	}
	evs, _ = c.ok("AGENT.Pause", nil)
	expect(t, evs, "PAUSE")
	// Not documented: the same pause again is refused like Ready when LOGGEDIN.
	c.fail("invalid_state", "AGENT.Pause", crMsg{"code": nil})
	c.ok("AGENT.Pause", crMsg{"code": 1701})
	c.fail("invalid_state", "AGENT.Pause", crMsg{"code": 1701})
	c.ok("AGENT.Pause", nil)
	_, snap := c.ok("AGENT.Snapshot", nil)
	sm := snap.(crMsg)
	for _, k := range []string{"epoch", "seq", "agent", "contacts"} {
		if _, ok := sm[k]; !ok {
			t.Errorf("Snapshot lacks %s: %v", k, sm)
		}
	}
	// Unknown arguments are ignored; a null args object too.
	c.ok("AGENT.GetState", crMsg{"whatever": 1})
	evs, d = c.ok("AGENT.Logout", nil)
	if expect(t, evs, "LOGGEDOUT")[0]["agent"] != "a1" || d.(crMsg)["state"] != "LOGGEDOUT" {
		t.Errorf("logout %v", d)
	}
	// A LOGGEDOUT agent may log in paused.
	evs, _ = c.ok("AGENT.Pause", nil)
	expect(t, evs, "PAUSE")
	// Logout with an unfinished contact is refused.
	c.ok("AGENT.Ready", nil)
	s.createContact(`{"queue":"sales"}`)
	expect(t, c.sync(), "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	c.fail("invalid_state", "AGENT.Logout", nil)
	// The HTTP agent-state endpoint reaches the agent's stream.
	st2, _, v := s.api("PUT", "/agents/a1/state", `{"state":"PAUSE","code":1701}`)
	if st2 != 200 || v.(crMsg)["state"] != "PAUSESUBSTATE" {
		t.Errorf("PUT state: %d %v", st2, v)
	}
	expect(t, c.sync(), "PAUSESUBSTATE")
}

func TestCleanroomInboundTelephony(t *testing.T) {
	s := crStart(t, nil)
	a1, _ := s.connect("a1", nil)
	a2, _ := s.connect("a2", nil)
	a1.ok("AGENT.Ready", nil)
	ct := s.createContact(`{"queue":"sales","ani":"+39 333","dnis":"800","call_data":{"customer_id":"42"}}`)
	if ct["state"] != "offered" || ct["agent"] != "a1" || ct["service"] != "SalesSvc" || ct["last_event"] != "JOBCHANGED" {
		t.Errorf("created %v", ct)
	}
	id := ct["id"].(string)
	evs := expect(t, a1.sync(), "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	for _, e := range evs {
		if e["id"] != id || e["ani"] != "+39 333" || e["isACD"] != true || e["queue"] != "sales" {
			t.Errorf("event %v", e)
		}
		if _, ok := e["job_state"]; ok {
			t.Errorf("%v before ESTABLISHED has job_state", e["event"])
		}
	}
	// Another agent's contact is not_found; missing id is bad_request.
	a2.fail("not_found", "CONTACT.Answer", crMsg{"contactId": id})
	a1.fail("not_found", "CONTACT.Answer", crMsg{"contactId": "nope"})
	a1.fail("bad_request", "CONTACT.Answer", nil)
	a1.fail("invalid_state", "CONTACT.Hangup", crMsg{"contactId": id})
	a1.fail("invalid_state", "CONTACT.Hold", crMsg{"contactId": id})
	evs2, d := a1.ok("CONTACT.Answer", crMsg{"contactId": id})
	ee := expect(t, evs2, "POPUP", "ESTABLISHED", "JOBSTARTED:online")
	if ee[1]["job_state"] != "online" || !isMillis(ee[1]["startTime"]) {
		t.Errorf("ESTABLISHED %v", ee[1])
	}
	if d.(crMsg)["id"] != id || d.(crMsg)["state"] != "online" {
		t.Errorf("answer data %v", d)
	}
	a1.fail("invalid_state", "CONTACT.Answer", crMsg{"contactId": id})
	evs2, d = a1.ok("CONTACT.Hold", crMsg{"contactId": id})
	if expect(t, evs2, "HELD")[0]["held"] != true || d.(crMsg)["held"] != true {
		t.Errorf("hold %v", d)
	}
	a1.fail("invalid_state", "CONTACT.Hold", crMsg{"contactId": id, "hold": true})
	evs2, _ = a1.ok("CONTACT.Hold", crMsg{"contactId": id}) // toggles back
	expect(t, evs2, "RETRIEVED")
	a1.fail("invalid_state", "CONTACT.Retrieve", crMsg{"contactId": id})
	a1.ok("CONTACT.Hold", crMsg{"contactId": id, "hold": true})
	evs2, _ = a1.ok("CONTACT.Retrieve", crMsg{"contactId": id})
	expect(t, evs2, "RETRIEVED")
	evs2, _ = a1.ok("CONTACT.SetCallData", crMsg{"contactId": id, "data": "K=v;K2=v2"})
	dc := expect(t, evs2, "DATACHANGED")[0]
	if b, _ := json.Marshal(dc["changed"]); string(b) != `["K","K2"]` {
		t.Errorf("changed %s", b)
	}
	if cd := dc["call_data"].(crMsg); cd["K"] != "v" || cd["customer_id"] != "42" {
		t.Errorf("call_data %v", cd)
	}
	evs2, _ = a1.ok("CONTACT.SetCallData", crMsg{"contactId": id, "data": crMsg{"K": "v"}})
	expect(t, evs2)
	a1.fail("bad_request", "CONTACT.SetCallData", crMsg{"contactId": id, "data": 42})
	a1.fail("bad_request", "CONTACT.SetCallData", crMsg{"contactId": id})
	evs2, _ = a1.ok("CONTACT.StartRecording", crMsg{"contactId": id, "callData": crMsg{"rec": "1"}})
	// Not documented: callData that changes values adds a DATACHANGED.
	if rs := expect(t, evs2, "RECORDINGSTARTED", "DATACHANGED"); rs[0]["recording"] != true {
		t.Errorf("RECORDINGSTARTED %v", rs[0])
	}
	evs2, _ = a1.ok("CONTACT.StopRecording", crMsg{"contactId": id})
	expect(t, evs2, "RECORDINGSTOPPED")
	// The HTTP API shows the same contact.
	st, _, v := s.api("GET", "/contacts/"+id, "")
	if st != 200 || v.(crMsg)["state"] != "online" || v.(crMsg)["last_event"] != "RECORDINGSTOPPED" {
		t.Errorf("GET contact %d %v", st, v)
	}
	// Hangup without id: the only call.
	evs2, d = a1.ok("CONTACT.Hangup", nil)
	ee = expect(t, evs2, "CONNECTIONCLEARED", "JOBCHANGED:offline")
	if ee[0]["reason"] != "agent_hangup" || ee[0]["job_state"] != "offline" || !isMillis(ee[0]["endTime"]) || !isMillis(ee[1]["offlineStartTime"]) {
		t.Errorf("end %v", ee)
	}
	if d.(crMsg)["id"] != id {
		t.Errorf("hangup data %v", d)
	}
	a1.fail("invalid_state", "CONTACT.Hangup", nil)
	evs2, _ = a1.ok("CONTACT.OfflineEnd", crMsg{"contactId": id})
	jf := expect(t, evs2, "JOBFINISHED")[0]
	if !isMillis(jf["offlineEndTime"]) || jf["state"] != "finished" {
		t.Errorf("JOBFINISHED %v", jf)
	}
	// A no-answer: CONNECTIONCLEARED, JOBFINISHED, FORCED; the contact goes back to its queue.
	ct = s.createContact(`{"queue":"sales"}`)
	expect(t, a1.sync(), "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	s.clk.Advance(20 * time.Second)
	ee = expect(t, a1.sync(), "CONNECTIONCLEARED", "JOBFINISHED", "FORCED")
	// JOBFINISHED says finished although the contact goes back to its queue.
	if ee[0]["reason"] != "no_answer" || ee[2]["reason"] != "no_answer" || ee[0]["job_state"] != "offline" || ee[1]["state"] != "finished" {
		t.Errorf("no answer %v", ee)
	}
	evs, _ = a2.ok("AGENT.Ready", nil)
	re := expect(t, evs, "LOGGEDIN", "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	if re[1]["id"] != ct["id"] {
		t.Errorf("re-offered with id %v, want %v", re[0]["id"], ct["id"])
	}
	evs2, _ = a2.ok("CONTACT.Reject", crMsg{"contactId": ct["id"]})
	// a1 is FORCED, so the only free member gets it back.
	ee = expect(t, evs2, "CONNECTIONCLEARED", "JOBFINISHED", "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	if ee[0]["reason"] != "rejected" || ee[2]["id"] != ct["id"] {
		t.Errorf("reject %v", ee)
	}
	// Customer hangs up while ringing: abandoned.
	s.api("POST", "/events", fmt.Sprintf(`{"contact":%q,"event":"CONNECTIONCLEARED"}`, ct["id"]))
	if e := expect(t, a2.sync(), "CONNECTIONCLEARED", "JOBFINISHED"); e[0]["reason"] != "abandoned" || e[1]["state"] != "finished" {
		t.Errorf("abandoned %v", e)
	}
	// Customer hangs up while queued: no agent event, finished/abandoned.
	a2.ok("AGENT.Pause", nil)
	q := s.createContact(`{"queue":"sales"}`)
	s.api("POST", "/events", fmt.Sprintf(`{"contact":%q,"event":"CONNECTIONCLEARED"}`, q["id"]))
	expect(t, a1.sync())
	expect(t, a2.sync())
	if st, _, v := s.api("GET", "/contacts/"+q["id"].(string), ""); st != 200 || v.(crMsg)["state"] != "finished" || v.(crMsg)["reason"] != "abandoned" {
		t.Errorf("queued abandon %d %v", st, v)
	}
}

func TestCleanroomLifecycleEdges(t *testing.T) {
	s := crStart(t, func(c *engine.Config) { c.HelloTimeout = 300 * time.Millisecond; c.PopupOn = "ringing" })
	// No hello in time: 4001.
	c, _, err := s.dial("?token="+s.token("a1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := c.closed(); code != 4001 {
		t.Errorf("hello timeout: close %d", code)
	}
	// Preview job with popup_on ringing.
	a1, w := s.connect("a1", nil)
	epoch := w["epoch"].(string)
	a1.ok("AGENT.Ready", nil)
	pv := s.createContact(`{"type":"outbound","job_type":"previewAgent","agent":"a1","dnis":"+39 02"}`)
	ee := expect(t, a1.sync(), "JOBSCHEDULED", "JOBCHANGED:setup", "POPUP")
	if ee[0]["state"] != "preview" || ee[0]["type"] != "outbound" {
		t.Errorf("preview %v", ee[0])
	}
	evs, _ := a1.ok("CONTACT.Answer", crMsg{"contactId": pv["id"]})
	expect(t, evs, "CONNECTIONSTARTED", "DIALING")
	s.clk.Advance(3 * time.Second)
	expect(t, a1.sync(), "ESTABLISHED", "JOBSTARTED:online")
	a1.ok("CONTACT.Hangup", nil)
	a1.ok("CONTACT.OfflineEnd", crMsg{"contactId": pv["id"]})
	// A refused previewAgent job ends with JOBFINISHED only.
	pv = s.createContact(`{"type":"outbound","job_type":"previewAgent","agent":"a1"}`)
	a1.sync()
	evs, _ = a1.ok("CONTACT.Reject", crMsg{"contactId": pv["id"]})
	if e := expect(t, evs, "JOBFINISHED"); e[0]["reason"] != "rejected" {
		t.Errorf("preview reject %v", e[0])
	}
	// Logout grace: every page gone → LOGGEDOUT reason disconnected.
	_, snap := a1.ok("AGENT.Snapshot", nil)
	seq := snap.(crMsg)["seq"].(float64)
	a1.ws.Close()
	// The grace starts when the server sees the last page go (GET /agents shows it).
	for i := 0; ; i++ {
		_, _, v := s.api("GET", "/agents", "")
		if v.([]any)[0].(crMsg)["connections"] == 0.0 {
			break
		}
		if i == 500 {
			t.Fatal("the server never saw the page go")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.clk.Advance(61 * time.Second)
	a1, w = s.connect("a1", crMsg{"resume": crMsg{"epoch": epoch, "seq": seq}})
	if w["snapshot"] != false {
		t.Fatalf("resume %v", w)
	}
	if e := expect(t, a1.sync(), "LOGGEDOUT"); e[0]["reason"] != "disconnected" {
		t.Errorf("grace logout %v", e[0])
	}
	// Engine.Close: live pages get 1012, new ones 503.
	s.e.Close()
	if code, _ := a1.closed(); code != 1012 {
		t.Errorf("shutdown close %d", code)
	}
	_, resp, err := s.dial("?token="+s.token("a1"), nil)
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Errorf("dial after Close: %v %v", resp, err)
	} else if b, _ := io.ReadAll(resp.Body); !strings.Contains(string(b), "server shutting down") {
		t.Errorf("503 body %q", b)
	}
}

func TestCleanroomTargetsAndDefaults(t *testing.T) {
	s := crStart(t, nil)
	// Not documented: an agent created by its first connection takes the
	// token's name and has no queues key; a configured name wins over the token's.
	_, w9 := s.connect("a9", nil)
	if ag := w9["agent"].(crMsg); ag["name"] != "N a9" || ag["state"] != "LOGGEDOUT" || ag["queues"] != nil {
		t.Errorf("new agent %v", ag)
	}
	_, w1 := s.connect("a1", nil)
	if ag := w1["agent"].(crMsg); ag["name"] != "Alice" {
		t.Errorf("configured agent %v", ag)
	}
	a, _ := s.connect("a1", nil)
	b, _ := s.connect("a1", crMsg{"client": crMsg{"kind": "foo", "id": "x"}})
	// Not documented: a page without client is "other:" (empty id); an unknown kind becomes other.
	a.send(crMsg{"op": "relay", "name": "TAB.X"})
	if r := b.next(); r["from"] != "other:" {
		t.Errorf("from without client: %v", r["from"])
	}
	b.send(crMsg{"op": "relay", "name": "TAB.X"})
	if r := a.next(); r["from"] != "other:x" {
		t.Errorf("from with kind foo: %v", r["from"])
	}
	a.ok("AGENT.Ready", nil)
	id := offerAndAnswer(t, s, a, `{"queue":"sales"}`)
	a.fail("unavailable", "CONTACT.Transfer", crMsg{"contactId": id, "mode": "consult", "targetType": "agent", "target": "a2"})
	a.fail("invalid_state", "CONTACT.MakeCall", crMsg{"destination": "123"})
	a.fail("bad_request", "CONTACT.Transfer", crMsg{"contactId": id, "mode": "blind", "targetType": "agent", "target": "a1"})
	a.fail("not_found", "CONTACT.Transfer", crMsg{"contactId": id, "mode": "blind", "targetType": "queue", "target": "nope"})
	a.fail("bad_request", "CONTACT.Transfer", crMsg{"contactId": id, "targetType": "queue", "target": "support"})
	a.fail("bad_request", "CONTACT.Hold", crMsg{"contactId": id, "hold": "yes"})
	a.fail("bad_request", "CONTACT.SetCallData", crMsg{"contactId": id, "data": "novalue"})
	evs, d := a.ok("CONTACT.Transfer", crMsg{"contactId": id, "mode": "blind", "targetType": "queue", "target": "support"})
	expect(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline")
	if nc := d.(crMsg); nc["state"] != "queued" || nc["queue"] != "support" || nc["transferred_from"] != id {
		t.Errorf("blind to queue %v", nc)
	}
	// In ACW a manual call is allowed; to a logged-out or unknown agent it is not.
	a.fail("unavailable", "CONTACT.MakeCall", crMsg{"destination": "a2"})
	a.fail("not_found", "CONTACT.MakeCall", crMsg{"destination": "agent:zz"})
	// HTTP API codes the docs list.
	for _, tc := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/events", `{"event":"BOGUS"}`, 400, "bad_request"},
		{"POST", "/events", `{"contact":"x","event":"BOGUS"}`, 400, "bad_request"},
		{"POST", "/events", `{"contact":"x","event":"HELD"}`, 404, "not_found"},
		{"POST", "/events", `{"agent":"a1","event":"PAUSE","code":5}`, 400, "bad_request"},
		{"POST", "/events", `{"agent":"a1","event":"LOGGEDOUT"}`, 409, "invalid_state"},
		{"PUT", "/agents/a1/state", `{"state":"BUSY"}`, 400, "bad_request"},
		{"POST", "/contacts", `{"queue":"sales","call_data":{"a":1}}`, 400, "bad_request"},
		{"POST", "/contacts", `{"type":"outbound","queue":"sales","media_type":"chat"}`, 400, "bad_request"},
	} {
		st, _, v := s.api(tc.method, tc.path, tc.body)
		if m, _ := v.(crMsg); st != tc.status || m["code"] != tc.code {
			t.Errorf("%s %s %s: %d %v, want %d %s", tc.method, tc.path, tc.body, st, v, tc.status, tc.code)
		}
	}
	ch := s.createContact(`{"media_type":"chat","queue":"support"}`)
	a.sync()
	a.ok("CONTACT.Answer", crMsg{"contactId": ch["id"]})
	if st, _, v := s.api("POST", "/events", fmt.Sprintf(`{"contact":%q,"event":"HELD"}`, ch["id"])); st != 422 || v.(crMsg)["code"] != "unsupported" {
		t.Errorf("HELD on a chat: %d %v", st, v)
	}
}

func evNames(evs []crMsg) []string {
	var out []string
	for _, m := range evs {
		d := m["data"].(crMsg)
		n := d["event"].(string)
		if p, ok := d["phase"]; ok {
			n += ":" + p.(string)
		}
		out = append(out, n)
	}
	return out
}

// offerAndAnswer creates a contact in queue for the ready agent c and answers it.
func offerAndAnswer(t *testing.T, s *crServer, c *crClient, body string) string {
	t.Helper()
	ct := s.createContact(body)
	id := ct["id"].(string)
	c.sync()
	if _, r := c.cmd("CONTACT.Answer", crMsg{"contactId": id}); r["ok"] != true {
		t.Fatalf("answer %v", r)
	}
	return id
}

func TestCleanroomACWAndOfflineEnable(t *testing.T) {
	s := crStart(t, nil)
	c, _ := s.connect("a1", nil)
	c.ok("AGENT.Ready", nil)
	id := offerAndAnswer(t, s, c, `{"queue":"sales"}`)
	c.ok("CONTACT.Hangup", crMsg{"contactId": id})
	s.clk.Advance(30 * time.Second)
	expect(t, c.sync(), "JOBFINISHED")
	// OfflineEnable(true) keeps ACW open past acw_timeout.
	id = offerAndAnswer(t, s, c, `{"queue":"sales"}`)
	_, d := c.ok("CONTACT.OfflineEnable", crMsg{"contactId": id, "enable": true})
	if d.(crMsg)["offline_enabled"] != true {
		t.Errorf("OfflineEnable %v", d)
	}
	c.ok("CONTACT.Hangup", crMsg{"contactId": id})
	s.clk.Advance(time.Minute)
	expect(t, c.sync())
	evs, _ := c.ok("CONTACT.OfflineEnd", crMsg{"contactId": id})
	expect(t, evs, "JOBFINISHED")
	// OfflineEnable(false): no offline phase.
	id = offerAndAnswer(t, s, c, `{"queue":"sales"}`)
	c.fail("bad_request", "CONTACT.OfflineEnable", crMsg{"contactId": id})
	_, d = c.ok("CONTACT.OfflineEnable", crMsg{"contactId": id, "enable": false})
	if d.(crMsg)["offline_enabled"] != false {
		t.Errorf("OfflineEnable false %v", d)
	}
	evs, _ = c.ok("CONTACT.Hangup", crMsg{"contactId": id})
	expect(t, evs, "CONNECTIONCLEARED", "JOBFINISHED")
	// Manual call: unsupported.
	_, mc := c.ok("CONTACT.MakeCall", crMsg{"destination": "+39 02 1"})
	c.fail("unsupported", "CONTACT.OfflineEnable", crMsg{"contactId": mc.(crMsg)["id"], "enable": true})
}

func TestCleanroomChatAndChannel(t *testing.T) {
	s := crStart(t, nil)
	c, _ := s.connect("a1", nil)
	c.ok("AGENT.Ready", nil)
	ct := s.createContact(`{"media_type":"chat","queue":"support","ani":"g@example.com"}`)
	id := ct["id"].(string)
	if ct["chat_id"] != "chat-"+id {
		t.Errorf("chat_id %v", ct["chat_id"])
	}
	expect(t, c.sync(), "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	c.fail("invalid_state", "CHAT.Send", crMsg{"contactId": id, "text": "hi"})
	evs, _ := c.ok("CONTACT.Answer", crMsg{"contactId": id})
	expect(t, evs, "POPUP", "ESTABLISHED", "JOBSTARTED:online")
	c.fail("unsupported", "CONTACT.Hold", crMsg{"contactId": id})
	c.fail("unsupported", "CONTACT.StartRecording", crMsg{"contactId": id})
	c.fail("bad_request", "CHAT.Send", crMsg{"contactId": id, "text": strings.Repeat("x", 4097)})
	evs, _ = c.ok("CHAT.Send", crMsg{"contactId": id, "text": strings.Repeat("é", 2048)})
	msg := expect(t, evs, "CHATMESSAGE")[0]["message"].(crMsg)
	if msg["from"] != "agent" || !isMillis(msg["time"]) {
		t.Errorf("message %v", msg)
	}
	st, _, v := s.api("POST", "/events", fmt.Sprintf(`{"contact":%q,"event":"CHATMESSAGE","text":"Hello?"}`, id))
	if st != 200 {
		t.Errorf("POST /events chat: %d %v", st, v)
	}
	if m := expect(t, c.sync(), "CHATMESSAGE")[0]["message"].(crMsg); m["from"] != "customer" || m["text"] != "Hello?" {
		t.Errorf("customer line %v", m)
	}
	_, snap := c.ok("AGENT.Snapshot", nil)
	cs := snap.(crMsg)["contacts"].([]any)
	if len(cs) != 1 || len(cs[0].(crMsg)["messages"].([]any)) != 2 || cs[0].(crMsg)["last_event"] != "CHATMESSAGE" {
		t.Errorf("snapshot contacts %v", cs)
	}
	c.fail("unsupported", "CONTACT.Transfer", crMsg{"contactId": id, "mode": "consult", "targetType": "agent", "target": "a2"})
	// Channel.
	ch := s.createContact(`{"media_type":"channel","queue":"support","content_description":"Invoice 118"}`)
	evs = c.sync()
	for _, e := range expect(t, evs, "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup") {
		if e["content_type"] != "email" || e["content_description"] != "Invoice 118" {
			t.Errorf("channel %v", e)
		}
	}
	// Two contacts: Hangup without id prefers telephony, else the only one; several → bad_request.
	c.ok("CONTACT.Answer", crMsg{"contactId": ch["id"]})
	c.fail("bad_request", "CONTACT.Hangup", nil)
}

func TestCleanroomMakeCallAndInternal(t *testing.T) {
	s := crStart(t, nil)
	a1, _ := s.connect("a1", nil)
	a2, _ := s.connect("a2", nil)
	a1.ok("AGENT.Ready", nil)
	a2.ok("AGENT.Ready", nil)
	a1.fail("bad_request", "CONTACT.MakeCall", nil)
	evs, d := a1.ok("CONTACT.MakeCall", crMsg{"destination": "+39 02 5555", "serviceId": "Svc", "callData": "A=1", "callProfileId": 7})
	ee := expect(t, evs, "CONNECTIONSTARTED", "DIALING", "POPUP")
	if ee[0]["state"] != "dialing" || ee[0]["ani"] != "a1" || ee[0]["dnis"] != "+39 02 5555" || ee[0]["type"] != "outbound" || ee[0]["job_type"] != "manual" || ee[0]["isACD"] != false || ee[0]["service"] != "Svc" || ee[0]["queue"] != "" {
		t.Errorf("manual call %v", ee[0])
	}
	id := d.(crMsg)["id"].(string)
	s.clk.Advance(2 * time.Second)
	if e := expect(t, a1.sync(), "ESTABLISHED"); e[0]["job_state"] != "online" {
		t.Errorf("manual ESTABLISHED %v", e[0])
	}
	evs, _ = a1.ok("CONTACT.Hangup", crMsg{"contactId": id})
	expect(t, evs, "CONNECTIONCLEARED", "JOBFINISHED")
	// Cancelled while dialling.
	_, d = a1.ok("CONTACT.MakeCall", crMsg{"destination": "123"})
	evs, _ = a1.ok("CONTACT.HangupByContactID", crMsg{"contactId": d.(crMsg)["id"]})
	if e := expect(t, evs, "CONNECTIONCLEARED", "JOBFINISHED"); e[0]["reason"] != "cancelled" {
		t.Errorf("cancel %v", e[0])
	}
	// Internal call.
	evs, d = a1.ok("CONTACT.MakeCall", crMsg{"destination": "agent:a2"})
	if e := expect(t, evs, "CONNECTIONSTARTED", "DIALING", "POPUP"); e[0]["type"] != "internal" {
		t.Errorf("internal %v", e[0])
	}
	callee := expect(t, a2.sync(), "CONNECTIONSTARTED", "RINGING")
	if callee[0]["peer"] != d.(crMsg)["id"] || callee[0]["type"] != "internal" {
		t.Errorf("callee %v", callee[0])
	}
	evs, _ = a2.ok("CONTACT.Answer", crMsg{"contactId": callee[0]["id"]})
	expect(t, evs, "POPUP", "ESTABLISHED")
	expect(t, a1.sync(), "ESTABLISHED")
	a1.fail("unsupported", "CONTACT.Transfer", crMsg{"contactId": d.(crMsg)["id"], "mode": "blind", "targetType": "number", "target": "1"})
	evs, _ = a2.ok("CONTACT.Hangup", nil)
	expect(t, evs, "CONNECTIONCLEARED", "JOBFINISHED")
	if e := expect(t, a1.sync(), "CONNECTIONCLEARED", "JOBFINISHED"); e[0]["reason"] != "peer_hangup" {
		t.Errorf("peer %v", e[0])
	}
}

func TestCleanroomTransferConsultConference(t *testing.T) {
	s := crStart(t, nil)
	a1, _ := s.connect("a1", nil)
	a2, _ := s.connect("a2", nil)
	a1.ok("AGENT.Ready", nil)
	id := offerAndAnswer(t, s, a1, `{"queue":"sales","call_data":{"x":"1"}}`)
	// Blind to a paused agent: unavailable; bad mode: bad_request.
	a2.ok("AGENT.Pause", nil)
	a1.fail("unavailable", "CONTACT.Transfer", crMsg{"contactId": id, "mode": "blind", "targetType": "agent", "target": "a2"})
	a1.fail("bad_request", "CONTACT.Transfer", crMsg{"contactId": id, "mode": "sideways", "targetType": "agent", "target": "a2"})
	a1.fail("not_found", "CONTACT.Transfer", crMsg{"contactId": id, "mode": "blind", "targetType": "agent", "target": "zz"})
	a2.ok("AGENT.Ready", nil)
	// Consult → conference → original hangs up: the target keeps the customer.
	evs, _ := a1.ok("CONTACT.Transfer", crMsg{"contactId": id, "mode": "consult", "targetType": "agent", "target": "a2"})
	ee := expect(t, evs, "HELD", "PARTYCHANGED")
	parties := ee[1]["parties"].([]any)
	if p := parties[0].(crMsg); p["state"] != "consulting" || p["kind"] == nil || p["target"] != "a2" {
		t.Errorf("parties %v", parties)
	}
	leg := expect(t, a2.sync(), "CONNECTIONSTARTED", "RINGING")[0]
	if leg["peer"] != id {
		t.Errorf("consult leg %v", leg)
	}
	a1.fail("invalid_state", "CONTACT.Conference", crMsg{"contactId": id})
	a2.ok("CONTACT.Answer", crMsg{"contactId": leg["id"]})
	if p := expect(t, a1.sync(), "PARTYCHANGED")[0]["parties"].([]any)[0].(crMsg); p["state"] != "connected" {
		t.Errorf("connected %v", p)
	}
	evs, _ = a1.ok("CONTACT.Conference", crMsg{"contactId": id})
	ee = expect(t, evs, "PARTYCHANGED", "RETRIEVED")
	if p := ee[0]["parties"].([]any)[0].(crMsg); p["state"] != "conference" {
		t.Errorf("conference %v", p)
	}
	expect(t, a2.sync(), "PARTYCHANGED")
	evs, _ = a1.ok("CONTACT.Hangup", crMsg{"contactId": id})
	// The original keeps its own reason (docs: "as TransferComplete").
	if e := expect(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline"); e[0]["reason"] != "agent_hangup" {
		t.Errorf("original end %v", e[0])
	}
	if k := expect(t, a2.sync(), "PARTYCHANGED")[0]; k["transferred_from"] != id || k["peer"] != nil {
		t.Errorf("target kept the customer: %v", k)
	}
	a1.ok("CONTACT.OfflineEnd", crMsg{"contactId": id})
	// The taken-over leg stays a manual job: no offline phase.
	evs, _ = a2.ok("CONTACT.Hangup", crMsg{"contactId": leg["id"]})
	if e := expect(t, evs, "CONNECTIONCLEARED", "JOBFINISHED"); e[0]["job_type"] != "manual" {
		t.Errorf("leg end %v", e[0])
	}
	// Consult then TransferComplete.
	id = offerAndAnswer(t, s, a1, `{"queue":"sales","ani":"cust"}`)
	a1.ok("CONTACT.Transfer", crMsg{"contactId": id, "mode": "consult", "targetType": "agent", "target": "a2"})
	leg = expect(t, a2.sync(), "CONNECTIONSTARTED", "RINGING")[0]
	a2.ok("CONTACT.Answer", crMsg{"contactId": leg["id"]})
	a1.sync()
	evs, _ = a1.ok("CONTACT.TransferComplete", crMsg{"contactId": id})
	if e := expect(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline"); e[0]["reason"] != "transferred" {
		t.Errorf("complete %v", e[0])
	}
	pc := expect(t, a2.sync(), "PARTYCHANGED")[0]
	if pc["ani"] != "cust" || pc["transferred_from"] != id || pc["type"] != "inbound" || pc["peer"] != nil {
		t.Errorf("target after complete %v", pc)
	}
	a1.ok("CONTACT.OfflineEnd", crMsg{"contactId": id})
	evs, _ = a2.ok("CONTACT.Hangup", nil)
	expect(t, evs, "CONNECTIONCLEARED", "JOBFINISHED")
	// Consult then cancel.
	id = offerAndAnswer(t, s, a1, `{"queue":"sales"}`)
	a1.ok("CONTACT.Transfer", crMsg{"contactId": id, "mode": "consult", "targetType": "agent", "target": "a2"})
	leg = expect(t, a2.sync(), "CONNECTIONSTARTED", "RINGING")[0]
	evs, _ = a1.ok("CONTACT.TransferCancel", crMsg{"contactId": id})
	expect(t, evs, "PARTYCHANGED", "RETRIEVED")
	if e := expect(t, a2.sync(), "CONNECTIONCLEARED", "JOBFINISHED"); e[0]["reason"] != "cancelled" {
		t.Errorf("cancelled leg %v", e[0])
	}
	// Blind to an agent: the result is the new contact.
	evs, d := a1.ok("CONTACT.Transfer", crMsg{"contactId": id, "mode": "blind", "targetType": "agent", "target": "a2"})
	expect(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline")
	nc := d.(crMsg)
	if nc["transferred_from"] != id || nc["id"] == id || nc["agent"] != "a2" {
		t.Errorf("blind result %v", nc)
	}
	ne := expect(t, a2.sync(), "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	if ne[0]["id"] != nc["id"] {
		t.Errorf("new contact %v", ne[0])
	}
	// Blind to a number: only the original's end.
	a1.ok("CONTACT.OfflineEnd", crMsg{"contactId": id})
	a2.ok("CONTACT.Answer", crMsg{"contactId": nc["id"]})
	evs, _ = a2.ok("CONTACT.Transfer", crMsg{"contactId": nc["id"], "mode": "blind", "targetType": "number", "target": "+39 1"})
	expect(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline")
}

func TestCleanroomRelay(t *testing.T) {
	s := crStart(t, nil)
	w, _ := s.connect("a1", crMsg{"client": crMsg{"kind": "widget", "id": "crm"}})
	d, _ := s.connect("a1", crMsg{"client": crMsg{"kind": "desktop", "id": "shell"}})
	x, _ := s.connect("a1", crMsg{"client": crMsg{"kind": "widget", "id": "other"}})
	o, _ := s.connect("a2", crMsg{"client": crMsg{"kind": "desktop", "id": "shell"}})
	w.send(crMsg{"op": "relay", "name": "TAB.Open", "to": "desktop:shell", "data": crMsg{"title": "Customer 42"}})
	r := d.next()
	if r["op"] != "relay" || r["name"] != "TAB.Open" || r["from"] != "widget:crm" || r["to"] != "desktop:shell" || r["data"].(crMsg)["title"] != "Customer 42" {
		t.Errorf("relay %v", r)
	}
	if m := x.sync(); len(m) != 0 {
		t.Errorf("addressed relay reached another page: %v", m)
	}
	// Broadcast: every other page of the agent, not the sender, not the other agent.
	w.send(crMsg{"op": "relay", "name": "ALERT.Show", "data": []any{1, "a"}})
	if r := d.next(); r["name"] != "ALERT.Show" {
		t.Errorf("broadcast to d: %v", r)
	}
	if r := x.next(); r["name"] != "ALERT.Show" {
		t.Errorf("broadcast to x: %v", r)
	}
	w.send(crMsg{"op": "ping", "id": "z"})
	if r := w.next(); r["op"] != "pong" {
		t.Errorf("sender got its own relay: %v", r)
	}
	if m := o.sync(); len(m) != 0 {
		t.Errorf("relay crossed agents: %v", m)
	}
	// `to` as a bare id.
	d.send(crMsg{"op": "relay", "name": "WIDGET.Data", "to": "crm", "data": 1})
	if r := w.next(); r["name"] != "WIDGET.Data" || r["from"] != "desktop:shell" {
		t.Errorf("to id: %v", r)
	}
	// Relays are not logged: a resume replays none.
	_, wel := s.connect("a1", crMsg{"resume": crMsg{"epoch": "x", "seq": 0}})
	if wel["seq"] != 0.0 {
		t.Errorf("relays logged: %v", wel["seq"])
	}
}

func TestCleanroomResume(t *testing.T) {
	s := crStart(t, func(c *engine.Config) { c.HistoryLength = 20 })
	c, w := s.connect("a1", nil)
	epoch := w["epoch"].(string)
	c.ok("AGENT.Ready", nil)
	id := offerAndAnswer(t, s, c, `{"queue":"sales"}`)
	_, st := c.ok("AGENT.Snapshot", nil)
	seq := st.(crMsg)["seq"].(float64)
	c.ws.Close()
	// Events while away.
	if stc, _, v := s.api("POST", "/events", fmt.Sprintf(`{"contact":%q,"event":"DATACHANGED","call_data":{"a":"1"}}`, id)); stc != 200 {
		t.Fatalf("POST /events %d %v", stc, v)
	}
	s.api("POST", "/events", fmt.Sprintf(`{"contact":%q,"event":"HELD"}`, id))
	s.api("POST", "/events", fmt.Sprintf(`{"contact":%q,"event":"RETRIEVED"}`, id))
	c2, w2 := s.connect("a1", crMsg{"resume": crMsg{"epoch": epoch, "seq": seq}})
	if w2["snapshot"] != false || w2["replayed"] != 3.0 || w2["seq"] != seq+3 {
		t.Errorf("resume welcome %v", w2)
	}
	if _, ok := w2["agent"]; ok {
		t.Errorf("resume welcome has agent")
	}
	if _, ok := w2["contacts"]; ok {
		t.Errorf("resume welcome has contacts")
	}
	got := c2.sync()
	expect(t, got, "DATACHANGED", "HELD", "RETRIEVED")
	for i, m := range got {
		if m["seq"] != seq+1+float64(i) {
			t.Errorf("replayed seq %v at %d", m["seq"], i)
		}
	}
	// Live events continue the numbering.
	evs, _ := c2.ok("CONTACT.Hold", crMsg{"contactId": id})
	if evs[0]["seq"] != seq+4 {
		t.Errorf("live seq %v", evs[0]["seq"])
	}
	// Resume at the head: nothing replayed.
	_, w3 := s.connect("a1", crMsg{"resume": crMsg{"epoch": epoch, "seq": seq + 4}})
	if w3["snapshot"] != false || w3["replayed"] != 0.0 {
		t.Errorf("resume at head %v", w3)
	}
	// Other epoch, seq ahead, history overflowed: snapshot.
	for name, res := range map[string]crMsg{"epoch": {"epoch": "other", "seq": seq}, "ahead": {"epoch": epoch, "seq": seq + 100}} {
		_, wn := s.connect("a1", crMsg{"resume": res})
		if wn["snapshot"] != true || wn["seq"] != seq+4 || wn["contacts"] == nil {
			t.Errorf("%s: %v", name, wn)
		}
	}
	for i := 0; i < 25; i++ {
		c2.ok("CONTACT.Hold", crMsg{"contactId": id})
	}
	_, wn := s.connect("a1", crMsg{"resume": crMsg{"epoch": epoch, "seq": seq}})
	if wn["snapshot"] != true || len(wn["contacts"].([]any)) != 1 {
		t.Errorf("overflow: %v", wn)
	}
	// A resume point of another agent: agent_id tells the client.
	_, wa := s.connect("a2", crMsg{"resume": crMsg{"epoch": epoch, "seq": 1}})
	if wa["agent_id"] != "a2" {
		t.Errorf("agent_id %v", wa["agent_id"])
	}
}

func TestCleanroomLimits(t *testing.T) {
	s := crStart(t, func(c *engine.Config) {
		c.MaxMessageSize = 1024
		c.MaxConnsPerAgent = 2
		c.CommandRate = 1
		c.CommandBurst = 5
		// Room for the burst's pongs: a smaller queue can overflow (4000)
		// before the rate limit closes with 4008.
		c.SendQueue = 64
	})
	// Message too big: 1009.
	c, w := s.connect("a1", nil)
	if l := w["limits"].(crMsg); l["max_message_size"] != 1024.0 || l["command_burst"] != 5.0 || l["send_queue"] != 64.0 || l["command_rate"] != 1.0 {
		t.Errorf("limits %v", l)
	}
	c.send(crMsg{"op": "ping", "id": strings.Repeat("x", 2000)})
	if code, _ := c.closed(); code != 1009 {
		t.Errorf("big message: close %d", code)
	}
	// Flood: 4008.
	c, _ = s.connect("a1", nil)
	for i := 0; i < 20; i++ {
		if err := c.ws.WriteJSON(crMsg{"op": "ping"}); err != nil {
			break
		}
	}
	if code, got := c.closed(); code != 4008 {
		t.Errorf("flood: close %d", code)
	} else if len(got) > 5 {
		t.Errorf("flood: %d pongs for a burst of 5", len(got))
	}
	// Connections per agent: the third gets forbidden and 1008.
	c1, _ := s.connect("a1", nil)
	s.connect("a1", nil)
	c3, _, err := s.dial("?token="+s.token("a1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c3.send(crMsg{"op": "hello"})
	code, got := c3.closed()
	if code != 1008 || len(got) != 1 || got[0]["op"] != "error" || got[0]["error"].(crMsg)["code"] != "forbidden" {
		t.Errorf("too many: close %d after %v", code, got)
	}
	c1.ws.Close()
}

func TestCleanroomSlowConsumer(t *testing.T) {
	// write_timeout long: the write in progress when the queue overflows must
	// finish once the page reads again, or no close frame can follow it.
	// ping_interval long too: a page that does not read answers no ping, and
	// on a loaded machine (a 116 s run) the read deadline (2x 25 s) cut it
	// with 1001 before the queue overflowed.
	s := crStart(t, func(c *engine.Config) {
		c.SendQueue, c.WriteTimeout, c.PingInterval = 16, 2*time.Minute, 10*time.Minute
	})
	c, w := s.connect("a1", nil)
	epoch := w["epoch"].(string)
	c.ok("AGENT.Ready", nil)
	id := offerAndAnswer(t, s, c, `{"queue":"sales"}`)
	c.sync()
	c.ws.Close()
	// A page that stops reading: a raw socket with no reader.
	ws, _, err := websocket.DefaultDialer.Dial(s.wsURL("?token="+s.token("a1")), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(crMsg{"op": "hello", "resume": crMsg{"epoch": epoch, "seq": w["seq"]}}); err != nil {
		t.Fatal(err)
	}
	var wel crMsg
	if err := ws.ReadJSON(&wel); err != nil || wel["op"] != "welcome" {
		t.Fatalf("welcome %v %v", wel, err)
	}
	var replay []crMsg
	for i := 0; i < int(wel["replayed"].(float64)); i++ {
		var m crMsg
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		replay = append(replay, m)
	}
	seq := wel["seq"].(float64)
	// ~400 KB events (100 keys of 4000 bytes) until the socket buffers fill.
	n := 0
	for i := 0; i < 60; i++ {
		cd := map[string]string{}
		for k := 0; k < 100; k++ {
			cd[fmt.Sprintf("k%d", k)] = fmt.Sprintf("%d", i) + strings.Repeat("v", 3990)
		}
		body, _ := json.Marshal(crMsg{"contact": id, "event": "DATACHANGED", "call_data": cd})
		if stc, _, v := s.api("POST", "/events", string(body)); stc != 200 {
			t.Fatalf("POST /events %d %v", stc, v)
		}
		n++
	}
	last := seq
	code := 0
	for {
		var m crMsg
		if err := ws.ReadJSON(&m); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				code = ce.Code
			} else {
				t.Fatalf("read: %v", err)
			}
			break
		}
		if m["op"] == "event" {
			if m["seq"] != last+1 {
				t.Fatalf("seq %v after %v", m["seq"], last)
			}
			last = m["seq"].(float64)
		}
	}
	if code != 4000 {
		t.Fatalf("slow consumer: close %d, last seq %v of %v", code, last, seq+float64(n))
	}
	if last >= seq+float64(n) {
		t.Fatalf("cut off after receiving everything")
	}
	c2, w2 := s.connect("a1", crMsg{"resume": crMsg{"epoch": epoch, "seq": last}})
	if w2["snapshot"] != false || w2["replayed"] != seq+float64(n)-last {
		t.Errorf("resume after cut-off: %v (last %v)", w2, last)
	}
	got2 := c2.sync()
	if len(got2) != int(seq)+n-int(last) || got2[0]["seq"] != last+1 {
		t.Errorf("replayed %d events", len(got2))
	}
}

func TestCleanroomHTTPAPI(t *testing.T) {
	s := crStart(t, nil)
	errIs := func(method, path, body string, status int, code string) {
		t.Helper()
		st, h, v := s.api(method, path, body)
		m, _ := v.(crMsg)
		if st != status || m["code"] != code || m["message"] == "" || m["message"] == nil {
			t.Errorf("%s %s %s: %d %v, want %d %s", method, path, body, st, v, status, code)
		}
		if status == 405 && h.Get("Allow") == "" {
			t.Errorf("405 without Allow")
		}
	}
	errIs("POST", "/contacts", `{"queue":"sales","bogus":1}`, 400, "bad_request")
	errIs("POST", "/contacts", `{"queue":"nope"}`, 404, "not_found")
	errIs("POST", "/contacts", `{}`, 400, "bad_request")
	errIs("POST", "/contacts", `{"queue":"sales","media_type":"fax"}`, 400, "bad_request")
	errIs("POST", "/contacts", `{"queue":"sales","ani":"`+strings.Repeat("1", 129)+`"}`, 400, "bad_request")
	errIs("POST", "/contacts", `{"queue":"sales","ani":"`+strings.Repeat("1", 2<<20)+`"}`, 413, "too_large")
	errIs("GET", "/contacts/nope", "", 404, "not_found")
	errIs("DELETE", "/contacts", "", 405, "method_not_allowed")
	errIs("PUT", "/agents/a1/state", `{"state":"LOGGEDOUT"}`, 409, "invalid_state")
	errIs("PUT", "/agents/zz/state", `{"state":"LOGGEDIN"}`, 404, "not_found")
	req, _ := http.NewRequest("POST", s.srv.URL+"/engine/contacts", strings.NewReader(`{"queue":"sales"}`))
	req.Header.Set("Content-Type", "text/plain")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 415 {
		t.Errorf("text/plain: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// No Content-Type is accepted.
	req, _ = http.NewRequest("POST", s.srv.URL+"/engine/contacts", strings.NewReader(`{"queue":"sales","id":"my-1"}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		t.Errorf("no Content-Type: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	errIs("POST", "/contacts", `{"queue":"sales","id":"my-1"}`, 400, "bad_request")
	errIs("POST", "/contacts", `{"queue":"sales","id":"bad id!"}`, 400, "bad_request")
	ct := s.createContact(`{"media_type":"telephony","queue":"sales","ani":"+39 333","dnis":"800","call_data":{"customer_id":"42"}}`)
	for _, k := range []string{"id", "uuid", "type", "media_type", "job_type", "service", "ani", "dnis", "queue", "isACD", "call_data", "state", "held", "recording", "offline_enabled", "createdTime"} {
		if _, ok := ct[k]; !ok {
			t.Errorf("created contact lacks %s: %v", k, ct)
		}
	}
	if ct["state"] != "queued" || ct["service"] != "SalesSvc" || ct["job_type"] != "inbound" {
		t.Errorf("created %v", ct)
	}
	if _, ok := ct["agent"]; ok {
		t.Errorf("queued contact has agent %v", ct["agent"])
	}
	if _, ok := ct["last_event"]; ok {
		t.Errorf("queued contact has last_event %v", ct["last_event"])
	}
	pa := s.createContact(`{"type":"outbound","job_type":"previewAgent","agent":"a1","dnis":"+39 02"}`)
	if pa["queue"] != "" || pa["job_type"] != "previewAgent" {
		t.Errorf("previewAgent %v", pa)
	}
	ch := s.createContact(`{"media_type":"chat","queue":"support"}`)
	if ch["service"] != "" || ch["chat_id"] == nil {
		t.Errorf("chat %v", ch)
	}
	_, _, v := s.api("GET", "/contacts", "")
	if l := v.([]any); len(l) != 4 || l[0].(crMsg)["id"] != "my-1" {
		t.Errorf("GET /contacts %v", v)
	}
	_, _, v = s.api("GET", "/queues", "")
	q := v.([]any)[0].(crMsg)
	if q["name"] != "sales" || q["service"] != "SalesSvc" || len(q["waiting"].([]any)) != 2 {
		t.Errorf("queues %v", v)
	}
	// An agent who logs in takes the oldest waiting contact.
	c, _ := s.connect("a1", nil)
	evs, _ := c.ok("AGENT.Ready", nil)
	// my-1 (the oldest telephony contact) and the chat: chat capacity is separate.
	if e := expect(t, evs, "LOGGEDIN", "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup"); e[1]["id"] != "my-1" || e[5]["media_type"] != "chat" {
		t.Errorf("a1 offered %v, want the oldest", e[1]["id"])
	}
	_, _, v = s.api("GET", "/agents", "")
	ag := v.([]any)
	a := ag[0].(crMsg)
	for _, k := range []string{"id", "name", "state", "since", "queues", "capacity", "busy", "connections"} {
		if _, ok := a[k]; !ok {
			t.Errorf("agent lacks %s: %v", k, a)
		}
	}
	if a["id"] != "a1" || a["connections"] != 1.0 || a["state"] != "LOGGEDIN" {
		t.Errorf("agent %v", a)
	}
	// POST /events drives the life-cycle.
	st, _, v := s.api("POST", "/events", `{"agent":"a2","contact":"my-1","event":"ESTABLISHED"}`)
	if st != 404 {
		t.Errorf("foreign agent: %d %v", st, v)
	}
	st, _, v = s.api("POST", "/events", `{"agent":"a1","contact":"my-1","event":"ESTABLISHED"}`)
	if st != 200 || v.(crMsg)["state"] != "online" {
		t.Errorf("ESTABLISHED: %d %v", st, v)
	}
	expect(t, c.sync(), "POPUP", "ESTABLISHED", "JOBSTARTED:online")
	st, _, v = s.api("POST", "/events", `{"contact":"my-1","event":"CONNECTIONCLEARED","reason":"customer_hangup"}`)
	if st != 200 {
		t.Errorf("CLEARED: %d %v", st, v)
	}
	if e := expect(t, c.sync(), "CONNECTIONCLEARED", "JOBCHANGED:offline"); e[0]["reason"] != "customer_hangup" {
		t.Errorf("reason %v", e[0])
	}
	st, _, v = s.api("POST", "/events", `{"agent":"a1","event":"PAUSE","code":1701}`)
	if st != 200 || v.(crMsg)["state"] != "PAUSESUBSTATE" {
		t.Errorf("agent PAUSE: %d %v", st, v)
	}
	st, _, _ = s.api("GET", "/contacts?all=1", "")
	if st != 200 {
		t.Errorf("all=1 %d", st)
	}
	// Oldest first also within one millisecond and past id "-9" (the clock is frozen here).
	var want []string
	for i := 0; i < 12; i++ {
		want = append(want, s.createContact(`{"queue":"sales"}`)["id"].(string))
	}
	_, _, v = s.api("GET", "/contacts", "")
	var got []string
	for _, c := range v.([]any) {
		if id := c.(crMsg)["id"].(string); in(id, want) {
			got = append(got, id)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("GET /contacts order %v, want %v", got, want)
	}
}
