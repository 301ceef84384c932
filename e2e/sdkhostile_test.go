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
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

// hostileRecord is what testdata/sdkhostile/probe.js sends with sendBeacon.
type hostileRecord struct {
	Frame string          `json:"frame"`
	Load  string          `json:"load"`
	N     int             `json:"n"`
	Kind  string          `json:"kind"`
	Data  json.RawMessage `json:"data"`
}

type hostileEvent struct {
	Seq int            `json:"seq"`
	Ev  map[string]any `json:"ev"`
}

// hostileCRM serves testdata/sdkhostile (and Prototype 1.7.3 from
// testdata/libs) as a legacy CRM that refuses framing, and collects the
// probe's beacons.
type hostileCRM struct {
	srv *httptest.Server
	mu  sync.Mutex
	rec []hostileRecord
}

func newHostileCRM(t *testing.T) *hostileCRM {
	t.Helper()
	h := &hostileCRM{}
	files := map[string]string{
		"/crm.html": "crm.html", "/record.html": "record.html", "/probe.js": "probe.js", "/hostile.js": "hostile.js",
		"/libs/prototype-1.7.3.js": filepath.Join("..", "libs", "prototype-1.7.3.js"),
	}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/rec" {
			var rec hostileRecord
			b, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Errorf("probe beacon %q: %v", b, err)
				return
			}
			h.mu.Lock()
			h.rec = append(h.rec, rec)
			h.mu.Unlock()
			return
		}
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", "sdkhostile", name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		ct := "text/javascript"
		if strings.HasSuffix(name, ".html") {
			ct = "text/html; charset=utf-8"
			w.Header().Set("X-Frame-Options", "DENY")
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(b)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hostileCRM) records(frame, kind string) []hostileRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hostileRecord
	for _, r := range h.rec {
		if r.Frame == frame && (kind == "" || r.Kind == kind) {
			out = append(out, r)
		}
	}
	return out
}

