package engine_test

// Second conformance pass, from the original Italian product document
// (reference/agentdesktop-widget-sdk.it.txt): statements about agent states
// and scheduling, DATACHANGED and POPUP that the English spec restates
// tersely. Black-box, through the WebSocket and HTTP API like the first pass.

import (
	"reflect"
	"testing"
	"time"

	"github.com/crmframe/crmframe/engine"
)

// "PAUSE: … Non verrà schedulato su nessuna tipologia di contatto": an agent
// in PAUSE, PAUSESUBSTATE or FORCED (a forced pause) gets no contact of any
// media; back in LOGGEDIN it gets the waiting ones.
func TestConformanceItPausedAgentIsScheduledForNothing(t *testing.T) {
	s := newCF(t, func(c *engine.Config) {
		c.Capacity = map[string]int{"telephony": 1, "chat": 2, "channel": 2}
	})
	c2 := s.dial("a2")
	c2.hello("widget", "crm", "", 0)
	// FORCED: a2 misses a call; the call waits (a1, the other member, is logged out)
	c2.ok("AGENT.Ready", nil)
	first := s.newContact(map[string]any{"queue": "care"})
	c2.events(4)
	s.clk.Advance(10 * time.Second)
	eqNames(t, c2.events(3), "CONNECTIONCLEARED", "JOBFINISHED", "FORCED")
	pauses := []struct {
		cmd  string
		args map[string]any
	}{{"", nil}, {"AGENT.Pause", nil}, {"AGENT.Pause", map[string]any{"code": 1701}}}
	var waiting []string
	for _, p := range pauses {
		if p.cmd != "" {
			c2.ok(p.cmd, p.args)
		}
		for _, m := range []map[string]any{
			{"queue": "care"},
			{"queue": "care", "media_type": "chat"},
			{"queue": "care", "media_type": "channel", "content_type": "email"},
		} {
			waiting = append(waiting, s.newContact(m))
		}
		noEvents(c2)
	}
	for _, id := range append([]string{first}, waiting...) {
		if code, c := s.api("GET", "/contacts/"+id, nil); code != 200 || c["state"] != "queued" {
			t.Fatalf("GET /contacts/%s: %d %v, want queued", id, code, c)
		}
	}
	// LOGGEDIN: "disponibile per ricevere contatti compatibilmente allo stato
	// del media": one call (the first, oldest) plus chats and channel
	// contacts up to capacity.
	evs := c2.ok("AGENT.Ready", nil)
	if evs[0]["event"] != "LOGGEDIN" || evs[1]["event"] != "JOBSCHEDULED" || evs[1]["id"] != first {
		t.Fatalf("after Ready: %v", names(evs))
	}
	media := map[string]int{}
	for _, ev := range evs {
		if ev["event"] == "JOBSCHEDULED" {
			media[ev["media_type"].(string)]++
		}
	}
	if !reflect.DeepEqual(media, map[string]int{"telephony": 1, "chat": 2, "channel": 2}) {
		t.Fatalf("scheduled per media %v", media)
	}
	// "… e ai Gruppi di lavoro associati": a2 is not in sales
	s.newContact(map[string]any{"queue": "sales", "media_type": "chat"})
	noEvents(c2)
}

// A blind transfer hands an ACD contact over with JOBSCHEDULED ("the agent
// was scheduled by the system"): a paused agent must not be scheduled, so
// the transfer is refused and nothing happens.
func TestConformanceItNoTransferredACDContactForAPausedAgent(t *testing.T) {
	s := newCF(t, nil)
	c1, c2 := s.dial("a1"), s.dial("a2")
	c1.hello("widget", "crm", "", 0)
	c2.hello("widget", "crm", "", 0)
	c1.ok("AGENT.Ready", nil)
	id := s.newContact(map[string]any{"queue": "sales"})
	c1.events(4)
	c1.ok("CONTACT.Answer", map[string]any{"contactId": id})
	for _, p := range []map[string]any{nil, {"code": 1701}} {
		c2.ok("AGENT.Pause", p)
		c1.refused("CONTACT.Transfer", map[string]any{"contactId": id, "mode": "blind", "targetType": "agent", "target": "a2"}, "unavailable")
		noEvents(c2)
	}
	// a manual call between extensions is not scheduled by the ACD: it may
	// still ring a paused agent, and so may a consultation (a manual leg).
	evs := c1.ok("CONTACT.Transfer", map[string]any{"contactId": id, "mode": "consult", "targetType": "agent", "target": "a2"})
	eqNames(t, evs, "HELD", "PARTYCHANGED")
	eqNames(t, c2.events(2), "CONNECTIONSTARTED", "RINGING")
}

