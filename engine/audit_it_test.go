package engine_test

// Third pass against the original Italian document (reference/
// agentdesktop-widget-sdk.it.txt), "Eventi Operatore": every operator
// state it lists can be reported by a real CTI through the API, and a
// sub-state is never reported without its code. Black-box.

import (
	"testing"
)

// "PAUSESUBSTATE [1701] … A fianco viene riportato il codice del
// sottostato": asked for without a code, the API used to answer 200 and
// publish a generic PAUSE. Now a clear error, nothing published.
func TestAuditItPauseSubstateNeedsItsCode(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	c.hello("widget", "crm", "", 0)
	c.ok("AGENT.Ready", nil)
	for _, call := range []struct{ method, path string }{{"PUT", "/agents/a1/state"}, {"POST", "/events"}} {
		body := map[string]any{"state": "PAUSESUBSTATE"}
		if call.method == "POST" {
			body = map[string]any{"agent": "a1", "event": "PAUSESUBSTATE"}
		}
		code, e := s.api(call.method, call.path, body)
		if code != 400 || e["code"] != "bad_request" {
			t.Fatalf("%s %s %v: %d %v, want 400 bad_request", call.method, call.path, body, code, e)
		}
		noEvents(c)
	}
	// with its code it is the sub-state, by either name
	if code, a := s.api("PUT", "/agents/a1/state", map[string]any{"state": "PAUSESUBSTATE", "code": 1701}); code != 200 || a["state"] != "PAUSESUBSTATE" || a["code"] != 1701.0 {
		t.Fatalf("PUT PAUSESUBSTATE 1701: %d %v", code, a)
	}
	ev := c.events(1)[0]
	s.checkAgentEvent(ev, "PAUSESUBSTATE", "a1")
	if ev["code"] != 1701.0 || ev["label"] != "Lunch" {
		t.Fatalf("PAUSESUBSTATE event: %v", ev)
	}
}

// "FORCED: L'operatore è entrato in Pausa Forzata a seguito di una mancata
// risposta per timeout": a CTI with its own no-answer timer reports it
// like the other operator states (it was refused with 400).
func TestAuditItCTIReportsForced(t *testing.T) {
	s := newCF(t, nil)
	c := s.dial("a1")
	c.hello("widget", "crm", "", 0)
	// a logged-out agent cannot be in a forced pause
	if code, e := s.api("POST", "/events", map[string]any{"agent": "a1", "event": "FORCED"}); code != 409 || e["code"] != "invalid_state" {
		t.Fatalf("FORCED while LOGGEDOUT: %d %v", code, e)
	}
	noEvents(c)
	c.ok("AGENT.Ready", nil)
	code, a := s.api("POST", "/events", map[string]any{"agent": "a1", "event": "FORCED"})
	if code != 200 || a["state"] != "FORCED" || a["reason"] != "no_answer" {
		t.Fatalf("POST /events FORCED: %d %v", code, a)
	}
	ev := c.events(1)[0]
	s.checkAgentEvent(ev, "FORCED", "a1")
	if ev["reason"] != "no_answer" {
		t.Fatalf("FORCED event: %v, want reason no_answer (the engine's own FORCED has it)", ev)
	}
	// once is enough
	if code, e := s.api("PUT", "/agents/a1/state", map[string]any{"state": "FORCED"}); code != 409 || e["code"] != "invalid_state" {
		t.Fatalf("FORCED twice: %d %v", code, e)
	}
	// a paused agent scheduled for nothing: a queued call waits
	id := s.newContact(map[string]any{"queue": "care"})
	noEvents(c)
	if code, got := s.api("GET", "/contacts/"+id, nil); code != 200 || got["state"] != "queued" {
		t.Fatalf("call for a FORCED agent: %d %v", code, got)
	}
	// the CTI's own reason word passes through; back to LOGGEDIN gets the call
	c.ok("AGENT.Pause", nil)
	if code, a := s.api("POST", "/events", map[string]any{"agent": "a1", "event": "FORCED", "reason": "ring_timeout"}); code != 200 || a["reason"] != "ring_timeout" {
		t.Fatalf("FORCED with reason: %d %v", code, a)
	}
	if ev := c.events(1)[0]; ev["event"] != "FORCED" || ev["reason"] != "ring_timeout" {
		t.Fatalf("FORCED event: %v", ev)
	}
	if code, e := s.api("POST", "/events", map[string]any{"agent": "a1", "event": "FORCED", "reason": "two words"}); code != 400 || e["code"] != "bad_request" {
		t.Fatalf("FORCED with a bad reason: %d %v", code, e)
	}
	evs := c.ok("AGENT.Ready", nil)
	if evs[0]["event"] != "LOGGEDIN" || evs[1]["event"] != "JOBSCHEDULED" || evs[1]["id"] != id {
		t.Fatalf("after Ready: %v", names(evs))
	}
}