// events returns the contact and agent events a frame's pages saw, in seq order.
func (h *hostileCRM) events(t *testing.T, frame string) []hostileEvent {
	t.Helper()
	var out []hostileEvent
	for _, r := range h.records(frame, "event") {
		var e hostileEvent
		if err := json.Unmarshal(r.Data, &e); err != nil {
			t.Fatalf("%s event %s: %v", frame, r.Data, err)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func hostileNames(evs []hostileEvent, id string) []string {
	var out []string
	for _, e := range evs {
		if e.Ev["id"] == id {
			out = append(out, fmt.Sprint(e.Ev["event"]))
		}
	}
	return out
}

// blockStorage runs before any script of a document in the frame named
// "nostorage": sessionStorage and localStorage throw, as in a third-party
// frame whose storage the browser blocks.
const blockStorage = `if (window.name === 'nostorage') {
  for (const k of ['sessionStorage', 'localStorage']) {
    Object.defineProperty(window, k, { configurable: true, get() {
      throw new DOMException("Failed to read the '" + k + "' property from 'Window': Access is denied for this document.", 'SecurityError');
    } });
  }
}`

// TestSDKHostilePageChromium frames a CRM whose pages load Prototype 1.7.3,
// Prototype 1.6's toJSON patches, json.js pollution and replacements of
// JSON, WebSocket, Promise, timers, addEventListener, bind/call/apply,
// Object.assign, URL, Map, console, AMD/CommonJS globals and AGENTDESKTOP
// (testdata/sdkhostile/hostile.js), twice in a desktop: one frame with
// working storage, one whose storage throws. The SDK in both must connect,
// send commands whose object and array arguments reach the engine intact,
// deliver a routed call's events with their fields, screen-pop, resume,
// reconnect, and relay arrays and objects exactly, without ever calling
// the page's replacements.
func TestSDKHostilePageChromium(t *testing.T) {
	start := time.Now()
	crm := newHostileCRM(t)
	deskDir := filepath.Join("..", "examples", "desktop")
	desk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/desk.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			http.ServeFile(w, r, filepath.Join("testdata", "sdkhostile", "desk.html"))
		case "/agentdesktop.js":
			http.ServeFile(w, r, filepath.Join(deskDir, "agentdesktop.js"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(desk.Close)
	crmPort, apiPort := caddyrun.FreePort(t), caddyrun.FreePort(t)
	crmBase := fmt.Sprintf("http://127.0.0.1:%d", crmPort)
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	up := strings.TrimPrefix(crm.srv.URL, "http://")
	caddyrun.Start(t, fmt.Sprintf(`{
	crm_engine {
		secret "e2e-sdk-hostile-secret-0123456789abcdef"
		demo_tokens
		queue sales a1
		no_answer_timeout 5m
		acw_timeout 5m
	}
}
%[1]s {
	crm_frame {
		frame_ancestors %[2]s
		upstream_origin http://%[3]s
		screen_pop /record.html?phone={ani}&id={id}
	}
	reverse_proxy %[3]s {
		header_up Host {upstream_hostport}
	}
}
%[4]s {
	crm_engine_api
}
`, crmBase, desk.URL, up, api))

	resp, err := http.Post(crmBase+"/__crmframe/demo/token", "application/json", strings.NewReader(`{"agent":"a1"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.Token == "" {
		t.Fatalf("demo token: %v %+v", err, tok)
	}

	browser := chromium.New(t)
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()
	w := trackWorlds(t, ctx)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: blockStorage}); err != nil {
		t.Fatal(err)
	}
	deskURL := desk.URL + "/desk.html?crm=" + url.QueryEscape(crmBase+"/crm.html") + "&token=" + url.QueryEscape(tok.Token)
	if err := chromedp.Do(ctx, chromedp.Navigate(deskURL)); err != nil {
		t.Fatal(err)
	}

	frames := map[string]cdp.FrameID{}
	// in evaluates expr in the main world of the named CRM frame.
	in := func(name, expr string) (any, error) { return inFrame[any](ctx, w, frames[name], expr) }
	must := func(name, expr string) any {
		t.Helper()
		v, err := in(name, expr)
		if err != nil {
			t.Fatalf("%s frame: %s: %v", name, expr, err)
		}
		return v
	}
	waitIn := func(name, what, expr string) {
		t.Helper()
		eventually(t, name+": "+what, 15*time.Second, func() (bool, string) {
			v, err := in(name, expr)
			if err == nil && v == true {
				return true, ""
			}
			d, _ := in(name, `location.href + ' ' + (window.T ? T.str(T.AD.getStatus()) : 'no probe') + ' sdkCalls=' + (window.HOSTILE ? HOSTILE.sdkCalls.join(' | ') : '')`)
			return false, fmt.Sprintf("%v %v / %v", v, err, d)
		})
	}
	const connected = `window.T !== undefined && window.AGENTDESKTOP === T.AD && AGENTDESKTOP.getStatus().status === 'connected'`

	// 1. Both CRM frames load, the hostile environment is in place, and the
	// SDK is connected (and is AGENTDESKTOP again after the CRM overwrote it).
	eventually(t, "both CRM frames", 15*time.Second, func() (bool, string) {
		fs, err := chromium.Frames(ctx)
		if err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, f := range fs {
			if f.ParentID != "" && strings.HasPrefix(f.URL, crmBase+"/crm.html") {
				frames[f.Name] = f.ID
			}
			seen = append(seen, f.Name+"="+f.URL)
		}
		return frames["crm"] != "" && frames["nostorage"] != "", strings.Join(seen, " ")
	})
	for _, name := range []string{"crm", "nostorage"} {
		waitIn(name, "SDK connected", connected)
		env := must(name, `[typeof Array.prototype.toJSON, Array.from === $A, Object.prototype.propertyIsEnumerable('toJSONString'),
			typeof URL, typeof Promise.prototype, typeof Map.prototype.set, typeof define.amd, typeof module.exports, typeof console.error,
			(() => { try { return typeof sessionStorage.getItem } catch (e) { return e.name } })()].join(' ')`)
		wantStorage := "function"
		if name == "nostorage" {
			wantStorage = "SecurityError"
		}
		if want := "function true true string object undefined object object undefined " + wantStorage; env != want {
			t.Fatalf("%s frame environment: %q, want %q", name, env, want)
		}
	}
	if v := must("crm", `T.str({ a: [1] }) + ' ' + Object.getOwnPropertyDescriptor(Array.prototype, 'toJSON').value.call([1, 2])`); v != `{"a":[1]} [1, 2]` {
		t.Fatalf("Array#toJSON patch: %v", v)
	}
	if v, err := inShell[bool](ctx, `AGENTDESKTOP.getStatus().status === 'connected'`); err != nil || !v {
		eventually(t, "shell connected", 10*time.Second, func() (bool, string) {
			v, err := inShell[bool](ctx, `AGENTDESKTOP.getStatus().status === 'connected'`)
			return err == nil && v, fmt.Sprint(err)
		})
	}

	// 2. Ready from the hostile page: a command through the replaced Promise.
	if v := must("crm", `(() => { const p = AGENTDESKTOP.AGENT.Ready(); return typeof p.catch === 'function' ? p.then(a => a.state) : 'no catch'; })()`); v != "LOGGEDIN" {
		t.Fatalf("AGENT.Ready resolved %v", v)
	}

	// 3. A call routed to a1; answered from the CRM frame; POPUP screen-pops
	// both frames to the record page.
	const ani = "+39 02 5550 1234"
	body, _ := json.Marshal(map[string]any{"queue": "sales", "ani": ani, "dnis": "800100100", "call_data": map[string]string{"customer_id": "1001"}})
	resp, err = http.Post(api+"/contacts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || c["state"] != "offered" || c["agent"] != "a1" {
		t.Fatalf("POST /contacts: %d %v", resp.StatusCode, c)
	}
	id := c["id"].(string)
	for _, name := range []string{"crm", "nostorage"} {
		waitIn(name, "call offered", fmt.Sprintf(`(AGENTDESKTOP.getContact(%q) || {}).last_event === 'JOBCHANGED'`, id))
	}
	for _, name := range []string{"crm", "nostorage"} {
		if v := must(name, `HOSTILE.sdkCalls.join(' | ')`); v != "" {
			t.Errorf("%s frame: the SDK called the page's replacements: %v", name, v)
		}
	}
	must("crm", fmt.Sprintf(`AGENTDESKTOP.CONTACT.Answer(%q).then(c => T.send('answered', c.state)), true`, id))
	for _, name := range []string{"crm", "nostorage"} {
		waitIn(name, "screen-pop to the record page", fmt.Sprintf(`location.pathname === '/record.html' && new URLSearchParams(location.search).get('phone') === %q && new URLSearchParams(location.search).get('id') === %q && %s`, ani, id, connected))
		waitIn(name, "call online", fmt.Sprintf(`(AGENTDESKTOP.getContact(%q) || {}).state === 'online'`, id))
	}
	if u, _ := inShell[string](ctx, `location.href`); u != deskURL {
		t.Fatalf("the desktop navigated to %v", u)
	}

	// 4. Call data as an object, with values JSON would mangle without
	// escaping, from the record page (Prototype and the patches are back).
	note := "He said \"hi\"\nline 2 \\ ünïcode €"
	cd, _ := json.Marshal(map[string]string{"note": note, "tags": `["a","b"]`, "empty": ""})
	if v := must("crm", fmt.Sprintf(`AGENTDESKTOP.CONTACT.SetCallData(%q, %s).then(c => T.str([c.call_data, c.state]))`, id, cd)); v != `[{"customer_id":"1001","empty":"","note":`+mustJSON(note)+`,"tags":"[\"a\",\"b\"]"},"online"]` {
		t.Fatalf("SetCallData resolved %v", v)
	}
	resp, err = http.Get(api + "/contacts/" + id)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()
	wantCD := map[string]any{"customer_id": "1001", "note": note, "tags": `["a","b"]`, "empty": ""}
	if !reflect.DeepEqual(c["call_data"], wantCD) {
		t.Fatalf("engine call data %v, want %v", c["call_data"], wantCD)
	}

	// 5. Relays carrying arrays, objects and a Date, both ways.
	must("crm", `AGENTDESKTOP.WIDGET.sendDataToWidget('shell', { list: [1, 'two', { three: [3] }], nested: { deep: [[]] }, when: new Date(0), h: 'x' })`)
	var rel string
	eventually(t, "the shell gets the CRM's relay", 10*time.Second, func() (bool, string) {
		rel, _ = inShell[string](ctx, `JSON.stringify(REC.filter(r => r.name === 'WIDGET.Data').map(r => r.data))`)
		return rel != "[]" && rel != "", rel
	})
	if want := `[{"widget":"crm","data":{"list":[1,"two",{"three":[3]}],"nested":{"deep":[[]]},"when":"1970-01-01T00:00:00.000Z","h":"x"}}]`; rel != want {
		t.Fatalf("relay at the shell: %s, want %s", rel, want)
	}
	if _, err := inShell[bool](ctx, `AGENTDESKTOP.WIDGET.sendDataToWidget('crm', { rows: [[1, 2], [3]], ok: true, s: 'q"x' })`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"crm", "nostorage"} {
		waitIn(name, "WIDGETDATA from the shell", `T.data.length === 1`)
		if v := must(name, `T.str([T.data[0].event, T.data[0].widget, T.data[0].data, T.data[0].from])`); v != `["WIDGETDATA","shell",{"rows":[[1,2],[3]],"ok":true,"s":"q\"x"},"desktop:shell"]` {
			t.Errorf("%s frame WIDGETDATA: %v", name, v)
		}
	}

	// 6. The server closes the storage frame's socket (a relay over the
	// message size limit); an event published meanwhile arrives after the
	// reconnect, which must not use the page's WebSocket.
	must("crm", `AGENTDESKTOP.relay('WIDGET.Data', { pad: 'x'.repeat(70000) }, 'nobody')`)
	waitIn("crm", "reconnecting", `AGENTDESKTOP.getStatus().status !== 'connected'`)
	body, _ = json.Marshal(map[string]any{"contact": id, "event": "DATACHANGED", "call_data": map[string]string{"step": "while reconnecting"}})
	if resp, err := http.Post(api+"/events", "application/json", bytes.NewReader(body)); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /events: %v %v", err, resp)
	}
	for _, name := range []string{"crm", "nostorage"} {
		waitIn(name, "DATACHANGED after the reconnect", fmt.Sprintf(`%s && (AGENTDESKTOP.getContact(%q).call_data || {}).step === 'while reconnecting'`, connected, id))
		if v := must(name, `HOSTILE.sdkCalls.join(' | ')`); v != "" {
			t.Errorf("%s frame: the SDK called the page's replacements: %v", name, v)
		}
	}

	// 7. One connection per page: shell + two CRM frames.
	resp, err = http.Get(api + "/agents")
	if err != nil {
		t.Fatal(err)
	}
	var agents []map[string]any
	json.NewDecoder(resp.Body).Decode(&agents)
	resp.Body.Close()
	for _, a := range agents {
		if a["id"] == "a1" && a["connections"] != 3.0 {
			t.Errorf("a1 has %v connections, want 3 (shell + 2 CRM pages)", a["connections"])
		}
	}

	// 8. The events each frame's pages saw, across the screen-pop.
	want := []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED", "POPUP", "ESTABLISHED", "JOBSTARTED", "DATACHANGED", "DATACHANGED"}
	eventually(t, "beacons in", 5*time.Second, func() (bool, string) {
		a, b := hostileNames(crm.events(t, "crm"), id), hostileNames(crm.events(t, "nostorage"), id)
		return len(a) >= len(want) && len(b) >= 7 && b[len(b)-1] == "DATACHANGED" && b[len(b)-2] == "DATACHANGED", fmt.Sprint(a, b)
	})
	evs := crm.events(t, "crm")
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq != evs[i-1].Seq+1 {
			t.Fatalf("crm frame events not gap-free: seq %d after %d", evs[i].Seq, evs[i-1].Seq)
		}
	}
	if got := hostileNames(evs, id); !reflect.DeepEqual(got, want) {
		t.Fatalf("crm frame events for the call: %v, want %v", got, want)
	}
	common := map[string]any{"id": id, "media_type": "telephony", "type": "inbound", "job_type": "inbound", "isACD": true,
		"ani": ani, "dnis": "800100100", "queue": "sales", "agent": "a1"}
	check := func(frame string, evs []hostileEvent) {
		for _, e := range evs {
			if e.Ev["id"] != id {
				continue
			}
			for k, v := range common {
				if !reflect.DeepEqual(e.Ev[k], v) {
					t.Errorf("%s %s: %s = %#v, want %#v", frame, e.Ev["event"], k, e.Ev[k], v)
				}
			}
			if s, _ := e.Ev["uuid"].(string); len(s) != 36 {
				t.Errorf("%s %s: uuid %v", frame, e.Ev["event"], e.Ev["uuid"])
			}
			switch e.Ev["event"] {
			case "JOBCHANGED":
				if e.Ev["phase"] != "setup" {
					t.Errorf("%s JOBCHANGED phase %v", frame, e.Ev["phase"])
				}
			case "ESTABLISHED":
				if _, ok := e.Ev["startTime"].(float64); !ok || e.Ev["job_state"] != "online" {
					t.Errorf("%s ESTABLISHED: %v", frame, e.Ev)
				}
			case "DATACHANGED":
				if ch, _ := e.Ev["changed"].([]any); len(ch) == 0 {
					t.Errorf("%s DATACHANGED without changed array: %#v", frame, e.Ev["changed"])
				}
			}
		}
	}
	check("crm", evs)
	var dc []hostileEvent
	for _, e := range evs {
		if e.Ev["event"] == "DATACHANGED" {
			dc = append(dc, e)
		}
	}
	if !reflect.DeepEqual(dc[0].Ev["changed"], []any{"empty", "note", "tags"}) || !reflect.DeepEqual(dc[0].Ev["call_data"], wantCD) {
		t.Errorf("first DATACHANGED: changed %#v call_data %#v", dc[0].Ev["changed"], dc[0].Ev["call_data"])
	}
	// The record page of the storage frame knew the call when it loaded:
	// the state the previous page stored under Prototype's Array#toJSON.
	var recLoads []string
	for _, r := range crm.records("crm", "load") {
		var l struct {
			Href     string           `json:"href"`
			Status   string           `json:"status"`
			Contacts []map[string]any `json:"contacts"`
		}
		json.Unmarshal(r.Data, &l)
		if strings.Contains(l.Href, "/record.html") {
			recLoads = append(recLoads, fmt.Sprint(len(l.Contacts), " ", l.Status))
			if len(l.Contacts) != 1 || l.Contacts[0]["id"] != id || l.Contacts[0]["ani"] != ani || !reflect.DeepEqual(l.Contacts[0]["call_data"], map[string]any{"customer_id": "1001"}) {
				t.Errorf("record page at load: %s, want the call restored from sessionStorage", r.Data)
			}
		}
	}
	if len(recLoads) != 1 {
		t.Errorf("record page loads in the crm frame: %v, want one (screen-pop once)", recLoads)
	}
	// The frame without storage: every event up to POPUP on the first
	// page; the record page starts from a snapshot (no resume without
	// storage) and gets what follows.
	ns := crm.events(t, "nostorage")
	check("nostorage", ns)
	got := hostileNames(ns, id)
	if len(got) < 5 || !reflect.DeepEqual(got[:5], want[:5]) || got[len(got)-1] != "DATACHANGED" {
		t.Errorf("nostorage frame events for the call: %v", got)
	}
	t.Logf("hostile CRM: %d + %d events, %d beacons; took %v", len(evs), len(ns), len(crm.records("crm", ""))+len(crm.records("nostorage", "")), time.Since(start).Round(time.Millisecond))
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
