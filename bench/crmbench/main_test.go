package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmframe/crmframe/internal/binproc"
)

// TestHarnessSmoke runs the whole harness on tiny durations against the
// real binary so that it cannot rot. Figures are not judged here (they
// are meaningless at these durations); the harness must produce them.
// CRMBENCH_BIN=<path> reuses a built crmframe instead of building one.
func TestHarnessSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary; skipped with -short")
	}
	root, err := binproc.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig("quick")
	cfg.Bin = os.Getenv("CRMBENCH_BIN")
	cfg.Out = filepath.Join(t.TempDir(), "results.md")
	cfg.PerSite, cfg.Rounds = 100*time.Millisecond, 2
	cfg.Concs = []int{1, 4} // 64 large responses in flight only slow the smoke run down
	cfg.MemSlowRead, cfg.TTFBReps = 2*time.Millisecond, 2
	cfg.BenchTime = "1x"
	cfg.Shim = false // Chromium: BenchmarkShimCost runs in make test's benchsmoke; its rows in TestShimRows
	cfg.WSClients, cfg.WSDuration, cfg.WSEventRate = 20, 500*time.Millisecond, 100
	rep, err := Run(cfg, root, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	bySection := map[string][]Row{}
	for _, r := range rep.Rows {
		bySection[r.Section] = append(bySection[r.Section], r)
	}
	if rows := bySection["Setup"]; len(rows) == 0 || rows[0].Status != pass {
		t.Errorf("setup: crm_frame not shown in the chain: %+v", rows)
	}
	// The gzip page is rewritten and goes out zstd to the bench client
	// (it accepts zstd), gzip from the recompress_coding same sites.
	codings := map[string]string{}
	for _, r := range bySection["Setup"] {
		if strings.HasPrefix(r.Measure, "gzip HTML") {
			codings[r.Measure] = r.CRM
			if r.Result != "yes" {
				t.Errorf("setup %q: rewritten page not found in %s", r.Measure, r.CRM)
			}
		}
	}
	if c := codings["gzip HTML decoded, rewritten, re-encoded"]; !strings.Contains(c, "sent as zstd") {
		t.Errorf("default site sent the gzip page as %q, want zstd", c)
	}
	if c := codings["gzip HTML with recompress_coding same"]; !strings.Contains(c, "sent as gzip") {
		t.Errorf("recompress_coding same site sent the gzip page as %q, want gzip", c)
	}
	// One row per resource and concurrency, one per variant site (the JS
	// bundle with js_cache off, the gzip page with recompress_coding same
	// at levels 5 and 1) and concurrency, and the added-latency row.
	if got, want := len(bySection["Proxy"]), (len(allResources())+len(variants))*len(cfg.Concs)+1; got != want {
		t.Errorf("proxy rows: got %d, want %d", got, want)
	}
	for _, r := range bySection["Proxy"] {
		if r.Status == info || strings.Contains(r.Result, "error") || !strings.Contains(r.Plain, "p50") && !strings.Contains(r.Measure, "added") {
			t.Errorf("proxy row without figures: %+v", r)
		}
	}
	for _, s := range []string{"TTFB", "Memory", "Micro", "Fan-out"} {
		if len(bySection[s]) == 0 {
			t.Errorf("no %s rows", s)
		}
	}
	for _, r := range append(bySection["TTFB"], bySection["Memory"]...) {
		if strings.Contains(r.Result, "failed") || r.Status == info {
			t.Errorf("%s row without a figure: %+v", r.Section, r)
		}
	}
	out, err := os.ReadFile(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CPU: ", "Cores: ", "Go: ", "| Proxy ", "| Memory ", "targets met"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("results file lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(rep.Table())
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = testWriter{}

func TestParseBench(t *testing.T) {
	out := `goos: linux
pkg: github.com/crmframe/crmframe/injector
BenchmarkRewriteHTML/128KB/inject-2         	     100	   1387394 ns/op	  94.47 MB/s	   61852 B/op	    6736 allocs/op
BenchmarkTokenizerBare/128KB-2              	     100	    983326 ns/op	 133.29 MB/s	   58573 B/op	    6714 allocs/op
BenchmarkRewriteVsTokenizer/1MB-2           	      12	         0.7900 ratio	       173.0 bare-MB/s	       136.0 rewrite-MB/s
PASS
pkg: github.com/crmframe/crmframe/injector/jsrewrite
BenchmarkRewrite-2   	      50	   5000000 ns/op	 140.00 MB/s
BenchmarkLexerBare-2 	      50	   2500000 ns/op	 280.00 MB/s
`
	lines := parseBench(out)
	if len(lines) != 5 {
		t.Fatalf("parsed %d lines, want 5: %+v", len(lines), lines)
	}
	rw := lines[0]
	if rw.Name != "BenchmarkRewriteHTML/128KB/inject" || rw.Pkg != "github.com/crmframe/crmframe/injector" || rw.Metrics["MB/s"] != 94.47 || rw.Metrics["B/op"] != 61852 || rw.IsBare {
		t.Errorf("rewriter line: %+v", rw)
	}
	bare := bareFor(rw, lines)
	if bare == nil || bare.Name != "BenchmarkTokenizerBare/128KB" {
		t.Fatalf("bare for %s: %+v", rw.Name, bare)
	}
	if r := microRow("HTML", rw, lines); r.Status != fail || r.Result != "0.71× bare" {
		t.Errorf("HTML row: %+v", r)
	}
	if r := microRow("HTML", lines[2], lines); r.Status != pass || r.Result != "0.79× bare" {
		t.Errorf("interleaved row: %+v", r)
	}
	js := lines[3]
	if b := bareFor(js, lines); b == nil || b.Name != "BenchmarkLexerBare" {
		t.Errorf("JS bare: %+v", b)
	}
	if r := microRow("JS", js, lines); r.Status != pass || r.Result != "140.0 MB/s (0.50× bare)" {
		t.Errorf("JS row: %+v", r)
	}
	crm := parseBench("pkg: github.com/crmframe/crmframe/caddymodule\nBenchmarkRewriteCRMPage-2 \t 5000 \t 240000 ns/op \t 546.13 MB/s \t 13000 B/op \t 125 allocs/op\n")
	if len(crm) != 1 {
		t.Fatalf("crm_frame line: %+v", crm)
	}
	if r := microRow("crm_frame", crm[0], crm); r.Result != "240 µs per page" || r.Status != "" || r.Target != "" {
		t.Errorf("crm_frame row: %+v", r)
	}
}

func TestPairedRatio(t *testing.T) {
	a := Sample{Rounds: []float64{100, 100, 10, 100}} // a burst of outside load in round 3
	b := Sample{Rounds: []float64{90, 95, 100, 92}}
	if r := pairedRatio(a, b); r < 0.92 || r > 0.96 {
		t.Errorf("paired ratio %.3f, want the median pair (~0.935), not skewed by the burst", r)
	}
	s := Sample{Lat: []time.Duration{5, 1, 4, 2, 3}}
	if s.Pct(50) != 3 || s.Pct(100) != 5 || s.Pct(1) != 1 {
		t.Errorf("percentiles: p50 %v p100 %v p1 %v", s.Pct(50), s.Pct(100), s.Pct(1))
	}
}

// TestShimRows: BenchmarkShimCost's output line becomes the Agent PC rows,
// crm_frame's difference from plain in the result column.
func TestShimRows(t *testing.T) {
	out := "pkg: github.com/crmframe/crmframe/e2e\n" +
		"BenchmarkShimCost-2   \t       1\t         2.109 cpu-ms/s-idle-crm\t         0.1879 cpu-ms/s-idle-plain\t       602.3 cpu-ms/s-live-crm\t       372.3 cpu-ms/s-live-plain\t  80 cpu-ms/s-hidden-crm\t 20.5 cpu-ms/s-hidden-plain\t      1009 load-ms-crm\t      1623 load-ms-plain\t0 ns/op\n"
	rows := shimRows(parseBench(out), 5*time.Second, 3)
	if len(rows) != 4 {
		t.Fatalf("got %d rows, want 4: %+v", len(rows), rows)
	}
	want := [][3]string{{"0.2 ms/s", "2.1 ms/s", "+1.9 ms/s"}, {"372.3 ms/s", "602.3 ms/s", "+230.0 ms/s"}, {"20.5 ms/s", "80.0 ms/s", "+59.5 ms/s"}, {"1623.0 ms", "1009.0 ms", "-614.0 ms"}}
	for i, r := range rows {
		if r.Section != "Agent PC" || r.Plain != want[i][0] || r.CRM != want[i][1] || r.Result != want[i][2] || !strings.Contains(r.Measure, "median of 3") {
			t.Errorf("row %d: %+v, want plain/crm/result %v", i, r, want[i])
		}
	}
	if rows := shimRows(parseBench("BenchmarkOther-2 1 5 ns/op\n"), time.Second, 1); len(rows) != 1 || !strings.Contains(rows[0].Result, "not available") {
		t.Errorf("without the benchmark's line: %+v, want one not-available row", rows)
	}
}

func TestParseConcs(t *testing.T) {
	if got, err := parseConcs("1, 64"); err != nil || len(got) != 2 || got[0] != 1 || got[1] != 64 {
		t.Errorf("parseConcs(\"1, 64\") = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "1,x", "-4"} {
		if _, err := parseConcs(bad); err == nil {
			t.Errorf("parseConcs(%q): no error", bad)
		}
	}
}