// "DATACHANGED: Uno o più CallData associati al Contatto ha cambiato
// valore": no event when nothing changed, and `changed` lists only the keys
// whose value changed.
func TestConformanceItDataChangedOnlyOnChange(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	c.hello("widget", "crm", "", 0)
	c.ok("AGENT.Ready", nil)
	id := s.newContact(map[string]any{"queue": "sales", "call_data": map[string]any{"A": "1"}})
	c.events(4)
	c.ok("CONTACT.Answer", map[string]any{"contactId": id})
	if evs := c.ok("CONTACT.SetCallData", map[string]any{"contactId": id, "data": "A=1"}); len(evs) != 0 {
		t.Fatalf("unchanged call data sent %v", names(evs))
	}
	evs := c.ok("CONTACT.SetCallData", map[string]any{"contactId": id, "data": map[string]any{"A": "1", "B": "2"}})
	eqNames(t, evs, "DATACHANGED")
	if !reflect.DeepEqual(evs[0]["changed"], []any{"B"}) {
		t.Fatalf("changed %v, want [B]", evs[0]["changed"])
	}
	// the same from a CTI
	if code, _ := s.api("POST", "/events", map[string]any{"contact": id, "event": "DATACHANGED", "call_data": map[string]any{"B": "2"}}); code != 200 {
		t.Fatal(code)
	}
	c.quiet()
}

