package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/internal/binproc"

	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"
)

// Fan-out targets (issue 5).
const (
	targetWSp99     = 20 * time.Millisecond
	targetWSPerConn = 12 << 10
	benchSecret     = "crmbench-secret-0123456789abcdef0123456789abcdef"
	wsPath          = "/__crmframe/ws"
	// Where the engine looks for the agent token (tokenCookie and
	// tokenParam; not imported so the harness builds while the
	// engine is being changed).
	tokenCookie = "crmframe_token"
	tokenParam  = "token"
)

// defaultEngineGlobal enables the engine in the Caddyfile's global options
// (%s is the secret). Adjust here if the engine's Caddyfile syntax changes.
const defaultEngineGlobal = "\tcrm_engine {\n\t\tsecret %s\n\t}\n"

var caddyfileErrRe = regexp.MustCompile(`Caddyfile:\d+: (.*)$`)

// errNotAvailable marks a fan-out that this binary cannot run.
type errNotAvailable struct{ why string }

func (e errNotAvailable) Error() string { return "not available: " + e.why }

func (b *bench) fanout() {
	err := b.fanoutRun()
	var na errNotAvailable
	if errors.As(err, &na) {
		b.logf("fan-out skipped: %s", na.why)
		b.rep.add(Row{Section: "Fan-out", Measure: "WebSocket fan-out", Result: "not available in this build: " + na.why})
		return
	}
	if err != nil {
		b.logf("fan-out failed: %v", err)
		b.rep.add(Row{Section: "Fan-out", Measure: "WebSocket fan-out", Result: "failed (see notes)", Status: fail})
		b.rep.note("fan-out: %v", err)
	}
}

type wsMsg struct {
	Op    string          `json:"op"`
	ID    string          `json:"id"`
	OK    bool            `json:"ok"`
	Data  json.RawMessage `json:"data"`
	Error *struct{ Code, Message string }
}

type wsEvent struct {
	Event    string            `json:"event"`
	CallData map[string]string `json:"call_data"`
}

// wsClient is one agent page.
type wsClient struct {
	agent int
	conn  *websocket.Conn
}

func (b *bench) fanoutRun() error {
	cfg := b.cfg
	apiPort, err := binproc.FreePort()
	if err != nil {
		return err
	}
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	global := fmt.Sprintf(cfg.EngineGlobal, benchSecret)
	extra := fmt.Sprintf("\nhttp://127.0.0.1:%d {\n\tbind 127.0.0.1\n\tcrm_engine_api\n}\n", apiPort)
	if err := raiseFileLimit(uint64(cfg.WSClients) + 512); err != nil {
		return err
	}
	b.logf("fan-out: starting crmframe with the engine (%d clients, %d per agent)", cfg.WSClients, cfg.WSPerAgent)
	p, _, crm, err := b.startPair(global, extra)
	if err != nil {
		msg := firstLines(err.Error(), 1)
		if m := caddyfileErrRe.FindStringSubmatch(msg); m != nil {
			msg = m[1]
		}
		return errNotAvailable{"crmframe refused the engine config: " + msg}
	}
	defer p.Stop()
	fanoutAdmin = p.Admin
	defer func() { fanoutAdmin = "" }()
	return b.fanoutClients("ws"+strings.TrimPrefix(crm.Base, "http")+wsPath, api, p.Pid())
}

