package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

// The clean-room tests drive the SDK the way an integrator who read only
// docs/sdk.md, docs/events.md and the contract would: top-level CRM pages
// and a hand-written desktop shell, the inject example of docs/sdk.md taken
// verbatim from the document, every check made from the page.

const cleanroomSecret = "e2e-cleanroom-secret-0123456789abcdef"

// docSnippet returns the body of the first fenced block of lang in doc
// whose first line contains marker.
func docSnippet(t *testing.T, doc, lang, marker string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		if first, _, _ := strings.Cut(m[1], "\n"); strings.Contains(first, marker) {
			return m[1]
		}
	}
	t.Fatalf("docs/%s has no %s block starting with %q", doc, lang, marker)
	return ""
}

// cleanroomCRM serves testdata/sdkcrm/cleanroom.html for every /crm/ path
// and the inject script of docs/sdk.md's worked example.
func cleanroomCRM(t *testing.T) *httptest.Server {
	t.Helper()
	page, err := os.ReadFile(filepath.Join("testdata", "sdkcrm", "cleanroom.html"))
	if err != nil {
		t.Fatal(err)
	}
	inject := docSnippet(t, "sdk.md", "js", "/static/crm-cti.js")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/static/crm-cti.js":
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, inject)
		case strings.HasPrefix(r.URL.Path, "/crm/"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("X-Frame-Options", "DENY")
			w.Write(page)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// agentToken mints what a desktop's back end would: HS256, sub, exp.
func agentToken(t *testing.T, agent string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": agent, "name": "Agent " + agent, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte(cleanroomSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type cleanroom struct {
	browser context.Context
	crm     string // crm_frame site
	desk    string // desktop site (serves testdata/sdkcrm)
	demo    string // the demo desktop shell (examples/desktop)
	api     string
}

// tab is one browser tab and the helpers to evaluate in it.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (c *cleanroom) open(t *testing.T, u string) *tab {
	t.Helper()
	ctx, cancel := context.WithTimeout(chromium.NewTab(t, c.browser), 60*time.Second)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	return &tab{t: t, ctx: ctx}
}

// crmPage opens a CRM page signed in as agent (the token on the widget URL,
// as a desktop does) and waits until its SDK is connected.
func (c *cleanroom) crmPage(t *testing.T, agent, path string) *tab {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	p := c.open(t, c.crm+path+sep+"crmframe_token="+url.QueryEscape(agentToken(t, agent)))
	p.wait("SDK connected", `window.AGENTDESKTOP && AGENTDESKTOP.getStatus().status === 'connected'`)
	return p
}

func evalIn[T any](p *tab, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

func (p *tab) str(expr string) string { p.t.Helper(); return evalIn[string](p, expr) }

func (p *tab) wait(what, expr string) {
	p.t.Helper()
	eventually(p.t, what, 10*time.Second, func() (bool, string) {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return true, ""
		}
		d, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`location.href + ' ' + (window.R ? JSON.stringify(R.all.map(e => e.event)) : '') + ' ' + (window.AGENTDESKTOP ? JSON.stringify(AGENTDESKTOP.getStatus()) : '') + ' ' + document.body.innerText.replace(/\s+/g, ' ').slice(0, 300)`))
		return false, fmt.Sprintf("%v %s", err, d)
	})
}

// navigate runs js (a reload, a link) and waits until the next page's SDK
// is connected; the marker keeps the old page from passing the wait.
func (p *tab) navigate(js string) {
	p.t.Helper()
	p.str(`window.__leaving = true, ` + js + `, ''`)
	p.wait("next page connected", `!window.__leaving && window.R && AGENTDESKTOP.getStatus().status === 'connected'`)
}

// events returns what the page's on('*') listener saw (of one contact when
// id is not empty).
func (p *tab) events(id string) []map[string]any {
	p.t.Helper()
	return evalIn[[]map[string]any](p, fmt.Sprintf(`R.all.filter(e => %q === '' || e.id === %[1]q)`, id))
}

func names(evs []map[string]any) []string {
	var out []string
	for _, e := range evs {
		n := e["event"].(string)
		if p, ok := e["phase"].(string); ok {
			n += ":" + p
		}
		out = append(out, n)
	}
	return out
}

func (c *cleanroom) call(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.api+path, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

// TestSDKCleanroom starts the real binary once (engine, crm_frame with the
// docs' inject script, the API) and one browser, then runs the scenarios.
func TestSDKCleanroom(t *testing.T) {
	t.Parallel()
	start := time.Now()
	upstream := cleanroomCRM(t)
	deskDir, err := filepath.Abs(filepath.Join("testdata", "sdkcrm"))
	if err != nil {
		t.Fatal(err)
	}
	demoDir, err := filepath.Abs(filepath.Join("..", "examples", "desktop"))
	if err != nil {
		t.Fatal(err)
	}
	deskPort, crmPort, apiPort, demoPort := caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t)
	c := &cleanroom{
		demo: fmt.Sprintf("http://127.0.0.1:%d", demoPort),
		desk: fmt.Sprintf("http://127.0.0.1:%d", deskPort),
		crm:  fmt.Sprintf("http://127.0.0.1:%d", crmPort),
		api:  fmt.Sprintf("http://127.0.0.1:%d", apiPort)}
	up := strings.TrimPrefix(upstream.URL, "http://")
	caddyfile := fmt.Sprintf(`{
	crm_engine {
		secret %[6]q
		pause_code 1701 "Lunch"
		queue sales a1
		queue backoffice a2
		queue support a3
		queue helpdesk a4 a5
		queue xfer a6
		queue demo a9
		queue reload a10
		demo_tokens
		dial_answer_after off
		no_answer_timeout 5s
		acw_timeout 5m
	}
}

%[1]s {
	root * %[2]q
	file_server
}

%[7]s {
	root * %[8]q
	file_server
}

%[3]s {
	crm_frame {
		frame_ancestors %[1]s %[7]s
		upstream_origin http://%[4]s
		inject /static/crm-cti.js
	}
	reverse_proxy %[4]s {
		header_up Host {upstream_hostport}
	}
}

%[5]s {
	bind 127.0.0.1
	crm_engine_api
}
`, c.desk, deskDir, c.crm, up, c.api, cleanroomSecret, c.demo, demoDir)
	caddyrun.Run(t, caddyfile, c.api+"/agents")
	c.browser = chromium.New(t)

	t.Run("InboundCall", c.inboundCall)
	t.Run("AgentStates", c.agentStates)
	t.Run("ChatAndEmail", c.chatAndEmail)
	t.Run("ShellRelays", c.shellRelays)
	t.Run("Listeners", c.listeners)
	t.Run("Transfers", c.transfers)
	t.Run("DemoShell", c.demoShell)
	t.Run("ReloadAndReplay", c.reloadAndReplay)
	t.Logf("clean-room scenarios took %v", time.Since(start).Round(time.Millisecond))
}

