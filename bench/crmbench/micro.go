package main

import (
	"bufio"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Micro-benchmark targets (issues 3 and 4).
const (
	targetHTMLvsBare = 0.75
	targetJSMBps     = 100.0
)

// BenchLine is one parsed `go test -bench` result.
type BenchLine struct {
	Pkg, Name string             // Name without the -GOMAXPROCS suffix
	Metrics   map[string]float64 // by unit: ns/op, MB/s, B/op, allocs/op, custom ones
	Base, Sub string             // Name without "Benchmark" split at the first '/'
	IsBare    bool               // a baseline (bare tokenizer / lexer)
}

func (l BenchLine) has(unit string) bool { _, ok := l.Metrics[unit]; return ok }

// size is the first part of the sub-benchmark name ("128KB" of "128KB/inject").
func (l BenchLine) size() string { s, _, _ := strings.Cut(l.Sub, "/"); return s }

var benchRe = regexp.MustCompile(`^(Benchmark[^\s]+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

// parseBench reads `go test -bench` output (several packages).
func parseBench(out string) []BenchLine {
	var lines []BenchLine
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if p, ok := strings.CutPrefix(l, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		m := benchRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		bl := BenchLine{Pkg: pkg, Name: m[1], Metrics: map[string]float64{}}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				bl.Metrics[f[i+1]] = v
			}
		}
		bl.Base, bl.Sub, _ = strings.Cut(strings.TrimPrefix(bl.Name, "Benchmark"), "/")
		lb := strings.ToLower(bl.Base)
		bl.IsBare = strings.Contains(lb, "bare") || strings.Contains(lb, "baseline")
		lines = append(lines, bl)
	}
	return lines
}

// bareFor finds the baseline of a rewriter benchmark in the same package:
// same size (first part of the sub-benchmark name), else a baseline
// without sub-benchmarks, else the only baseline.
func bareFor(r BenchLine, all []BenchLine) *BenchLine {
	var cands []*BenchLine
	for i := range all {
		if all[i].IsBare && all[i].Pkg == r.Pkg && all[i].has("MB/s") {
			cands = append(cands, &all[i])
		}
	}
	for _, c := range cands {
		if r.Sub != "" && c.size() == r.size() {
			return c
		}
	}
	for _, c := range cands {
		if c.Sub == "" {
			return c
		}
	}
	if len(cands) == 1 {
		return cands[0]
	}
	return nil
}

// micro: section 3, the rewriters' own benchmarks run from here.
func (b *bench) micro() {
	// crm_frame: the body rewriter the handler builds (real JS hook and
	// metrics) on the very page the proxy section serves as html-128KB.
	pkgs := []struct{ dir, kind, bench string }{{"./injector/", "HTML", "."}, {"./injector/jsrewrite/", "JS", "."},
		{"./caddymodule/", "crm_frame", "RewriteCRMPage"}}
	for _, p := range pkgs {
		b.logf("micro-benchmarks of %s (-benchtime %s)", p.dir, b.cfg.BenchTime)
		cmd := exec.Command("go", "test", "-count=1", "-run", "^$", "-bench", p.bench, "-benchmem", "-benchtime", b.cfg.BenchTime, p.dir)
		cmd.Dir = b.root
		outB, err := cmd.CombinedOutput()
		out := string(outB)
		if err != nil {
			b.rep.add(Row{Section: "Micro", Measure: p.kind + " rewriter (" + p.dir + ")", Result: "not available: go test failed (see notes)", Status: info})
			b.rep.note("go test -bench %s failed: %v: %s", p.dir, err, firstLines(out, 4))
			continue
		}
		lines := parseBench(out)
		var withMB []BenchLine
		for _, l := range lines {
			if l.has("MB/s") || (l.has("ratio") && l.has("rewrite-MB/s")) {
				withMB = append(withMB, l)
			}
		}
		if len(withMB) == 0 {
			b.rep.add(Row{Section: "Micro", Measure: p.kind + " rewriter (" + p.dir + ")", Result: "not available: no Benchmark reporting MB/s", Status: info})
			continue
		}
		for _, l := range withMB {
			b.rep.add(microRow(p.kind, l, lines))
		}
	}
}

// microRow judges one benchmark: HTML against its bare tokenizer (or the
// interleaved "ratio" metric a benchmark reports itself), JS in MB/s.
func microRow(kind string, l BenchLine, all []BenchLine) Row {
	name := strings.TrimPrefix(l.Name, "Benchmark")
	mbps := l.Metrics["MB/s"]
	mem := ""
	if l.has("B/op") {
		mem = fmt.Sprintf(", %s/op, %.0f allocs/op", fmtBytes(int64(l.Metrics["B/op"])), l.Metrics["allocs/op"])
	}
	if l.IsBare {
		return Row{Section: "Micro", Measure: kind + " " + name + " (baseline)", Plain: fmt.Sprintf("%.1f MB/s%s", mbps, mem),
			Result: fmt.Sprintf("%.1f MB/s", mbps)}
	}
	if r, ok := l.Metrics["ratio"]; ok && !l.has("MB/s") {
		// Measured interleaved within each iteration: the steadiest ratio.
		row := Row{Section: "Micro", Measure: kind + " " + name + " (interleaved)", Plain: fmt.Sprintf("%.1f MB/s", l.Metrics["bare-MB/s"]),
			CRM: fmt.Sprintf("%.1f MB/s", l.Metrics["rewrite-MB/s"]), Result: fmt.Sprintf("%.2f× bare", r)}
		if kind == "HTML" {
			row.Target, row.Status = fmt.Sprintf("≥ %.2f× bare tokenizer", targetHTMLvsBare), judge(r >= targetHTMLvsBare)
		} else {
			row.Target, row.Status = fmt.Sprintf("≥ %.0f MB/s", targetJSMBps), judge(l.Metrics["rewrite-MB/s"] >= targetJSMBps)
		}
		return row
	}
	row := Row{Section: "Micro", Measure: kind + " " + name, CRM: fmt.Sprintf("%.1f MB/s%s", mbps, mem)}
	bare := bareFor(l, all)
	ratio := 0.0
	if bare != nil && bare.Metrics["MB/s"] > 0 {
		row.Plain = fmt.Sprintf("%.1f MB/s (%s)", bare.Metrics["MB/s"], strings.TrimPrefix(bare.Name, "Benchmark"))
		ratio = mbps / bare.Metrics["MB/s"]
	}
	switch kind {
	case "crm_frame":
		row.Measure += " (html-128KB page, real JS hook)"
		row.Result = fmt.Sprintf("%.0f µs per page", l.Metrics["ns/op"]/1e3)
	case "HTML":
		row.Target = fmt.Sprintf("≥ %.2f× bare tokenizer", targetHTMLvsBare)
		if ratio == 0 {
			row.Result, row.Target = fmt.Sprintf("%.1f MB/s (no bare baseline of this size)", mbps), ""
		} else {
			row.Result, row.Status = fmt.Sprintf("%.2f× bare", ratio), judge(ratio >= targetHTMLvsBare)
		}
	default:
		row.Target = fmt.Sprintf("≥ %.0f MB/s", targetJSMBps)
		row.Result = fmt.Sprintf("%.1f MB/s", mbps)
		if ratio > 0 {
			row.Result += fmt.Sprintf(" (%.2f× bare)", ratio)
		}
		row.Status = judge(mbps >= targetJSMBps)
	}
	return row
}
