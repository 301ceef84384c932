package engine_test

// Black-box conformance test: written from the contract
// (spec/agentdesktop-sdk.md §3) and the user docs (docs/events.md,
// docs/protocol.md, docs/api.md), it drives the engine only through its
// public WebSocket and HTTP API, as an unseen client would, and checks every
// event of a contact's life for the contract's names, field names, types,
// enum values and timestamps.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmframe/crmframe/engine"
	"github.com/gorilla/websocket"
)

const cfOrigin = "https://desk.example"

var cfSecret = []byte("conformance-secret-0123456789abcdef")

type cfServer struct {
	t     *testing.T
	clk   *engine.FakeClock
	e     *engine.Engine
	srv   *httptest.Server
	start int64 // ms
}

func newCF(t *testing.T, mod func(*engine.Config)) *cfServer {
	t.Helper()
	cfg := engine.Config{
		Secret:     cfSecret,
		PauseCodes: []engine.PauseCode{{Code: 1701, Label: "Lunch"}},
		Queues: []engine.QueueConfig{
			{Name: "sales", Service: "SalesSvc", Agents: []string{"a1"}},
			{Name: "care", Agents: []string{"a1", "a2"}},
		},
		Agents:          []engine.AgentConfig{{ID: "a1", Name: "Alice"}, {ID: "a2", Name: "Bob"}},
		NoAnswerTimeout: 10 * time.Second,
		ACWTimeout:      20 * time.Second,
		DialAnswerAfter: 2 * time.Second,
		// the flows below send many commands on one connection at once
		CommandBurst: 1000,
	}
	if mod != nil {
		mod(&cfg)
	}
	// Whole milliseconds, so that "ms since the epoch" is exact.
	now := time.UnixMilli(time.Now().UnixMilli())
	clk := engine.NewFakeClock(now)
	e, err := engine.New(cfg, engine.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", e.WebSocketHandler(engine.WSOptions{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == cfOrigin }}))
	mux.Handle("/api/", http.StripPrefix("/api", e.APIHandler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { e.Close(); srv.Close() })
	return &cfServer{t: t, clk: clk, e: e, srv: srv, start: now.UnixMilli()}
}

// api calls the HTTP API and decodes the JSON answer.
func (s *cfServer) api(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, s.srv.URL+"/api"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.t.Fatalf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, m
}

func (s *cfServer) newContact(body map[string]any) string {
	s.t.Helper()
	code, c := s.api("POST", "/contacts", body)
	if code != http.StatusCreated {
		s.t.Fatalf("POST /contacts %v: %d %v", body, code, c)
	}
	return c["id"].(string)
}

type cfClient struct {
	t       *testing.T
	ws      *websocket.Conn
	pending []map[string]any
	seq     float64 // last event seq seen
	n       int
}

func (s *cfServer) dial(agent string) *cfClient {
	s.t.Helper()
	tok, err := engine.MintToken(cfSecret, agent, "", time.Hour, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	u := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws?token=" + tok
	ws, _, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {cfOrigin}})
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { ws.Close() })
	return &cfClient{t: s.t, ws: ws}
}

// hello sends hello (resume when epoch != "") and returns the welcome.
func (c *cfClient) hello(kind, id, epoch string, seq float64) map[string]any {
	c.t.Helper()
	h := map[string]any{"op": "hello", "v": 1, "client": map[string]any{"kind": kind, "id": id}}
	if epoch != "" {
		h["resume"] = map[string]any{"epoch": epoch, "seq": seq}
	}
	c.send(h)
	w := c.next()
	if w["op"] != "welcome" {
		c.t.Fatalf("want welcome, got %v", w)
	}
	for _, f := range []string{"session", "agent_id", "epoch"} {
		if s, ok := w[f].(string); !ok || s == "" {
			c.t.Fatalf("welcome.%s = %#v, want a non-empty string", f, w[f])
		}
	}
	if w["v"] != float64(1) || !isUint(w["seq"]) || !isUint(w["replayed"]) {
		c.t.Fatalf("welcome v/seq/replayed: %v", w)
	}
	if _, ok := w["snapshot"].(bool); !ok {
		c.t.Fatalf("welcome.snapshot not a boolean: %v", w)
	}
	lim, _ := w["limits"].(map[string]any)
	for _, f := range []string{"max_message_size", "send_queue", "ping_interval_ms"} {
		if !isUint(lim[f]) || lim[f] == float64(0) {
			c.t.Fatalf("welcome.limits.%s = %v", f, lim[f])
		}
	}
	if w["snapshot"] == true {
		if _, ok := w["agent"].(map[string]any); !ok {
			c.t.Fatalf("snapshot welcome without agent: %v", w)
		}
		if _, ok := w["contacts"].([]any); !ok {
			c.t.Fatalf("snapshot welcome without contacts array: %v", w)
		}
	}
	c.seq = w["seq"].(float64)
	return w
}

func (c *cfClient) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cfClient) readWire(d time.Duration) (map[string]any, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(d))
	mt, b, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	if mt != websocket.TextMessage {
		return nil, fmt.Errorf("server sent a non-text frame")
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("server sent invalid JSON %q: %v", b, err)
	}
	return m, nil
}

func (c *cfClient) next() map[string]any {
	c.t.Helper()
	if len(c.pending) > 0 {
		m := c.pending[0]
		c.pending = c.pending[1:]
		return m
	}
	m, err := c.readWire(5 * time.Second)
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

// events reads the next n event messages, checking that seq grows by one.
func (c *cfClient) events(n int) []map[string]any {
	c.t.Helper()
	var out []map[string]any
	for len(out) < n {
		m := c.next()
		if m["op"] != "event" {
			c.t.Fatalf("want an event, got %v", m)
		}
		if m["seq"] != c.seq+1 {
			c.t.Fatalf("event seq %v after %v: gap or duplicate", m["seq"], c.seq)
		}
		c.seq = m["seq"].(float64)
		d, ok := m["data"].(map[string]any)
		if !ok {
			c.t.Fatalf("event without data object: %v", m)
		}
		out = append(out, d)
	}
	return out
}

// cmd sends a command and returns the events that came before its result
// (the protocol sends a command's events first) and the result.
func (c *cfClient) cmd(name string, args map[string]any) ([]map[string]any, map[string]any) {
	c.t.Helper()
	c.n++
	id := fmt.Sprintf("k%d", c.n)
	c.send(map[string]any{"op": "cmd", "id": id, "name": name, "args": args})
	var evs []map[string]any
	for {
		m := c.next()
		switch m["op"] {
		case "event":
			c.pending = append([]map[string]any{m}, c.pending...)
			evs = append(evs, c.events(1)...)
		case "result":
			if m["id"] != id {
				c.t.Fatalf("result for %v, want %s", m["id"], id)
			}
			if _, ok := m["ok"].(bool); !ok {
				c.t.Fatalf("result without boolean ok: %v", m)
			}
			return evs, m
		default:
			c.t.Fatalf("%s: unexpected %v", name, m)
		}
	}
}

func (c *cfClient) ok(name string, args map[string]any) []map[string]any {
	c.t.Helper()
	evs, r := c.cmd(name, args)
	if r["ok"] != true {
		c.t.Fatalf("%s %v: %v", name, args, r)
	}
	return evs
}

// refused checks a typed error and that nothing was published.
func (c *cfClient) refused(name string, args map[string]any, code string) {
	c.t.Helper()
	evs, r := c.cmd(name, args)
	e, _ := r["error"].(map[string]any)
	if r["ok"] != false || e == nil || e["code"] != code {
		c.t.Fatalf("%s %v: got %v, want error %s", name, args, r, code)
	}
	if msg, _ := e["message"].(string); msg == "" {
		c.t.Fatalf("%s: error without message: %v", name, r)
	}
	if _, has := r["data"]; has {
		c.t.Fatalf("%s: refused result carries data: %v", name, r)
	}
	if len(evs) > 0 {
		c.t.Fatalf("%s: refused command published %v", name, names(evs))
	}
}

func (c *cfClient) quiet() {
	c.t.Helper()
	if len(c.pending) > 0 {
		c.t.Fatalf("unexpected %v", c.pending[0])
	}
	if m, err := c.readWire(50 * time.Millisecond); err == nil {
		c.t.Fatalf("unexpected %v", m)
	}
}

func names(evs []map[string]any) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = fmt.Sprint(e["event"])
		if p, ok := e["phase"]; ok {
			out[i] += ":" + fmt.Sprint(p)
		}
	}
	return out
}

