package e2e

// The two JavaScript rewriters must not change what a program computes:
// the served one (jsrewrite.Rewrite) and the shim's run-time one
// (__crmframe_code). testdata/semantics/semantics.mjs generates random
// programs that reach top, location, eval and windows through odd paths
// (calls that need their this, private fields, optional chains, with,
// shadowing names, patterns) and runs each in a fresh Node.js realm as
// written and rewritten, with the shim's wrappers answering as they do for
// ordinary objects. Node.js is a test dependency already (make sdktest).
// Fixed seeds make a failure repeatable (CRMFRAME_SEMANTICS_SEEDS=4-40
// explores others); it found the served rewriter calling obj.getWin()
// without its this (x1046).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/crmframe/crmframe/injector/jsrewrite"
)

func TestRewriterSemantics(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("Node.js is needed (apt-get install -y nodejs, or make deps):", err)
	}
	const script = "testdata/semantics/semantics.mjs"
	first, last := 1, 3
	if v := os.Getenv("CRMFRAME_SEMANTICS_SEEDS"); v != "" {
		a, b, _ := strings.Cut(v, "-")
		var err error
		if first, err = strconv.Atoi(a); err == nil {
			last = first
			if b != "" {
				last, err = strconv.Atoi(b)
			}
		}
		if err != nil {
			t.Fatalf("CRMFRAME_SEMANTICS_SEEDS=%q: want a seed or a range such as 4-40", v)
		}
	}
	for seed := first; seed <= last; seed++ {
		gen, err := exec.Command(node, script, "gen", fmt.Sprint(seed), "700").Output()
		if err != nil {
			t.Fatalf("seed %d: generating: %v", seed, err)
		}
		var programs []string
		if err := json.Unmarshal(gen, &programs); err != nil || len(programs) < 500 {
			t.Fatalf("seed %d: %d programs (%v)", seed, len(programs), err)
		}
		served := make([]string, len(programs))
		for i, p := range programs {
			out, res := jsrewrite.Rewrite([]byte(p), jsrewrite.Classic)
			if res.Err != nil {
				t.Fatalf("seed %d: the served rewriter could not read a program that parses (%v):\n%s", seed, res.Err, p)
			}
			served[i] = string(out)
		}
		in, _ := json.Marshal(map[string]any{"programs": programs, "served": served})
		cmd := exec.Command(node, script, "check")
		cmd.Stdin = bytes.NewReader(in)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("seed %d: checking: %v\n%s", seed, err, stderr.String())
		}
		var rep struct {
			Checked    int
			Changed    struct{ Served, Shim int }
			Mismatches []struct {
				Who, Src, Out string
				Want, Got     []string
			}
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("seed %d: report: %v", seed, err)
		}
		// most programs must give the rewriters work, or this checks nothing
		if rep.Changed.Served < rep.Checked/3 || rep.Changed.Shim < rep.Checked/3 {
			t.Fatalf("seed %d: of %d programs the served rewriter changed %d, the shim %d", seed, rep.Checked, rep.Changed.Served, rep.Changed.Shim)
		}
		for i, m := range rep.Mismatches {
			if i == 5 {
				t.Errorf("... %d mismatches in all", len(rep.Mismatches))
				break
			}
			t.Errorf("seed %d: the %s rewrite computes something else\nprogram:   %s\nrewritten: %s\nwant %q\ngot  %q", seed, m.Who, m.Src, m.Out, m.Want, m.Got)
		}
		t.Logf("seed %d: %d programs, changed by the served rewriter %d, by the shim %d", seed, rep.Checked, rep.Changed.Served, rep.Changed.Shim)
	}
}
