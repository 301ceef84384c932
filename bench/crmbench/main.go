// Command crmbench is crmframe's end-to-end performance harness: it builds
// the real binary, runs a plain `reverse_proxy` site and a `crm_frame` +
// `reverse_proxy` site in the same process in front of one local upstream,
// and measures them side by side (interleaved rounds, so machine noise hits
// both alike). It prints one table, every figure next to its target with
// ✓/✗, and writes it with machine information to bench/results.md.
//
//	go run ./bench/crmbench            # default, a few minutes
//	go run ./bench/crmbench -quick     # smoke run, about a minute
//	go run ./bench/crmbench -long      # longer cells, steadier figures
//
// The exit status is 0 when the harness ran, whatever the figures; it is
// non-zero only when the harness itself failed (build, start-up, I/O).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/crmframe/crmframe/internal/binproc"
)

// Config is one run's settings.
type Config struct {
	Mode       string        // quick, default or long (for the record)
	Bin        string        // prebuilt crmframe; empty = go build
	Out        string        // results file; empty = none
	PerSite    time.Duration // measuring time per cell and site
	Rounds     int           // alternations per cell
	Concs      []int         // concurrencies
	Resources  []string      // resource names; empty = all
	NoVariants bool          // skip the extra crm_frame sites' rows (js_cache off, recompress_*)
	Pprof      string        // CPU profile of the worst cell to this file

	MemSlowRead time.Duration // pause between 16 KiB reads of a slow client
	TTFBReps    int

	Micro     bool
	BenchTime string // go test -benchtime for the micro-benchmarks

	Shim       bool          // the shim's cost in Chromium (./e2e/ BenchmarkShimCost)
	ShimWindow time.Duration // each idle and live window
	ShimRounds int           // plain/crm_frame alternations

	Fanout       bool
	WSClients    int
	WSPerAgent   int
	WSEventRate  float64 // events/s offered through the engine API
	WSDuration   time.Duration
	EngineGlobal string // global-options block enabling the engine (%s = secret)
}

func defaultConfig(mode string) Config {
	c := Config{Mode: mode, PerSite: 3 * time.Second, Rounds: 6, Concs: []int{1, 64},
		MemSlowRead: 25 * time.Millisecond, TTFBReps: 10, Micro: true, BenchTime: "1s",
		Shim: true, ShimWindow: 5 * time.Second, ShimRounds: 3,
		Fanout: true, WSClients: 1000, WSPerAgent: 2, WSEventRate: 2000, WSDuration: 5 * time.Second,
		EngineGlobal: defaultEngineGlobal}
	switch mode {
	case "quick":
		c.PerSite, c.Rounds = 400*time.Millisecond, 2
		c.MemSlowRead, c.TTFBReps, c.BenchTime = 8*time.Millisecond, 3, "100ms"
		c.WSClients, c.WSDuration, c.WSEventRate = 200, 2*time.Second, 500
		c.ShimWindow, c.ShimRounds = 1500*time.Millisecond, 1
	case "long":
		c.PerSite, c.Rounds = 10*time.Second, 10
		c.TTFBReps, c.BenchTime, c.WSDuration = 20, "3s", 15*time.Second
		c.ShimWindow, c.ShimRounds = 10*time.Second, 5
	}
	return c
}

func main() {
	quick := flag.Bool("quick", false, "smoke run (about a minute): short cells, fewer clients")
	long := flag.Bool("long", false, "long run: 10 s per cell and site, steadier figures")
	bin := flag.String("bin", "", "use this crmframe binary instead of building ./cmd/crmframe")
	out := flag.String("out", "", "results file (default <module>/bench/results.md; \"-\" for none)")
	perSite := flag.Duration("cell", 0, "measuring time per cell and site (overrides the mode)")
	rounds := flag.Int("rounds", 0, "A/B alternations per cell (overrides the mode)")
	only := flag.String("resources", "", "comma-separated resources to measure (default all: "+strings.Join(allResources(), ",")+")")
	micro := flag.Bool("micro", true, "run the rewriter micro-benchmarks (go test -bench)")
	benchtime := flag.String("benchtime", "", "go test -benchtime for the micro-benchmarks (overrides the mode)")
	shim := flag.Bool("shim", true, "measure the shim's CPU cost in headless Chromium (./e2e/ BenchmarkShimCost)")
	fanout := flag.Bool("fanout", true, "run the WebSocket fan-out section when the binary serves it")
	wsClients := flag.Int("ws-clients", 0, "WebSocket clients for the fan-out (default 1000; e.g. 10000)")
	wsRate := flag.Float64("ws-rate", 0, "engine events/s offered during the fan-out")
	wsDur := flag.Duration("ws-duration", 0, "fan-out measuring time")
	concs := flag.String("conc", "", "comma-separated concurrencies of the proxy section (default 1,64)")
	noVariants := flag.Bool("variants", true, "also measure the extra crm_frame sites (js_cache off, recompress_coding same, ...) on their resource")
	pprofOut := flag.String("pprof", "", "write a CPU profile of crmframe serving the worst-ratio cell to this file (go tool pprof -top FILE)")
	flag.Parse()
	mode := "default"
	if *quick && *long {
		fatalf("-quick and -long exclude each other")
	} else if *quick {
		mode = "quick"
	} else if *long {
		mode = "long"
	}
	cfg := defaultConfig(mode)
	cfg.Bin, cfg.Micro, cfg.Fanout, cfg.Pprof, cfg.Shim = *bin, *micro, *fanout, *pprofOut, *shim
	if *perSite > 0 {
		cfg.PerSite = *perSite
	}
	if *rounds > 0 {
		cfg.Rounds = *rounds
	}
	if *benchtime != "" {
		cfg.BenchTime = *benchtime
	}
	if *wsClients > 0 {
		cfg.WSClients = *wsClients
	}
	if *wsRate > 0 {
		cfg.WSEventRate = *wsRate
	}
	if *wsDur > 0 {
		cfg.WSDuration = *wsDur
	}
	cfg.NoVariants = !*noVariants
	if *concs != "" {
		c, err := parseConcs(*concs)
		if err != nil {
			fatalf("-conc: %v", err)
		}
		cfg.Concs = c
	}
	if *only != "" {
		for _, r := range strings.Split(*only, ",") {
			r = strings.TrimSpace(r)
			if !contains(allResources(), r) {
				fatalf("-resources: unknown resource %q (have %s)", r, strings.Join(allResources(), ", "))
			}
			cfg.Resources = append(cfg.Resources, r)
		}
	}
	root, err := binproc.ModuleRoot()
	if err != nil {
		fatalf("%v", err)
	}
	switch *out {
	case "":
		cfg.Out = filepath.Join(root, "bench", "results.md")
	case "-":
	default:
		cfg.Out = *out
	}
	rep, err := Run(cfg, root, os.Stderr)
	if err != nil {
		fatalf("%v", err)
	}
	fmt.Print(rep.Table())
	for _, n := range rep.Notes {
		fmt.Println("note: " + n)
	}
	p, f := rep.Counts()
	fmt.Printf("\n%d targets met, %d missed", p, f)
	if cfg.Out != "" {
		fmt.Printf("; written to %s", cfg.Out)
	}
	fmt.Println()
}