func isUint(v any) bool {
	f, ok := v.(float64)
	return ok && f >= 0 && f == math.Trunc(f)
}

var (
	mediaEvents = []string{"CONNECTIONSTARTED", "RINGING", "DIALING", "DATACHANGED", "ESTABLISHED", "HELD", "RETRIEVED", "CONNECTIONCLEARED"}
	acdEvents   = []string{"JOBSCHEDULED", "JOBCHANGED", "JOBSTARTED", "JOBFINISHED"}
	agentEvents = []string{"LOGGEDIN", "PAUSE", "PAUSESUBSTATE", "FORCED", "LOGGEDOUT"}
	extEvents   = []string{"CHATMESSAGE", "RECORDINGSTARTED", "RECORDINGSTOPPED", "PARTYCHANGED"}
	enums       = map[string][]string{
		"type":         {"inbound", "outbound", "callTask", "internal"},
		"media_type":   {"telephony", "chat", "channel"},
		"content_type": {"email", "object"},
		"job_type":     {"inbound", "manual", "outbound", "previewAgent", "previewQueue", "predictive"},
		"job_state":    {"online", "offline"},
	}
	stringProps = []string{"id", "uuid", "chat_id", "content_description", "service", "ani", "dnis", "queue", "reason"}
	timeProps   = []string{"startTime", "endTime", "offlineStartTime", "offlineEndTime"}
	// always on a contact event (docs/events.md)
	requiredProps = []string{"event", "time", "id", "uuid", "type", "media_type", "job_type", "isACD", "service", "ani", "dnis", "queue"}
)

// checkMs: an integer of ms since the Unix epoch within the test's run.
func (s *cfServer) checkMs(ev map[string]any, f string) int64 {
	s.t.Helper()
	v, ok := ev[f].(float64)
	if !ok || v != math.Trunc(v) {
		s.t.Fatalf("%s.%s = %#v, want integer ms since the epoch", ev["event"], f, ev[f])
	}
	if now := s.clk.Now().UnixMilli(); int64(v) < s.start || int64(v) > now {
		s.t.Fatalf("%s.%s = %v, outside [%d, %d]", ev["event"], f, v, s.start, now)
	}
	return int64(v)
}

// checkContactEvent checks one contact event against spec §3.5 and the
// field presence rules of docs/events.md.
func (s *cfServer) checkContactEvent(ev map[string]any) {
	s.t.Helper()
	name, _ := ev["event"].(string)
	if !slices.Contains(mediaEvents, name) && !slices.Contains(acdEvents, name) && name != "POPUP" && !slices.Contains(extEvents, name) {
		s.t.Fatalf("unknown contact event %q", name)
	}
	for _, f := range requiredProps {
		if _, ok := ev[f]; !ok {
			s.t.Fatalf("%s without %s: %v", name, f, ev)
		}
	}
	s.checkMs(ev, "time")
	for _, f := range stringProps {
		if v, ok := ev[f]; ok {
			if _, isStr := v.(string); !isStr {
				s.t.Fatalf("%s.%s = %#v, want a string", name, f, v)
			}
		}
	}
	for _, f := range []string{"id", "uuid"} {
		if ev[f] == "" {
			s.t.Fatalf("%s: empty %s", name, f)
		}
	}
	for f, vals := range enums {
		if v, ok := ev[f]; ok && !slices.Contains(vals, fmt.Sprint(v)) {
			s.t.Fatalf("%s.%s = %#v, not one of %v", name, f, v, vals)
		}
	}
	if _, ok := ev["isACD"].(bool); !ok {
		s.t.Fatalf("%s.isACD = %#v, want a boolean", name, ev["isACD"])
	}
	// isACD false is "un job manuale" (the Italian original): job_type manual.
	if (ev["isACD"] == false) != (ev["job_type"] == "manual") {
		s.t.Fatalf("%s: isACD %v with job_type %v", name, ev["isACD"], ev["job_type"])
	}
	// JOBSCHEDULED, JOBCHANGED and JOBSTARTED are ACD events: never for a
	// manual job (JOBFINISHED still ends every contact, docs/events.md).
	if ev["isACD"] == false && (name == "JOBSCHEDULED" || name == "JOBCHANGED" || name == "JOBSTARTED") {
		s.t.Fatalf("%s on a manual job", name)
	}
	for _, f := range timeProps {
		if _, ok := ev[f]; ok {
			s.checkMs(ev, f)
		}
	}
	// content_type: channel contacts only; chat_id: chat contacts only.
	if _, ok := ev["content_type"]; ok != (ev["media_type"] == "channel") {
		s.t.Fatalf("%s: content_type %v on media %v", name, ev["content_type"], ev["media_type"])
	}
	if _, ok := ev["chat_id"]; ok != (ev["media_type"] == "chat") {
		s.t.Fatalf("%s: chat_id %v on media %v", name, ev["chat_id"], ev["media_type"])
	}
	// phase: only on JOBCHANGED (setup|offline) and JOBSTARTED (online).
	p, hasPhase := ev["phase"]
	switch name {
	case "JOBCHANGED":
		if p != "setup" && p != "offline" {
			s.t.Fatalf("JOBCHANGED phase %v", p)
		}
	case "JOBSTARTED":
		if p != "online" {
			s.t.Fatalf("JOBSTARTED phase %v", p)
		}
	default:
		if hasPhase {
			s.t.Fatalf("%s carries phase %v", name, p)
		}
	}
}

