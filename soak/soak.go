// Package soak runs crmframe's soak test (issue 9): the real binary, many
// agents as real WebSocket clients, contacts created through the engine
// API, connections dropped and resumed, a config reload in the middle, and a
// verifier comparing every page's stream with a never-dropped reference
// connection of the same agent.
package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmframe/crmframe/internal/binproc"
)

// Config sets the size and pace of a soak run.
type Config struct {
	Bin            string        // crmframe binary; empty: go build ./cmd/crmframe
	Agents         int           // simulated agents (each: one page + one reference reader)
	Contacts       int           // contacts created through POST /contacts
	Rate           float64       // contacts per second
	DropEvery      time.Duration // every so often DropFraction of the pages lose their connection
	DropFraction   float64
	Duration       time.Duration // cap on load + drain; reaching it fails the run
	PingInterval   time.Duration // engine ping_interval: a half-open socket is cut after 2x
	GoroutineSlack int           // goroutines allowed above the baseline at the end
	Seed           uint64
	Short          bool // shorter talk times and timeouts
	Logf           func(format string, args ...any)
}

// DefaultConfig is the full soak (make soak).
func DefaultConfig() Config {
	return Config{Agents: 200, Contacts: 10000, Rate: 40, DropEvery: 5 * time.Second, DropFraction: 0.1,
		Duration: 9 * time.Minute, PingInterval: 2 * time.Second, GoroutineSlack: 10, Seed: 1}
}

// ShortConfig is the soak run by make test (well under a minute).
func ShortConfig() Config {
	return Config{Agents: 20, Contacts: 300, Rate: 15, DropEvery: 2 * time.Second, DropFraction: 0.1,
		Duration: 50 * time.Second, PingInterval: time.Second, GoroutineSlack: 10, Seed: 1, Short: true}
}

func (c Config) validate() error {
	switch {
	case c.Agents < 2 || c.Agents > 5000:
		return fmt.Errorf("agents must be 2..5000, got %d", c.Agents)
	case c.Contacts < 1:
		return fmt.Errorf("contacts must be at least 1, got %d", c.Contacts)
	case c.Rate <= 0 || math.IsInf(c.Rate, 0) || math.IsNaN(c.Rate):
		return fmt.Errorf("rate must be > 0, got %v", c.Rate)
	case c.DropEvery <= 0:
		return fmt.Errorf("drop-every must be > 0, got %s", c.DropEvery)
	case c.DropFraction < 0 || c.DropFraction > 1:
		return fmt.Errorf("drop fraction must be 0..1, got %v", c.DropFraction)
	case c.Duration <= 0:
		return fmt.Errorf("duration must be > 0, got %s", c.Duration)
	case c.PingInterval < 100*time.Millisecond:
		return fmt.Errorf("ping interval must be ≥ 100ms, got %s", c.PingInterval)
	}
	return nil
}

// Row is one line of the summary table.
type Row struct {
	Measure, Value, Target, Status string // Status: ok, FAIL or empty (information)
}

// Result is the outcome of a run.
type Result struct {
	Rows     []Row
	Failures []string
	Examples []string // first offending events/contacts, for the failures
	LogPath  string   // crmframe's output (kept when the run failed)
}

func (r *Result) row(measure, value, target string, ok *bool) {
	st := ""
	if ok != nil {
		st = "ok"
		if !*ok {
			st = "FAIL"
			r.Failures = append(r.Failures, measure+": "+value+" (want "+target+")")
		}
	}
	r.Rows = append(r.Rows, Row{measure, value, target, st})
}

func check(b bool) *bool { return &b }

// Table renders the rows as an aligned text table.
func (r *Result) Table() string {
	w := [3]int{len("measure"), len("value"), len("target")}
	for _, x := range r.Rows {
		w[0], w[1], w[2] = max(w[0], len([]rune(x.Measure))), max(w[1], len([]rune(x.Value))), max(w[2], len([]rune(x.Target)))
	}
	var b strings.Builder
	line := func(a, v, t, s string) {
		fmt.Fprintf(&b, "%-*s  %-*s  %-*s  %s\n", w[0], a, w[1], v, w[2], t, s)
	}
	line("measure", "value", "target", "")
	line(strings.Repeat("-", w[0]), strings.Repeat("-", w[1]), strings.Repeat("-", w[2]), "----")
	for _, x := range r.Rows {
		// %-*s counts bytes; pad by runes for the non-ASCII signs
		line(pad(x.Measure, w[0]), pad(x.Value, w[1]), pad(x.Target, w[2]), x.Status)
	}
	return b.String()
}