// inboundCall: an ACD call from JOBSCHEDULED to JOBFINISHED, driven from
// the page, checked against docs/events.md; then a manual call.
func (c *cleanroom) inboundCall(t *testing.T) {
	p := c.crmPage(t, "a1", "/crm/home")
	if v := p.str(`R.early`); v != "ok a1" {
		t.Errorf("AGENT.GetState() issued before the connection: %q, want it queued and resolved", v)
	}
	if v := p.str(`R.ready.then(r => r.agent + ' ' + r.contacts)`); v != "a1 0" {
		t.Errorf("ready(): %q", v)
	}
	// docs/sdk.md: connecting = "first connection of this page"; the
	// WebSocket opens once the document is parsed.
	if v := p.str(`R.atLoad.status`); v != "connecting" {
		t.Errorf("status at load %q, want connecting", v)
	}
	if v := p.str(`AGENTDESKTOP.AGENT.Ready().then(a => a.state + ' ' + AGENTDESKTOP.getAgent().state)`); v != "LOGGEDIN LOGGEDIN" {
		t.Fatalf("AGENT.Ready(): %q", v)
	}
	if v := p.str(`AGENTDESKTOP.AGENT.Ready().then(() => 'resolved', e => e.code + ' ' + (e instanceof AGENTDESKTOP.AgentDesktopError) + ' ' + (e instanceof Error) + ' ' + e.name)`); v != "invalid_state true true AgentDesktopError" {
		t.Errorf("AGENT.Ready() twice: %q", v)
	}

	code, ct := c.call(t, "POST", "/contacts", map[string]any{"queue": "sales", "ani": "+39 02 555 0101", "dnis": "800100100",
		"service": "Sales line", "call_data": map[string]string{"customer_id": "7"}})
	if code != http.StatusCreated || ct["agent"] != "a1" {
		t.Fatalf("POST /contacts: %d %v", code, ct)
	}
	id := ct["id"].(string)
	p.wait("offer", fmt.Sprintf(`R.all.some(e => e.id === %q && e.event === 'JOBCHANGED' && e.phase === 'setup')`, id))
	if got, want := names(p.events(id)), []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("offer events %v, want %v (no POPUP before accept with popup_on accept)", got, want)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hangup(%q).then(() => 'resolved', e => e.code)`, id)); v != "invalid_state" {
		t.Errorf("Hangup of an offered contact: %q, want invalid_state", v)
	}
	if v := p.str(`AGENTDESKTOP.CONTACT.Answer().then(() => 'resolved', e => e.code)`); v != "bad_argument" {
		t.Errorf("Answer() without id: %q, want bad_argument", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Answer(%q).then(c => c.state + ' ' + c.job_state + ' ' + (c.startTime > 0))`, id)); v != "online online true" {
		t.Fatalf("Answer: %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.SetCallData(%q, "KEY=value;K2=v2").then(c => JSON.stringify(c.call_data))`, id)); v != `{"K2":"v2","KEY":"value","customer_id":"7"}` {
		t.Errorf("SetCallData: %s", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.SetCallData(%q, {KEY: 'value'}).then(c => String(c.held))`, id)); v != "false" {
		t.Errorf("SetCallData without change: %s", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hold(%q, true).then(c => c.held + ' ' + c.state)`, id)); v != "true online" {
		t.Errorf("Hold(id, true): %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hold(%q, true).then(() => 'resolved', e => e.code)`, id)); v != "invalid_state" {
		t.Errorf("Hold of a held call: %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Retrieve(%q).then(c => String(c.held))`, id)); v != "false" {
		t.Errorf("Retrieve: %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.StartRecording(%q).then(c => String(c.recording))`, id)); v != "true" {
		t.Errorf("StartRecording: %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.StopRecording(%q).then(c => String(c.recording))`, id)); v != "false" {
		t.Errorf("StopRecording: %q", v)
	}

	want := []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "POPUP", "ESTABLISHED", "JOBSTARTED:online",
		"DATACHANGED", "HELD", "RETRIEVED", "RECORDINGSTARTED", "RECORDINGSTOPPED"}
	if got := names(p.events(id)); !reflect.DeepEqual(got, want) {
		t.Errorf("call events %v, want %v (POPUP once, on accept; no DATACHANGED without a change)", got, want)
	}
	if v := p.str(`R.snapshots.join()`); v != "fresh" {
		t.Errorf("snapshot events on the first page: %q, want fresh", v)
	}

	// Mid-call: a reload of the page knows the call at once; a second,
	// fresh tab learns it from the snapshot and from a replaying callback.
	p.navigate(`location.reload()`)
	if v := p.str(`JSON.stringify(R.atLoad.contacts.map(c => [c.id, c.state, c.last_event]))`); v != fmt.Sprintf(`[[%q,"online","RECORDINGSTOPPED"]]`, id) {
		t.Errorf("reloaded page at load: contacts %s", v)
	}
	if v := p.str(`R.early.then(v => v + ' ' + R.snapshots.length)`); v != "ok a1 0" {
		t.Errorf("reloaded page: early GetState, snapshot events: %q", v)
	}
	// The docs' inject script shows its banner on every page.
	p.wait("inject banner", `[...document.body.querySelectorAll('div')].some(d => d.textContent === 'In call with +39 02 555 0101 · online · customer 7')`)

	q := c.crmPage(t, "a1", "/crm/second")
	if v := q.str(`R.ready.then(r => String(r.contacts))`); v != "1" {
		t.Errorf("second tab ready(): %s contacts", v)
	}
	if v := q.str(fmt.Sprintf(`JSON.stringify(AGENTDESKTOP.getContact(%q).call_data)`, id)); v != `{"K2":"v2","KEY":"value","customer_id":"7"}` {
		t.Errorf("second tab getContact: %s", v)
	}
	replay := evalIn[[]map[string]any](q, `new Promise(res => { const got = []; AGENTDESKTOP.WIDGET.bindContactCallback(e => got.push(e), {replay: true}); setTimeout(() => res(got), 300); })`)
	if len(replay) != 2 || replay[0]["event"] != "LOGGEDIN" || replay[0]["replayed"] != true || replay[1]["id"] != id || replay[1]["event"] != "RECORDINGSTOPPED" || replay[1]["replayed"] != true {
		t.Errorf("bindContactCallback(fn, {replay: true}) in a fresh tab: %v", replay)
	}
	// The replayed agent state is shaped like a live agent event: no id
	// (events.md: that tells agent events from contact events) and none of
	// the snapshot's agent fields; a replayed contact has no snapshot fields.
	if len(replay) == 2 {
		for _, k := range []string{"id", "queues", "capacity", "busy", "connections", "since"} {
			if _, ok := replay[0][k]; ok {
				t.Errorf("replayed agent event has %q: %v", k, replay[0])
			}
		}
		if replay[0]["agent"] != "a1" || replay[0]["state"] != "LOGGEDIN" || num(replay[0]["time"]) <= 0 {
			t.Errorf("replayed agent event: %v", replay[0])
		}
		if _, ok := replay[1]["last_event"]; ok {
			t.Errorf("replayed contact event has last_event: %v", replay[1])
		}
	}

	// The docs' inject script: a record page opened mid-call writes the
	// customer id into the call data.
	p.navigate(`location.href = '/crm/record?customer=42'`)
	eventually(t, "inject script's SetCallData reaches the engine", 5*time.Second, func() (bool, string) {
		_, c2 := c.call(t, "GET", "/contacts/"+id, nil)
		cd, _ := c2["call_data"].(map[string]any)
		return cd["customer_id"] == "42", fmt.Sprint(cd)
	})
	q.wait("other tab sees DATACHANGED customer_id", fmt.Sprintf(`R.all.some(e => e.id === %q && e.event === 'DATACHANGED' && e.changed.join() === 'customer_id')`, id))

	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.AGENT.Logout().then(() => 'resolved', e => e.code)`)); v != "invalid_state" {
		t.Errorf("Logout with a call: %q", v)
	}
	if v := p.str(`AGENTDESKTOP.CONTACT.Hangup().then(c => c.state + ' ' + c.reason + ' ' + c.job_state)`); v != "offline agent_hangup offline" {
		t.Fatalf("Hangup(): %q", v)
	}
	// docs/sdk.md's inject script alerts on JOBCHANGED offline; no shell is
	// connected, so the SDK draws the panel in the page.
	p.wait("offline alert in the page", `document.querySelectorAll('[data-crmframe-alert]').length === 1`)
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.OfflineEnd(%q).then(c => c.state)`, id)); v != "finished" {
		t.Fatalf("OfflineEnd: %q", v)
	}
	q.wait("second tab JOBFINISHED", fmt.Sprintf(`R.all.some(e => e.id === %q && e.event === 'JOBFINISHED') && AGENTDESKTOP.getContacts().length === 0`, id))

	// The whole life-cycle as the fresh tab saw it from its connection on,
	// and as the first tab's pages saw it (reloads included) in the engine's
	// order: docs/events.md, inbound ACD telephony.
	all := q.events(id)
	want = []string{"DATACHANGED", "CONNECTIONCLEARED", "JOBCHANGED:offline", "JOBFINISHED"}
	if got := names(all); !reflect.DeepEqual(got, want) {
		t.Errorf("second tab events %v, want %v", got, want)
	}
	evs := p.events(id)
	if got := names(evs); !reflect.DeepEqual(got, want) {
		t.Errorf("record page events %v", got)
	}
	byName := map[string]map[string]any{}
	for _, e := range append(all, evs...) {
		byName[names([]map[string]any{e})[0]] = e
	}
	cc, off, fin := byName["CONNECTIONCLEARED"], byName["JOBCHANGED:offline"], byName["JOBFINISHED"]
	start, end, oStart, oEnd := num(fin["startTime"]), num(fin["endTime"]), num(fin["offlineStartTime"]), num(fin["offlineEndTime"])
	if !(start > 0 && start <= end && end <= oStart && oStart <= oEnd) {
		t.Errorf("JOBFINISHED times: start %d end %d offlineStart %d offlineEnd %d", start, end, oStart, oEnd)
	}
	if num(cc["time"]) != end || num(off["time"]) != oStart || num(fin["time"]) != oEnd || num(off["offlineStartTime"]) != oStart {
		t.Errorf("times: CONNECTIONCLEARED %v endTime %d, JOBCHANGED offline %v offlineStartTime %d, JOBFINISHED %v offlineEndTime %d",
			cc["time"], end, off["time"], oStart, fin["time"], oEnd)
	}
	for k, v := range map[string]any{"state": "finished", "reason": "agent_hangup", "job_state": "offline", "isACD": true, "job_type": "inbound",
		"type": "inbound", "media_type": "telephony", "service": "Sales line", "queue": "sales", "ani": "+39 02 555 0101", "dnis": "800100100"} {
		if fin[k] != v {
			t.Errorf("JOBFINISHED %s = %v, want %v", k, fin[k], v)
		}
	}
	if _, ok := off["offlineEndTime"]; ok {
		t.Errorf("JOBCHANGED offline has offlineEndTime")
	}

	// A manual call (docs/events.md): CONNECTIONSTARTED, DIALING, POPUP,
	// ESTABLISHED (from a CTI), CONNECTIONCLEARED, JOBFINISHED; no ACW.
	mc := p.str(`AGENTDESKTOP.CONTACT.MakeCall('+39 06 1234', undefined, 'svc9', undefined, 'A=1;B=2').then(c => JSON.stringify(c))`)
	var m map[string]any
	json.Unmarshal([]byte(mc), &m)
	if m["state"] != "dialing" || m["type"] != "outbound" || m["job_type"] != "manual" || m["isACD"] != false || m["ani"] != "a1" || m["dnis"] != "+39 06 1234" ||
		m["service"] != "svc9" || !reflect.DeepEqual(m["call_data"], map[string]any{"A": "1", "B": "2"}) {
		t.Errorf("MakeCall resolved %s", mc)
	}
	mid, _ := m["id"].(string)
	if code, _ := c.call(t, "POST", "/events", map[string]any{"contact": mid, "event": "ESTABLISHED"}); code != http.StatusOK {
		t.Fatalf("POST /events ESTABLISHED: %d", code)
	}
	p.wait("manual call online", fmt.Sprintf(`(AGENTDESKTOP.getContact(%q) || {}).state === 'online'`, mid))
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.HangupByContactID(%q).then(c => c.state)`, mid)); v != "finished" {
		t.Errorf("HangupByContactID of a manual call: %q", v)
	}
	p.wait("manual JOBFINISHED", fmt.Sprintf(`R.all.some(e => e.id === %q && e.event === 'JOBFINISHED')`, mid))
	if got, want := names(p.events(mid)), []string{"CONNECTIONSTARTED", "DIALING", "POPUP", "ESTABLISHED", "CONNECTIONCLEARED", "JOBFINISHED"}; !reflect.DeepEqual(got, want) {
		t.Errorf("manual call events %v, want %v", got, want)
	}
	// bindContactCallback and on('*') see the same events.
	if v := p.str(`String(R.bound.length > 0 && JSON.stringify(R.bound) === JSON.stringify(R.all))`); v != "true" {
		t.Errorf("bindContactCallback and on('*') differ")
	}
}

// agentStates: PAUSE, PAUSESUBSTATE [1701], FORCED after a missed offer,
// LOGGEDOUT, each from the page.
func (c *cleanroom) agentStates(t *testing.T) {
	p := c.crmPage(t, "a2", "/crm/home")
	for _, s := range []struct{ expr, want string }{
		{`AGENTDESKTOP.AGENT.GetPauseCodes().then(cs => JSON.stringify(cs))`, `[{"code":1701,"label":"Lunch"}]`},
		{`AGENTDESKTOP.AGENT.Pause().then(a => a.state)`, "PAUSE"},
		{`AGENTDESKTOP.AGENT.Pause().then(() => 'resolved', e => e.code)`, "invalid_state"},
		{`AGENTDESKTOP.AGENT.Pause(1701).then(a => a.state + ' ' + a.code + ' ' + typeof a.code + ' ' + a.label)`, "PAUSESUBSTATE 1701 number Lunch"},
		{`(a => a.state + ' ' + a.code + ' ' + a.label)(AGENTDESKTOP.getAgent())`, "PAUSESUBSTATE 1701 Lunch"},
		{`AGENTDESKTOP.AGENT.Pause('1701').then(() => 'resolved', e => e.code)`, "invalid_state"},
		{`AGENTDESKTOP.AGENT.Pause('lunch').then(() => 'resolved', e => e.code)`, "bad_argument"},
		{`AGENTDESKTOP.AGENT.Pause(-3).then(() => 'resolved', e => e.code)`, "bad_argument"},
		{`AGENTDESKTOP.AGENT.Pause(4242).then(() => 'resolved', e => e.code)`, "bad_request"},
		{`AGENTDESKTOP.AGENT.Pause(0).then(a => a.state + ' ' + a.code)`, "PAUSE undefined"},
		{`AGENTDESKTOP.AGENT.GetState().then(a => a.id + ' ' + a.state + ' ' + a.name + ' ' + (a.since > 0))`, "a2 PAUSE Agent a2 true"},
		{`AGENTDESKTOP.AGENT.GetSnapshot().then(s => typeof s.epoch + ' ' + (s.seq > 0) + ' ' + s.agent.id + ' ' + s.contacts.length)`, "string true a2 0"},
		{`AGENTDESKTOP.AGENT.Ready().then(a => a.state)`, "LOGGEDIN"},
		// getAgent() as the engine's agent object: no code/label/reason keys
		{`(a => a.state + ' ' + ['code', 'label', 'reason'].filter(k => k in a).join())(AGENTDESKTOP.getAgent())`, "LOGGEDIN "},
	} {
		if v := p.str(s.expr); v != s.want {
			t.Errorf("%s: %q, want %q", s.expr, v, s.want)
		}
	}
	sub := p.str(`JSON.stringify(R.all.filter(e => e.event === 'PAUSESUBSTATE')[0])`)
	var ps map[string]any
	json.Unmarshal([]byte(sub), &ps)
	if ps["agent"] != "a2" || ps["state"] != "PAUSESUBSTATE" || ps["code"] != 1701.0 || ps["label"] != "Lunch" || num(ps["time"]) <= 0 || ps["id"] != nil {
		t.Errorf("PAUSESUBSTATE event %s", sub)
	}
	// An offer nobody answers: no_answer_timeout (5 s) → CONNECTIONCLEARED
	// no_answer, JOBFINISHED, then FORCED.
	_, ct := c.call(t, "POST", "/contacts", map[string]any{"queue": "backoffice", "ani": "555"})
	id := ct["id"].(string)
	eventually(t, "FORCED", 10*time.Second, func() (bool, string) {
		s := p.str(`AGENTDESKTOP.getAgent().state`)
		return s == "FORCED", s
	})
	evs := p.events("")
	var got []string
	for _, e := range evs {
		if e["id"] == id || e["id"] == nil {
			got = append(got, names([]map[string]any{e})[0])
		}
	}
	want := []string{"PAUSE", "PAUSESUBSTATE", "PAUSE", "LOGGEDIN", "JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "CONNECTIONCLEARED", "JOBFINISHED", "FORCED"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	last := evs[len(evs)-1]
	if last["reason"] != "no_answer" || last["agent"] != "a2" {
		t.Errorf("FORCED %v", last)
	}
	for _, e := range evs {
		if e["id"] == id && e["event"] == "CONNECTIONCLEARED" && (e["reason"] != "no_answer" || e["job_state"] != "offline") {
			t.Errorf("CONNECTIONCLEARED %v", e)
		}
	}
	if v := p.str(`AGENTDESKTOP.AGENT.Logout().then(a => a.state + ' ' + AGENTDESKTOP.getAgent().state)`); v != "LOGGEDOUT LOGGEDOUT" {
		t.Errorf("Logout: %q", v)
	}
}

// chatAndEmail: a chat both ways and an email, from the page.
func (c *cleanroom) chatAndEmail(t *testing.T) {
	p := c.crmPage(t, "a3", "/crm/home")
	p.str(`AGENTDESKTOP.AGENT.Ready().then(a => a.state)`)
	_, ct := c.call(t, "POST", "/contacts", map[string]any{"media_type": "chat", "queue": "support", "ani": "giulia@example.com"})
	chat := ct["id"].(string)
	_, ct = c.call(t, "POST", "/contacts", map[string]any{"media_type": "channel", "queue": "support", "content_description": "Invoice 118 wrong amount"})
	email := ct["id"].(string)
	p.wait("both offered", fmt.Sprintf(`[%q, %q].every(id => R.all.some(e => e.id === id && e.phase === 'setup'))`, chat, email))
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CHAT.SendMessage(%q, 'too early').then(() => 'resolved', e => e.code)`, chat)); v != "invalid_state" {
		t.Errorf("SendMessage to an offered chat: %q", v)
	}
	if v := p.str(fmt.Sprintf(`Promise.all([AGENTDESKTOP.CONTACT.Answer(%q), AGENTDESKTOP.CONTACT.Answer(%q)]).then(cs => cs.map(c => c.state).join())`, chat, email)); v != "online,online" {
		t.Fatalf("Answer chat and email: %q", v)
	}
	if v := p.str(`AGENTDESKTOP.getContacts().map(c => c.id).join()`); v != chat+","+email {
		t.Errorf("getContacts() order %q, want oldest first", v)
	}
	if v := p.str(`AGENTDESKTOP.CONTACT.Hangup().then(() => 'resolved', e => e.code)`); v != "bad_request" {
		t.Errorf("Hangup() with a chat and an email online: %q, want bad_request", v)
	}
	if v := p.str(`AGENTDESKTOP.command('CONTACT.Dance', {}).then(() => 'resolved', e => e.code)`); v != "unknown_command" {
		t.Errorf("unknown command: %q", v)
	}
	c.call(t, "POST", "/events", map[string]any{"contact": chat, "event": "CHATMESSAGE", "text": "Ciao"})
	p.wait("customer line", `R.chat.length === 1`)
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CHAT.SendMessage(%q, 'Buongiorno').then(c => c.state)`, chat)); v != "online" {
		t.Errorf("SendMessage: %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CHAT.Send(%q, '').then(() => 'resolved', e => e.code)`, chat)); v != "bad_argument" {
		t.Errorf("Send empty text: %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hold(%q).then(() => 'resolved', e => e.code)`, chat)); v != "unsupported" {
		t.Errorf("Hold a chat: %q", v)
	}
	if v := p.str(fmt.Sprintf(`R.chat.join('|') + ' / ' + AGENTDESKTOP.CHAT.GetMessages(%q).map(m => m.from + ':' + m.text).join('|')`, chat)); v != "customer:Ciao|agent:Buongiorno / customer:Ciao|agent:Buongiorno" {
		t.Errorf("chat lines: %q", v)
	}
	if v := p.str(fmt.Sprintf(`(e => e.media_type + ' ' + e.content_type + ' ' + e.content_description + ' ' + e.queue)(AGENTDESKTOP.getContact(%q))`, email)); v != "channel email Invoice 118 wrong amount support" {
		t.Errorf("email contact: %q", v)
	}
	for _, id := range []string{chat, email} {
		if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.OfflineEnable(%q, false).then(() => AGENTDESKTOP.CONTACT.Hangup(%[1]q)).then(c => c.state)`, id)); v != "finished" {
			t.Errorf("OfflineEnable(false) + Hangup of %s: %q", id, v)
		}
	}
	// OfflineEnable(false): no JOBCHANGED offline.
	want := []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "POPUP", "ESTABLISHED", "JOBSTARTED:online", "CHATMESSAGE", "CHATMESSAGE", "CONNECTIONCLEARED", "JOBFINISHED"}
	if got := names(p.events(chat)); !reflect.DeepEqual(got, want) {
		t.Errorf("chat events %v, want %v", got, want)
	}
	want = append(want[:7:7], "CONNECTIONCLEARED", "JOBFINISHED")
	if got := names(p.events(email)); !reflect.DeepEqual(got, want) {
		t.Errorf("email events %v, want %v", got, want)
	}
	for _, e := range p.events(chat) {
		if e["chat_id"] != "chat-"+chat {
			t.Errorf("%s chat_id %v", e["event"], e["chat_id"])
		}
	}
}

// shellRelays: TAB, ALERT, WIDGET and UI between a CRM page and a desktop
// shell written from the docs.
func (c *cleanroom) shellRelays(t *testing.T) {
	shell := c.open(t, c.desk+"/shell.html?crm="+url.QueryEscape(c.crm)+"&token="+url.QueryEscape(agentToken(t, "a4")))
	shell.wait("shell connected", `window.S && S.connected && AGENTDESKTOP.getStatus().status === 'connected'`)
	if v := shell.str(`S.connected`); v != "a4" {
		t.Fatalf("shell connect(): %q", v)
	}
	p := c.crmPage(t, "a4", "/crm/home")
	for _, s := range []string{
		`AGENTDESKTOP.TAB.GoTo('mail')`, `AGENTDESKTOP.TAB.Badge(3)`, `AGENTDESKTOP.TAB.Open('t1', 'Customer 42', '/crm/customer?id=42')`,
		`AGENTDESKTOP.TAB.Focus('t1')`, `AGENTDESKTOP.TAB.SetTitle('Customer 42 (VIP)', 't1')`, `AGENTDESKTOP.TAB.Close('t1')`,
	} {
		if v := evalIn[bool](p, s); !v {
			t.Errorf("%s returned %v", s, v)
		}
	}
	shell.wait("TAB relays", `S.relays.filter(r => r.name.startsWith('TAB.')).length === 6`)
	got := evalIn[[]map[string]any](shell, `S.relays.filter(r => r.name.startsWith('TAB.'))`)
	want := []map[string]any{
		{"name": "TAB.GoTo", "data": map[string]any{"widget": "crm", "target": "mail"}},
		{"name": "TAB.Badge", "data": map[string]any{"widget": "crm", "count": 3.0}},
		{"name": "TAB.Open", "data": map[string]any{"widget": "crm", "tab": "t1", "title": "Customer 42", "url": "/crm/customer?id=42"}},
		{"name": "TAB.Focus", "data": map[string]any{"widget": "crm", "tab": "t1"}},
		{"name": "TAB.Title", "data": map[string]any{"widget": "crm", "tab": "t1", "title": "Customer 42 (VIP)"}},
		{"name": "TAB.Close", "data": map[string]any{"widget": "crm", "tab": "t1"}},
	}
	for i, w := range want {
		if got[i]["name"] != w["name"] || !reflect.DeepEqual(got[i]["data"], w["data"]) || got[i]["from"] != "widget:crm" {
			t.Errorf("relay %d: %v, want %v from widget:crm", i, got[i], w)
		}
	}
	if v := p.str(`AGENTDESKTOP.ALERT.Show({title: 'VIP', text: 'Gold', level: 'warning', timeout: 0, id: 'al1'}).then(a => a.id + ' ' + a.where)`); v != "al1 shell" {
		t.Errorf("ALERT.Show with a shell: %q", v)
	}
	if v := evalIn[bool](p, `AGENTDESKTOP.ALERT.Hide('al1')`); !v {
		t.Errorf("ALERT.Hide returned false")
	}
	shell.wait("ALERT relays", `S.relays.some(r => r.name === 'ALERT.Hide' && r.data.id === 'al1')`)
	if v := shell.str(`JSON.stringify(S.relays.find(r => r.name === 'ALERT.Show').data)`); v != `{"id":"al1","widget":"crm","title":"VIP","text":"Gold","level":"warning","timeout":0}` {
		t.Errorf("ALERT.Show relay data %s", v)
	}
	// UI: the shell announces a dialog; the page's bindDialogCallback gets it.
	p.str(`window.dlg = []; AGENTDESKTOP.UI.bindDialogCallback(e => dlg.push(e.event + ' ' + e.dialog + ' ' + JSON.stringify(e.data) + ' ' + e.from)), ''`)
	shell.str(`String(AGENTDESKTOP.UI.DialogOpened('accept', {contactId: 'x1'}) && AGENTDESKTOP.UI.DialogClosed('accept', {contactId: 'x1', result: 'reject'}))`)
	p.wait("dialog events", `dlg.length === 2`)
	if v := p.str(`dlg.join('|')`); v != `DIALOGOPENED accept {"contactId":"x1"} desktop:shell|DIALOGCLOSED accept {"contactId":"x1","result":"reject"} desktop:shell` {
		t.Errorf("dialog events: %s", v)
	}
	// WIDGET: data to another widget id, and the token getters.
	q := c.crmPage(t, "a4", "/crm/other")
	q.str(`window.wd = []; AGENTDESKTOP.WIDGET.bindDataCallback(e => wd.push(e)), ''`)
	if v := p.str(`String(AGENTDESKTOP.WIDGET.sendDataToWidget('crm', {n: [1, 2], s: 'x'}))`); v != "true" {
		t.Errorf("sendDataToWidget: %s", v)
	}
	q.wait("WIDGETDATA", `wd.length === 1`)
	if v := evalIn[map[string]any](q, `wd[0]`); !reflect.DeepEqual(v, map[string]any{"event": "WIDGETDATA", "widget": "crm", "data": map[string]any{"n": []any{1.0, 2.0}, "s": "x"}, "from": "widget:crm"}) {
		t.Errorf("WIDGETDATA %v", v)
	}
	if v := shell.str(`AGENTDESKTOP.WIDGET.getTokenOneShot().then(tk => String(tk === AGENTDESKTOP.WIDGET.getToken() && tk.length > 20))`); v != "true" {
		t.Errorf("shell token getters: %s", v)
	}
}

// listeners: on/off/once edge cases with real engine events.
func (c *cleanroom) listeners(t *testing.T) {
	p := c.crmPage(t, "a5", "/crm/home")
	p.str(`(() => {
		const AD = AGENTDESKTOP; window.L = [];
		const twice = e => L.push('twice');
		AD.on('LOGGEDIN', twice); AD.on('LOGGEDIN', twice);
		AD.on('LOGGEDIN', () => { throw new Error('boom'); });
		AD.once('LOGGEDIN', () => L.push('once'));
		const selfOff = e => { L.push('selfOff'); AD.off('LOGGEDIN', selfOff); };
		AD.on('LOGGEDIN', selfOff);
		const un = AD.on('LOGGEDIN', () => L.push('unsubscribed'));
		un();
		AD.on('*', e => L.push('*' + e.event));
		AD.on('LOGGEDIN', e => L.push('last:' + (AD.getAgent().state === e.state)));
		return '';
	})()`)
	p.str(`AGENTDESKTOP.AGENT.Ready().then(a => a.state)`)
	p.str(`AGENTDESKTOP.AGENT.Pause().then(a => a.state)`)
	p.str(`AGENTDESKTOP.AGENT.Ready().then(a => a.state)`)
	// docs/sdk.md: registration order, one list; a throwing listener does
	// not stop the others; on() of the same fn twice calls it twice (only
	// bindContactCallback is idempotent).
	if v := p.str(`L.join(',')`); v != "twice,twice,once,selfOff,*LOGGEDIN,last:true,*PAUSE,twice,twice,*LOGGEDIN,last:true" {
		t.Errorf("listener calls: %s", v)
	}
}

// transfers: a blind transfer to an agent, then a consultation that is
// completed, each seen from the pages of the three agents.
func (c *cleanroom) transfers(t *testing.T) {
	p6, p7, p8 := c.crmPage(t, "a6", "/crm/home"), c.crmPage(t, "a7", "/crm/home"), c.crmPage(t, "a8", "/crm/home")
	for _, p := range []*tab{p6, p7, p8} {
		p.str(`AGENTDESKTOP.AGENT.Ready().then(a => a.state)`)
	}
	_, ct := c.call(t, "POST", "/contacts", map[string]any{"queue": "xfer", "ani": "+39 333 777", "call_data": map[string]string{"order": "A-1"}})
	orig := ct["id"].(string)
	p6.wait("offer", fmt.Sprintf(`R.all.some(e => e.id === %q && e.phase === 'setup')`, orig))
	p6.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Answer(%q).then(c => c.state)`, orig))
	// docs/sdk.md: a blind transfer to an agent resolves with the new contact.
	nc := evalIn[map[string]any](p6, fmt.Sprintf(`AGENTDESKTOP.CONTACT.BlindTransfer(%q, 'agent:a7')`, orig))
	nid, _ := nc["id"].(string)
	if nid == "" || nid == orig || nc["transferred_from"] != orig || nc["agent"] != "a7" || nc["ani"] != "+39 333 777" {
		t.Fatalf("BlindTransfer resolved %v", nc)
	}
	p6.wait("original ends", fmt.Sprintf(`R.all.some(e => e.id === %q && e.event === 'CONNECTIONCLEARED' && e.reason === 'transferred')`, orig))
	p7.wait("a7 offered", fmt.Sprintf(`R.all.some(e => e.id === %q && e.phase === 'setup')`, nid))
	if got, want := names(p7.events(nid)), []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup"}; !reflect.DeepEqual(got, want) {
		t.Errorf("a7's events %v, want %v", got, want)
	}
	if v := p7.str(fmt.Sprintf(`(c => c.transferred_from + ' ' + c.call_data.order + ' ' + c.isACD)(AGENTDESKTOP.getContact(%q))`, nid)); v != orig+" A-1 true" {
		t.Errorf("a7's contact: %q", v)
	}
	if len(p7.events(orig)) != 0 {
		t.Errorf("a7 saw events of a6's contact")
	}
	p7.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Answer(%q).then(c => c.state)`, nid))
	p6.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.OfflineEnd(%q).then(c => c.state)`, orig))

	// Consult a8, who answers; then complete.
	if v := p7.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.ConsultTransfer(%q, 'a8', 'agent').then(c => c.held + ' ' + c.parties.map(p => p.kind + ':' + p.target + ':' + p.state).join())`, nid)); v != "true agent:a8:consulting" {
		t.Errorf("ConsultTransfer resolved %q", v)
	}
	p8.wait("a8 rings", `AGENTDESKTOP.getContacts().some(c => c.state === 'offered' && c.type === 'internal')`)
	leg := p8.str(`AGENTDESKTOP.getContacts()[0].id`)
	if v := p8.str(fmt.Sprintf(`(c => c.peer + ' ' + c.ani + ' ' + c.job_type + ' ' + c.isACD)(AGENTDESKTOP.getContact(%q))`, leg)); v != nid+" a7 manual false" {
		t.Errorf("a8's consultation leg: %q", v)
	}
	p8.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Answer(%q).then(c => c.state)`, leg))
	p7.wait("consult connected", fmt.Sprintf(`(AGENTDESKTOP.getContact(%q).parties || []).some(p => p.state === 'connected')`, nid))
	if v := p7.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.CompleteTransfer(%q).then(c => c.state + ' ' + c.reason)`, nid)); v != "offline transferred" {
		t.Errorf("CompleteTransfer resolved %q", v)
	}
	p8.wait("a8 has the customer", fmt.Sprintf(`(c => c && c.ani === '+39 333 777' && c.transferred_from === %q && c.peer === undefined)(AGENTDESKTOP.getContact(%q))`, nid, leg))
	got := names(p7.events(nid))
	want := []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "POPUP", "ESTABLISHED", "JOBSTARTED:online", "HELD", "PARTYCHANGED", "PARTYCHANGED", "CONNECTIONCLEARED", "JOBCHANGED:offline"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("a7's events %v, want %v", got, want)
	}
	got = names(p8.events(leg))
	want = []string{"CONNECTIONSTARTED", "RINGING", "POPUP", "ESTABLISHED", "PARTYCHANGED"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("a8's events %v, want %v", got, want)
	}
	p8.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hangup(%q).then(c => c.state)`, leg))
	p7.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.OfflineEnd(%q).then(c => c.state)`, nid))
	for _, p := range []*tab{p6, p7, p8} {
		p.wait("no contacts left", `AGENTDESKTOP.getContacts().length === 0`)
	}

	// An internal call the callee rejects: both sides clear (events.md).
	ic := evalIn[map[string]any](p6, `AGENTDESKTOP.CONTACT.MakeCall('agent:a8')`)
	icID, _ := ic["id"].(string)
	if ic["type"] != "internal" || ic["dnis"] != "a8" || ic["isACD"] != false {
		t.Errorf("MakeCall('agent:a8') resolved %v", ic)
	}
	p8.wait("a8 rings", fmt.Sprintf(`AGENTDESKTOP.getContacts().some(c => c.peer === %q && c.state === 'offered')`, icID))
	callee := p8.str(`AGENTDESKTOP.getContacts()[0].id`)
	if v := p8.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Reject(%q).then(c => c.state + ' ' + c.reason)`, callee)); v != "finished rejected" {
		t.Errorf("Reject of the internal call: %q", v)
	}
	p6.wait("caller cleared", fmt.Sprintf(`R.all.some(e => e.id === %q && e.event === 'JOBFINISHED')`, icID))
	if got, want := names(p6.events(icID)), []string{"CONNECTIONSTARTED", "DIALING", "POPUP", "CONNECTIONCLEARED", "JOBFINISHED"}; !reflect.DeepEqual(got, want) {
		t.Errorf("caller's events %v, want %v", got, want)
	}
	if got, want := names(p8.events(callee)), []string{"CONNECTIONSTARTED", "RINGING", "CONNECTIONCLEARED", "JOBFINISHED"}; !reflect.DeepEqual(got, want) {
		t.Errorf("callee's events %v, want %v", got, want)
	}
	if v := p6.str(fmt.Sprintf(`R.all.find(e => e.id === %q && e.event === 'CONNECTIONCLEARED').reason`, icID)); v != "rejected" {
		t.Errorf("caller's CONNECTIONCLEARED reason %q", v)
	}
	if v := p8.str(`AGENTDESKTOP.getAgent().state`); v != "LOGGEDIN" {
		t.Errorf("callee after rejecting an internal call: %s, want LOGGEDIN (not FORCED)", v)
	}
}