// checkLife checks the timestamps and job_state across one contact's events.
func (s *cfServer) checkLife(evs []map[string]any) {
	s.t.Helper()
	var est, clr, off, fin map[string]any
	iEst, iEnd, iFin := -1, -1, -1
	popups := 0
	for i, ev := range evs {
		s.checkContactEvent(ev)
		if ev["event"] == "POPUP" {
			// "identifica con certezza l'ingresso" of the contact: once.
			if popups++; popups > 1 {
				s.t.Fatalf("second POPUP in %v", names(evs))
			}
		}
		switch {
		case ev["event"] == "ESTABLISHED":
			est, iEst = ev, i
		case ev["event"] == "CONNECTIONCLEARED":
			clr = ev
			if iEnd < 0 {
				iEnd = i
			}
		case ev["event"] == "JOBCHANGED" && ev["phase"] == "offline":
			off = ev
		case ev["event"] == "JOBFINISHED":
			fin, iFin = ev, i
			if iEnd < 0 {
				iEnd = i
			}
		}
		if ev["id"] != evs[0]["id"] || ev["uuid"] != evs[0]["uuid"] {
			s.t.Fatalf("id/uuid changed within a contact's life: %v vs %v", ev, evs[0])
		}
	}
	for i, ev := range evs {
		connected := iEst >= 0 && i >= iEst
		switch {
		case iEnd >= 0 && i >= iEnd:
			if ev["job_state"] != "offline" {
				s.t.Fatalf("%s after the end: job_state %v, want offline", ev["event"], ev["job_state"])
			}
			if r, _ := ev["reason"].(string); r == "" {
				s.t.Fatalf("%s after the end without reason", ev["event"])
			}
		case connected:
			if ev["job_state"] != "online" {
				s.t.Fatalf("%s while connected: job_state %v, want online", ev["event"], ev["job_state"])
			}
		default:
			if _, ok := ev["job_state"]; ok {
				s.t.Fatalf("%s before ESTABLISHED has job_state %v", ev["event"], ev["job_state"])
			}
		}
		if _, ok := ev["startTime"]; ok != connected {
			s.t.Fatalf("%s: startTime %v (connected %v)", ev["event"], ev["startTime"], connected)
		}
		if _, ok := ev["offlineEndTime"]; ok != (i == iFin) {
			s.t.Fatalf("%s: offlineEndTime %v, want it on JOBFINISHED only", ev["event"], ev["offlineEndTime"])
		}
	}
	if est != nil && est["startTime"] != est["time"] {
		s.t.Fatalf("startTime %v != ESTABLISHED time %v", est["startTime"], est["time"])
	}
	if clr != nil && clr["endTime"] != clr["time"] {
		s.t.Fatalf("endTime %v != CONNECTIONCLEARED time %v", clr["endTime"], clr["time"])
	}
	if off != nil && off["offlineStartTime"] != off["time"] {
		s.t.Fatalf("offlineStartTime %v != JOBCHANGED offline time %v", off["offlineStartTime"], off["time"])
	}
	if fin == nil {
		s.t.Fatalf("no JOBFINISHED in %v", names(evs))
	}
	if fin["offlineEndTime"] != fin["time"] {
		s.t.Fatalf("offlineEndTime %v != JOBFINISHED time %v", fin["offlineEndTime"], fin["time"])
	}
	if _, ok := fin["offlineStartTime"]; !ok {
		s.t.Fatalf("JOBFINISHED without offlineStartTime")
	}
}

func (s *cfServer) checkAgentEvent(ev map[string]any, name, agent string) {
	s.t.Helper()
	if ev["event"] != name || ev["state"] != name || ev["agent"] != agent {
		s.t.Fatalf("want agent event %s of %s, got %v", name, agent, ev)
	}
	s.checkMs(ev, "time")
	if _, ok := ev["id"]; ok {
		s.t.Fatalf("agent event carries a contact id: %v", ev)
	}
}