// POPUP "identifica con certezza l'ingresso e quindi la presa in gestione
// di un contatto sulla postazione": exactly one per contact handled on a
// workstation, whatever popup_on says, in every flow that connects.
func TestConformanceItOnePopupPerHandledContact(t *testing.T) {
	for _, on := range []string{engine.PopupOnRinging, engine.PopupOnAccept, engine.PopupOnEstablished} {
		t.Run(on, func(t *testing.T) {
			s := newCF(t, func(c *engine.Config) { c.PopupOn = on })
			c := s.dial("a1")
			c.hello("widget", "crm", "", 0)
			c.ok("AGENT.Ready", nil)
			// sync returns every event published so far (a command's
			// result comes after the events before it).
			sync := func() []map[string]any {
				evs, _ := c.cmd("AGENT.GetState", nil)
				return evs
			}
			handle := func(what, id string, life []map[string]any) {
				t.Helper()
				life = append(life, sync()...)
				if st := life[len(life)-1]["state"]; st == "offered" || st == "preview" {
					life = append(life, c.ok("CONTACT.Answer", map[string]any{"contactId": id})...)
				}
				s.clk.Advance(2 * time.Second) // dial_answer_after
				life = append(life, sync()...)
				life = append(life, c.ok("CONTACT.Hangup", map[string]any{"contactId": id})...)
				if life[len(life)-1]["event"] != "JOBFINISHED" {
					life = append(life, c.ok("CONTACT.OfflineEnd", map[string]any{"contactId": id})...)
				}
				n := 0
				for _, ev := range life {
					if ev["event"] == "POPUP" {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("%s: %d POPUP in %v", what, n, names(life))
				}
				s.checkLife(life)
			}
			handle("inbound", s.newContact(map[string]any{"queue": "sales"}), nil)
			handle("chat", s.newContact(map[string]any{"queue": "sales", "media_type": "chat"}), nil)
			handle("previewQueue", s.newContact(map[string]any{"queue": "sales", "type": "outbound", "job_type": "previewQueue"}), nil)
			handle("predictive", s.newContact(map[string]any{"queue": "sales", "type": "outbound", "job_type": "predictive"}), nil)
			evs, r := c.cmd("CONTACT.MakeCall", map[string]any{"destination": "0612345"})
			handle("manual", r["data"].(map[string]any)["id"].(string), evs)
		})
	}
}

// noEvents checks that nothing was published for c's agent so far (quiet
// can only end a test: a read timeout breaks the connection).
func noEvents(c *cfClient) {
	c.t.Helper()
	if evs, _ := c.cmd("AGENT.GetState", nil); len(evs) > 0 {
		c.t.Fatalf("unexpected %v", names(evs))
	}
}

// "LOGGEDOUT: L'operatore si è sloggato da AgentDesktop in modo esplicito o
// chiudendo il browser": when every page of the agent is gone for
// logout_grace, the agent's stream gets LOGGEDOUT (a page that comes back
// resumes and sees it).
func TestConformanceItLoggedOutByClosingTheBrowser(t *testing.T) {
	s := newCF(t, func(c *engine.Config) { c.LogoutGrace = 30 * time.Second })
	c := s.dial("a1")
	w := c.hello("widget", "crm", "", 0)
	s.checkAgentEvent(c.ok("AGENT.Ready", nil)[0], "LOGGEDIN", "a1")
	c.ws.Close()
	// the server notices the closed socket on its own goroutine
	deadline := time.Now().Add(5 * time.Second)
	conns := func() int {
		for _, a := range s.e.Agents() {
			if a.ID == "a1" {
				return a.Connections
			}
		}
		return -1
	}
	for conns() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("server did not notice the closed page")
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.clk.Advance(30 * time.Second)
	c = s.dial("a1")
	if w2 := c.hello("widget", "crm", w["epoch"].(string), w["seq"].(float64)+1); w2["replayed"] != float64(1) {
		t.Fatalf("resume welcome %v", w2)
	}
	c.seq = w["seq"].(float64) + 1
	ev := c.events(1)[0]
	s.checkAgentEvent(ev, "LOGGEDOUT", "a1")
}

// DATACHANGED means "Uno o più CallData … ha cambiato valore". When a
// consultation call takes over the customer (TransferComplete) its type,
// ani, dnis and transferred_from change, which are not CallData: that is
// told by PARTYCHANGED; DATACHANGED follows only when call-data values
// changed, and `changed` lists only call-data keys.
func TestConformanceItTakeOverIsNotDataChanged(t *testing.T) {
	for _, newData := range []bool{false, true} {
		s := newCF(t, nil)
		c1, c2 := s.dial("a1"), s.dial("a2")
		c1.hello("widget", "crm", "", 0)
		c2.hello("widget", "crm", "", 0)
		c1.ok("AGENT.Ready", nil)
		c2.ok("AGENT.Ready", nil)
		id := s.newContact(map[string]any{"queue": "sales", "ani": "333", "call_data": map[string]any{"k": "v"}})
		c1.events(4)
		c1.ok("CONTACT.Answer", map[string]any{"contactId": id})
		c1.ok("CONTACT.Transfer", map[string]any{"contactId": id, "mode": "consult", "targetType": "agent", "target": "a2"})
		lid := c2.events(2)[0]["id"].(string)
		c2.ok("CONTACT.Answer", map[string]any{"contactId": lid})
		c1.events(1) // PARTYCHANGED connected
		if newData {
			c1.ok("CONTACT.SetCallData", map[string]any{"contactId": id, "data": "k=w;n=1"})
		}
		c1.ok("CONTACT.TransferComplete", map[string]any{"contactId": id})
		evs, _ := c2.cmd("AGENT.GetState", nil)
		want := []string{"PARTYCHANGED"}
		if newData {
			want = append(want, "DATACHANGED")
		}
		eqNames(t, evs, want...)
		p := evs[0]
		if p["type"] != "inbound" || p["ani"] != "333" || p["transferred_from"] != id || p["peer"] != nil || p["parties"] != nil || p["changed"] != nil {
			t.Fatalf("take-over PARTYCHANGED %v", p)
		}
		for _, ev := range evs {
			s.checkContactEvent(ev)
		}
		if newData {
			if !reflect.DeepEqual(evs[1]["changed"], []any{"k", "n"}) || !reflect.DeepEqual(evs[1]["call_data"], map[string]any{"k": "w", "n": "1"}) {
				t.Fatalf("DATACHANGED %v", evs[1])
			}
		}
	}
}
