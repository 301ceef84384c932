package engine

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestRandomInterleavings drives the engine with random commands, CTI events,
// connections and time, checking the invariants after every step and, after
// draining, that every contact an agent saw ended with JOBFINISHED.
func TestRandomInterleavings(t *testing.T) {
	seeds := 250 // 250 interleavings of 300 steps = 75,000 random steps
	steps := 300
	if testing.Short() || raceBuild {
		seeds = 60
	}
	for seed := 0; seed < seeds; seed++ {
		runRandom(t, uint64(seed), steps)
		if t.Failed() {
			return
		}
	}
}

var agentIDs = []string{"a1", "a2", "a3"}

func runRandom(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	obs := &phaseObs{phases: map[string]int{}, agents: map[string]string{}}
	r := newRig(t, func(c *Config) {
		c.Capacity = map[string]int{MediaChat: 2, MediaChannel: 2}
		if seed%3 == 0 {
			c.PopupOn = PopupOnRinging
		}
		if seed%5 == 0 {
			c.DialAnswerAfter = -1
		}
	}, WithObserver(obs))
	conns := map[string][]*conn{}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	contactIDs := func() []string {
		r.e.mu.Lock()
		defer r.e.mu.Unlock()
		ids := []string{"nope"}
		for id := range r.e.contacts {
			ids = append(ids, id)
		}
		for _, c := range r.e.recent {
			ids = append(ids, c.v.ID)
		}
		sort.Strings(ids) // reproducible per seed
		return ids
	}
	cmds := append([]string{"CONTACT.Answer", "CONTACT.Answer", "CONTACT.Hangup", "AGENT.Ready", "AGENT.Ready"}, Commands...)
	var log []string
	for i := 0; i < steps; i++ {
		var step string
		switch x := rng.IntN(10); {
		case x < 4:
			a, name := pick(agentIDs), pick(cmds)
			ids := contactIDs()
			args := map[string]any{"contactId": pick(ids)}
			switch rng.IntN(4) {
			case 0:
				args["destination"] = pick([]string{"555", "agent:a1", "agent:a2", "a3"})
			case 1:
				args["mode"] = pick([]string{"blind", "consult"})
				args["targetType"] = pick([]string{"agent", "queue", "number"})
				args["target"] = pick([]string{"a1", "a2", "a3", "sales", "support", "123"})
			case 2:
				args["enable"] = rng.IntN(2) == 0
				args["code"] = pick([]string{"0", "1701"})
				args["data"] = "K=" + fmt.Sprint(rng.IntN(3))
				args["text"] = "hi"
			}
			if args["code"] == "1701" {
				args["code"] = 1701
			} else {
				delete(args, "code")
			}
			raw, _ := json.Marshal(args)
			_, err := r.e.Do(a, name, raw)
			step = fmt.Sprintf("%s %s %s -> %v", a, name, raw, ErrorCode(err))
		case x < 6:
			req := ContactRequest{Queue: pick([]string{"sales", "support"}), MediaType: pick([]string{MediaTelephony, MediaTelephony, MediaChat, MediaChannel})}
			if req.MediaType == MediaTelephony && rng.IntN(4) == 0 {
				req.Type = "outbound"
				req.JobType = pick([]string{"previewQueue", "predictive", "previewAgent"})
				if req.JobType == "previewAgent" {
					req.Agent, req.Queue = pick(agentIDs), ""
				}
			}
			req.Priority = rng.IntN(3)
			c, err := r.e.CreateContact(req)
			step = fmt.Sprintf("create %+v -> %v %v", req, c != nil, err)
		case x < 8:
			ev := pick([]string{EvConnectionCleared, EvConnectionCleared, EvEstablished, EvHeld, EvRetrieved, EvChatMessage, EvDataChanged, EvJobFinished})
			x := ExternalEvent{Contact: pick(contactIDs()), Event: ev, Text: "x", CallData: map[string]string{"z": "1"}}
			_, err := r.e.External(x)
			step = fmt.Sprintf("ext %+v -> %v", x, ErrorCode(err))
		case x < 9:
			a := pick(agentIDs)
			if len(conns[a]) > 0 && rng.IntN(2) == 0 {
				r.e.detach(conns[a][0])
				conns[a] = conns[a][1:]
				step = "detach " + a
			} else {
				cn := newConn(r.e, nil, Claims{AgentID: a}, r.e.Config())
				cn.limit = 1 << 30
				r.e.attach(cn, "", 0, false)
				conns[a] = append(conns[a], cn)
				step = "attach " + a
			}
		default:
			d := time.Duration(rng.IntN(15000)) * time.Millisecond
			r.clk.Advance(d)
			step = "advance " + d.String()
		}
		log = append(log, step)
		if err := checkInvariants(r); err != nil {
			t.Fatalf("seed %d step %d: %v\nlast steps: %v", seed, i, err, tail(log, 8))
		}
	}
	drain(t, r)
	if err := checkInvariants(r); err != nil {
		t.Fatalf("seed %d after drain: %v", seed, err)
	}
	if err := checkStreams(r); err != nil {
		t.Fatalf("seed %d: %v\nlast steps: %v", seed, err, tail(log, 12))
	}
	// an Observer that keeps gauges from the phase hooks ends consistent
	obs.mu.Lock()
	defer obs.mu.Unlock()
	for ph, n := range obs.phases {
		if ph != CStateFinished && n != 0 {
			t.Fatalf("seed %d: phase gauge %s = %d after drain (%v)", seed, ph, n, obs.phases)
		}
	}
	for _, a := range r.e.Agents() {
		if obs.agents[a.ID] != "" && obs.agents[a.ID] != a.State {
			t.Fatalf("seed %d: observer thinks %s is %s, engine says %s", seed, a.ID, obs.agents[a.ID], a.State)
		}
	}
}