func pad(s string, n int) string {
	if d := n - len([]rune(s)); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// Run runs one soak; err is for a run that could not take place (build,
// start-up); invariant violations are in Result.Failures.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	dir, err := os.MkdirTemp("", "crmsoak-")
	if err != nil {
		return nil, err
	}
	res := &Result{}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	bin := cfg.Bin
	if bin == "" {
		root, err := binproc.ModuleRoot()
		if err != nil {
			return nil, err
		}
		logf("building crmframe")
		if bin, err = binproc.BuildBinary(root, dir); err != nil {
			return nil, err
		}
	}
	s := &server{bin: bin, dir: dir, secret: fmt.Sprintf("soak-secret-%016x-0123456789abcdef", cfg.Seed),
		pingInterval: cfg.PingInterval, acwBefore: 3 * time.Second, acwAfter: 2 * time.Second,
		noAnswer: 8 * time.Second, logoutGrace: 2 * time.Minute}
	if cfg.Short {
		s.acwBefore, s.acwAfter, s.noAnswer = 2*time.Second, time.Second, 4*time.Second
	}
	for i := range cfg.Agents {
		s.agents = append(s.agents, fmt.Sprintf("s%04d", i))
	}
	ports := make([]int, 4)
	for i := range ports {
		if ports[i], err = binproc.FreePort(); err != nil {
			return nil, err
		}
	}
	s.admin = fmt.Sprintf("127.0.0.1:%d", ports[0])
	s.crmPort, s.apiPort, s.metricsPort = ports[1], ports[2], ports[3]
	logf("starting crmframe (%s)", dir)
	if err := s.start(); err != nil {
		s.stop()
		return nil, err
	}
	defer s.stop()
	res.LogPath = s.logPath

	r := &runner{cfg: cfg, s: s, res: res, logf: logf, hc: &http.Client{Timeout: 15 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 32}}, abandoned: map[string]bool{}}
	r.run(ctx)
	if len(res.Failures) > 0 {
		keep = true
		res.LogPath = s.logPath
	} else {
		res.LogPath = ""
	}
	return res, nil
}

type runner struct {
	cfg  Config
	s    *server
	res  *Result
	logf func(string, ...any)
	hc   *http.Client
	e    *env

	agents []*agent
	truths []*truthReader

	mu        sync.Mutex
	created   []string
	createErr map[string]int
	firstErr  string
	abandoned map[string]bool // POST /events answered finished, reason abandoned
	abandonN  map[int]int     // abandon attempts by HTTP status

	reloaded   atomic.Bool
	reloadErr  error
	reloadTime time.Duration
	reloadVIP  bool
	vipCreated atomic.Int64
	peakGor    atomic.Int64
	serverDied atomic.Bool
}

func (r *runner) timings() timings {
	t := timings{
		answer: [2]time.Duration{200 * time.Millisecond, 1500 * time.Millisecond}, talk: [2]time.Duration{time.Second, 4 * time.Second},
		chatSend: [2]time.Duration{300 * time.Millisecond, time.Second}, chatAfter: [2]time.Duration{500 * time.Millisecond, 2500 * time.Millisecond},
		email: [2]time.Duration{500 * time.Millisecond, 2500 * time.Millisecond}, acwEnd: [2]time.Duration{200 * time.Millisecond, 1200 * time.Millisecond},
		readyAfter: [2]time.Duration{300 * time.Millisecond, 1500 * time.Millisecond}, pause: [2]time.Duration{time.Second, 4 * time.Second},
		retry: 4 * time.Second, pauseEvery: time.Minute,
	}
	if r.cfg.Short {
		for _, d := range []*[2]time.Duration{&t.answer, &t.talk, &t.chatSend, &t.chatAfter, &t.email, &t.acwEnd, &t.readyAfter, &t.pause} {
			d[0], d[1] = d[0]/2, d[1]/2
		}
		t.retry, t.pauseEvery = 2*time.Second, 15*time.Second
	}
	return t
}

func (r *runner) goroutines(ctx context.Context) (int, error) {
	m, err := r.s.scrape(ctx)
	if err != nil {
		return 0, err
	}
	if m["go_goroutines"] == nil {
		return 0, errors.New("no go_goroutines in /metrics")
	}
	return int(m.sum("go_goroutines")), nil
}