func eqNames(t *testing.T, evs []map[string]any, want ...string) {
	t.Helper()
	if got := names(evs); !reflect.DeepEqual(got, want) {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
}

func TestConformanceInboundTelephony(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	w := c.hello("widget", "crm", "", 0)
	if w["snapshot"] != true || w["agent_id"] != "a1" || w["agent"].(map[string]any)["state"] != "LOGGEDOUT" {
		t.Fatalf("first welcome: %v", w)
	}
	evs := c.ok("AGENT.Ready", nil)
	eqNames(t, evs, "LOGGEDIN")
	s.checkAgentEvent(evs[0], "LOGGEDIN", "a1")

	id := s.newContact(map[string]any{"queue": "sales", "ani": "+39 06 1234", "dnis": "800100100", "call_data": map[string]any{"customer_id": "42"}})
	var life []map[string]any
	evs = c.events(4)
	eqNames(t, evs, "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	life = append(life, evs...)
	for _, ev := range evs {
		want := map[string]any{"id": id, "type": "inbound", "media_type": "telephony", "job_type": "inbound", "isACD": true,
			"ani": "+39 06 1234", "dnis": "800100100", "queue": "sales", "service": "SalesSvc"}
		for k, v := range want {
			if ev[k] != v {
				t.Fatalf("%s.%s = %#v, want %#v", ev["event"], k, ev[k], v)
			}
		}
	}
	s.clk.Advance(time.Second)
	evs = c.ok("CONTACT.Answer", map[string]any{"contactId": id})
	eqNames(t, evs, "POPUP", "ESTABLISHED", "JOBSTARTED:online")
	life = append(life, evs...)
	c.refused("CONTACT.Answer", map[string]any{"contactId": id}, "invalid_state")

	s.clk.Advance(time.Second)
	evs = c.ok("CONTACT.Hold", map[string]any{"contactId": id})
	eqNames(t, evs, "HELD")
	c.refused("CONTACT.Hold", map[string]any{"contactId": id, "hold": true}, "invalid_state")
	life = append(life, evs...)
	evs = c.ok("CONTACT.Hold", map[string]any{"contactId": id}) // toggles
	eqNames(t, evs, "RETRIEVED")
	life = append(life, evs...)
	evs = c.ok("CONTACT.SetCallData", map[string]any{"contactId": id, "data": "A=1;B=2"})
	eqNames(t, evs, "DATACHANGED")
	if !reflect.DeepEqual(evs[0]["call_data"], map[string]any{"customer_id": "42", "A": "1", "B": "2"}) {
		t.Fatalf("DATACHANGED call_data %v", evs[0]["call_data"])
	}
	life = append(life, evs...)
	s.clk.Advance(time.Second)
	evs = c.ok("CONTACT.Hangup", map[string]any{"contactId": id})
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline")
	if evs[0]["reason"] != "agent_hangup" {
		t.Fatalf("CONNECTIONCLEARED reason %v", evs[0]["reason"])
	}
	life = append(life, evs...)
	s.clk.Advance(time.Second)
	evs = c.ok("CONTACT.OfflineEnd", map[string]any{"contactId": id})
	eqNames(t, evs, "JOBFINISHED")
	life = append(life, evs...)
	s.checkLife(life)
	c.quiet()
	code, fin := s.api("GET", "/contacts/"+id, nil)
	if code != 200 || fin["state"] != "finished" || fin["reason"] != "agent_hangup" {
		t.Fatalf("GET /contacts/%s: %d %v", id, code, fin)
	}
}

func TestConformanceResultAfterItsEvents(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	c.hello("sdk", "x", "", 0)
	c.ok("AGENT.Ready", nil)
	id := s.newContact(map[string]any{"queue": "sales"})
	c.events(4)
	c.ok("CONTACT.Answer", map[string]any{"contactId": id})
	// Every event a command causes comes before its result.
	evs, r := c.cmd("CONTACT.Hangup", map[string]any{"contactId": id})
	if r["ok"] != true {
		t.Fatal(r)
	}
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline")
	data, _ := r["data"].(map[string]any)
	if data["id"] != id || data["state"] != "offline" {
		t.Fatalf("result data %v, want the contact after the command", data)
	}
	c.quiet()
}

func TestConformanceRejectAndNoAnswer(t *testing.T) {
	s := newCF(t, nil)
	c1, c2 := s.dial("a1"), s.dial("a2")
	c1.hello("widget", "crm", "", 0)
	c2.hello("widget", "crm", "", 0)
	c1.ok("AGENT.Ready", nil)
	c2.ok("AGENT.Ready", nil)
	id := s.newContact(map[string]any{"queue": "care", "media_type": "telephony", "ani": "555"})
	// longest idle first: a1 became ready first
	first := c1.events(4)
	eqNames(t, first, "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	s.clk.Advance(time.Second)
	evs := c1.ok("CONTACT.Reject", map[string]any{"contactId": id})
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBFINISHED")
	if evs[0]["reason"] != "rejected" {
		t.Fatalf("reason %v", evs[0]["reason"])
	}
	s.checkLife(append(first, evs...))
	// offered to a2 with the same id; a2 does not answer
	second := c2.events(4)
	if second[0]["id"] != id {
		t.Fatalf("re-offered contact id %v, want %s", second[0]["id"], id)
	}
	for _, ev := range second {
		if _, ok := ev["reason"]; ok {
			t.Fatalf("re-offered contact still carries reason: %v", ev)
		}
	}
	s.clk.Advance(10 * time.Second)
	evs = c2.events(3)
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBFINISHED", "FORCED")
	if evs[0]["reason"] != "no_answer" {
		t.Fatalf("reason %v", evs[0]["reason"])
	}
	s.checkLife(append(second, evs[:2]...))
	s.checkAgentEvent(evs[2], "FORCED", "a2")
	if evs[2]["reason"] != "no_answer" {
		t.Fatalf("FORCED reason %v", evs[2]["reason"])
	}
}

func TestConformanceChatAndChannel(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	c.hello("widget", "crm", "", 0)
	c.ok("AGENT.Ready", nil)
	chat := s.newContact(map[string]any{"media_type": "chat", "queue": "care", "ani": "giulia@example.com"})
	life := c.events(4)
	eqNames(t, life, "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	if id, _ := life[0]["chat_id"].(string); id == "" {
		t.Fatalf("chat without chat_id: %v", life[0])
	}
	life = append(life, c.ok("CONTACT.Answer", map[string]any{"contactId": chat})...)
	evs := c.ok("CHAT.Send", map[string]any{"contactId": chat, "text": "Buongiorno"})
	eqNames(t, evs, "CHATMESSAGE")
	if m, _ := evs[0]["message"].(map[string]any); m["from"] != "agent" || m["text"] != "Buongiorno" || !isUint(m["time"]) {
		t.Fatalf("CHATMESSAGE message %v", evs[0]["message"])
	}
	life = append(life, evs...)
	c.refused("CONTACT.Hold", map[string]any{"contactId": chat}, "unsupported")
	c.refused("CHAT.Send", map[string]any{"contactId": chat, "text": "  "}, "bad_request")

	mail := s.newContact(map[string]any{"media_type": "channel", "content_type": "email", "queue": "care", "content_description": "Invoice 118"})
	ch := c.events(4)
	for _, ev := range ch {
		if ev["content_type"] != "email" || ev["content_description"] != "Invoice 118" || ev["media_type"] != "channel" {
			t.Fatalf("channel event %v", ev)
		}
		s.checkContactEvent(ev)
	}
	eqNames(t, c.ok("CONTACT.Answer", map[string]any{"contactId": mail}), "POPUP", "ESTABLISHED", "JOBSTARTED:online")
	life = append(life, c.ok("CONTACT.Hangup", map[string]any{"contactId": chat})...)
	s.clk.Advance(20 * time.Second) // acw_timeout
	evs = c.events(1)
	eqNames(t, evs, "JOBFINISHED")
	s.checkLife(append(life, evs...))
	c.refused("CONTACT.Answer", map[string]any{"contactId": chat}, "not_found")
}

func TestConformanceManualAndPreview(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	c.hello("widget", "crm", "", 0)
	c.refused("CONTACT.MakeCall", map[string]any{"destination": "0612345"}, "invalid_state") // LOGGEDOUT
	c.ok("AGENT.Pause", nil)
	evs, r := c.cmd("CONTACT.MakeCall", map[string]any{"destination": "0612345", "callData": "ORDER=7"})
	if r["ok"] != true {
		t.Fatal(r)
	}
	eqNames(t, evs, "CONNECTIONSTARTED", "DIALING", "POPUP")
	for _, ev := range evs {
		if ev["type"] != "outbound" || ev["job_type"] != "manual" || ev["isACD"] != false || ev["dnis"] != "0612345" || ev["ani"] != "a1" {
			t.Fatalf("manual call event %v", ev)
		}
	}
	life := evs
	s.clk.Advance(2 * time.Second) // dial_answer_after
	evs = c.events(1)
	eqNames(t, evs, "ESTABLISHED")
	life = append(life, evs...)
	evs = c.ok("CONTACT.Hangup", nil) // without id: the call in progress
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBFINISHED")
	s.checkLife(append(life, evs...))

	c.ok("AGENT.Ready", nil)
	pid := s.newContact(map[string]any{"type": "outbound", "job_type": "previewAgent", "agent": "a1", "dnis": "+39 02 5555"})
	life = c.events(2)
	eqNames(t, life, "JOBSCHEDULED", "JOBCHANGED:setup")
	if life[0]["job_type"] != "previewAgent" || life[0]["type"] != "outbound" {
		t.Fatal(life[0])
	}
	evs = c.ok("CONTACT.Answer", map[string]any{"contactId": pid})
	eqNames(t, evs, "POPUP", "CONNECTIONSTARTED", "DIALING")
	life = append(life, evs...)
	s.clk.Advance(2 * time.Second)
	evs = c.events(2)
	eqNames(t, evs, "ESTABLISHED", "JOBSTARTED:online")
	life = append(life, evs...)
	evs = c.ok("CONTACT.OfflineEnable", map[string]any{"contactId": pid, "enable": false})
	if len(evs) != 0 {
		t.Fatalf("OfflineEnable published %v", names(evs))
	}
	evs = c.ok("CONTACT.Hangup", map[string]any{"contactId": pid})
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBFINISHED") // no offline phase
	s.checkLife(append(life, evs...))
}

func TestConformanceAgentStates(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	c.hello("widget", "crm", "", 0)
	evs := c.ok("AGENT.Pause", nil)
	s.checkAgentEvent(evs[0], "PAUSE", "a1")
	evs = c.ok("AGENT.Pause", map[string]any{"code": 1701})
	s.checkAgentEvent(evs[0], "PAUSESUBSTATE", "a1")
	if evs[0]["code"] != float64(1701) || evs[0]["label"] != "Lunch" {
		t.Fatalf("PAUSESUBSTATE %v", evs[0])
	}
	c.refused("AGENT.Pause", map[string]any{"code": 9999}, "bad_request")
	c.refused("AGENT.Pause", map[string]any{"code": 1701}, "invalid_state")
	_, r := c.cmd("AGENT.GetPauseCodes", nil)
	if !reflect.DeepEqual(r["data"], []any{map[string]any{"code": float64(1701), "label": "Lunch"}}) {
		t.Fatalf("GetPauseCodes %v", r)
	}
	_, r = c.cmd("AGENT.GetState", nil)
	if a, _ := r["data"].(map[string]any); a["id"] != "a1" || a["state"] != "PAUSESUBSTATE" || a["code"] != float64(1701) || !isUint(a["since"]) {
		t.Fatalf("GetState %v", r)
	}
	evs = c.ok("AGENT.Ready", nil)
	s.checkAgentEvent(evs[0], "LOGGEDIN", "a1")
	c.refused("AGENT.Ready", nil, "invalid_state")
	id := s.newContact(map[string]any{"queue": "sales"})
	c.events(4)
	c.refused("AGENT.Logout", nil, "invalid_state")
	// a1 is the only member of sales: a rejected call comes back to a1
	eqNames(t, c.ok("CONTACT.Reject", map[string]any{"contactId": id}), "CONNECTIONCLEARED", "JOBFINISHED", "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	if code, _ := s.api("POST", "/events", map[string]any{"contact": id, "event": "CONNECTIONCLEARED"}); code != 200 {
		t.Fatal("abandon:", code)
	}
	eqNames(t, c.events(2), "CONNECTIONCLEARED", "JOBFINISHED")
	evs = c.ok("AGENT.Logout", nil)
	s.checkAgentEvent(evs[0], "LOGGEDOUT", "a1")
	// PUT /agents/{id}/state drives the same events
	code, a := s.api("PUT", "/agents/a1/state", map[string]any{"state": "PAUSE", "code": 1701})
	if code != 200 || a["state"] != "PAUSESUBSTATE" {
		t.Fatalf("PUT state: %d %v", code, a)
	}
	s.checkAgentEvent(c.events(1)[0], "PAUSESUBSTATE", "a1")
}

func TestConformanceCommandErrors(t *testing.T) {
	s := newCF(t, nil)
	c1, c2 := s.dial("a1"), s.dial("a2")
	c1.hello("widget", "crm", "", 0)
	c2.hello("widget", "crm", "", 0)
	c1.ok("AGENT.Ready", nil)
	id := s.newContact(map[string]any{"queue": "sales"})
	c1.events(4)
	c1.refused("CONTACT.Dance", nil, "unknown_command")
	c1.refused("CONTACT.Answer", nil, "bad_request")
	c1.refused("CONTACT.Answer", map[string]any{"contactId": 5}, "bad_request")
	c1.refused("CONTACT.Hold", map[string]any{"contactId": id}, "invalid_state") // offered, not online
	c1.refused("CONTACT.Hangup", map[string]any{"contactId": id}, "invalid_state")
	c1.refused("CONTACT.OfflineEnd", map[string]any{"contactId": id}, "invalid_state")
	c1.refused("CONTACT.OfflineEnable", map[string]any{"contactId": id}, "bad_request")
	c1.refused("CONTACT.SetCallData", map[string]any{"contactId": id, "data": "no-equals"}, "bad_request")
	c1.refused("CONTACT.Transfer", map[string]any{"contactId": id, "mode": "sideways", "targetType": "queue", "target": "care"}, "invalid_state")
	// another agent's contact is indistinguishable from an unknown one
	c2.refused("CONTACT.Answer", map[string]any{"contactId": id}, "not_found")
	c2.refused("CONTACT.Answer", map[string]any{"contactId": "nope"}, "not_found")
	c1.ok("CONTACT.Answer", map[string]any{"contactId": id})
	c1.refused("CONTACT.Transfer", map[string]any{"contactId": id, "mode": "sideways", "targetType": "queue", "target": "care"}, "bad_request")
	c1.refused("CONTACT.Transfer", map[string]any{"contactId": id, "mode": "blind", "targetType": "agent", "target": "a2"}, "unavailable")
	c1.refused("CONTACT.StopRecording", map[string]any{"contactId": id}, "invalid_state")
	c2.quiet()
}

func TestConformanceResumeAndSnapshot(t *testing.T) {
	s := newCF(t, func(c *engine.Config) { c.HistoryLength = 8 })
	c := s.dial("a1")
	w := c.hello("widget", "crm", "", 0)
	epoch := w["epoch"].(string)
	c.ok("AGENT.Ready", nil)
	id := s.newContact(map[string]any{"queue": "sales", "ani": "777"})
	c.events(4)
	c.ok("CONTACT.Answer", map[string]any{"contactId": id})
	at := c.seq
	c.ws.Close() // the page navigates
	other := s.dial("a1")
	other.hello("desktop", "shell", "", 0)
	missed := other.ok("CONTACT.Hold", map[string]any{"contactId": id})
	missed = append(missed, other.ok("CONTACT.SetCallData", map[string]any{"contactId": id, "data": map[string]any{"k": "v"}})...)

	// resume: exactly the missed events, then live ones
	n := s.dial("a1")
	w = n.hello("widget", "crm", epoch, at)
	if w["snapshot"] != false || w["replayed"] != float64(2) || w["seq"] != at+2 || w["epoch"] != epoch {
		t.Fatalf("resume welcome %v", w)
	}
	if _, ok := w["contacts"]; ok {
		t.Fatalf("resumed welcome carries a snapshot: %v", w)
	}
	n.seq = at
	got := n.events(2)
	for i := range got {
		if !reflect.DeepEqual(got[i], missed[i]) {
			t.Fatalf("replayed event %d differs:\n%v\n%v", i, got[i], missed[i])
		}
	}
	other.ok("CONTACT.Retrieve", map[string]any{"contactId": id})
	eqNames(t, n.events(1), "RETRIEVED")

	// other epoch / seq from the future / history overflowed: a snapshot
	for _, tc := range []struct {
		epoch string
		seq   float64
	}{{"other-epoch", 1}, {epoch, n.seq + 100}, {epoch, 1}} {
		for i := 0; tc.epoch == epoch && tc.seq == 1 && i < 5; i++ { // overflow the 8-event history
			other.ok("CONTACT.Hold", map[string]any{"contactId": id})
			other.ok("CONTACT.Hold", map[string]any{"contactId": id})
		}
		x := s.dial("a1")
		w := x.hello("widget", "crm", tc.epoch, tc.seq)
		if w["snapshot"] != true || w["replayed"] != float64(0) || w["epoch"] != epoch {
			t.Fatalf("resume %v: want a snapshot, got %v", tc, w)
		}
		cs := w["contacts"].([]any)
		if len(cs) != 1 {
			t.Fatalf("snapshot contacts %v", cs)
		}
		k := cs[0].(map[string]any)
		if k["id"] != id || k["ani"] != "777" || k["state"] != "online" || k["job_state"] != "online" || !isUint(k["startTime"]) {
			t.Fatalf("snapshot contact %v", k)
		}
		if le, _ := k["last_event"].(string); le == "" {
			t.Fatalf("snapshot contact without last_event: %v", k)
		}
		x.ws.Close()
	}
}

func TestConformanceMalformedMessages(t *testing.T) {
	s := newCF(t, nil)
	bystander := s.dial("a1")
	bystander.hello("desktop", "shell", "", 0)
	bad := s.dial("a1")
	// before hello: commands and relays are refused, ping works
	bad.send(map[string]any{"op": "cmd", "id": "early", "name": "AGENT.Ready"})
	if m := bad.next(); m["op"] != "error" || m["id"] != "early" || m["error"].(map[string]any)["code"] != "invalid_state" {
		t.Fatalf("cmd before hello: %v", m)
	}
	bad.hello("widget", "crm", "", 0)
	for _, raw := range []string{
		`not json`,
		`[1,2,3]`,
		`{"op":""}`,
		`{"op":"dance"}`,
		`{"op":"cmd","name":"AGENT.Ready"}`,
		`{"op":"cmd","id":"x"}`,
		`{"op":"hello","v":1}`,
		`{"op":"cmd","id":"x","name":"AGENT.Ready","v":7}`,
		`{"op":"relay","name":"EVIL.Thing","data":1}`,
		`{"op":"cmd","id":"` + strings.Repeat("i", 65) + `","name":"AGENT.Ready"}`,
	} {
		if err := bad.ws.WriteMessage(websocket.TextMessage, []byte(raw)); err != nil {
			t.Fatal(err)
		}
		m := bad.next()
		e, _ := m["error"].(map[string]any)
		if m["op"] != "error" || e == nil {
			t.Fatalf("%s: got %v, want an error message", raw, m)
		}
		if code, _ := e["code"].(string); !slices.Contains([]string{"bad_request", "invalid_state", "forbidden"}, code) {
			t.Fatalf("%s: error code %v", raw, e["code"])
		}
		if msg, _ := e["message"].(string); msg == "" {
			t.Fatalf("%s: error without message", raw)
		}
	}
	if err := bad.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if m := bad.next(); m["op"] != "error" || m["error"].(map[string]any)["code"] != "bad_request" {
		t.Fatalf("binary frame: %v", m)
	}
	// the connection still works, and so does everyone else's
	bad.send(map[string]any{"op": "ping", "id": "p1"})
	if m := bad.next(); m["op"] != "pong" || m["id"] != "p1" || !isUint(m["time"]) {
		t.Fatalf("ping: %v", m)
	}
	evs := bad.ok("AGENT.Ready", nil)
	eqNames(t, evs, "LOGGEDIN")
	eqNames(t, bystander.events(1), "LOGGEDIN")
	// an oversized message closes only that connection (1009)
	big := `{"op":"ping","id":"` + strings.Repeat("x", 70<<10) + `"}`
	_ = bad.ws.WriteMessage(websocket.TextMessage, []byte(big))
	for {
		_, err := bad.readWire(5 * time.Second)
		if err == nil {
			continue
		}
		if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
			t.Fatalf("oversized message: %v, want close 1009", err)
		}
		break
	}
	bystander.send(map[string]any{"op": "ping", "id": "still"})
	if m := bystander.next(); m["op"] != "pong" {
		t.Fatalf("bystander: %v", m)
	}
	eqNames(t, bystander.ok("AGENT.Pause", nil), "PAUSE")
}

func TestConformanceRelay(t *testing.T) {
	s := newCF(t, nil)
	shell := s.dial("a1")
	shell.hello("desktop", "shell", "", 0)
	crm := s.dial("a1")
	crm.hello("widget", "crm", "", 0)
	stranger := s.dial("a2")
	stranger.hello("desktop", "shell", "", 0)
	crm.send(map[string]any{"op": "relay", "name": "TAB.Badge", "to": "desktop:shell", "data": map[string]any{"widget": "crm", "count": 3}})
	m := shell.next()
	if m["op"] != "relay" || m["name"] != "TAB.Badge" || m["from"] != "widget:crm" || m["to"] != "desktop:shell" ||
		!reflect.DeepEqual(m["data"], map[string]any{"widget": "crm", "count": float64(3)}) {
		t.Fatalf("relay %v", m)
	}
	crm.quiet() // not echoed to the sender
	stranger.quiet()
}

func TestConformanceHTTPAPIErrors(t *testing.T) {
	s := newCF(t, nil)
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"POST", "/contacts", map[string]any{"queue": "nope"}, 404, "not_found"},
		{"POST", "/contacts", map[string]any{"media_type": "fax", "queue": "sales"}, 400, "bad_request"},
		{"POST", "/contacts", map[string]any{"queue": "sales", "colour": "red"}, 400, "bad_request"},
		{"POST", "/contacts", map[string]any{"queue": "sales", "content_description": "not a channel"}, 400, "bad_request"},
		{"POST", "/contacts", map[string]any{"queue": "sales", "type": "internal"}, 400, "bad_request"},
		{"POST", "/contacts", map[string]any{"queue": "sales", "type": "outbound", "job_type": "manual"}, 400, "bad_request"},
		{"GET", "/contacts/none", nil, 404, "not_found"},
		{"DELETE", "/contacts", nil, 405, "method_not_allowed"},
		{"PUT", "/agents/a1/state", map[string]any{"state": "LOGGEDOUT"}, 409, "invalid_state"},
		{"POST", "/events", map[string]any{"contact": "none", "event": "ESTABLISHED"}, 404, "not_found"},
	} {
		code, m := s.api(tc.method, tc.path, tc.body)
		if code != tc.status || m["code"] != tc.code {
			t.Errorf("%s %s: %d %v, want %d %s", tc.method, tc.path, code, m, tc.status, tc.code)
		}
		if msg, _ := m["message"].(string); msg == "" {
			t.Errorf("%s %s: no message", tc.method, tc.path)
		}
	}
}

