package main

import (
	"fmt"
	"os"
	"os/exec"
	"time"
)

// shim: what the injected shim costs the agent's browser, from
// BenchmarkShimCost in ./e2e/ (headless Chromium, a 16k-element CRM page
// framed through crm_frame and through plain reverse_proxy, idle and
// updating 50 rows a second, in view and hidden). Informative: no target.
func (b *bench) shim() {
	b.logf("agent PC: go test -bench ShimCost ./e2e/ (%v windows, %d rounds; headless Chromium)", b.cfg.ShimWindow, b.cfg.ShimRounds)
	cmd := exec.Command("go", "test", "-count=1", "-run", "^$", "-bench", "ShimCost", "-benchtime", "1x", "./e2e/")
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "CRMFRAME_SHIMCOST_WINDOW="+b.cfg.ShimWindow.String(), fmt.Sprintf("CRMFRAME_SHIMCOST_ROUNDS=%d", b.cfg.ShimRounds))
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.rep.add(Row{Section: "Agent PC", Measure: "shim in Chromium (./e2e/ BenchmarkShimCost)", Result: "not available: go test failed (see notes)"})
		b.rep.note("go test -bench ShimCost ./e2e/ failed (Chromium is needed: make deps): %v: %s", err, firstLines(string(out), 6))
		return
	}
	for _, r := range shimRows(parseBench(string(out)), b.cfg.ShimWindow, b.cfg.ShimRounds) {
		b.rep.add(r)
	}
}

// shimRows turns BenchmarkShimCost's metrics into rows (medians over the
// rounds; the benchmark's log has the ranges).
func shimRows(lines []BenchLine, window time.Duration, rounds int) []Row {
	for _, l := range lines {
		if l.Name != "BenchmarkShimCost" {
			continue
		}
		var rows []Row
		for _, f := range []struct{ metric, measure, unit string }{
			{"cpu-ms/s-idle", "page idle: main-thread CPU", "ms/s"},
			{"cpu-ms/s-live", "page updating 50 rows/s: main-thread CPU", "ms/s"},
			{"cpu-ms/s-hidden", "page updating, frame hidden by the desktop: main-thread CPU", "ms/s"},
			{"load-ms", "frame load (navigation to load event)", "ms"},
		} {
			p, okP := l.Metrics[f.metric+"-plain"]
			c, okC := l.Metrics[f.metric+"-crm"]
			if !okP || !okC {
				continue
			}
			rows = append(rows, Row{Section: "Agent PC", Measure: f.measure + fmt.Sprintf(" (16k elements, %v windows, median of %d)", window, rounds),
				Plain: fmt.Sprintf("%.1f %s", p, f.unit), CRM: fmt.Sprintf("%.1f %s", c, f.unit), Result: fmt.Sprintf("%+.1f %s", c-p, f.unit)})
		}
		if len(rows) > 0 {
			return rows
		}
	}
	return []Row{{Section: "Agent PC", Measure: "shim in Chromium (./e2e/ BenchmarkShimCost)", Result: "not available: no BenchmarkShimCost figures in the output"}}
}