// demoShell: the CRM framed by examples/desktop; TAB calls change the
// shell's tabs, the shell's Accept/Reject popup reaches the CRM as
// DIALOGOPENED / DIALOGCLOSED.
func (c *cleanroom) demoShell(t *testing.T) {
	ctx, cancel := context.WithTimeout(chromium.NewTab(t, c.browser), 60*time.Second)
	defer cancel()
	w := trackWorlds(t, ctx)
	shell := &tab{t: t, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.Navigate(c.demo+"/index.html?agent=a9&crm="+url.QueryEscape(c.crm+"/crm/demo"))); err != nil {
		t.Fatal(err)
	}
	shell.wait("login form", `document.getElementById('agent-id').value === 'a9'`)
	shell.str(`document.querySelector('#login button[type=submit]').click(), ''`)
	var fid cdp.FrameID
	eventually(t, "CRM frame connected", 10*time.Second, func() (bool, string) {
		fs, err := chromium.Frames(ctx)
		if err != nil {
			return false, err.Error()
		}
		for _, f := range fs {
			if f.ParentID != "" && strings.HasPrefix(f.URL, c.crm+"/crm/demo") {
				// (the frame the shell shows before sign-in may connect with
				// an earlier subtest's token cookie: wait for a9's)
				if ok, _ := inFrame[bool](ctx, w, f.ID, `AGENTDESKTOP.getStatus().status === 'connected' && AGENTDESKTOP.getAgent().id === 'a9'`); ok {
					fid = f.ID
					return true, ""
				}
			}
		}
		return false, fmt.Sprint(len(fs), " frames")
	})
	crm := func(expr string) string {
		t.Helper()
		v, err := inFrame[string](ctx, w, fid, expr)
		if err != nil {
			fs, _ := chromium.Frames(ctx)
			var d []string
			for _, f := range fs {
				d = append(d, fmt.Sprintf("%s %s parent=%s", f.ID, f.URL, f.ParentID))
			}
			w.mu.Lock()
			d = append(d, fmt.Sprint(w.main))
			w.mu.Unlock()
			t.Fatalf("CRM frame %v: %s: %v\n%s", fid, expr, err, strings.Join(d, "\n"))
		}
		return v
	}
	tabs := `[...document.querySelectorAll('#tabs [role=tab]')].map(b => b.textContent).join('|')`
	crm(`String(AGENTDESKTOP.TAB.Badge(3))`)
	shell.wait("badge on the CRM tab", tabs+` === 'CRM3'`)
	crm(`String(AGENTDESKTOP.TAB.Open('t1', 'Customer 42'))`)
	shell.wait("tab opened and focused", tabs+` === 'CRM3|Customer 42×' && document.querySelector('#tabs [aria-selected=true]').textContent === 'Customer 42×'`)
	crm(`String(AGENTDESKTOP.TAB.SetTitle('Customer 42 (VIP)', 't1'))`)
	shell.wait("tab renamed", tabs+` === 'CRM3|Customer 42 (VIP)×'`)
	crm(`String(AGENTDESKTOP.TAB.GoTo('crm'))`)
	shell.wait("CRM tab focused", `document.querySelector('#tabs [aria-selected=true]').textContent === 'CRM3'`)
	crm(`String(AGENTDESKTOP.TAB.Close('t1') && AGENTDESKTOP.TAB.Badge(0))`)
	shell.wait("tab closed, badge gone", tabs+` === 'CRM'`)

	crm(`window.dlg = [], AGENTDESKTOP.UI.bindDialogCallback(e => dlg.push(e.event + ' ' + e.dialog + ' ' + e.data.contactId + ' ' + (e.data.result || '') + ' ' + e.from)), ''`)
	shell.str(`document.getElementById('btn-ready').click(), ''`)
	eventually(t, "LOGGEDIN in the CRM", 10*time.Second, func() (bool, string) {
		s := crm(`AGENTDESKTOP.getAgent().state`)
		return s == "LOGGEDIN", s
	})
	_, ct := c.call(t, "POST", "/contacts", map[string]any{"queue": "demo", "ani": "+39 02 1"})
	id := ct["id"].(string)
	shell.wait("offer popup", `document.getElementById('offer').open`)
	shell.str(`document.querySelector('#offer button[value=accept]').click(), ''`)
	eventually(t, "DIALOGOPENED and DIALOGCLOSED in the CRM", 10*time.Second, func() (bool, string) {
		s := crm(`dlg.join('|')`)
		return s == fmt.Sprintf("DIALOGOPENED accept %[1]s  desktop:shell|DIALOGCLOSED accept %[1]s accept desktop:shell", id), s
	})
	eventually(t, "call online", 10*time.Second, func() (bool, string) {
		s := crm(fmt.Sprintf(`(AGENTDESKTOP.getContact(%q) || {}).state || ''`, id))
		return s == "online", s
	})
	if v := crm(fmt.Sprintf(`AGENTDESKTOP.CONTACT.OfflineEnable(%q, false).then(() => AGENTDESKTOP.CONTACT.Hangup(%[1]q)).then(c => c.state)`, id)); v != "finished" {
		t.Errorf("hang-up: %q", v)
	}
}

