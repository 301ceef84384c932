package soak

import (
	"fmt"
	"sort"
)

// verdict is the verifier's count over every agent.
type verdict struct {
	truthEvents   int // sum of the agents' log heads
	truthProblems int // gaps, duplicates or a missing head in a reference stream
	processed     int // events the pages processed
	lost, dup     int
	outOfOrder    int
	corrupt       int // bytes differ from the reference for the same seq
	resumeBad     int // welcome on resume: seq != resume seq + replayed, or another epoch
	snapshots     int // snapshot welcomes (first connection excluded)
	snapSkipped   int // events a snapshot legitimately replaced
	snapBad       int // snapshot contents differ from the log at its seq
	examples      []string
}

func (v *verdict) example(format string, args ...any) {
	if len(v.examples) < 12 {
		v.examples = append(v.examples, fmt.Sprintf(format, args...))
	}
}

// verifyTruth checks the reference stream itself: 1..head, each once.
func verifyTruth(t *truthReader, v *verdict) {
	if t.headErr != "" || t.finishErr != "" {
		v.truthProblems++
		v.example("%s: reference: %s%s", t.id, t.headErr, t.finishErr)
	}
	if len(t.conns) > 0 && t.conns[0].Welcome != 0 {
		v.truthProblems++
		v.example("%s: reference stream started at seq %d, not 0", t.id, t.conns[0].Welcome)
	}
	for _, c := range t.conns[1:] {
		if c.Snapshot {
			v.truthProblems++
			v.example("%s: reference resume answered with a snapshot at %d", t.id, c.Welcome)
		}
	}
	for i, e := range t.events {
		if e.Seq != uint64(i+1) {
			v.truthProblems++
			v.example("%s: reference event #%d has seq %d", t.id, i+1, e.Seq)
			break
		}
	}
	if uint64(len(t.events)) != t.head {
		v.truthProblems++
		v.example("%s: reference has %d events, log head is %d", t.id, len(t.events), t.head)
	}
	v.truthEvents += int(t.head)
}

// agentStateAt is the agent's state after seq (LOGGEDOUT before any event).
func agentStateAt(t *truthReader, seq uint64) string {
	st := "LOGGEDOUT"
	for _, e := range t.events {
		if e.Seq > seq {
			break
		}
		switch e.Event {
		case "LOGGEDIN", "PAUSE", "PAUSESUBSTATE", "FORCED", "LOGGEDOUT":
			st = e.Event
		}
	}
	return st
}

