package caddymodule_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/crmframe/crmframe/caddymodule"
	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// TestEngineDialAnswerAfterOff: the Caddyfile's `dial_answer_after off`
// reaches the engine and stops the built-in auto-answer for preview jobs
// and manual calls (a CTI sends ESTABLISHED); a duration answers after it.
func TestEngineDialAnswerAfterOff(t *testing.T) {
	for _, tc := range []struct {
		sub    string
		answer bool // within a minute, by itself
	}{
		{"dial_answer_after off", false},
		{"dial_answer_after 5s", true},
	} {
		js, err := caddyrun.Adapt(engineCaddyfile("queue sales a1\n\t\t" + tc.sub))
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Apps struct {
				Engine caddymodule.EngineApp `json:"crm_engine"`
			} `json:"apps"`
		}
		if err := json.Unmarshal(js, &cfg); err != nil {
			t.Fatal(err)
		}
		ec := cfg.Apps.Engine.Config
		ec.Secret = []byte(cfg.Apps.Engine.Secret)
		clk := engine.NewFakeClock(time.Now())
		e, err := engine.New(ec, engine.WithClock(clk))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.SetAgentState("a1", engine.StateLoggedIn, 0); err != nil {
			t.Fatal(err)
		}
		preview, err := e.CreateContact(engine.ContactRequest{Type: "outbound", JobType: "previewAgent", Agent: "a1", DNIS: "+390255501234"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Do("a1", "CONTACT.Answer", json.RawMessage(`{"contactId":"`+preview.ID+`"}`)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		c, _ := e.Contact(preview.ID)
		if want := map[bool]string{true: engine.CStateOnline, false: engine.CStateDialing}[tc.answer]; c.State != want {
			t.Errorf("%s: preview job dialled a minute ago is %s, want %s", tc.sub, c.State, want)
		}
		if _, err := e.Do("a1", "CONTACT.Hangup", json.RawMessage(`{"contactId":"`+preview.ID+`"}`)); err != nil {
			t.Fatal(err)
		}
		if tc.answer {
			if _, err := e.Do("a1", "CONTACT.OfflineEnd", json.RawMessage(`{"contactId":"`+preview.ID+`"}`)); err != nil {
				t.Fatal(err)
			}
		}
		res, err := e.Do("a1", "CONTACT.MakeCall", json.RawMessage(`{"destination":"+390255509999"}`))
		if err != nil {
			t.Fatalf("%s: MakeCall: %v", tc.sub, err)
		}
		b, _ := json.Marshal(res)
		var call struct{ ID string }
		_ = json.Unmarshal(b, &call)
		clk.Advance(time.Minute)
		c, err = e.Contact(call.ID)
		if err != nil {
			t.Fatalf("%s: manual call %s: %v", tc.sub, b, err)
		}
		if want := map[bool]string{true: engine.CStateOnline, false: engine.CStateDialing}[tc.answer]; c.State != want {
			t.Errorf("%s: manual call dialled a minute ago is %s, want %s", tc.sub, c.State, want)
		}
		if !tc.answer {
			// The CTI answers it.
			if _, err := e.External(engine.ExternalEvent{Agent: "a1", Contact: call.ID, Event: engine.EvEstablished}); err != nil {
				t.Fatal(err)
			}
			if c, _ := e.Contact(call.ID); c.State != engine.CStateOnline {
				t.Errorf("%s: after the CTI's ESTABLISHED: %s", tc.sub, c.State)
			}
		}
		e.Close()
	}
}