// reloadAndReplay: reloads while offered and in After Call Work; the
// reloaded page knows the contact at load and bindContactCallback(fn,
// {replay: true}) gives it with the right phase; disconnect/connect.
func (c *cleanroom) reloadAndReplay(t *testing.T) {
	p := c.crmPage(t, "a10", "/crm/home")
	p.str(`AGENTDESKTOP.AGENT.Ready().then(a => a.state)`)
	_, ct := c.call(t, "POST", "/contacts", map[string]any{"queue": "reload", "ani": "42"})
	id := ct["id"].(string)
	p.wait("offered", fmt.Sprintf(`R.all.some(e => e.id === %q && e.phase === 'setup')`, id))
	replayed := func() string {
		return p.str(`new Promise(res => { const got = []; AGENTDESKTOP.WIDGET.bindContactCallback(e => got.push(e.event + (e.phase ? ':' + e.phase : '') + (e.replayed ? '*' : '')), {replay: true}); AGENTDESKTOP.ready().then(() => setTimeout(() => res(got.join()), 50)); })`)
	}
	p.navigate(`location.reload()`)
	if v := p.str(`R.atLoad.contacts.map(c => c.state + ' ' + c.last_event).join()`); v != "offered JOBCHANGED" {
		t.Errorf("offered contact at load: %q", v)
	}
	if v := replayed(); v != "LOGGEDIN*,JOBCHANGED:setup*" {
		t.Errorf("replay while offered: %q", v)
	}
	p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Answer(%q).then(c => c.state)`, id))
	p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.Hangup(%q).then(c => c.state)`, id))
	if got, want := names(p.events(id)), []string{"POPUP", "ESTABLISHED", "JOBSTARTED:online", "CONNECTIONCLEARED", "JOBCHANGED:offline"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events after the reload %v, want %v", got, want)
	}
	p.navigate(`location.reload()`)
	if v := replayed(); v != "LOGGEDIN*,JOBCHANGED:offline*" {
		t.Errorf("replay in After Call Work: %q", v)
	}
	// disconnect(): relays report false, commands reject with not_connected;
	// connect() again resumes.
	if v := p.str(`AGENTDESKTOP.disconnect(), [AGENTDESKTOP.getStatus().status, AGENTDESKTOP.TAB.Badge(1), AGENTDESKTOP.WIDGET.sendDataToWidget('x', 1), AGENTDESKTOP.relay('TAB.Badge', {})].join()`); v != "disconnected,false,false,false" {
		t.Errorf("after disconnect(): %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.OfflineEnd(%q).then(() => 'resolved', e => e.code)`, id)); v != "not_connected" {
		t.Errorf("command after disconnect(): %q", v)
	}
	if v := p.str(`AGENTDESKTOP.connect().then(s => s.contacts.length + ' ' + AGENTDESKTOP.getStatus().status)`); v != "1 connected" {
		t.Errorf("connect() again: %q", v)
	}
	if v := p.str(fmt.Sprintf(`AGENTDESKTOP.CONTACT.OfflineEnd(%q).then(c => c.state)`, id)); v != "finished" {
		t.Errorf("OfflineEnd after reconnecting: %q", v)
	}
}