// openAt is the set of the agent's unfinished contacts after seq.
func openAt(t *truthReader, seq uint64) []string {
	open := map[string]bool{}
	for _, e := range t.events {
		if e.Seq > seq {
			break
		}
		switch e.Event {
		case "JOBSCHEDULED", "CONNECTIONSTARTED":
			open[e.ID] = true
		case "JOBFINISHED":
			delete(open, e.ID)
		}
	}
	ids := make([]string, 0, len(open))
	for id := range open {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// verifyAgent compares what the page processed, connection after
// connection, with the reference log.
func verifyAgent(id string, conns []*connRec, t *truthReader, v *verdict) {
	head := t.head
	if n := uint64(len(t.events)); n > head {
		head = n
	}
	ref := func(seq uint64) (uint64, bool) {
		if seq == 0 || seq > uint64(len(t.events)) || t.events[seq-1].Seq != seq {
			return 0, false
		}
		return t.events[seq-1].Hash, true
	}
	seen := make([]bool, head+2)
	covered := make([]bool, head+2)
	var expected uint64
	for i, c := range conns {
		if c.Epoch != t.epoch {
			v.resumeBad++
			v.example("%s: connection %d: epoch %s, reference %s", id, i, c.Epoch, t.epoch)
		}
		if c.Snapshot {
			if i > 0 {
				v.snapshots++
			}
			if c.Welcome < expected {
				v.outOfOrder++
				v.example("%s: connection %d: snapshot at seq %d, behind %d already processed", id, i, c.Welcome, expected)
			}
			for s := expected + 1; s <= c.Welcome && s <= head; s++ {
				covered[s] = true
				v.snapSkipped++
			}
			want := openAt(t, c.Welcome)
			got := append([]string(nil), c.SnapIDs...)
			sort.Strings(got)
			if fmt.Sprint(want) != fmt.Sprint(got) {
				v.snapBad++
				v.example("%s: snapshot at seq %d has contacts %v, log says %v", id, c.Welcome, got, want)
			}
			if st := agentStateAt(t, c.Welcome); c.SnapState != st {
				v.snapBad++
				v.example("%s: snapshot at seq %d has agent state %s, log says %s", id, c.Welcome, c.SnapState, st)
			}
			expected = max(expected, c.Welcome)
		} else {
			if c.ResumeSeq != expected {
				v.resumeBad++
				v.example("%s: connection %d resumed from %d, but %d was processed (soak client bug)", id, i, c.ResumeSeq, expected)
			}
			if c.Welcome != c.ResumeSeq+uint64(c.Replayed) {
				v.resumeBad++
				v.example("%s: connection %d: resume from %d: welcome seq %d with %d replayed", id, i, c.ResumeSeq, c.Welcome, c.Replayed)
			}
		}
		for _, e := range c.Events {
			v.processed++
			switch {
			case e.Seq == 0 || e.Seq > head:
				v.corrupt++
				v.example("%s: event seq %d outside the log (head %d)", id, e.Seq, head)
				continue
			case seen[e.Seq]:
				v.dup++
				v.example("%s: connection %d: seq %d delivered again", id, i, e.Seq)
				continue
			case e.Seq <= expected:
				v.outOfOrder++
				v.example("%s: connection %d: seq %d after %d", id, i, e.Seq, expected)
			case e.Seq > expected+1:
				v.example("%s: connection %d: seq %d follows %d", id, i, e.Seq, expected)
			}
			seen[e.Seq] = true
			if h, ok := ref(e.Seq); !ok || h != e.Hash {
				v.corrupt++
				v.example("%s: seq %d differs from the reference", id, e.Seq)
			}
			expected = max(expected, e.Seq)
		}
	}
	for s := uint64(1); s <= head; s++ {
		if !seen[s] && !covered[s] {
			v.lost++
		}
	}
}

// endCheck is the contacts' outcome.
type endCheck struct {
	created      int
	ended        int
	stillActive  int
	unfinished   int // an agent saw it begin but not JOBFINISHED
	vanished     int // never reached an agent, not abandoned, not active
	reasons      map[string]int
	multiOffered int // offered more than once (no answer / reject)
	examples     []string
}

func (c *endCheck) example(format string, args ...any) {
	if len(c.examples) < 8 {
		c.examples = append(c.examples, fmt.Sprintf(format, args...))
	}
}

func checkEnds(created []string, abandonedQueued map[string]bool, active map[string]bool, truths []*truthReader) *endCheck {
	ec := &endCheck{created: len(created), reasons: map[string]int{}}
	episodes := map[string]int{}
	lastReason := map[string]string{}
	open := map[string]string{} // contact -> agent with an unfinished episode
	for _, t := range truths {
		mine := map[string]bool{}
		for _, e := range t.events {
			switch e.Event {
			case "JOBSCHEDULED", "CONNECTIONSTARTED":
				if !mine[e.ID] {
					mine[e.ID] = true
					episodes[e.ID]++
				}
			case "JOBFINISHED":
				delete(mine, e.ID)
				lastReason[e.ID] = e.Reason
			}
		}
		for id := range mine {
			open[id] = t.id
		}
	}
	for _, id := range created {
		switch {
		case active[id]:
			ec.stillActive++
			ec.example("contact %s still active at the end", id)
		case open[id] != "":
			ec.unfinished++
			ec.example("contact %s: agent %s saw it begin but never JOBFINISHED", id, open[id])
		case episodes[id] > 0:
			ec.ended++
			r := lastReason[id]
			if r == "" {
				r = "(none)"
			}
			ec.reasons[r]++
			if episodes[id] > 1 {
				ec.multiOffered++
			}
		case abandonedQueued[id]:
			ec.ended++
			ec.reasons["abandoned in queue"]++
		default:
			ec.vanished++
			ec.example("contact %s: never offered, not abandoned, not active", id)
		}
	}
	return ec
}