// parseConcs reads -conc: comma-separated concurrencies, each at least 1.
func parseConcs(s string) ([]int, error) {
	var out []int
	for _, c := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad concurrency %q", c)
		}
		out = append(out, n)
	}
	return out, nil
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "crmbench: "+format+"\n", args...)
	os.Exit(1)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func allResources() []string {
	return []string{resHTML128, resHTML1M, resJS, resImage, resGzip, resHTML128Chunked, resGzipChunked}
}

// Run runs every section and writes cfg.Out. Progress goes to logw.
func Run(cfg Config, root string, logw io.Writer) (*Report, error) {
	started := time.Now()
	logf := func(format string, args ...any) {
		fmt.Fprintf(logw, "[crmbench %5.1fs] "+format+"\n", append([]any{time.Since(started).Seconds()}, args...)...)
	}
	loadStart := loadAvg()
	tmp, err := os.MkdirTemp("", "crmbench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	bin := cfg.Bin
	if bin == "" {
		logf("building ./cmd/crmframe")
		if bin, err = binproc.BuildBinary(root, tmp); err != nil {
			return nil, err
		}
	}
	content, err := generateContent()
	if err != nil {
		return nil, err
	}
	up, err := startUpstream(content)
	if err != nil {
		return nil, err
	}
	defer up.Close()

	rep := &Report{}
	b := &bench{cfg: cfg, bin: bin, tmp: tmp, root: root, content: content, up: up, logf: logf, rep: rep}
	if err := b.proxyAndTTFB(); err != nil {
		return nil, err
	}
	if err := b.memory(); err != nil {
		return nil, err
	}
	if cfg.Micro {
		b.micro()
	}
	if cfg.Shim {
		b.shim()
	}
	if cfg.Fanout {
		b.fanout()
	}
	elapsed := time.Since(started).Round(time.Second)
	loadEnd := loadAvg()
	logf("done in %s", elapsed)
	if cfg.Out != "" {
		if err := writeResults(cfg, root, rep, elapsed, loadStart, loadEnd); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// bench carries what the sections share.
type bench struct {
	cfg     Config
	bin     string
	tmp     string
	root    string
	content *Content
	up      *Upstream
	logf    func(string, ...any)
	rep     *Report
	procs   int // fresh process counter (own folder each)
}

func writeResults(cfg Config, root string, rep *Report, elapsed time.Duration, loadStart, loadEnd string) error {
	var b strings.Builder
	b.WriteString("# crmframe end-to-end benchmark results\n\n")
	b.WriteString("Generated by `make bench` (`go run ./bench/crmbench`); see docs/performance.md for how to read it.\n\n")
	for _, l := range machineInfo(root) {
		b.WriteString("- " + l + "\n")
	}
	fmt.Fprintf(&b, "- Mode: %s (%s per cell and site in %d alternating rounds; micro-benchmarks -benchtime %s)\n", cfg.Mode, cfg.PerSite, cfg.Rounds, cfg.BenchTime)
	fmt.Fprintf(&b, "- Load average at start / end: %s / %s\n", loadStart, loadEnd)
	fmt.Fprintf(&b, "- Run time: %s\n\n", elapsed)
	b.WriteString(rep.Table())
	p, f := rep.Counts()
	fmt.Fprintf(&b, "\n%d targets met, %d missed.\n", p, f)
	if len(rep.Notes) > 0 {
		b.WriteString("\nNotes:\n\n")
		for _, n := range rep.Notes {
			b.WriteString("- " + n + "\n")
		}
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(cfg.Out, []byte(b.String()), 0o644)
}
