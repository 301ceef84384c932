package engine

import (
	"testing"
	"time"
)

// tickingClock is a FakeClock whose every reading is one millisecond later,
// as the wall clock can be between two readings within one action.
type tickingClock struct{ *FakeClock }

func (c tickingClock) Now() time.Time {
	c.FakeClock.Advance(time.Millisecond)
	return c.FakeClock.Now()
}

// TestEventTimesEqualTheirFields: docs/events.md says startTime = the
// ESTABLISHED event's time, endTime = CONNECTIONCLEARED's, offlineStartTime =
// JOBCHANGED offline's, offlineEndTime = JOBFINISHED's. Found by the
// clean-room browser test: with the wall clock, JOBCHANGED offline came 1 ms
// after offlineStartTime (the engine read the clock again for the event).
func TestEventTimesEqualTheirFields(t *testing.T) {
	cfg := testConfig()
	clk := tickingClock{NewFakeClock(t0)}
	e, err := New(cfg, WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, e: e, clk: clk.FakeClock, rec: map[string]*recorder{}}
	for _, a := range []string{"a1", "a2", "a3"} {
		r.rec[a] = &recorder{}
		e.broker.Subscribe(a, r.rec[a], e.broker.Epoch(), 0)
	}
	r.ready("a1")
	// inbound: answer, hang up, ACW ended by OfflineEnd
	c := r.create(ContactRequest{Queue: "sales", ANI: "1"})
	r.must("a1", "CONTACT.Answer", id(c.ID))
	r.must("a1", "CONTACT.Hangup", id(c.ID))
	r.must("a1", "CONTACT.OfflineEnd", id(c.ID))
	// abandoned while ringing: CONNECTIONCLEARED and JOBFINISHED without a call
	c2 := r.create(ContactRequest{Queue: "sales", ANI: "2"})
	r.ext(ExternalEvent{Contact: c2.ID, Event: EvConnectionCleared})
	// manual call: no offline phase
	m := r.must("a1", "CONTACT.MakeCall", map[string]any{"destination": "0612"})
	r.ext(ExternalEvent{Contact: m["id"].(string), Event: EvEstablished})
	r.must("a1", "CONTACT.Hangup", id(m["id"].(string)))

	field := map[string]string{EvEstablished: "startTime", EvConnectionCleared: "endTime", EvJobChanged + ":offline": "offlineStartTime", EvJobFinished: "offlineEndTime"}
	checked := 0
	for _, ev := range r.rec["a1"].events {
		name := ev["event"].(string)
		if p, _ := ev["phase"].(string); p == PhaseOffline {
			name += ":offline"
		}
		f, ok := field[name]
		if !ok {
			continue
		}
		checked++
		if ev[f] != ev["time"] {
			t.Errorf("%s of %v: time %v, %s %v", name, ev["id"], ev["time"], f, ev[f])
		}
	}
	if checked != 9 {
		t.Fatalf("checked %d events, want 9: %v", checked, r.rec["a1"].names())
	}
}