type phaseObs struct {
	NopObserver
	mu     sync.Mutex
	phases map[string]int
	agents map[string]string
}

func (o *phaseObs) ContactPhase(media, from, to string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if from != "" {
		o.phases[from]--
	}
	o.phases[to]++
}

func (o *phaseObs) AgentState(id, from, to string, code int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.agents[id] = to
}

func tail(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func checkInvariants(r *rig) error {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	for _, a := range r.e.agents {
		if n := a.liveTelephony(); n > 1 {
			return fmt.Errorf("agent %s has %d live telephony contacts", a.id, n)
		}
		for m, cp := range a.capacity {
			if m != MediaTelephony && a.busy(m) > cp { // telephony: ACW + a manual call is allowed
				return fmt.Errorf("agent %s over %s capacity", a.id, m)
			}
		}
		for id, c := range a.contacts {
			if c.agent != a || c.v.State == CStateFinished || c.v.State == CStateQueued {
				return fmt.Errorf("agent %s holds contact %s in state %s (owner %v)", a.id, id, c.v.State, c.agent != nil)
			}
		}
	}
	for id, c := range r.e.contacts {
		if c.v.State == CStateFinished {
			return fmt.Errorf("finished contact %s still active", id)
		}
		if c.v.State != CStateQueued && (c.agent == nil || c.agent.contacts[id] != c) {
			return fmt.Errorf("contact %s (%s) not held by its agent", id, c.v.State)
		}
	}
	return nil
}

// drain ends everything: customers hang up, offers are abandoned, ACW ends.
func drain(t *testing.T, r *rig) {
	for round := 0; round < 200; round++ {
		r.e.mu.Lock()
		var ids []string
		for id := range r.e.contacts {
			ids = append(ids, id)
		}
		r.e.mu.Unlock()
		if len(ids) == 0 {
			return
		}
		for _, id := range ids {
			c, err := r.e.Contact(id)
			if err != nil || c.State == CStateFinished {
				continue
			}
			switch c.State {
			case CStateQueued, CStateOffered:
				if _, err := r.e.External(ExternalEvent{Contact: id, Event: EvConnectionCleared}); err != nil && c.Agent != "" {
					r.e.Do(c.Agent, "CONTACT.Reject", json.RawMessage(`{"contactId":"`+id+`"}`))
				}
			case CStatePreview:
				r.e.Do(c.Agent, "CONTACT.Reject", json.RawMessage(`{"contactId":"`+id+`"}`))
			case CStateOnline, CStateDialing:
				r.e.Do(c.Agent, "CONTACT.HangupByContactID", json.RawMessage(`{"contactId":"`+id+`"}`))
			case CStateOffline:
				r.e.Do(c.Agent, "CONTACT.OfflineEnd", json.RawMessage(`{"contactId":"`+id+`"}`))
			}
		}
		r.clk.Advance(time.Minute)
	}
	t.Fatalf("could not drain: %v", r.e.Contacts(false))
}

// checkStreams: seq strictly increasing by one; each contact episode on an
// agent's stream opens with JOBSCHEDULED or CONNECTIONSTARTED and ends with
// JOBFINISHED; nothing about a contact arrives outside an episode.
func checkStreams(r *rig) error {
	for _, a := range agentIDs {
		rec := r.rec[a]
		rec.mu.Lock()
		evs, seqs := rec.events, rec.seqs
		rec.mu.Unlock()
		for i := range seqs {
			if seqs[i] != uint64(i+1) {
				return fmt.Errorf("agent %s: seq %d at index %d", a, seqs[i], i)
			}
		}
		open := map[string]bool{}
		for i, e := range evs {
			name, _ := e["event"].(string)
			id, _ := e["id"].(string)
			if id == "" {
				continue // agent event
			}
			switch name {
			case EvJobScheduled, EvConnectionStarted:
				open[id] = true
			case EvJobFinished:
				if !open[id] {
					return fmt.Errorf("agent %s: JOBFINISHED for %s without start (event %d)", a, id, i)
				}
				delete(open, id)
			default:
				if !open[id] {
					return fmt.Errorf("agent %s: %s for %s outside an episode (event %d)", a, name, id, i)
				}
			}
		}
		for id := range open {
			return fmt.Errorf("agent %s: contact %s never got JOBFINISHED", a, id)
		}
	}
	for _, c := range r.e.Contacts(true) {
		if c.State != CStateFinished {
			return fmt.Errorf("contact %s ended %s", c.ID, c.State)
		}
	}
	return nil
}
