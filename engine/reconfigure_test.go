package engine

import (
	"testing"
	"time"
)

func TestReconfigureKeepsState(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1")
	c := r.create(ContactRequest{Queue: "sales"})
	r.must("a1", "CONTACT.Answer", id(c.ID))
	waiting := r.create(ContactRequest{Queue: "support"})
	seq := r.e.broker.Seq("a1")
	epoch := r.e.broker.Epoch()

	cfg := testConfig()
	cfg.Secret = []byte("another-secret-another-secret-xyz")
	cfg.PauseCodes = []PauseCode{{Code: 42, Label: "Meeting"}}
	cfg.Queues = []QueueConfig{{Name: "sales", Agents: []string{"a1"}}, {Name: "support", Agents: []string{"a4"}}, {Name: "vip", Agents: []string{"a1", "a4"}}}
	cfg.NoAnswerTimeout = 3 * time.Second
	if err := r.e.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	if err := r.e.Reconfigure(Config{}); err == nil {
		t.Fatal("invalid config accepted")
	}
	if r.state(c.ID) != CStateOnline || r.agentState("a1") != StateLoggedIn || r.e.broker.Seq("a1") != seq || r.e.broker.Epoch() != epoch {
		t.Fatal("state lost")
	}
	if _, err := r.do("a1", "AGENT.Pause", map[string]any{"code": 1701}); ErrorCode(err) != CodeBadRequest {
		t.Fatal("old pause code still accepted")
	}
	r.must("a4", "AGENT.Ready", nil) // new member of support gets the waiting contact
	if cur, _ := r.e.Contact(waiting.ID); cur.Agent != "a4" {
		t.Fatalf("%+v", cur)
	}
	r.clk.Advance(3 * time.Second) // the new no-answer timeout applies to new offers
	if r.agentState("a4") != StateForced {
		t.Fatal(r.agentState("a4"))
	}
	if qs := r.e.Queues(); len(qs) != 3 || qs[2].Name != "vip" {
		t.Fatal(qs)
	}
	if _, err := VerifyToken(r.e.Config().Secret, mustMint(t, cfg.Secret), time.Now()); err != nil {
		t.Fatal("new secret not in effect", err)
	}
}

func mustMint(t *testing.T, secret []byte) string {
	tok, err := MintToken(secret, "a1", "", time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