func (r *runner) run(ctx context.Context) {
	cfg, res := r.cfg, r.res
	// Baseline: the idle server, before any client.
	time.Sleep(500 * time.Millisecond)
	base, err := r.goroutines(ctx)
	if err != nil {
		res.row("metrics scrape", err.Error(), "works", check(false))
		return
	}
	r.e = &env{wsURL: r.s.wsURL(), secret: []byte(r.s.secret), t: r.timings(), stats: newStats(),
		dialer:   newDialer(),
		halfWait: 2*cfg.PingInterval + 2*time.Second}

	// Reference readers first (they see every event from seq 1), then the pages.
	r.logf("connecting %d agents", cfg.Agents)
	t0 := time.Now()
	for i, id := range r.s.agents {
		t := newTruth(id, r.e)
		if err := t.start(); err != nil {
			res.row("reference connections", fmt.Sprintf("%s: %v", id, err), "all connect", check(false))
			return
		}
		r.truths = append(r.truths, t)
		r.agents = append(r.agents, newAgent(id, r.e, cfg.Seed*1000003+uint64(i)))
	}
	for _, a := range r.agents {
		go a.run()
	}
	for time.Since(t0) < 30*time.Second {
		n := 0
		for _, a := range r.agents {
			if a.connected.Load() {
				n++
			}
		}
		if n == len(r.agents) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	connectTime := time.Since(t0)
	time.Sleep(r.e.t.readyAfter[1] + 200*time.Millisecond) // agents go Ready

	deadline := time.Now().Add(cfg.Duration)
	runCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	// Samplers: goroutines, server liveness.
	stopSample := make(chan struct{})
	var sampleWG sync.WaitGroup
	sampleWG.Add(1)
	go func() {
		defer sampleWG.Done()
		tk := time.NewTicker(2 * time.Second)
		defer tk.Stop()
		for {
			if n, err := r.goroutines(ctx); err == nil && int64(n) > r.peakGor.Load() {
				r.peakGor.Store(int64(n))
			}
			if !r.s.alive() {
				r.serverDied.Store(true)
				cancel()
				return
			}
			select {
			case <-stopSample:
				return
			case <-tk.C:
			}
		}
	}()

	// Drops.
	stopDrops := make(chan struct{})
	var dropWG sync.WaitGroup
	dropWG.Add(1)
	go func() {
		defer dropWG.Done()
		rng := rand.New(rand.NewPCG(cfg.Seed, 77))
		tk := time.NewTicker(cfg.DropEvery)
		defer tk.Stop()
		for {
			select {
			case <-stopDrops:
				return
			case <-tk.C:
			}
			n := int(math.Ceil(cfg.DropFraction * float64(len(r.agents))))
			for _, i := range rng.Perm(len(r.agents)) {
				if n == 0 {
					break
				}
				a := r.agents[i]
				if !a.connected.Load() {
					continue
				}
				d := dropReq{kind: dropHalfOpen, fresh: rng.Float64() < 0.1}
				switch p := rng.Float64(); {
				case p < 0.4:
					d.kind = dropClose
				case p < 0.7:
					d.kind = dropReset
				}
				select {
				case a.drop <- d:
					n--
				default:
				}
			}
		}
	}()

	// Load: contacts at a steady rate, the reload half-way.
	loadStart := time.Now()
	r.generate(runCtx)
	loadTime := time.Since(loadStart)

	// Drain: every contact ends.
	r.logf("all contacts created (%s); draining", loadTime.Round(time.Millisecond))
	drainStart := time.Now()
	active, drainErr := r.drain(runCtx)
	drainTime := time.Since(drainStart)
	close(stopDrops)
	dropWG.Wait()

	// Everyone leaves: pages log out, then the reference readers take the head.
	r.logf("agents leaving")
	for _, a := range r.agents {
		close(a.leave)
	}
	notLeft := 0
	leaveBy := time.After(30 * time.Second)
	for _, a := range r.agents {
		select {
		case <-a.left:
		case <-leaveBy:
			notLeft++
		}
	}
	var twg sync.WaitGroup
	for _, t := range r.truths {
		twg.Add(1)
		go func() { defer twg.Done(); t.finish(10 * time.Second) }()
	}
	twg.Wait()
	r.e.halfWG.Wait()
	close(stopSample)
	sampleWG.Wait()

	// Metrics after everyone left; goroutines must come back to the baseline.
	r.hc.CloseIdleConnections()
	var after int
	var m metrics
	for end := time.Now().Add(20 * time.Second); ; {
		m, err = r.s.scrape(ctx)
		if err == nil {
			after = int(m.sum("go_goroutines"))
			if m.sum("crmframe_ws_connections") == 0 && after <= base+cfg.GoroutineSlack {
				break
			}
		}
		if time.Now().After(end) || !r.s.alive() {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	hwm, rss, _ := r.s.memStatus()

	// ---- verification and table ----
	v := &verdict{}
	for _, t := range r.truths {
		verifyTruth(t, v)
	}
	for i, a := range r.agents {
		verifyAgent(a.id, a.conns, r.truths[i], v)
	}
	created := r.created
	ec := checkEnds(created, r.abandoned, active, r.truths)
	st := r.e.stats

	res.row("crmframe process", map[bool]string{true: "up", false: "died (see log)"}[!r.serverDied.Load() && r.s.alive()], "up", check(!r.serverDied.Load() && r.s.alive()))
	res.row("agents (page + reference connection each)", fmt.Sprintf("%d, connected in %s", cfg.Agents, connectTime.Round(time.Millisecond)), "", nil)
	res.row("contacts created", fmt.Sprintf("%d of %d in %s (%.1f/s)", len(created), cfg.Contacts, loadTime.Round(time.Second), float64(len(created))/loadTime.Seconds()),
		fmt.Sprintf("all, at %.0f/s", cfg.Rate), check(len(created) == cfg.Contacts))
	if len(r.createErr) > 0 {
		res.row("POST /contacts errors", fmt.Sprintf("%v, first: %s", r.createErr, r.firstErr), "none", check(false))
	}
	res.row("drain (all contacts ended)", drainTime.Round(100*time.Millisecond).String()+drainErr, fmt.Sprintf("within -duration %s", cfg.Duration), check(drainErr == ""))
	reloadVal := "not run"
	if r.reloaded.Load() || r.reloadErr != nil {
		reloadVal = fmt.Sprintf("took %s, vip queue live: %v, %d contacts to it", r.reloadTime.Round(time.Millisecond), r.reloadVIP, r.vipCreated.Load())
		if r.reloadErr != nil {
			reloadVal = r.reloadErr.Error()
		}
	}
	res.row("reload (acw_timeout changed, queue vip added)", reloadVal, "applied, connections kept", check(r.reloadErr == nil && r.reloaded.Load() && r.reloadVIP))
	var kinds []string
	total := 0
	for _, k := range []string{dropClose, dropReset, dropHalfOpen} {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, st.drops[k]))
		total += st.drops[k]
	}
	res.row("connections dropped", fmt.Sprintf("%d (%s); %d reconnected without resume", total, strings.Join(kinds, ", "), st.freshDrops), fmt.Sprintf("%.0f%% every %s", cfg.DropFraction*100, cfg.DropEvery), nil)
	res.row("resumes (welcome without snapshot)", fmt.Sprint(st.resumes), "", nil)
	res.row("half-open sockets cut by the server", fmt.Sprintf("%d of %d", st.halfOpenCut, st.halfOpenCut+st.halfOpenStuck),
		fmt.Sprintf("all, within %s of silence", r.e.halfWait), check(st.halfOpenStuck == 0))
	res.row("half-open sockets: gaps in what they still got", fmt.Sprintf("%d (%d events)", st.halfOpenGaps, st.halfOpenEvents), "0", check(st.halfOpenGaps == 0))
	res.row("reference streams (1..head, once each)", fmt.Sprintf("%d problems, %d reconnects", v.truthProblems, sumRecon(r.truths)), "0 problems", check(v.truthProblems == 0))
	published := m.sum("crmframe_engine_events_published_total")
	res.row("events in the agents' logs", fmt.Sprintf("%d (engine counter: %.0f)", v.truthEvents, published), "= crmframe_engine_events_published_total", check(float64(v.truthEvents) == published))
	res.row("events processed by the pages", fmt.Sprint(v.processed), "", nil)
	res.row("lost events", fmt.Sprint(v.lost), "0", check(v.lost == 0))
	res.row("duplicated events", fmt.Sprint(v.dup), "0", check(v.dup == 0))
	res.row("out-of-order events", fmt.Sprint(v.outOfOrder), "0", check(v.outOfOrder == 0))
	res.row("events differing from the reference", fmt.Sprint(v.corrupt), "0", check(v.corrupt == 0))
	res.row("bad resume welcomes (seq, replayed, epoch)", fmt.Sprint(v.resumeBad), "0", check(v.resumeBad == 0))
	res.row("snapshot welcomes on reconnect", fmt.Sprintf("%d (%d without resume asked), replacing %d events", v.snapshots, st.freshDrops, v.snapSkipped), "only when no resume was asked", check(st.snapshots == 0))
	res.row("snapshots differing from the log at their seq", fmt.Sprint(v.snapBad), "0", check(v.snapBad == 0))
	unexp, slow := 0, 0
	for code, n := range st.unexpected {
		if code == 4000 {
			slow += n
		} else {
			unexp += n
		}
	}
	res.row("healthy connections closed by the server", fmt.Sprintf("%d %v (+%d slow-consumer 4000)", unexp, st.unexpected, slow), "0 (4000 allowed)", check(unexp == 0))
	res.row("pages that could not reconnect / leave", fmt.Sprintf("%d dial errors, %d not left", st.dialErrors, notLeft)+firstNonEmpty(st.firstDialErr), "0 not left", check(notLeft == 0))
	res.row("contacts at their documented end", fmt.Sprintf("%d of %d; %s", ec.ended, ec.created, fmtCounts(ec.reasons)), "all (JOBFINISHED or abandoned)", check(ec.ended == ec.created))
	res.row("contacts still active / unfinished / vanished", fmt.Sprintf("%d / %d / %d", ec.stillActive, ec.unfinished, ec.vanished), "0 / 0 / 0", check(ec.stillActive+ec.unfinished+ec.vanished == 0))
	res.row("contacts offered more than once (reject, no answer)", fmt.Sprint(ec.multiOffered), "", nil)
	res.row("customer hang-ups via POST /events", fmtIntCounts(r.abandonN)+fmt.Sprintf("; %d answered finished/abandoned", len(r.abandoned)), "", nil)
	res.row("commands", fmt.Sprintf("%d ok; errors %s; %d pauses", st.cmdOK, fmtCounts(st.cmdErr), st.pauses), "no internal errors", check(st.cmdErr["internal"] == 0))
	res.row("peak RSS (VmHWM) / RSS at the end", fmt.Sprintf("%s / %s", fmtMiB(hwm), fmtMiB(rss)), "", nil)
	res.row("goroutines: baseline / peak / after leaving", fmt.Sprintf("%d / %d / %d", base, r.peakGor.Load(), after), fmt.Sprintf("after ≤ baseline + %d", cfg.GoroutineSlack), check(after <= base+cfg.GoroutineSlack))
	res.row("server welcomes (metric)", fmtCounts(toInt(m.byLabel("crmframe_ws_welcomes_total", "how"))), "", nil)
	res.row("server disconnects (metric, by reason)", fmtCounts(toInt(m.byLabel("crmframe_ws_disconnects_total", "reason"))), "", nil)
	res.Examples = append(append(res.Examples, v.examples...), ec.examples...)
	if st.firstInternal != "" {
		res.Examples = append(res.Examples, "internal error: "+st.firstInternal)
	}
}

func sumRecon(ts []*truthReader) int {
	n := 0
	for _, t := range ts {
		n += t.recon
	}
	return n
}

func firstNonEmpty(s string) string {
	if s == "" {
		return ""
	}
	return "; first: " + s
}

func toInt(m map[string]float64) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = int(v)
	}
	return out
}

func fmtCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func fmtIntCounts(m map[int]int) string {
	s := map[string]int{}
	for k, v := range m {
		s[fmt.Sprintf("HTTP %d", k)] = v
	}
	return fmtCounts(s)
}

func fmtMiB(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// ---- engine API ----

func (r *runner) post(ctx context.Context, path string, body any) (int, []byte, error) {
	js, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.s.apiURL()+path, bytes.NewReader(js))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (r *runner) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.s.apiURL()+path, nil)
	if err != nil {
		return err
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (r *runner) createErrf(key, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.createErr == nil {
		r.createErr = map[string]int{}
	}
	r.createErr[key]++
	if r.firstErr == "" {
		r.firstErr = fmt.Sprintf(format, args...)
	}
}

// create posts contact i (retried on a transport error: a reload closes
// idle keep-alive connections; a retry answered 409 means the first went in).
func (r *runner) create(ctx context.Context, i int) {
	rng := rand.New(rand.NewPCG(r.cfg.Seed, uint64(i)))
	id := fmt.Sprintf("soak-%05d", i)
	body := map[string]any{"id": id, "ani": fmt.Sprintf("+39 02 %07d", i)}
	switch p := rng.Float64(); {
	case p < 0.6:
		body["media_type"], body["queue"] = "telephony", "voice"
		if r.reloaded.Load() && rng.Float64() < 0.25 {
			body["queue"] = "vip"
		}
	case p < 0.85:
		body["media_type"], body["queue"] = "chat", "chat"
	default:
		body["media_type"], body["queue"], body["content_type"] = "channel", "mail", "email"
		body["content_description"] = fmt.Sprintf("Invoice %d", i)
	}
	var code int
	var b []byte
	var err error
	retried := false
	for try := 0; try < 3; try++ {
		code, b, err = r.post(ctx, "/contacts", body)
		if err == nil {
			break
		}
		retried = true
		if ctx.Err() != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	switch {
	case err != nil:
		r.createErrf("transport", "%s: %v", id, err)
		return
	case code == http.StatusCreated:
	case retried && code == http.StatusBadRequest && strings.Contains(string(b), "already exists"):
		// a retried POST whose first attempt went through
	default:
		r.createErrf(fmt.Sprint(code), "%s: %d %s", id, code, b)
		return
	}
	r.mu.Lock()
	r.created = append(r.created, id)
	r.mu.Unlock()
	if body["queue"] == "vip" {
		r.vipCreated.Add(1)
	}
	// 3 %: the customer hangs up at some point (queued, ringing or talking).
	if rng.Float64() < 0.03 {
		after := time.Duration(300+rng.IntN(3700)) * time.Millisecond
		if r.cfg.Short {
			after /= 2
		}
		time.Sleep(after)
		code, b, err := r.post(context.Background(), "/events", map[string]any{"contact": id, "event": "CONNECTIONCLEARED"})
		var c struct{ State, Reason, Agent string }
		_ = json.Unmarshal(b, &c)
		r.mu.Lock()
		if r.abandonN == nil {
			r.abandonN = map[int]int{}
		}
		if err != nil {
			code = -1
		}
		r.abandonN[code]++
		if code == http.StatusOK && c.State == "finished" && c.Reason == "abandoned" {
			r.abandoned[id] = true
		}
		r.mu.Unlock()
	}
}

func (r *runner) generate(ctx context.Context) {
	cfg := r.cfg
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	half := cfg.Contacts / 2
	var reloadOnce sync.Once
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= cfg.Contacts || ctx.Err() != nil {
					return
				}
				at := start.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(at)):
				}
				if i == half {
					reloadOnce.Do(func() { wg.Add(1); go func() { defer wg.Done(); r.doReload(ctx) }() })
				}
				r.create(ctx, i)
			}
		}()
	}
	wg.Wait()
}

func (r *runner) doReload(ctx context.Context) {
	r.logf("reloading with a changed config")
	t0 := time.Now()
	err := r.s.reload()
	r.reloadTime = time.Since(t0)
	if err != nil {
		r.reloadErr = err
		return
	}
	var qs []struct{ Name string }
	if err := r.get(ctx, "/queues", &qs); err != nil {
		r.reloadErr = err
		return
	}
	for _, q := range qs {
		if q.Name == "vip" {
			r.reloadVIP = true
		}
	}
	r.reloaded.Store(true)
}

// drain waits until no contact is active; it returns the ones still active.
func (r *runner) drain(ctx context.Context) (map[string]bool, string) {
	for {
		var cs []struct{ ID string }
		err := r.get(ctx, "/contacts", &cs)
		if err == nil && len(cs) == 0 {
			return map[string]bool{}, ""
		}
		if ctx.Err() != nil {
			active := map[string]bool{}
			c2, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := r.get(c2, "/contacts", &cs); err == nil {
				for _, c := range cs {
					active[c.ID] = true
				}
			}
			return active, fmt.Sprintf(": cap reached with %d contacts active", len(active))
		}
		time.Sleep(250 * time.Millisecond)
	}
}