func TestConformanceTransfers(t *testing.T) {
	s := newCF(t, nil)
	c1, c2 := s.dial("a1"), s.dial("a2")
	c1.hello("widget", "crm", "", 0)
	c2.hello("widget", "crm", "", 0)
	c1.ok("AGENT.Ready", nil)
	id := s.newContact(map[string]any{"queue": "sales", "ani": "333", "call_data": map[string]any{"k": "v"}})
	orig := c1.events(4)
	orig = append(orig, c1.ok("CONTACT.Answer", map[string]any{"contactId": id})...)
	c2.ok("AGENT.Ready", nil)

	// blind to an agent: the original ends, a new contact starts at a2
	evs, r := c1.cmd("CONTACT.Transfer", map[string]any{"contactId": id, "mode": "blind", "targetType": "agent", "target": "a2"})
	if r["ok"] != true {
		t.Fatal(r)
	}
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline")
	if evs[0]["reason"] != "transferred" {
		t.Fatalf("reason %v", evs[0]["reason"])
	}
	nc, _ := r["data"].(map[string]any)
	nid, _ := nc["id"].(string)
	if nid == "" || nid == id || nc["transferred_from"] != id || nc["agent"] != "a2" {
		t.Fatalf("blind transfer result %v: want the new contact at a2", nc)
	}
	at2 := c2.events(4)
	eqNames(t, at2, "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	for _, ev := range at2 {
		if ev["id"] != nid || ev["ani"] != "333" || ev["transferred_from"] != id || !reflect.DeepEqual(ev["call_data"], map[string]any{"k": "v"}) {
			t.Fatalf("transferred contact event %v", ev)
		}
	}
	orig = append(orig, evs...)
	orig = append(orig, c1.ok("CONTACT.OfflineEnd", map[string]any{"contactId": id})...)
	s.checkLife(orig)
	at2 = append(at2, c2.ok("CONTACT.Answer", map[string]any{"contactId": nid})...)

	// consult a1 from a2, then complete: a1's leg becomes the customer call
	evs = c2.ok("CONTACT.Transfer", map[string]any{"contactId": nid, "mode": "consult", "targetType": "agent", "target": "a1"})
	eqNames(t, evs, "HELD", "PARTYCHANGED")
	if p, _ := evs[1]["parties"].([]any); len(p) != 1 || p[0].(map[string]any)["state"] != "consulting" || p[0].(map[string]any)["target"] != "a1" {
		t.Fatalf("PARTYCHANGED parties %v", evs[1]["parties"])
	}
	at2 = append(at2, evs...)
	leg := c1.events(2)
	eqNames(t, leg, "CONNECTIONSTARTED", "RINGING")
	lid := leg[0]["id"].(string)
	if leg[0]["type"] != "internal" || leg[0]["job_type"] != "manual" || leg[0]["isACD"] != false || leg[0]["peer"] != nid {
		t.Fatalf("consult leg %v", leg[0])
	}
	leg = append(leg, c1.ok("CONTACT.Answer", map[string]any{"contactId": lid})...)
	evs = c2.events(1)
	eqNames(t, evs, "PARTYCHANGED")
	at2 = append(at2, evs...)
	c2.refused("CONTACT.Retrieve", map[string]any{"contactId": nid}, "invalid_state")
	evs = c2.ok("CONTACT.TransferComplete", map[string]any{"contactId": nid})
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline")
	at2 = append(at2, evs...)
	evs = c1.events(1)
	// the leg takes the customer over: a party change (call data unchanged,
	// so no DATACHANGED, conformance_it_test.go)
	eqNames(t, evs, "PARTYCHANGED")
	if evs[0]["type"] != "inbound" || evs[0]["ani"] != "333" || evs[0]["transferred_from"] != nid || evs[0]["peer"] != nil {
		t.Fatalf("completed consult leg %v", evs[0])
	}
	leg = append(leg, evs...)
	leg = append(leg, c1.ok("CONTACT.Hangup", map[string]any{"contactId": lid})...)
	s.checkLife(leg)
	at2 = append(at2, c2.ok("CONTACT.OfflineEnd", map[string]any{"contactId": nid})...)
	s.checkLife(at2)
}

