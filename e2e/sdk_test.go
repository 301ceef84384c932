package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

// sdkCRM is the legacy CRM of the SDK test: the pages of testdata/sdkcrm,
// with testdata/sdkcrm/probe.js inlined where they say <!--probe-->, sent
// with the anti-framing headers a real legacy CRM sends.
func sdkCRM(t *testing.T) *httptest.Server {
	t.Helper()
	dir := filepath.Join("testdata", "sdkcrm")
	probe, err := os.ReadFile(filepath.Join(dir, "probe.js"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if strings.Contains(name, "/") || !strings.HasSuffix(name, ".html") {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		page := strings.Replace(string(b), "<!--probe-->", "<script>\n"+string(probe)+"</script>", 1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")
		io.WriteString(w, page)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// worlds tracks the main-world execution context of every frame, so that the
// test can call the CRM frame's AGENTDESKTOP (chromium.EvalInFrame only
// reaches an isolated world) and await its Promises.
type worlds struct {
	mu   sync.Mutex
	main map[cdp.FrameID]string // frame → unique id of its main world
}

func trackWorlds(t *testing.T, ctx context.Context) *worlds {
	w := &worlds{main: map[cdp.FrameID]string{}}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExecutionContextCreated:
			var aux struct {
				FrameID   cdp.FrameID `json:"frameId"`
				IsDefault bool        `json:"isDefault"`
			}
			if json.Unmarshal(e.Context.AuxData, &aux) == nil && aux.IsDefault && aux.FrameID != "" {
				w.mu.Lock()
				w.main[aux.FrameID] = e.Context.UniqueID
				w.mu.Unlock()
			}
		case *runtime.EventExecutionContextDestroyed:
			w.mu.Lock()
			for f, u := range w.main {
				if u == e.ExecutionContextUniqueID {
					delete(w.main, f)
				}
			}
			w.mu.Unlock()
		case *runtime.EventExecutionContextsCleared:
			w.mu.Lock()
			clear(w.main)
			w.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// inFrame evaluates expr in the frame's main world and awaits a Promise.
func inFrame[T any](ctx context.Context, w *worlds, frame cdp.FrameID, expr string) (T, error) {
	w.mu.Lock()
	u := w.main[frame]
	w.mu.Unlock()
	if u == "" {
		var zero T
		return zero, errors.New("frame has no main world (navigating?)")
	}
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise, func(p *runtime.EvaluateParams) { p.UniqueContextID = u }))
}

// inShell evaluates expr in the desktop shell (the top page).
func inShell[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// eventually polls cond until it reports true; on timeout the test fails with
// what cond said last.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %v (last: %s)", what, timeout, detail)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// What probe.js records in the CRM frame's sessionStorage.
type probeEvent struct {
	Load string         `json:"load"`
	Seq  int            `json:"seq"`
	Ev   map[string]any `json:"ev"`
}

type probeLoad struct {
	Load     string             `json:"load"`
	Href     string             `json:"href"`
	Status   string             `json:"status"`
	Resume   *struct{ Seq int } `json:"resume"`
	Contacts []map[string]any   `json:"contacts"`
	Widget   string             `json:"widget"`
}

type probeStatus struct {
	Load     string `json:"load"`
	Status   string `json:"status"`
	Resumed  bool   `json:"resumed"`
	Replayed int    `json:"replayed"`
	Code     int    `json:"code"`
}

func (s probeStatus) String() string {
	return fmt.Sprintf("%s(resumed=%v replayed=%d code=%d)", s.Status, s.Resumed, s.Replayed, s.Code)
}

// sdkRig drives one scenario: the shell in the tab's top page, the CRM in its
// iframe, the engine through its HTTP API.
type sdkRig struct {
	t     *testing.T
	ctx   context.Context
	w     *worlds
	frame cdp.FrameID // the CRM iframe (stable across its navigations)
	api   string
}

func (r *sdkRig) crm(expr string) any {
	r.t.Helper()
	v, err := inFrame[any](r.ctx, r.w, r.frame, expr)
	if err != nil {
		r.t.Fatalf("CRM frame: %s: %v", expr, err)
	}
	return v
}

func (r *sdkRig) shell(expr string) any {
	r.t.Helper()
	v, err := inShell[any](r.ctx, expr)
	if err != nil {
		r.t.Fatalf("shell: %s: %v", expr, err)
	}
	return v
}

// waitShell waits until the boolean expression is true in the shell; detail
// is evaluated for the failure message.
func (r *sdkRig) waitShell(what, expr, detail string) {
	r.t.Helper()
	eventually(r.t, what, 10*time.Second, func() (bool, string) {
		ok, err := inShell[bool](r.ctx, expr)
		if err == nil && ok {
			return true, ""
		}
		d, _ := inShell[string](r.ctx, detail)
		return false, fmt.Sprintf("%v %q", err, d)
	})
}

func (r *sdkRig) waitCRM(what, expr string) {
	r.t.Helper()
	eventually(r.t, what, 10*time.Second, func() (bool, string) {
		ok, err := inFrame[bool](r.ctx, r.w, r.frame, expr)
		if err == nil && ok {
			return true, ""
		}
		href, _ := inFrame[string](r.ctx, r.w, r.frame, "location.href + ' ' + JSON.stringify(AGENTDESKTOP.getStatus())")
		return false, fmt.Sprintf("%v at %s", err, href)
	})
}

func (r *sdkRig) events() []probeEvent {
	r.t.Helper()
	var out []probeEvent
	b, err := inFrame[string](r.ctx, r.w, r.frame, `sessionStorage.getItem('t.events') || '[]'`)
	if err == nil {
		err = json.Unmarshal([]byte(b), &out)
	}
	if err != nil {
		r.t.Fatalf("read probe events: %v", err)
	}
	return out
}

func (r *sdkRig) loads() []probeLoad {
	r.t.Helper()
	var out []probeLoad
	b, err := inFrame[string](r.ctx, r.w, r.frame, `sessionStorage.getItem('t.loads') || '[]'`)
	if err == nil {
		err = json.Unmarshal([]byte(b), &out)
	}
	if err != nil {
		r.t.Fatalf("read probe loads: %v", err)
	}
	return out
}

func (r *sdkRig) statuses(load string) []probeStatus {
	r.t.Helper()
	var all, out []probeStatus
	b, err := inFrame[string](r.ctx, r.w, r.frame, `sessionStorage.getItem('t.status') || '[]'`)
	if err == nil {
		err = json.Unmarshal([]byte(b), &all)
	}
	if err != nil {
		r.t.Fatalf("read probe statuses: %v", err)
	}
	for _, s := range all {
		if s.Load == load {
			out = append(out, s)
		}
	}
	return out
}

// currentLoad returns the probe id of the page the CRM frame shows now.
func (r *sdkRig) currentLoad() string {
	r.t.Helper()
	s, _ := r.crm(`T.load`).(string)
	if s == "" {
		r.t.Fatal("CRM page has no probe")
	}
	return s
}

// waitConnected waits until the CRM frame shows path and its page's SDK is
// connected, and returns that page's probe id.
func (r *sdkRig) waitConnected(path string) string {
	r.t.Helper()
	r.waitCRM("CRM page "+path+" connected", fmt.Sprintf(`location.pathname === %q && AGENTDESKTOP.getStatus().status === 'connected'`, path))
	return r.currentLoad()
}

func (r *sdkRig) call(method, path string, body any) (int, map[string]any) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.api+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		r.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

// contactEvents returns the names of the events of one contact, in order.
func contactEvents(evs []probeEvent, id string) []string {
	var out []string
	for _, e := range evs {
		if e.Ev["id"] == id {
			out = append(out, e.Ev["event"].(string))
		}
	}
	return out
}

// checkNoGap asserts that the events the CRM pages' bindContactCallback saw,
// across every page of the frame, have consecutive seq numbers: none lost,
// none delivered twice.
func checkNoGap(t *testing.T, evs []probeEvent) {
	t.Helper()
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq != evs[i-1].Seq+1 {
			t.Fatalf("CRM events not gap-free: seq %d (%s on %s) after %d (%s on %s)", evs[i].Seq, evs[i].Ev["event"], evs[i].Load,
				evs[i-1].Seq, evs[i-1].Ev["event"], evs[i-1].Load)
		}
	}
}

func findEvent(evs []probeEvent, id, name string) []probeEvent {
	var out []probeEvent
	for _, e := range evs {
		if e.Ev["id"] == id && e.Ev["event"] == name {
			out = append(out, e)
		}
	}
	return out
}

// one returns the only event of that contact with that name (and phase).
func one(t *testing.T, evs []probeEvent, id, name, phase string) probeEvent {
	t.Helper()
	var hit []probeEvent
	for _, e := range findEvent(evs, id, name) {
		if p, _ := e.Ev["phase"].(string); p == phase {
			hit = append(hit, e)
		}
	}
	if len(hit) != 1 {
		t.Fatalf("want exactly one %s (phase %q) for %s, got %d", name, phase, id, len(hit))
	}
	return hit[0]
}

func wantFields(t *testing.T, e probeEvent, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := e.Ev[k]; !reflect.DeepEqual(got, v) {
			t.Errorf("%s seq %d: %s = %#v, want %#v", e.Ev["event"], e.Seq, k, got, v)
		}
	}
}

// TestSDKDesktopEndToEnd runs the demo set-up on free ports with the real
// binary (desktop shell, crm_frame in front of a CRM that refuses framing,
// the engine and its API) and drives it in Chromium like an agent: sign in,
// ready, an inbound call accepted in the shell, screen-pop, CRM navigation
// mid-call, call control from the CRM, an alert, a server-side WebSocket
// close and a chat both ways. Every event the CRM pages' bindContactCallback
// sees is checked for order, fields and gap-free seq.
func TestSDKDesktopEndToEnd(t *testing.T) {
	t.Parallel()
	start := time.Now()
	upstream := sdkCRM(t)
	deskDir, err := filepath.Abs(filepath.Join("..", "examples", "desktop"))
	if err != nil {
		t.Fatal(err)
	}
	deskPort, crmPort, apiPort, mPort := caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t)
	desk := fmt.Sprintf("http://127.0.0.1:%d", deskPort)
	crmBase := fmt.Sprintf("http://127.0.0.1:%d", crmPort)
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	up := strings.TrimPrefix(upstream.URL, "http://")
	caddyfile := fmt.Sprintf(`{
	crm_engine {
		secret "e2e-sdk-test-secret-0123456789abcdef"
		demo_tokens
		pause_code 1701 "Lunch"
		queue sales a1
		no_answer_timeout 5m
		acw_timeout 5m
	}
}

%[1]s {
	root * %[2]q
	file_server
}

%[3]s {
	crm_frame {
		frame_ancestors %[1]s
		upstream_origin http://%[4]s
		screen_pop /customer.html?phone={ani}&id={id}
		screen_pop chat /chat.html?chat={chat_id}&id={id}
	}
	reverse_proxy %[4]s {
		header_up Host {upstream_hostport}
	}
}

%[5]s {
	bind 127.0.0.1
	crm_engine_api
}

%[6]s {
	bind 127.0.0.1
	metrics /metrics
}
`, desk, deskDir, crmBase, up, api, fmt.Sprintf("http://127.0.0.1:%d", mPort))
	caddyrun.Run(t, caddyfile, api+"/agents")
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", mPort)
	shimParent := func() float64 {
		return mScrape(t, metricsURL).val("crmframe_shim_actions_total", lbl{"kind": "parent"})
	}
	parent0 := shimParent()

	browser := chromium.New(t)
	ctx, cancel := context.WithTimeout(browser, 80*time.Second)
	defer cancel()
	r := &sdkRig{t: t, ctx: ctx, w: trackWorlds(t, ctx), api: api}
	// Every request reaches the network, so the test can pause the SDK
	// script of a page (below).
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}

	// 1. Sign in as a1 in the shell: it connects and opens the CRM frame
	// with the token, whose CRM page connects too.
	deskURL := desk + "/index.html?agent=a1&crm=" + url.QueryEscape(crmBase+"/home.html")
	if err := chromedp.Do(ctx, chromedp.Navigate(deskURL)); err != nil {
		t.Fatal(err)
	}
	r.waitShell("login form", `document.getElementById('agent-id').value === 'a1'`, `document.getElementById('agent-id').value`)
	r.shell(`document.querySelector('#login button[type=submit]').click(), true`)
	r.waitShell("shell connected", `document.getElementById('conn').textContent === 'connected'`, `document.getElementById('conn').textContent`)
	eventually(t, "CRM frame signed in and connected", 10*time.Second, func() (bool, string) {
		fs, err := chromium.Frames(ctx)
		if err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, f := range fs {
			if f.ParentID == "" {
				continue
			}
			seen = append(seen, f.URL)
			if f.URL != crmBase+"/home.html" {
				continue
			}
			ok, _ := inFrame[bool](ctx, r.w, f.ID, `AGENTDESKTOP.getStatus().status === 'connected'`)
			if ok {
				r.frame = f.ID
				return true, ""
			}
		}
		return false, fmt.Sprint(seen)
	})
	home := r.currentLoad()
	if v := r.crm(`AGENTDESKTOP.getAgent().id + ' ' + AGENTDESKTOP.WIDGET.getContainerID() + ' ' + window.__crmframe.framed`); v != "a1 crm true" {
		t.Fatalf("CRM page SDK: agent, widget, framed = %q, want \"a1 crm true\"", v)
	}

	// 2. Ready in the shell; the CRM page's callback sees LOGGEDIN.
	r.shell(`document.getElementById('btn-ready').click(), true`)
	r.waitShell("shell shows LOGGEDIN", `document.getElementById('agent-state').textContent === 'LOGGEDIN'`, `document.getElementById('agent-state').textContent`)
	r.waitCRM("CRM sees LOGGEDIN", `AGENTDESKTOP.getAgent().state === 'LOGGEDIN'`)
	evs := r.events()
	if len(evs) != 1 || evs[0].Ev["event"] != "LOGGEDIN" || evs[0].Ev["agent"] != "a1" || evs[0].Load != home {
		t.Fatalf("CRM callback after Ready: %+v, want one LOGGEDIN of a1 on %s", evs, home)
	}

	// The CRM page reads window.parent (framed by the desktop): the shim
	// counts it; the SDK reports it (at the latest the next page does,
	// after the screen-pop below) and the Prometheus counter moves.
	if v := r.crm(`String(window.parent === window) + ' ' + (window.__crmframe.stats.parent > 0)`); v != "true true" {
		t.Fatalf("CRM page: parent is itself, shim counted it = %q, want \"true true\"", v)
	}
	parentRead := r.crm(`window.__crmframe.stats.parent`).(float64)

	// 3. An inbound call through the engine API, offered to a1.
	const ani = "+39 02 5550 1234"
	code, c := r.call("POST", "/contacts", map[string]any{"queue": "sales", "ani": ani, "dnis": "800100100",
		"call_data": map[string]string{"customer_id": "1001"}})
	if code != http.StatusCreated || c["state"] != "offered" || c["agent"] != "a1" {
		t.Fatalf("POST /contacts: %d %v", code, c)
	}
	id := c["id"].(string)

	// 4. The shell's Accept/Reject popup shows the caller; accept.
	r.waitShell("offer popup", fmt.Sprintf(`document.getElementById('offer').open && document.getElementById('offer-fields').textContent.includes(%q)`, ani),
		`document.getElementById('offer-fields').textContent`)
	r.shell(`document.querySelector('#offer button[value=accept]').click(), true`)

	// 5. Screen-pop: the CRM frame (not the desktop) opens the caller's record.
	r.waitCRM("screen-pop to the caller's record", fmt.Sprintf(
		`location.pathname === '/customer.html' && new URLSearchParams(location.search).get('phone') === %q && new URLSearchParams(location.search).get('id') === %q`, ani, id))
	if u := r.shell(`location.href`); u != deskURL {
		t.Fatalf("the desktop navigated to %v", u)
	}
	customer := r.waitConnected("/customer.html")
	eventually(t, "the shim's parent reads reach crmframe_shim_actions_total", 10*time.Second, func() (bool, string) {
		d := shimParent() - parent0
		return d >= parentRead, fmt.Sprintf("moved by %v, the page counted %v", d, parentRead)
	})
	r.waitCRM("call online in the CRM", fmt.Sprintf(`(AGENTDESKTOP.getContact(%q) || {}).state === 'online'`, id))
	r.waitShell("shell shows the call online", `document.querySelector('#contacts .tag') && document.querySelector('#contacts .tag').textContent === 'online'`,
		`document.getElementById('contacts').textContent`)

	evs = r.events()
	checkNoGap(t, evs)
	want := []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED", "POPUP", "ESTABLISHED", "JOBSTARTED"}
	if got := contactEvents(evs, id); !reflect.DeepEqual(got, want) {
		t.Fatalf("CRM callback events for the call: %v, want %v", got, want)
	}
	common := map[string]any{"id": id, "media_type": "telephony", "type": "inbound", "job_type": "inbound", "isACD": true,
		"ani": ani, "dnis": "800100100", "queue": "sales", "agent": "a1", "call_data": map[string]any{"customer_id": "1001"}}
	uuid := evs[1].Ev["uuid"]
	for _, e := range evs[1:] {
		wantFields(t, e, common)
		wantFields(t, e, map[string]any{"uuid": uuid})
		if _, ok := e.Ev["time"].(float64); !ok {
			t.Errorf("%s: no time", e.Ev["event"])
		}
	}
	if s, _ := uuid.(string); len(s) != 36 {
		t.Errorf("uuid %v", uuid)
	}
	// docs/events.md: JOBSCHEDULED carries state offered (the ACD picked
	// the agent).
	wantFields(t, one(t, evs, id, "JOBSCHEDULED", ""), map[string]any{"state": "offered"})
	setup := one(t, evs, id, "JOBCHANGED", "setup")
	if _, ok := setup.Ev["job_state"]; ok {
		t.Errorf("JOBCHANGED setup has job_state %v", setup.Ev["job_state"])
	}
	est := one(t, evs, id, "ESTABLISHED", "")
	wantFields(t, est, map[string]any{"job_state": "online", "state": "online"})
	if _, ok := est.Ev["startTime"].(float64); !ok {
		t.Errorf("ESTABLISHED without startTime: %v", est.Ev)
	}
	wantFields(t, one(t, evs, id, "JOBSTARTED", "online"), map[string]any{"job_state": "online"})
	if one(t, evs, id, "POPUP", "").Load != home {
		t.Errorf("POPUP was not seen by the page that popped")
	}
	// The record page knew the call the moment it loaded (from the
	// previous page's state, before its WebSocket connected).
	var custLoad *probeLoad
	for _, l := range r.loads() {
		if l.Load == customer {
			custLoad = &l
		}
	}
	if custLoad == nil || len(custLoad.Contacts) != 1 || custLoad.Contacts[0]["id"] != id || custLoad.Contacts[0]["ani"] != ani || custLoad.Status == "connected" {
		t.Fatalf("customer page at load: %+v, want the call known before connecting", custLoad)
	}
	if st := r.statuses(customer); len(st) == 0 || !st[len(st)-1].Resumed {
		t.Fatalf("customer page statuses %v: want a resumed connection", st)
	}

	// 6. The agent clicks to another CRM page mid-call. The test holds that
	// page's SDK script and publishes an event while no CRM page is
	// connected: the new page must know the call at once and get the event
	// by resume.
	paused := make(chan *fetch.EventRequestPaused, 4)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			select {
			case paused <- e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/__crmframe/sdk.js*", RequestStage: fetch.RequestStageRequest}}}); err != nil {
		t.Fatal(err)
	}
	// The SDK of the previous pages may sit in the renderer's memory cache,
	// which setCacheDisabled does not empty.
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	r.crm(`document.getElementById('to-other').click(), true`)
	var p *fetch.EventRequestPaused
	select {
	case p = <-paused:
	case <-time.After(10 * time.Second):
		d, _ := inFrame[string](ctx, r.w, r.frame, `location.href + ' ' + JSON.stringify(performance.getEntriesByType('resource').map(e => [e.name, e.transferSize, e.deliveryType]))`)
		t.Fatalf("the tickets page did not request the SDK: %s", d)
	}
	if p.FrameID != r.frame {
		t.Fatalf("SDK request paused in frame %s, want the CRM frame %s", p.FrameID, r.frame)
	}
	code, _ = r.call("POST", "/events", map[string]any{"agent": "a1", "contact": id, "event": "DATACHANGED", "call_data": map[string]string{"note": "while navigating"}})
	if code != http.StatusOK {
		t.Fatalf("POST /events DATACHANGED: %d", code)
	}
	r.waitShell("shell shows the new call data", `document.getElementById('contacts').textContent.includes('note=while navigating')`, `document.getElementById('contacts').textContent`)
	if _, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: p.RequestID}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	other := r.waitConnected("/other.html")
	var otherLoad *probeLoad
	for _, l := range r.loads() {
		if l.Load == other {
			otherLoad = &l
		}
	}
	if otherLoad == nil || len(otherLoad.Contacts) != 1 || otherLoad.Contacts[0]["id"] != id || otherLoad.Contacts[0]["state"] != "online" ||
		otherLoad.Contacts[0]["last_event"] != "JOBSTARTED" || otherLoad.Status == "connected" {
		t.Fatalf("tickets page at load: %+v, want the online call known before connecting", otherLoad)
	}
	if st := r.statuses(other); len(st) == 0 || st[len(st)-1] != (probeStatus{Load: other, Status: "connected", Resumed: true, Replayed: 1}) {
		t.Fatalf("tickets page statuses %v: want connected, resumed with 1 replayed event", st)
	}
	evs = r.events()
	checkNoGap(t, evs)
	dc := findEvent(evs, id, "DATACHANGED")
	if len(dc) != 1 || dc[0].Load != other || !reflect.DeepEqual(dc[0].Ev["changed"], []any{"note"}) ||
		!reflect.DeepEqual(dc[0].Ev["call_data"], map[string]any{"customer_id": "1001", "note": "while navigating"}) {
		t.Fatalf("DATACHANGED seen by the CRM: %+v, want once, on the tickets page", dc)
	}

	// 7. Hold and retrieve from inside the CRM; the shell follows.
	if v := r.crm(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hold(%q).then(c => c.held)`, id)); v != true {
		t.Fatalf("CONTACT.Hold resolved held=%v", v)
	}
	r.waitShell("shell shows the call held", `document.querySelector('#contacts .tag').textContent === 'online · held' && [...document.querySelectorAll('#contacts button')].some(b => b.textContent === 'Retrieve')`,
		`document.getElementById('contacts').textContent`)
	if v := r.crm(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hold(%q).then(c => c.held)`, id)); v != false {
		t.Fatalf("second CONTACT.Hold (toggle) resolved held=%v", v)
	}
	r.waitShell("shell shows the call retrieved", `document.querySelector('#contacts .tag').textContent === 'online' && [...document.querySelectorAll('#contacts button')].some(b => b.textContent === 'Hold')`,
		`document.getElementById('contacts').textContent`)
	if v := r.crm(`AGENTDESKTOP.CONTACT.Hold('no-such-contact').then(() => 'resolved', e => e.name + ' ' + e.code)`); v != "AgentDesktopError not_found" {
		t.Fatalf("Hold of an unknown contact: %v", v)
	}

	// 8. ALERT.Show from the CRM shows in the shell (which acknowledges it).
	alert := r.crm(`AGENTDESKTOP.ALERT.Show('VIP caller', 'Gold customer since 2019', 'warning', 0).then(a => a.where + ' ' + document.querySelectorAll('[data-crmframe-alert]').length)`)
	if alert != "shell 0" {
		t.Fatalf("ALERT.Show resolved %q, want \"shell 0\" (shown by the shell, no in-page panel)", alert)
	}
	r.waitShell("shell shows the alert", `[...document.querySelectorAll('#alerts .alert.warning')].some(a => a.querySelector('strong').textContent === 'VIP caller' && a.textContent.includes('Gold customer since 2019') && a.textContent.includes('from widget:crm'))`,
		`document.getElementById('alerts').textContent`)

	// 9. The server closes the CRM page's WebSocket: a message above
	// max_message_size (64 KiB) makes the engine close it with 1009, a
	// close the SDK treats as transient. An event published while it is
	// down must arrive by resume: reconnecting → connected, no gap.
	shellSince := r.shell(`AGENTDESKTOP.getStatus().connectedAt`)
	before := len(r.statuses(other))
	if v := r.crm(`AGENTDESKTOP.relay('WIDGET.Data', {pad: 'x'.repeat(70000)}, 'nobody')`); v != true {
		t.Fatalf("oversized relay not sent: %v", v)
	}
	r.waitCRM("CRM reconnecting", `AGENTDESKTOP.getStatus().status === 'reconnecting'`)
	code, _ = r.call("POST", "/events", map[string]any{"contact": id, "event": "DATACHANGED", "call_data": map[string]string{"note": "while reconnecting"}})
	if code != http.StatusOK {
		t.Fatalf("POST /events DATACHANGED: %d", code)
	}
	r.waitCRM("CRM reconnected", `AGENTDESKTOP.getStatus().status === 'connected'`)
	st := r.statuses(other)[before:]
	// The engine sends close 1009, then closes the TCP connection while the
	// browser is still sending the big frame: the reset can make Chromium
	// report 1006 instead (see the report of issue 6's test).
	if len(st) < 2 || st[0].Status != "reconnecting" || (st[0].Code != 1009 && st[0].Code != 1006) || st[len(st)-1] != (probeStatus{Load: other, Status: "connected", Resumed: true, Replayed: 1}) {
		t.Fatalf("statuses after the server closed the socket: %v, want reconnecting (1009/1006) … connected resumed with 1 replayed", st)
	}
	for _, s := range st[1 : len(st)-1] {
		if s.Status != "reconnecting" {
			t.Fatalf("statuses after the server closed the socket: %v", st)
		}
	}
	if r.currentLoad() != other {
		t.Fatal("the CRM page reloaded instead of resuming")
	}
	if v := r.shell(`AGENTDESKTOP.getStatus().status === 'connected' && AGENTDESKTOP.getStatus().connectedAt`); v != shellSince {
		t.Fatalf("the shell's connection was disturbed: %v (connected at %v)", v, shellSince)
	}
	evs = r.events()
	checkNoGap(t, evs)
	if dc := findEvent(evs, id, "DATACHANGED"); len(dc) != 2 || dc[1].Ev["call_data"].(map[string]any)["note"] != "while reconnecting" || dc[1].Load != other {
		t.Fatalf("DATACHANGED after the reconnect: %+v", dc)
	}

	// 10. Hang up and end After Call Work from the CRM; the shell follows.
	if v := r.crm(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hangup(%q).then(c => c.state + ' ' + c.reason)`, id)); v != "offline agent_hangup" {
		t.Fatalf("CONTACT.Hangup resolved %v", v)
	}
	r.waitShell("shell shows After Call Work", `document.querySelector('#contacts .tag').textContent === 'offline' && [...document.querySelectorAll('#contacts button')].some(b => b.textContent === 'End ACW')`,
		`document.getElementById('contacts').textContent`)
	if v := r.crm(fmt.Sprintf(`AGENTDESKTOP.CONTACT.OfflineEnd(%q).then(c => c.state)`, id)); v != "finished" {
		t.Fatalf("CONTACT.OfflineEnd resolved %v", v)
	}
	r.waitShell("shell shows no contacts", `document.getElementById('contacts').textContent.startsWith('No contacts')`, `document.getElementById('contacts').textContent`)
	if v := r.crm(`AGENTDESKTOP.getContacts().length`); v != 0.0 {
		t.Fatalf("CRM still has %v contacts", v)
	}
	if code, c := r.call("GET", "/contacts/"+id, nil); code != http.StatusOK || c["state"] != "finished" || c["reason"] != "agent_hangup" {
		t.Fatalf("GET /contacts/%s: %d %v", id, code, c)
	}
	evs = r.events()
	checkNoGap(t, evs)
	want = append(want, "DATACHANGED", "HELD", "RETRIEVED", "DATACHANGED", "CONNECTIONCLEARED", "JOBCHANGED", "JOBFINISHED")
	if got := contactEvents(evs, id); !reflect.DeepEqual(got, want) {
		t.Fatalf("CRM callback events for the call: %v, want %v", got, want)
	}
	wantFields(t, one(t, evs, id, "CONNECTIONCLEARED", ""), map[string]any{"reason": "agent_hangup", "job_state": "offline"})
	wantFields(t, one(t, evs, id, "JOBCHANGED", "offline"), map[string]any{"job_state": "offline"})
	wantFields(t, one(t, evs, id, "HELD", ""), map[string]any{"held": true})
	wantFields(t, one(t, evs, id, "RETRIEVED", ""), map[string]any{"held": false})
	if e := one(t, evs, id, "JOBFINISHED", ""); e.Ev["offlineEndTime"] == nil {
		t.Errorf("JOBFINISHED without offlineEndTime: %v", e.Ev)
	}

	// 11. A chat: accepted in the shell (screen-pop uses the chat template),
	// a customer line from the engine side, an agent line from the shell.
	code, c = r.call("POST", "/contacts", map[string]any{"media_type": "chat", "queue": "sales", "ani": "giulia@example.com"})
	if code != http.StatusCreated || c["state"] != "offered" {
		t.Fatalf("POST /contacts chat: %d %v", code, c)
	}
	chat, chatID := c["id"].(string), c["chat_id"].(string)
	r.waitShell("chat offer popup", `document.getElementById('offer').open && document.getElementById('offer-title').textContent === 'Incoming chat' && document.getElementById('offer-fields').textContent.includes('giulia@example.com')`,
		`document.getElementById('offer').textContent`)
	r.shell(`document.querySelector('#offer button[value=accept]').click(), true`)
	r.waitCRM("chat screen-pop", fmt.Sprintf(`location.pathname === '/chat.html' && new URLSearchParams(location.search).get('chat') === %q && new URLSearchParams(location.search).get('id') === %q`, chatID, chat))
	chatPage := r.waitConnected("/chat.html")
	r.waitCRM("chat online in the CRM", fmt.Sprintf(`(AGENTDESKTOP.getContact(%q) || {}).state === 'online'`, chat))
	code, _ = r.call("POST", "/events", map[string]any{"contact": chat, "event": "CHATMESSAGE", "text": "Ciao, ho un problema"})
	if code != http.StatusOK {
		t.Fatalf("POST /events CHATMESSAGE: %d", code)
	}
	r.waitShell("shell chat pane shows the customer line", `!document.getElementById('chat').hidden && [...document.querySelectorAll('#chat-log .msg.customer')].map(m => m.textContent).join('|') === 'Ciao, ho un problema'`,
		`document.getElementById('chat').outerHTML`)
	r.shell(`document.getElementById('chat-text').value = 'Mi dica'; document.querySelector('#chat-form button').click(), true`)
	r.waitShell("shell chat pane shows the agent line", `[...document.querySelectorAll('#chat-log .msg')].map(m => m.className + ':' + m.textContent).join('|') === 'msg customer:Ciao, ho un problema|msg agent:Mi dica'`,
		`document.getElementById('chat-log').outerHTML`)
	r.waitCRM("CRM sees both chat lines", fmt.Sprintf(`AGENTDESKTOP.CHAT.GetMessages(%q).map(m => m.from + ':' + m.text).join('|') === 'customer:Ciao, ho un problema|agent:Mi dica'`, chat))
	if code, c := r.call("GET", "/contacts/"+chat, nil); code != http.StatusOK || fmt.Sprint(c["messages"]) == "" ||
		len(c["messages"].([]any)) != 2 || c["messages"].([]any)[1].(map[string]any)["text"] != "Mi dica" || c["messages"].([]any)[1].(map[string]any)["from"] != "agent" {
		t.Fatalf("engine's chat transcript: %d %v", code, c["messages"])
	}
	evs = r.events()
	checkNoGap(t, evs)
	wantChat := []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED", "POPUP", "ESTABLISHED", "JOBSTARTED", "CHATMESSAGE", "CHATMESSAGE"}
	if got := contactEvents(evs, chat); !reflect.DeepEqual(got, wantChat) {
		t.Fatalf("CRM callback events for the chat: %v, want %v", got, wantChat)
	}
	msgs := findEvent(evs, chat, "CHATMESSAGE")
	for i, m := range []map[string]any{{"from": "customer", "text": "Ciao, ho un problema"}, {"from": "agent", "text": "Mi dica"}} {
		got, _ := msgs[i].Ev["message"].(map[string]any)
		if got == nil || got["from"] != m["from"] || got["text"] != m["text"] || msgs[i].Ev["chat_id"] != chatID || msgs[i].Load != chatPage {
			t.Errorf("CHATMESSAGE %d: %+v, want %v on the chat page", i, msgs[i], m)
		}
	}
	if v := r.crm(`document.querySelectorAll('#events li').length === JSON.parse(sessionStorage.getItem('t.events')).filter(e => e.load === T.load).length`); v != true {
		t.Errorf("the page's DOM event list does not match what its callback recorded")
	}
	t.Logf("%d CRM events over %d page loads, gap-free; scenario took %v", len(evs), len(r.loads()), time.Since(start).Round(time.Millisecond))
}