// fanoutClients connects the clients to wsURL, pushes events through the
// engine API at api and measures; pid is the process whose RSS grows.
func (b *bench) fanoutClients(wsURL, api string, pid int) error {
	cfg := b.cfg
	hc := newClient(64, 0) // as many as posting goroutines
	time.Sleep(300 * time.Millisecond)
	rss0, _, err := binproc.MemStatus(pid)
	if err != nil {
		return err
	}

	nAgents := (cfg.WSClients + cfg.WSPerAgent - 1) / cfg.WSPerAgent
	agentID := func(i int) string { return "bench-" + strconv.Itoa(i) }
	dialer := &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	dial := func(agent int) (*websocket.Conn, error) {
		tok, err := engine.MintToken([]byte(benchSecret), agentID(agent), "Bench Agent", time.Hour, time.Now())
		if err != nil {
			return nil, err
		}
		h := http.Header{}
		h.Set("Cookie", tokenCookie+"="+tok)
		c, resp, err := dialer.Dial(wsURL+"?"+tokenParam+"="+url.QueryEscape(tok), h)
		if err != nil {
			if resp != nil {
				return nil, fmt.Errorf("%s answered %d", wsPath, resp.StatusCode)
			}
			return nil, err
		}
		if err := c.WriteJSON(map[string]any{"op": "hello", "v": 1, "client": map[string]string{"kind": "sdk", "id": "bench"}}); err != nil {
			c.Close()
			return nil, err
		}
		if _, err := waitFor(c, func(m *wsMsg) bool { return m.Op == "welcome" }); err != nil {
			c.Close()
			return nil, fmt.Errorf("no welcome: %w", err)
		}
		return c, nil
	}
	// Probe: does this binary serve the WebSocket at all?
	first, err := dial(0)
	if err != nil {
		return errNotAvailable{"WebSocket " + wsPath + " on the crm_frame site: " + err.Error()}
	}
	clients := make([]*wsClient, cfg.WSClients) // page i belongs to agent i/WSPerAgent
	clients[0] = &wsClient{agent: 0, conn: first}
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.conn.Close()
			}
		}
	}()

	// Connect every page (upgrade, hello, welcome): the first half, then
	// the rest, with the RSS read in between.
	connect := func(from, to int) error {
		return parallel(32, to-from, func(i int) error {
			i += from
			agent := i / cfg.WSPerAgent
			c, err := dial(agent)
			if err != nil {
				return fmt.Errorf("client %d: %w", i, err)
			}
			clients[i] = &wsClient{agent: agent, conn: c}
			return nil
		})
	}
	half := max(1, cfg.WSClients/2)
	t0 := time.Now()
	if err := connect(1, half); err != nil {
		return err
	}
	connectTime := time.Since(t0)
	time.Sleep(500 * time.Millisecond)
	rssHalf, _, err := binproc.MemStatus(pid)
	if err != nil {
		return err
	}
	t1 := time.Now()
	if err := connect(half, cfg.WSClients); err != nil {
		return err
	}
	connectTime += time.Since(t1)
	// The connections are idle now. What one more idle connection costs
	// (its agent's state included: a connection creates it) is the RSS
	// growth over the second half: the first connections also pay for the
	// process warming up (pools, caches, the heap growing to its GC goal).
	time.Sleep(500 * time.Millisecond)
	rss1, _, err := binproc.MemStatus(pid)
	if err != nil {
		return err
	}
	perConn := (rss1 - rss0) / int64(len(clients))
	marginal := perConn
	if n := cfg.WSClients - half; n > 0 {
		marginal = (rss1 - rssHalf) / int64(n)
	}
	if dir := os.Getenv("CRMBENCH_FANOUT_PROFILE"); dir != "" && fanoutAdmin != "" {
		saveProfiles(dir, fanoutAdmin)
	}

	// One call per agent, so that DATACHANGED events can be pushed through
	// the engine API.
	contacts := make([]string, nAgents)
	err = parallel(32, nAgents, func(agent int) error {
		c := clients[agent*cfg.WSPerAgent].conn
		if _, err := command(c, "r", "AGENT.Ready", nil); err != nil {
			return fmt.Errorf("agent %d: %w", agent, err)
		}
		data, err := command(c, "m", "CONTACT.MakeCall", map[string]any{"destination": "5550100"})
		if err != nil {
			return fmt.Errorf("agent %d: %w", agent, err)
		}
		var ct struct{ ID string }
		if err := json.Unmarshal(data, &ct); err != nil || ct.ID == "" {
			return fmt.Errorf("agent %d: MakeCall result without a contact id: %s", agent, data)
		}
		contacts[agent] = ct.ID
		return nil
	})
	if err != nil {
		return err
	}
	// The built-in model answers each call a few seconds later
	// (dial_answer_after): wait for that so that those events stay out of
	// the measurement.
	err = parallel(32, nAgents, func(agent int) error {
		_, err := waitFor(clients[agent*cfg.WSPerAgent].conn, func(m *wsMsg) bool {
			var ev wsEvent
			return m.Op == "event" && json.Unmarshal(m.Data, &ev) == nil && ev.Event == "ESTABLISHED"
		})
		if err != nil {
			return fmt.Errorf("agent %d: call not answered: %w", agent, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	rss2, _, err := binproc.MemStatus(pid)
	if err != nil {
		return err
	}
	perConnCall := (rss2 - rss0) / int64(len(clients))

	// Probe the API once before the run.
	post := func(agent int) (int, error) {
		body, _ := json.Marshal(map[string]any{"agent": agentID(agent), "contact": contacts[agent], "event": "DATACHANGED",
			"call_data": map[string]string{"bt": strconv.FormatInt(time.Now().UnixNano(), 10)}})
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, api+"/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		var e struct{ Code, Message string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, fmt.Errorf("POST /events: %d %s %s", resp.StatusCode, e.Code, e.Message)
		}
		return resp.StatusCode, nil
	}

	// Readers: count DATACHANGED events carrying our timestamp.
	var delivered atomic.Int64
	var latMu sync.Mutex
	lat := make([]time.Duration, 0, int(cfg.WSEventRate*cfg.WSDuration.Seconds())*cfg.WSPerAgent+1024)
	var readers sync.WaitGroup
	for _, c := range clients {
		readers.Add(1)
		go func(c *wsClient) {
			defer readers.Done()
			local := make([]time.Duration, 0, 64)
			defer func() { latMu.Lock(); lat = append(lat, local...); latMu.Unlock() }()
			for {
				_, data, err := c.conn.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now()
				ns, ok := eventStamp(data)
				if !ok {
					continue
				}
				local = append(local, now.Sub(time.Unix(0, ns)))
				delivered.Add(1)
			}
		}(c)
	}
	if code, err := post(0); err != nil {
		if code == http.StatusNotFound || code == 0 {
			return errNotAvailable{"engine API (crm_engine_api) " + err.Error()}
		}
		return err
	}
	perAgent := make([]int64, nAgents)
	for _, c := range clients {
		perAgent[c.agent]++
	}
	expected := perAgent[0]

	// Driver: events at a steady rate, agents round robin.
	total := int(cfg.WSEventRate * cfg.WSDuration.Seconds())
	cpu0 := procCPU(pid)
	if dir := os.Getenv("CRMBENCH_FANOUT_PROFILE"); dir != "" && fanoutAdmin != "" {
		go saveCPUProfile(dir, fanoutAdmin, cfg.WSDuration)
	}
	var next atomic.Int64
	var posted, postErrs atomic.Int64
	var firstPostErr firstError
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= total {
					return
				}
				if d := time.Until(start.Add(time.Duration(float64(i) / cfg.WSEventRate * float64(time.Second)))); d > 0 {
					time.Sleep(d)
				}
				agent := i % nAgents
				if _, err := post(agent); err != nil {
					postErrs.Add(1)
					firstPostErr.set(err)
					continue
				}
				posted.Add(1)
				atomic.AddInt64(&expected, perAgent[agent])
			}
		}()
	}
	wg.Wait()
	postTime := time.Since(start)
	cpuShare := (procCPU(pid) - cpu0).Seconds() / postTime.Seconds()
	wait := time.Now().Add(10 * time.Second)
	for delivered.Load() < atomic.LoadInt64(&expected) && time.Now().Before(wait) {
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	for _, c := range clients {
		c.conn.Close()
	}
	readers.Wait()
	if e := firstPostErr.get(); e != nil {
		b.rep.note("fan-out: %d POST /events failed, first: %v", postErrs.Load(), e)
	}

	got, want := delivered.Load(), atomic.LoadInt64(&expected)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return -1
		}
		return lat[max(0, min(len(lat)-1, int(float64(len(lat))*p/100+0.5)-1))]
	}
	evRate := float64(posted.Load()) / postTime.Seconds()
	add := func(measure, result, target, status string) {
		b.rep.add(Row{Section: "Fan-out", Measure: measure, Result: result, Target: target, Status: status})
	}
	add(fmt.Sprintf("connections (%d agents × %d pages)", nAgents, cfg.WSPerAgent),
		fmt.Sprintf("%d in %s", len(clients), connectTime.Round(time.Millisecond)), fmt.Sprintf("%d (10000 with -ws-clients)", cfg.WSClients),
		judge(len(clients) == cfg.WSClients))
	add(fmt.Sprintf("engine events/s via POST /events (offered %.0f)", cfg.WSEventRate), fmt.Sprintf("%.0f", evRate),
		"≥ 95% of offered (2000 by default)", judge(evRate >= 0.95*cfg.WSEventRate))
	add("deliveries/s to clients", fmt.Sprintf("%.0f", float64(got)/elapsed.Seconds()), "", info)
	add("crmframe CPU while posting (cores)", fmt.Sprintf("%.2f", cpuShare), "", info)
	add("events delivered / expected", fmt.Sprintf("%d / %d", got, want), "all", judge(got == want && want > 0))
	add("delivery latency p50 / p99", fmt.Sprintf("%s / %s ms", fmtMs(pct(50)), fmtMs(pct(99))),
		fmt.Sprintf("p99 ≤ %d ms", targetWSp99/time.Millisecond), judge(pct(99) >= 0 && pct(99) <= targetWSp99))
	add(fmt.Sprintf("RSS per idle connection (growth over the last %d)", cfg.WSClients-half), fmtBytes(marginal), "≤ "+fmtBytes(targetWSPerConn), judge(marginal <= targetWSPerConn))
	add("RSS per idle connection (all growth ÷ connections, warm-up included)", fmtBytes(perConn), "", info)
	add("RSS per connection, agents Ready with one call each", fmtBytes(perConnCall), "", info)
	return nil
}