func TestConformanceCTIEvents(t *testing.T) {
	s := newCF(t, func(c *engine.Config) { c.DialAnswerAfter = -1 })
	c := s.dial("a1")
	c.hello("widget", "crm", "", 0)
	c.ok("AGENT.Ready", nil)
	chat := s.newContact(map[string]any{"media_type": "chat", "queue": "care", "chat_id": "vivocha-77"})
	life := c.events(4)
	if life[0]["chat_id"] != "vivocha-77" {
		t.Fatalf("chat_id %v", life[0]["chat_id"])
	}
	// the agent answers on the CTI side
	if code, m := s.api("POST", "/events", map[string]any{"agent": "a1", "contact": chat, "event": "ESTABLISHED"}); code != 200 || m["state"] != "online" {
		t.Fatalf("CTI ESTABLISHED: %d %v", code, m)
	}
	evs := c.events(3)
	eqNames(t, evs, "POPUP", "ESTABLISHED", "JOBSTARTED:online")
	life = append(life, evs...)
	if code, _ := s.api("POST", "/events", map[string]any{"contact": chat, "event": "CHATMESSAGE", "text": "Salve"}); code != 200 {
		t.Fatal(code)
	}
	evs = c.events(1)
	if m, _ := evs[0]["message"].(map[string]any); evs[0]["event"] != "CHATMESSAGE" || m["from"] != "customer" || m["text"] != "Salve" {
		t.Fatalf("customer line %v", evs[0])
	}
	life = append(life, evs...)
	if code, _ := s.api("POST", "/events", map[string]any{"contact": chat, "event": "DATACHANGED", "call_data": map[string]any{"topic": "billing"}}); code != 200 {
		t.Fatal(code)
	}
	evs = c.events(1)
	if evs[0]["event"] != "DATACHANGED" || !reflect.DeepEqual(evs[0]["changed"], []any{"topic"}) {
		t.Fatalf("DATACHANGED %v", evs[0])
	}
	life = append(life, evs...)
	if code, _ := s.api("POST", "/events", map[string]any{"contact": chat, "event": "CONNECTIONCLEARED"}); code != 200 {
		t.Fatal(code)
	}
	evs = c.events(2)
	eqNames(t, evs, "CONNECTIONCLEARED", "JOBCHANGED:offline")
	if evs[0]["reason"] != "customer_hangup" {
		t.Fatalf("reason %v", evs[0]["reason"])
	}
	life = append(life, evs...)
	if code, _ := s.api("POST", "/events", map[string]any{"contact": chat, "event": "JOBFINISHED"}); code != 200 {
		t.Fatal(code)
	}
	s.checkLife(append(life, c.events(1)...))
	// agent events from the CTI
	if code, _ := s.api("POST", "/events", map[string]any{"agent": "a1", "event": "PAUSESUBSTATE", "code": 1701}); code != 200 {
		t.Fatal(code)
	}
	ev := c.events(1)[0]
	s.checkAgentEvent(ev, "PAUSESUBSTATE", "a1")
	if ev["code"] != float64(1701) {
		t.Fatalf("code %v", ev["code"])
	}
}

