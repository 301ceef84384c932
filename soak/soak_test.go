package soak

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmframe/crmframe/internal/binproc"
)

// TestSoakShort runs the short soak against the real binary (issue 9):
// drops of every kind, a reload, and the verifier's invariants.
func TestSoakShort(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak needs the real binary; skipped with -short")
	}
	root, err := binproc.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := binproc.BuildBinary(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := ShortConfig()
	cfg.Bin = bin
	cfg.Logf = t.Logf
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", res.Table())
	for _, f := range res.Failures {
		t.Error(f)
	}
	for _, e := range res.Examples {
		t.Log("example:", e)
	}
	if len(res.Failures) > 0 && res.LogPath != "" {
		if b, err := os.ReadFile(res.LogPath); err == nil {
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("crmframe output (tail):\n%s", b)
		}
		os.RemoveAll(filepath.Dir(res.LogPath))
	}
	// The run really exercised what it claims.
	for _, want := range []string{"close-frame", "tcp-reset", "half-open", "vip queue live: true"} {
		if !strings.Contains(res.Table(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

// ref builds a reference stream of n events for the verifier tests.
func ref(n int) *truthReader {
	t := &truthReader{id: "a", epoch: "E", head: uint64(n), conns: []*connRec{{Fresh: true, Snapshot: true, Epoch: "E"}}}
	for i := 1; i <= n; i++ {
		ev := truthEv{evRec: evRec{Seq: uint64(i), Hash: uint64(1000 + i)}, Event: "DATACHANGED", ID: "c1"}
		switch i {
		case 1:
			ev.Event = "LOGGEDIN"
		case 2:
			ev.Event = "JOBSCHEDULED"
		case 8:
			ev.Event = "JOBFINISHED"
		}
		t.events = append(t.events, ev)
	}
	return t
}

func evs(seqs ...uint64) []evRec {
	out := make([]evRec, len(seqs))
	for i, s := range seqs {
		out[i] = evRec{Seq: s, Hash: 1000 + s}
	}
	return out
}

func TestVerifyAgent(t *testing.T) {
	fresh := func(events ...uint64) *connRec {
		return &connRec{Fresh: true, Snapshot: true, Epoch: "E", SnapState: "LOGGEDOUT", Events: evs(events...)}
	}
	resume := func(from uint64, head uint64, events ...uint64) *connRec {
		return &connRec{ResumeSeq: from, Welcome: head, Replayed: int(head - from), Epoch: "E", Events: evs(events...)}
	}
	cases := []struct {
		name  string
		conns []*connRec
		check func(v *verdict) bool
	}{
		{"clean resume", []*connRec{fresh(1, 2, 3, 4), resume(4, 6, 5, 6, 7, 8, 9, 10)},
			func(v *verdict) bool {
				return v.lost+v.dup+v.outOfOrder+v.corrupt+v.resumeBad == 0 && v.processed == 10
			}},
		{"gap in a resume", []*connRec{fresh(1, 2, 3, 4), resume(4, 6, 6, 7, 8, 9, 10)},
			func(v *verdict) bool { return v.lost == 1 && v.dup == 0 }},
		{"duplicate after resume", []*connRec{fresh(1, 2, 3, 4), resume(3, 6, 4, 5, 6, 7, 8, 9, 10)},
			func(v *verdict) bool { return v.dup == 1 && v.resumeBad == 1 && v.lost == 0 }},
		{"out of order", []*connRec{fresh(1, 2, 4, 3, 5, 6, 7, 8, 9, 10)},
			func(v *verdict) bool { return v.outOfOrder == 1 && v.lost == 0 }},
		{"tail missing", []*connRec{fresh(1, 2, 3, 4, 5, 6, 7, 8)},
			func(v *verdict) bool { return v.lost == 2 }},
		{"wrong welcome seq", []*connRec{fresh(1, 2, 3, 4), {ResumeSeq: 4, Welcome: 10, Replayed: 5, Epoch: "E", Events: evs(5, 6, 7, 8, 9, 10)}},
			func(v *verdict) bool { return v.resumeBad == 1 }},
		{"other epoch", []*connRec{fresh(1, 2, 3, 4), {ResumeSeq: 4, Welcome: 10, Replayed: 6, Epoch: "X", Events: evs(5, 6, 7, 8, 9, 10)}},
			func(v *verdict) bool { return v.resumeBad == 1 }},
		{"snapshot replaces history", []*connRec{fresh(1, 2, 3), {Snapshot: true, Welcome: 5, Epoch: "E", SnapIDs: []string{"c1"}, SnapState: "LOGGEDIN", Events: evs(6, 7, 8, 9, 10)}},
			func(v *verdict) bool { return v.lost == 0 && v.snapSkipped == 2 && v.snapBad == 0 && v.snapshots == 1 }},
		{"snapshot with the wrong contacts", []*connRec{fresh(1, 2, 3), {Snapshot: true, Welcome: 9, Epoch: "E", SnapIDs: []string{"c1"}, SnapState: "LOGGEDIN", Events: evs(10)}},
			func(v *verdict) bool { return v.snapBad == 1 }},
		{"changed bytes", []*connRec{{Fresh: true, Snapshot: true, Epoch: "E", SnapState: "LOGGEDOUT", Events: append(evs(1, 2, 3, 4, 5, 6, 7, 8, 9), evRec{Seq: 10, Hash: 1})}},
			func(v *verdict) bool { return v.corrupt == 1 }},
	}
	for _, tc := range cases {
		v := &verdict{}
		verifyAgent("a", tc.conns, ref(10), v)
		if !tc.check(v) {
			t.Errorf("%s: %+v", tc.name, *v)
		}
	}
}

func TestVerifyTruth(t *testing.T) {
	v := &verdict{}
	verifyTruth(ref(5), v)
	if v.truthProblems != 0 || v.truthEvents != 5 {
		t.Fatalf("clean reference: %+v", *v)
	}
	bad := ref(5)
	bad.events = append(bad.events[:2], bad.events[3:]...)
	v = &verdict{}
	verifyTruth(bad, v)
	if v.truthProblems == 0 {
		t.Fatal("a gap in the reference went unnoticed")
	}
}

func TestCheckEnds(t *testing.T) {
	tr := &truthReader{id: "a", events: []truthEv{
		{Event: "JOBSCHEDULED", ID: "c1"}, {Event: "JOBFINISHED", ID: "c1", Reason: "agent_hangup"},
		{Event: "JOBSCHEDULED", ID: "c2"},
	}}
	ec := checkEnds([]string{"c1", "c2", "c3", "c4", "c5"}, map[string]bool{"c3": true}, map[string]bool{"c5": true}, []*truthReader{tr})
	if ec.ended != 2 || ec.unfinished != 1 || ec.vanished != 1 || ec.stillActive != 1 || ec.reasons["agent_hangup"] != 1 {
		t.Fatalf("%+v", *ec)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{{}, func() Config { c := DefaultConfig(); c.Rate = 0; return c }(), func() Config { c := ShortConfig(); c.DropFraction = 2; return c }()} {
		if c.validate() == nil {
			t.Errorf("accepted %+v", c)
		}
	}
	if err := DefaultConfig().validate(); err != nil {
		t.Error(err)
	}
	if err := ShortConfig().validate(); err != nil {
		t.Error(err)
	}
}