// raiseFileLimit makes sure this process and the crmframe it starts (which
// inherits the limit) may each open n files: one per connection plus a
// margin. Go raises the soft limit to the hard one at start-up already; the
// hard limit can only be raised by the administrator.
func raiseFileLimit(n uint64) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("open-file limit: %w", err)
	}
	if l.Cur >= n {
		return nil
	}
	if l.Max < n {
		return fmt.Errorf("open-file hard limit %d is below the %d this fan-out needs: raise it (ulimit -Hn, limits.conf) or lower -ws-clients", l.Max, n)
	}
	l.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("raising the open-file limit to %d: %w", n, err)
	}
	return nil
}

// fanoutAdmin is the admin address of the process under test (set by
// fanoutRun; the in-process test has none).
var fanoutAdmin string

// saveProfiles stores the binary's memory statistics and heap and goroutine
// profiles (Caddy's admin endpoint) with the connections open, for
// CRMBENCH_FANOUT_PROFILE=dir (go tool pprof -sample_index=inuse_space).
func saveProfiles(dir, admin string) {
	_ = os.MkdirAll(dir, 0o755)
	for name, path := range map[string]string{"vars.json": "/debug/vars", "heap.pb.gz": "/debug/pprof/heap?gc=1",
		"goroutine.txt": "/debug/pprof/goroutine?debug=1"} {
		resp, err := http.Get("http://" + admin + path)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_ = os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
}

// eventStamp returns the timestamp a DATACHANGED event of the run carries.
// The engine's encoding is matched without a JSON decoder first: the
// clients share the machine with the server they measure.
func eventStamp(data []byte) (int64, bool) {
	if bytes.HasPrefix(data, []byte(`{"op":"event",`)) && bytes.Contains(data, []byte(`"event":"DATACHANGED"`)) {
		if i := bytes.Index(data, []byte(`"bt":"`)); i >= 0 {
			rest := data[i+len(`"bt":"`):]
			if j := bytes.IndexByte(rest, '"'); j > 0 {
				if ns, err := strconv.ParseInt(string(rest[:j]), 10, 64); err == nil {
					return ns, true
				}
			}
		}
	}
	var m wsMsg
	if json.Unmarshal(data, &m) != nil || m.Op != "event" {
		return 0, false
	}
	var ev wsEvent
	if json.Unmarshal(m.Data, &ev) != nil || ev.Event != "DATACHANGED" {
		return 0, false
	}
	ns, err := strconv.ParseInt(ev.CallData["bt"], 10, 64)
	return ns, err == nil
}

// saveCPUProfile stores a CPU profile of the binary taken during the run.
func saveCPUProfile(dir, admin string, d time.Duration) {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", admin, max(1, int(d.Seconds()))))
	if err != nil {
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_ = os.WriteFile(filepath.Join(dir, "cpu.pb.gz"), b, 0o644)
}

// procCPU is the user+system CPU time the process has used so far (0 when
// /proc cannot tell).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// waitFor reads messages until one matches (5 s at most).
func waitFor(c *websocket.Conn, match func(*wsMsg) bool) (*wsMsg, error) {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	for {
		var m wsMsg
		_, data, err := c.ReadMessage()
		if err != nil {
			return nil, err
		}
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		if m.Op == "error" && m.Error != nil {
			return nil, fmt.Errorf("error %s: %s", m.Error.Code, m.Error.Message)
		}
		if match(&m) {
			return &m, nil
		}
	}
}

// command sends one cmd and returns its result data.
func command(c *websocket.Conn, id, name string, args any) (json.RawMessage, error) {
	msg := map[string]any{"op": "cmd", "id": id, "name": name}
	if args != nil {
		msg["args"] = args
	}
	if err := c.WriteJSON(msg); err != nil {
		return nil, err
	}
	m, err := waitFor(c, func(m *wsMsg) bool { return m.Op == "result" && m.ID == id })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !m.OK {
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s: %s", name, m.Error.Code, m.Error.Message)
		}
		return nil, fmt.Errorf("%s refused", name)
	}
	return m.Data, nil
}

// parallel runs f(0..n-1) on at most `workers` goroutines and returns the
// first error; no new f starts after one failed.
func parallel(workers, n int, f func(int) error) error {
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(workers)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error { return f(i) })
	}
	return g.Wait()
}

// firstError keeps the first error set from several goroutines.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (f *firstError) set(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