func TestConformanceConnectRefusalsAndCloseCodes(t *testing.T) {
	s := newCF(t, func(c *engine.Config) { c.HelloTimeout = 200 * time.Millisecond; c.MaxConnsPerAgent = 1 })
	wsURL := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws"
	good, _ := engine.MintToken(cfSecret, "a1", "", time.Hour, time.Now())
	expired, _ := engine.MintToken(cfSecret, "a1", "", time.Millisecond, time.Now().Add(-time.Hour))
	other, _ := engine.MintToken([]byte("another-secret-0123456789abcdefgh"), "a1", "", time.Hour, time.Now())
	for _, tc := range []struct {
		name, query, origin string
		status              int
		reason              string
	}{
		{"no token", "", cfOrigin, 401, "missing token"},
		{"expired", "?token=" + expired, cfOrigin, 401, "invalid token"},
		{"foreign signature", "?token=" + other, cfOrigin, 401, "invalid token"},
		{"foreign origin", "?token=" + good, "https://evil.example", 403, "origin not allowed"},
	} {
		_, resp, err := websocket.DefaultDialer.Dial(wsURL+tc.query, http.Header{"Origin": {tc.origin}})
		if err == nil || resp == nil || resp.StatusCode != tc.status {
			t.Fatalf("%s: %v %v, want %d", tc.name, err, resp, tc.status)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		if !strings.HasPrefix(b.String(), tc.reason) {
			t.Fatalf("%s: body %q, want %q", tc.name, b.String(), tc.reason)
		}
	}
	if resp, err := http.Get(s.srv.URL + "/ws?token=" + good); err != nil || resp.StatusCode != 400 {
		t.Fatalf("plain GET: %v %v, want 400", err, resp)
	}
	// no hello in time: 4001
	slow := s.dial("a1")
	if _, err := slow.readWire(5 * time.Second); !websocket.IsCloseError(err, 4001) {
		t.Fatalf("no hello: %v, want close 4001", err)
	}
	// over max_conns_per_agent: error forbidden, then 1008
	first := s.dial("a1")
	first.hello("widget", "crm", "", 0)
	extra := s.dial("a1")
	extra.send(map[string]any{"op": "hello", "v": 1})
	if m := extra.next(); m["op"] != "error" || m["error"].(map[string]any)["code"] != "forbidden" {
		t.Fatalf("extra connection: %v", m)
	}
	if _, err := extra.readWire(5 * time.Second); !websocket.IsCloseError(err, 1008) {
		t.Fatalf("extra connection: %v, want close 1008", err)
	}
	// Engine.Close: 1012, reconnect and resume
	s.e.Close()
	if _, err := first.readWire(5 * time.Second); !websocket.IsCloseError(err, 1012) {
		t.Fatalf("shutdown: %v, want close 1012", err)
	}
}

// until reads events up to and including the first one named name.
func (c *cfClient) until(name string) []map[string]any {
	c.t.Helper()
	var out []map[string]any
	for {
		ev := c.events(1)[0]
		out = append(out, ev)
		if ev["event"] == name {
			return out
		}
	}
}

// TestConformanceEveryEnumValue produces every value the contract lists for
// type, media_type, content_type, job_type and job_state, each on events
// that pass the field checks.
func TestConformanceEveryEnumValue(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	c.hello("widget", "crm", "", 0)
	c.ok("AGENT.Ready", nil)
	var all []map[string]any
	handle := func(body map[string]any, dial bool) {
		t.Helper()
		id := s.newContact(body)
		life := c.until("JOBCHANGED")
		life = append(life, c.ok("CONTACT.Answer", map[string]any{"contactId": id})...)
		if dial {
			s.clk.Advance(2 * time.Second)
		}
		if life[len(life)-1]["event"] != "JOBSTARTED" {
			life = append(life, c.until("JOBSTARTED")...)
		}
		life = append(life, c.ok("CONTACT.Hangup", map[string]any{"contactId": id})...)
		life = append(life, c.ok("CONTACT.OfflineEnd", map[string]any{"contactId": id})...)
		s.checkLife(life)
		all = append(all, life...)
	}
	handle(map[string]any{"queue": "sales"}, false)
	handle(map[string]any{"queue": "sales", "type": "callTask"}, false)
	handle(map[string]any{"queue": "sales", "type": "outbound"}, false) // predictive
	handle(map[string]any{"queue": "sales", "type": "outbound", "job_type": "outbound"}, false)
	handle(map[string]any{"queue": "sales", "type": "outbound", "job_type": "previewQueue"}, true)
	handle(map[string]any{"type": "outbound", "job_type": "previewAgent", "agent": "a1"}, true)
	handle(map[string]any{"queue": "care", "media_type": "chat"}, false)
	handle(map[string]any{"queue": "care", "media_type": "channel", "content_type": "object"}, false)
	handle(map[string]any{"queue": "care", "media_type": "channel"}, false) // email by default
	// manual and internal calls
	life := c.ok("CONTACT.MakeCall", map[string]any{"destination": "0699"})
	s.clk.Advance(2 * time.Second)
	life = append(life, c.until("ESTABLISHED")...)
	life = append(life, c.ok("CONTACT.Hangup", nil)...)
	s.checkLife(life)
	all = append(all, life...)
	code, _ := s.api("PUT", "/agents/a2/state", map[string]any{"state": "LOGGEDIN"})
	if code != 200 {
		t.Fatal(code)
	}
	life = c.ok("CONTACT.MakeCall", map[string]any{"destination": "agent:a2"})
	_, ctc := s.api("GET", "/contacts/"+life[0]["peer"].(string), nil)
	if ctc["agent"] != "a2" || ctc["type"] != "internal" {
		t.Fatalf("callee contact %v", ctc)
	}
	if code, _ := s.api("POST", "/events", map[string]any{"agent": "a2", "contact": ctc["id"], "event": "ESTABLISHED"}); code != 200 {
		t.Fatal(code)
	}
	life = append(life, c.until("ESTABLISHED")...)
	life = append(life, c.ok("CONTACT.Hangup", nil)...)
	s.checkLife(life)
	all = append(all, life...)

	seen := map[string]map[string]bool{}
	for _, ev := range all {
		for f := range enums {
			if v, ok := ev[f]; ok {
				if seen[f] == nil {
					seen[f] = map[string]bool{}
				}
				seen[f][v.(string)] = true
			}
		}
	}
	for f, vals := range enums {
		for _, v := range vals {
			if !seen[f][v] {
				t.Errorf("%s = %q never produced", f, v)
			}
		}
	}
}
