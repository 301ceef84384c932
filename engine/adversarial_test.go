package engine_test

// Adversarial clients written from docs/protocol.md, docs/events.md and
// docs/security.md: what an integrator we have not seen, or an attacker, may
// send, and what the docs promise them and everybody else meanwhile.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
)

// A blind transfer to an agent who rejects it or does not answer must not
// lose the customer: like any rejected or unanswered ACD contact it goes
// back to its queue (events.md) and is offered again.
func TestAdversarialBlindTransferRejectedGoesBackToQueue(t *testing.T) {
	for _, how := range []string{"reject", "no_answer", "logged_out"} {
		t.Run(how, func(t *testing.T) {
			s := crStart(t, func(c *engine.Config) { c.NoAnswerTimeout = 10 * time.Second; c.LogoutGrace = 5 * time.Second })
			c1, _ := s.connect("a1", nil)
			c2, _ := s.connect("a2", nil)
			c1.ok("AGENT.Ready", nil)
			id := offerAndAnswer(t, s, c1, `{"queue":"sales","ani":"+39 02 1"}`)
			c2.ok("AGENT.Ready", nil)
			_, d := c1.ok("CONTACT.Transfer", crMsg{"contactId": id, "mode": "blind", "targetType": "agent", "target": "a2"})
			nid := d.(crMsg)["id"].(string)
			expect(t, c2.sync(), "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
			if how == "reject" {
				// Paused first: a free a2 would get it back (only member free).
				expect(t, evsOf(c2.ok("AGENT.Pause", nil)), "PAUSE")
				expect(t, evsOf(c2.ok("CONTACT.Reject", crMsg{"contactId": nid})), "CONNECTIONCLEARED", "JOBFINISHED")
			} else if how == "no_answer" {
				s.clk.Advance(10 * time.Second)
				expect(t, c2.sync(), "CONNECTIONCLEARED", "JOBFINISHED", "FORCED")
			} else {
				c2.ws.Close()
				s.waitConnections("a2", 0)
				s.clk.Advance(5 * time.Second)
			}
			// a1 is still in After Call Work of the original: the customer waits in sales.
			_, _, v := s.api("GET", "/contacts/"+nid, "")
			if m := v.(crMsg); m["state"] != "queued" || m["queue"] != "sales" || m["transferred_from"] != id {
				t.Fatalf("transferred contact after %s: %v", how, m)
			}
			evs := expect(t, evsOf(c1.ok("CONTACT.OfflineEnd", crMsg{"contactId": id})), "JOBFINISHED", "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
			if evs[1]["id"] != nid || evs[1]["transferred_from"] != id || evs[1]["ani"] != "+39 02 1" {
				t.Fatalf("re-offered %v", evs[1])
			}
		})
	}
}

func evsOf(evs []crMsg, _ any) []crMsg { return evs }

// A transferred manual call has no queue to go back to: refused by the
// target, it ends (events.md).
func TestAdversarialBlindTransferOfManualCallRejected(t *testing.T) {
	s := crStart(t, nil)
	c1, _ := s.connect("a1", nil)
	c2, _ := s.connect("a2", nil)
	c1.ok("AGENT.Ready", nil)
	c2.ok("AGENT.Ready", nil)
	_, d := c1.ok("CONTACT.MakeCall", crMsg{"destination": "+39021234"})
	s.clk.Advance(2 * time.Second) // dial_answer_after
	c1.sync()
	_, d = c1.ok("CONTACT.Transfer", crMsg{"contactId": d.(crMsg)["id"], "mode": "blind", "targetType": "agent", "target": "a2"})
	nid := d.(crMsg)["id"]
	c2.sync()
	expect(t, evsOf(c2.ok("CONTACT.Reject", crMsg{"contactId": nid})), "CONNECTIONCLEARED", "JOBFINISHED")
	if _, _, v := s.api("GET", "/contacts/"+fmt.Sprint(nid), ""); v.(crMsg)["state"] != "finished" || v.(crMsg)["reason"] != "rejected" {
		t.Fatalf("transferred manual call after reject: %v", v)
	}
}

// Relay `to` names one page by its client id; a page whose hello had no
// client id cannot be addressed (protocol.md), not even as "kind:".
func TestAdversarialRelayToEmptyID(t *testing.T) {
	s := crStart(t, nil)
	anon, _ := s.connect("a1", crMsg{"client": crMsg{"kind": "widget"}})
	bare, _ := s.connect("a1", nil)
	sender, _ := s.connect("a1", crMsg{"client": crMsg{"kind": "desktop", "id": "shell"}})
	for _, to := range []string{"widget:", "other:", ":"} {
		sender.send(crMsg{"op": "relay", "name": "TAB.Open", "to": to, "data": 1})
	}
	for name, c := range map[string]*crClient{"anon": anon, "bare": bare} {
		if m := c.sync(); len(m) != 0 {
			t.Errorf("%s page received a relay addressed to an empty id: %v", name, m)
		}
	}
}

// Browsers cannot send WebSocket pings, but other clients can: a ping flood
// counts against command_rate like any message (protocol.md: messages per
// connection) and is cut off with 4008, while the other pages go on.
func TestAdversarialPingFloodRateLimited(t *testing.T) {
	s := crStart(t, func(c *engine.Config) { c.CommandRate, c.CommandBurst = 20, 40 })
	good, _ := s.connect("a1", nil)
	c, _ := s.connect("a1", nil)
	for i := 0; i < 2000; i++ {
		if err := c.ws.WriteControl(websocket.PingMessage, []byte("x"), time.Now().Add(time.Second)); err != nil {
			break
		}
	}
	code, _ := c.closed()
	if code != engine.CloseRateLimited {
		t.Fatalf("ping flood: close %d, want %d", code, engine.CloseRateLimited)
	}
	good.ok("AGENT.GetState", nil)
}

// A previewAgent job is for its agent only: rejected or not answered it
// ends (events.md), also when the request named a queue; it must not come
// straight back to the agent who just refused it.
func TestAdversarialPreviewAgentRejectEnds(t *testing.T) {
	s := crStart(t, nil)
	c, _ := s.connect("a1", nil)
	c.ok("AGENT.Ready", nil)
	for _, body := range []string{`{"type":"outbound","job_type":"previewAgent","agent":"a1"}`, `{"type":"outbound","job_type":"previewAgent","agent":"a1","queue":"sales"}`} {
		id := s.createContact(body)["id"].(string)
		expect(t, c.sync(), "JOBSCHEDULED", "JOBCHANGED:setup")
		evs := expect(t, evsOf(c.ok("CONTACT.Reject", crMsg{"contactId": id})), "JOBFINISHED")
		if evs[0]["reason"] != "rejected" {
			t.Errorf("%s: %v", body, evs[0])
		}
		if _, _, v := s.api("GET", "/contacts/"+id, ""); v.(crMsg)["state"] != "finished" {
			t.Errorf("%s: after reject %v", body, v)
		}
	}
}

// rawFrame is a masked client frame (RFC 6455 5.2), for what a WebSocket
// library would not send: fragments at odd places, truncated frames.
func rawFrame(fin bool, op byte, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n < 1<<16:
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	default:
		f = append(f, 0x80|127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	key := []byte{0x11, 0x22, 0x33, 0x44}
	f = append(f, key...)
	for i, c := range payload {
		f = append(f, c^key[i%4])
	}
	return f
}

func (c *crClient) raw(frames ...[]byte) {
	c.t.Helper()
	for _, f := range frames {
		if _, err := c.ws.UnderlyingConn().Write(f); err != nil {
			c.t.Fatal(err)
		}
	}
}

// connections is the agent's connection count from GET /agents.
func (s *crServer) connections(agent string) float64 {
	s.t.Helper()
	_, _, v := s.api("GET", "/agents", "")
	for _, a := range v.([]any) {
		if m := a.(crMsg); m["id"] == agent {
			n, _ := m["connections"].(float64)
			return n
		}
	}
	return -1
}

// waitConnections waits until the engine counts n connections of agent (the
// server notices a vanished peer asynchronously); the bound only stops a hung test.
func (s *crServer) waitConnections(agent string, n float64) {
	s.t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if s.connections(agent) == n {
			return
		}
	}
	s.t.Fatalf("agent %s: %v connections, want %v", agent, s.connections(agent), n)
}

// Whatever a client sends, it gets a typed answer and keeps its connection;
// nobody else hears of it (protocol.md: error op, Commands).
func TestAdversarialGarbageMessages(t *testing.T) {
	s := crStart(t, nil)
	other, _ := s.connect("a2", nil)
	c, _ := s.connect("a1", crMsg{"client": crMsg{"kind": "widget", "id": "crm"}})
	peer, _ := s.connect("a1", crMsg{"client": crMsg{"kind": "desktop", "id": "shell"}})
	// answer sends a text frame and returns the one reply.
	answer := func(frame string) crMsg {
		t.Helper()
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			t.Fatal(err)
		}
		return c.next()
	}
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	for _, tc := range []struct{ frame, op, code, id string }{
		{"", "error", "bad_request", ""},
		{"  \n ", "error", "bad_request", ""},
		{"null", "error", "bad_request", ""},
		{`{"op":"ping","id":"a"} {"op":"ping","id":"b"}`, "error", "bad_request", ""},
		{"{\"op\":\"ping\",\"id\":\"u\xff\"}", "error", "bad_request", ""},
		{`{"op":"PING","id":"k"}`, "error", "bad_request", "k"},
		{`{"op":"cmd","id":7,"name":"AGENT.GetState"}`, "error", "bad_request", ""},
		{`{"op":"cmd","id":"t1","name":["AGENT.GetState"]}`, "error", "bad_request", "t1"},
		{`{"op":"cmd","id":"t2","name":"AGENT.GetState","args":[1]}`, "result", "bad_request", "t2"},
		{`{"op":"cmd","id":"t3","name":"AGENT.GetState","args":"x"}`, "result", "bad_request", "t3"},
		{`{"op":"cmd","id":"t4","name":"CONTACT.Hold","args":{"contactId":5}}`, "result", "bad_request", "t4"},
		{`{"op":"cmd","id":"t5","name":"CONTACT.Hold","args":{"contactId":"x","hold":"yes"}}`, "result", "bad_request", "t5"},
		{`{"op":"cmd","id":"h1","name":"AGENT.Pause","args":{"code":1e400}}`, "result", "bad_request", "h1"},
		{`{"op":"cmd","id":"h2","name":"AGENT.Pause","args":{"code":99999999999999999999}}`, "result", "bad_request", "h2"},
		{`{"op":"cmd","id":"h3","name":"AGENT.Pause","args":{"code":1701.5}}`, "result", "bad_request", "h3"},
		{`{"op":"cmd","id":"h4","name":"AGENT.Pause","args":{"code":-1701}}`, "result", "bad_request", "h4"},
		{`{"op":"cmd","id":"n1","name":"AGENT.GetState","args":{"x":` + deep + `}}`, "error", "bad_request", ""},
		{`{"op":"cmd","id":"n2","name":"Agent.Ready"}`, "result", "unknown_command", "n2"},
		{`{"op":"cmd","id":"n3","name":"AGENT.Ready\u0000"}`, "result", "unknown_command", "n3"},
		{`{"op":"relay","name":"TAB.Open","to":"` + strings.Repeat("x", 161) + `"}`, "error", "bad_request", ""},
		{`{"op":"relay","name":"TAB."}`, "error", "forbidden", ""},
		{`{"op":"relay","id":"r1","name":"tab.Open"}`, "error", "forbidden", "r1"},
		{`{"op":"hello","id":"again"}`, "error", "invalid_state", "again"},
	} {
		r := answer(tc.frame)
		if r["op"] != tc.op {
			t.Errorf("%.80q: got %v, want %s", tc.frame, r, tc.op)
			continue
		}
		e, _ := r["error"].(crMsg)
		if e == nil || e["code"] != tc.code || fmt.Sprint(r["id"]) != fmt.Sprint(map[bool]any{true: nil, false: tc.id}[tc.id == ""]) {
			t.Errorf("%.80q: %v, want %s id %q", tc.frame, r, tc.code, tc.id)
		}
	}
	// Duplicate keys: the last wins, as in JavaScript's JSON.parse; unknown fields are ignored.
	if r := answer(`{"op":"ping","id":"d1","id":"d2","extra":{"deep":[1,{"x":null}]}}`); r["op"] != "pong" || r["id"] != "d2" {
		t.Errorf("duplicate keys: %v", r)
	}
	// A large relay (under max_message_size) reaches the other page intact.
	big := strings.Repeat("é", 30000)
	c.send(crMsg{"op": "relay", "name": "WIDGET.Data", "to": "desktop:shell", "data": crMsg{"text": big}})
	if r := peer.next(); r["op"] != "relay" || r["data"].(crMsg)["text"] != big {
		t.Errorf("large relay: %.200v", r)
	}
	c.ok("AGENT.GetState", nil)
	if m := other.sync(); len(m) != 0 {
		t.Errorf("another agent heard of it: %v", m)
	}
	if m := peer.sync(); len(m) != 0 {
		t.Errorf("the agent's other page heard of it: %v", m)
	}
}

// Fragmented messages are reassembled, with control frames between the
// fragments and a UTF-8 character cut in two; their total size counts
// against max_message_size (1009); a frame a WebSocket peer must never send
// closes the connection, and nobody else notices.
func TestAdversarialFragmentsAndBrokenFrames(t *testing.T) {
	s := crStart(t, func(c *engine.Config) { c.MaxMessageSize = 1024 })
	other, _ := s.connect("a1", nil)
	c, _ := s.connect("a1", nil)
	msg := []byte(`{"op":"cmd","id":"frag","name":"AGENT.Pause","args":{"x":"è"}}`)
	cut := strings.Index(string(msg), "è") + 1 // inside the two bytes of è
	c.raw(rawFrame(false, websocket.TextMessage, msg[:10]), rawFrame(true, websocket.PingMessage, []byte("hi")),
		rawFrame(false, 0, msg[10:cut]), rawFrame(true, websocket.PongMessage, nil), rawFrame(true, 0, msg[cut:]))
	if ev, r := c.next(), c.next(); ev["op"] != "event" || r["id"] != "frag" || r["ok"] != true || r["data"].(crMsg)["state"] != "PAUSE" {
		t.Fatalf("fragmented command: %v %v", ev, r)
	}
	for name, frames := range map[string][][]byte{
		"fragments over max_message_size": {rawFrame(false, websocket.TextMessage, make([]byte, 600)), rawFrame(true, 0, make([]byte, 600))},
		"continuation without a start":    {rawFrame(true, 0, []byte(`{"op":"ping"}`))},
		"unmasked frame":                  {{0x81, 0x02, '{', '}'}},
		"reserved opcode":                 {rawFrame(true, 0x3, []byte("x"))},
		"fragmented ping":                 {rawFrame(false, websocket.PingMessage, []byte("x"))},
	} {
		x, _ := s.connect("a1", nil)
		x.raw(frames...)
		code, got := x.closed()
		want := websocket.CloseProtocolError
		if name == "fragments over max_message_size" {
			want = websocket.CloseMessageTooBig
		}
		if code != want || len(got) != 0 {
			t.Errorf("%s: close %d %v, want %d", name, code, got, want)
		}
	}
	expect(t, other.sync(), "PAUSE")
	other.ok("AGENT.GetState", nil)
}

// A peer that vanishes mid-frame, or half-closes its TCP side, is released:
// the agent's connection count drops and the logout grace can start.
func TestAdversarialAbruptAndHalfClose(t *testing.T) {
	s := crStart(t, nil)
	c, _ := s.connect("a1", nil)
	f := rawFrame(true, websocket.TextMessage, []byte(`{"op":"ping","id":"never"}`))
	c.raw(f[:9])
	c.ws.UnderlyingConn().Close()
	s.waitConnections("a1", 0)
	h, _ := s.connect("a1", nil)
	s.waitConnections("a1", 1)
	if err := h.ws.UnderlyingConn().(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	// The server ends it normally (it cannot read any more) and lets it go.
	if code, got := h.closed(); code != websocket.CloseNormalClosure || len(got) != 0 {
		t.Errorf("half-closed peer: close %d %v", code, got)
	}
	s.waitConnections("a1", 0)
}

// A contact offered while the agent's only page is away (a navigation, a
// network blip within logout_grace) is not missed: the page resumes and
// gets every event, then answers.
func TestAdversarialOfferWhilePageAway(t *testing.T) {
	s := crStart(t, nil)
	c, w := s.connect("a1", nil)
	_, _ = c.ok("AGENT.Ready", nil)
	epoch, seq := w["epoch"], w["seq"].(float64)+1
	c.ws.Close()
	s.waitConnections("a1", 0)
	id := s.createContact(`{"queue":"sales"}`)["id"]
	c2, w2 := s.connect("a1", crMsg{"resume": crMsg{"epoch": epoch, "seq": seq}})
	if w2["snapshot"] != false || w2["replayed"] != 4.0 {
		t.Fatalf("resume: %v", w2)
	}
	evs := c2.sync()
	expect(t, evs, "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup")
	for i, m := range evs {
		if m["seq"] != seq+float64(i)+1 || m["data"].(crMsg)["id"] != id {
			t.Fatalf("replayed %v", m)
		}
	}
	expect(t, evsOf(c2.ok("CONTACT.Answer", crMsg{"contactId": id})), "POPUP", "ESTABLISHED", "JOBSTARTED:online")
}

// Two pages of one agent accept the same offer at once: one wins, the
// other is refused, and both pages see one ESTABLISHED. Accepting after the
// no-answer timeout is refused and changes nothing.
func TestAdversarialTwoAcceptsAndLateAccept(t *testing.T) {
	s := crStart(t, func(c *engine.Config) { c.NoAnswerTimeout = 10 * time.Second })
	p1, _ := s.connect("a1", nil)
	p2, _ := s.connect("a1", nil)
	p1.ok("AGENT.Ready", nil)
	p2.sync()
	id := s.createContact(`{"queue":"sales"}`)["id"]
	p1.sync()
	p2.sync()
	for _, p := range []*crClient{p1, p2} {
		p.send(crMsg{"op": "cmd", "id": "acc", "name": "CONTACT.Answer", "args": crMsg{"contactId": id}})
	}
	oks := 0
	for _, p := range []*crClient{p1, p2} {
		var names []string
		for {
			m := p.next()
			if m["op"] == "result" {
				if m["ok"] == true {
					oks++
				} else if m["error"].(crMsg)["code"] != "invalid_state" {
					t.Errorf("loser: %v", m)
				}
				break
			}
			names = append(names, m["data"].(crMsg)["event"].(string))
		}
		// the loser may read its result before or after the winner's events
		names = append(names, evNames(p.sync())...)
		if strings.Join(names, " ") != "POPUP ESTABLISHED JOBSTARTED" {
			t.Errorf("page saw %v", names)
		}
	}
	if oks != 1 {
		t.Fatalf("%d accepts succeeded", oks)
	}
	// Late accept: the offer timed out and went back to the queue.
	p1.ok("CONTACT.Hangup", crMsg{"contactId": id})
	p1.ok("CONTACT.OfflineEnd", crMsg{"contactId": id})
	id2 := s.createContact(`{"queue":"support"}`)["id"]
	p1.sync()
	s.clk.Advance(10 * time.Second)
	expect(t, p1.sync(), "CONNECTIONCLEARED", "JOBFINISHED", "FORCED")
	p1.fail("not_found", "CONTACT.Answer", crMsg{"contactId": id2})
	if _, _, v := s.api("GET", "/contacts/"+fmt.Sprint(id2), ""); v.(crMsg)["state"] != "queued" {
		t.Errorf("late accept changed the contact: %v", v)
	}
}

// A consultation whose target agent goes away (every page gone for
// logout_grace) ends on the original: PARTYCHANGED without parties, still
// held until retrieved; completing it is refused.
func TestAdversarialConsultTargetGoesAway(t *testing.T) {
	s := crStart(t, func(c *engine.Config) { c.NoAnswerTimeout = time.Hour; c.LogoutGrace = 5 * time.Second })
	c1, _ := s.connect("a1", nil)
	c2, _ := s.connect("a2", nil)
	c1.ok("AGENT.Ready", nil)
	id := offerAndAnswer(t, s, c1, `{"queue":"support"}`)
	c2.ok("AGENT.Ready", nil)
	expect(t, evsOf(c1.ok("CONTACT.Transfer", crMsg{"contactId": id, "mode": "consult", "targetType": "agent", "target": "a2"})), "HELD", "PARTYCHANGED")
	c2.ws.Close()
	s.waitConnections("a2", 0)
	s.clk.Advance(5 * time.Second)
	evs := expect(t, c1.sync(), "PARTYCHANGED")
	if _, ok := evs[0]["parties"]; ok || evs[0]["held"] != true {
		t.Fatalf("after the target left: %v", evs[0])
	}
	c1.fail("invalid_state", "CONTACT.TransferComplete", crMsg{"contactId": id})
	expect(t, evsOf(c1.ok("CONTACT.Retrieve", crMsg{"contactId": id})), "RETRIEVED")
}

// Browsers always send Origin: "null" (sandboxed frames, file: pages), another
// scheme or port of an allowed origin are foreign. No subprotocol is
// negotiated (protocol.md).
func TestAdversarialOriginVariantsAndSubprotocol(t *testing.T) {
	s := crStart(t, nil)
	for _, o := range []string{"null", "http://desk.example", "https://desk.example:8443", "https://desk.example.evil", "https://DESK.example.", "https://desk.example/", "https://user@desk.example"} {
		_, resp, err := s.dial("?token="+s.token("a1"), http.Header{"Origin": {o}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("Origin %q: %v %v", o, err, resp)
		}
	}
	d := websocket.Dialer{Subprotocols: []string{"crmframe.v1", "json"}}
	ws, resp, err := d.Dial(s.wsURL("?token="+s.token("a1")), http.Header{"Origin": {crDesk}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if p := resp.Header.Get("Sec-WebSocket-Protocol"); p != "" || ws.Subprotocol() != "" {
		t.Errorf("subprotocol %q selected", p)
	}
}

// One page of an agent stops reading (its socket buffers full): it alone is
// cut off with 4000, while the agent's other page and another agent receive
// every event, in order, and their commands are answered.
func TestAdversarialStuckPageOthersComplete(t *testing.T) {
	// write_timeout long: the write in progress when the queue overflows
	// finishes once the page reads at last, so the close frame follows it.
	s := crStart(t, func(c *engine.Config) { c.SendQueue = 8; c.WriteTimeout = 2 * time.Minute })
	good, _ := s.connect("a1", nil)
	other, _ := s.connect("a2", nil)
	good.ok("AGENT.Ready", nil)
	other.ok("AGENT.Ready", nil)
	id := offerAndAnswer(t, s, good, `{"queue":"sales"}`)
	good.sync()
	oid := s.createContact(`{"queue":"support"}`)["id"]
	other.sync()
	other.ok("CONTACT.Answer", crMsg{"contactId": oid})
	// The stuck page: a tiny receive window (set before connecting), and
	// nobody reads it.
	nd := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	dl := websocket.Dialer{NetDial: nd.Dial}
	stuck, _, err := dl.Dial(s.wsURL("?token="+s.token("a1")), http.Header{"Origin": {crDesk}})
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	if err := stuck.WriteJSON(crMsg{"op": "hello"}); err != nil {
		t.Fatal(err)
	}
	s.waitConnections("a1", 2)
	// 30 events of 400 KB: more than the kernel buffers (a few MB) hold.
	const n = 30
	val := strings.Repeat("v", 3990)
	for i := 0; i < n; i++ {
		big := map[string]string{}
		for k := 0; k < 100; k++ {
			big[fmt.Sprintf("k%d", k)] = fmt.Sprint(i) + val
		}
		for _, x := range []struct {
			c  any
			cd map[string]string
		}{{id, big}, {oid, map[string]string{"i": fmt.Sprint(i)}}} {
			body, _ := json.Marshal(crMsg{"contact": x.c, "event": "DATACHANGED", "call_data": x.cd})
			if st, _, v := s.api("POST", "/events", string(body)); st != 200 {
				t.Fatalf("POST /events %d %v", st, v)
			}
		}
	}
	for name, c := range map[string]*crClient{"other page": good, "other agent": other} {
		evs := c.sync()
		if len(evs) != n {
			t.Fatalf("%s got %d events, want %d", name, len(evs), n)
		}
		for i := 1; i < n; i++ {
			if evs[i]["seq"] != evs[i-1]["seq"].(float64)+1 {
				t.Fatalf("%s: seq %v after %v", name, evs[i]["seq"], evs[i-1]["seq"])
			}
		}
		c.ok("AGENT.GetState", nil)
	}
	// The stuck page, read at last: its welcome and some events, then 4000.
	var code int
	for {
		_, _, err := stuck.ReadMessage()
		if err != nil {
			ce, ok := err.(*websocket.CloseError)
			if !ok {
				t.Fatalf("stuck page: %v", err)
			}
			code = ce.Code
			break
		}
	}
	if code != engine.CloseSlowConsumer {
		t.Fatalf("stuck page closed with %d", code)
	}
	s.waitConnections("a1", 1)
}
