package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/injector/jsrewrite"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// Names that must never show up as label values (unbounded cardinality).
const (
	mAgent      = "agent-7731"
	mContact    = "ct-5f3a9e"
	mForced     = "ct-forced-81c2"
	mUnknown    = "ct-nonexistent-77"
	mSecret     = "metrics-test-secret-0123456789abcdef"
	mBustInline = `if (window.top !== window.self) { top.location = self.location; }`
	mBustJS     = "(function(){ if (top != self) { top.location.href = location.href; } })();\n"
)

func mPage() string {
	return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Account</title>
<script>` + mBustInline + `</script>
</head><body><h1>Account 4711</h1><img src="/logo.png"></body></html>
`
}

// mPNG is a 1x1 PNG (enough for a Content-Type sniff to agree).
var mPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func metricsUpstream() *httptest.Server {
	var self string
	mux := http.NewServeMux()
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'; object-src 'none'")
		_, _ = io.WriteString(w, mPage())
	})
	mux.HandleFunc("/logo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		_, _ = w.Write(mPNG)
	})
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = io.WriteString(w, mBustJS)
	})
	mux.HandleFunc("/page-gz.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, mPage())
		_ = zw.Close()
	})
	mux.HandleFunc("/broken.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = io.WriteString(w, "this is not gzip at all")
	})
	mux.HandleFunc("/sso", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://sso.corp.example/login?app=crm")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", self+"/page.html")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusFound)
		_, _ = io.WriteString(w, "moved")
	})
	srv := httptest.NewServer(mux)
	self = srv.URL
	return srv
}

// scrape is one parsed /metrics answer.
type scrape map[string]*dto.MetricFamily

func mScrape(t *testing.T, url string) scrape {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

// labelsMatch reports whether m has every label of want (an absent label
// counts as "", as in PromQL).
func labelsMatch(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		got := ""
		for _, lp := range m.GetLabel() {
			if lp.GetName() == k {
				got = lp.GetValue()
			}
		}
		if got != v {
			return false
		}
	}
	return true
}

// val sums the series of name whose labels include want: counter and gauge
// values, histogram sample counts.
func (s scrape) val(name string, want map[string]string) float64 {
	f := s[name]
	if f == nil {
		return 0
	}
	sum := 0.0
	for _, m := range f.GetMetric() {
		if !labelsMatch(m, want) {
			continue
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			sum += m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			sum += m.GetGauge().GetValue()
		case dto.MetricType_HISTOGRAM:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// hsum sums the observed values of a histogram's matching series.
func (s scrape) hsum(name string, want map[string]string) float64 {
	f := s[name]
	if f == nil {
		return 0
	}
	sum := 0.0
	for _, m := range f.GetMetric() {
		if labelsMatch(m, want) {
			sum += m.GetHistogram().GetSampleSum()
		}
	}
	return sum
}

type lbl = map[string]string

type mWant struct {
	name   string
	labels lbl
	delta  float64
}

func checkDeltas(t *testing.T, before, after scrape, wants []mWant) {
	t.Helper()
	for _, w := range wants {
		if got := after.val(w.name, w.labels) - before.val(w.name, w.labels); got != w.delta {
			t.Errorf("%s%v: delta %v, want %v", w.name, w.labels, got, w.delta)
		}
	}
}

// mWS is an agent WebSocket client that remembers what it received.
type mWS struct {
	t      *testing.T
	c      *websocket.Conn
	events map[string]int
	epoch  string
	seq    uint64
}

type mMsg struct {
	Op       string          `json:"op"`
	ID       string          `json:"id"`
	OK       bool            `json:"ok"`
	Seq      uint64          `json:"seq"`
	Epoch    string          `json:"epoch"`
	Snapshot bool            `json:"snapshot"`
	Data     json.RawMessage `json:"data"`
	Error    *struct {
		Code string `json:"code"`
	} `json:"error"`
}

func mDial(t *testing.T, d *websocket.Dialer, url string, hdr http.Header) (*websocket.Conn, int, error) {
	c, resp, err := d.Dial(url, hdr)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		resp.Body.Close()
	}
	return c, status, err
}

func (w *mWS) hello(kind string, resume any) mMsg {
	hello := map[string]any{"op": "hello", "v": 1, "client": map[string]string{"kind": kind, "id": "metrics"}}
	if resume != nil {
		hello["resume"] = resume
	}
	if err := w.c.WriteJSON(hello); err != nil {
		w.t.Fatal(err)
	}
	return w.until(func(m mMsg, _ map[string]any) bool { return m.Op == "welcome" })
}

// until reads messages until pred holds, counting events by name.
func (w *mWS) until(pred func(mMsg, map[string]any) bool) mMsg {
	w.t.Helper()
	_ = w.c.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		var m mMsg
		if err := w.c.ReadJSON(&m); err != nil {
			w.t.Fatalf("websocket read: %v", err)
		}
		var d map[string]any
		_ = json.Unmarshal(m.Data, &d)
		switch m.Op {
		case "welcome":
			w.epoch, w.seq = m.Epoch, m.Seq
		case "event":
			w.seq = m.Seq
			if name, _ := d["event"].(string); name != "" {
				w.events[name]++
			}
		}
		if pred(m, d) {
			return m
		}
	}
}

func (w *mWS) event(name string) map[string]any {
	w.t.Helper()
	var got map[string]any
	w.until(func(m mMsg, d map[string]any) bool {
		if m.Op == "event" && d["event"] == name {
			got = d
			return true
		}
		return false
	})
	return got
}

func (w *mWS) cmd(id, name string, args any) mMsg {
	w.t.Helper()
	msg := map[string]any{"op": "cmd", "id": id, "name": name}
	if args != nil {
		msg["args"] = args
	}
	if err := w.c.WriteJSON(msg); err != nil {
		w.t.Fatal(err)
	}
	return w.until(func(m mMsg, _ map[string]any) bool { return m.Op == "result" && m.ID == id })
}

// waitFor polls the metrics until cond holds (server-side effects of a
// client close are asynchronous).
func waitFor(t *testing.T, url, what string, cond func(scrape) bool) scrape {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := mScrape(t, url)
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMetricsScrape drives proxy and engine traffic through the real binary
// and checks what its /metrics reports, series by series.
func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	up := metricsUpstream()
	defer up.Close()
	port, apiPort, mPort := caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t)
	cf := fmt.Sprintf(`{
	crm_engine {
		secret %q
		queue sales %s
		pause_code 1701 Lunch
		no_answer_timeout 2s
		acw_timeout 1m
		# the slow-client check floods pings: keep the rate limit out of it
		command_rate 100000
		command_burst 100000
	}
}
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors http://desk.example.com
		sandbox on
		upstream_origin %s
	}
	reverse_proxy %s
}
http://127.0.0.1:%d {
	crm_engine_api
}
http://127.0.0.1:%d {
	metrics /metrics
}
`, mSecret, mAgent, port, up.URL, strings.TrimPrefix(up.URL, "http://"), apiPort, mPort)
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", mPort)
	p := caddyrun.Run(t, cf, metricsURL)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	get := func(path string, hdr http.Header) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		maps.Copy(req.Header, hdr)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, b
	}

	s0 := mScrape(t, metricsURL)
	if v := s0.val("crmframe_queue_service_level_threshold_seconds", nil); v != 20 {
		t.Errorf("service level threshold = %v, want the default 20", v)
	}

	// ---- proxy ----
	resp, page := get("/page.html", nil)
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("/__crmframe/sdk.js")) || !bytes.Contains(page, []byte(jsrewrite.Accessor)) {
		t.Fatalf("page not rewritten: %d %s", resp.StatusCode, page)
	}
	resp, img := get("/logo.png", nil)
	if resp.StatusCode != 200 || !bytes.Equal(img, mPNG) {
		t.Fatalf("image: %d, %d bytes", resp.StatusCode, len(img))
	}
	resp, js := get("/app.js", nil)
	if resp.StatusCode != 200 || !bytes.Contains(js, []byte(jsrewrite.Accessor)) {
		t.Fatalf("js not rewritten: %d %s", resp.StatusCode, js)
	}
	// The second fetch is served from the rewritten-JavaScript cache: same
	// bytes, and the constructs are counted again.
	if resp, js2 := get("/app.js", nil); resp.StatusCode != 200 || !bytes.Equal(js2, js) {
		t.Fatalf("cached js differs: %d %s", resp.StatusCode, js2)
	}
	// The client accepts gzip, so Caddy's transport hands the corrupt body
	// to crm_frame as is (it would otherwise try to gunzip it itself).
	resp, broken := get("/broken.html", http.Header{"Accept-Encoding": {"gzip"}})
	if string(broken) != "this is not gzip at all" {
		t.Fatalf("undecodable body changed: %d %q", resp.StatusCode, broken)
	}
	resp, _ = get("/old", nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != base+"/page.html" {
		t.Fatalf("redirect: %d Location=%q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The CRM sends a page loading in the frame to its login site: counted
	// (a likely blank frame); the same redirect at top level is not.
	for _, dest := range []string{"iframe", "document"} {
		resp, _ = get("/sso", http.Header{"Sec-Fetch-Dest": {dest}})
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://sso.corp.example/login?app=crm" {
			t.Fatalf("sso redirect (%s): %d Location=%q", dest, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ = get("/__crmframe/sdk.js", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" {
		t.Fatalf("sdk.js: %d etag %q", resp.StatusCode, etag)
	}
	if resp, _ = get("/__crmframe/sdk.js", http.Header{"If-None-Match": {etag}}); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("sdk.js revalidation: %d", resp.StatusCode)
	}
	if resp, _ = get("/AD/widget/agentdesktop_widget.js", nil); resp.StatusCode != 200 {
		t.Fatalf("compat SDK: %d", resp.StatusCode)
	}

	s1 := mScrape(t, metricsURL)
	bust := map[string]float64{}
	for _, src := range []string{mBustInline, mBustJS, mBustJS} {
		_, res := jsrewrite.Rewrite([]byte(src), jsrewrite.Classic)
		if !res.Changed {
			t.Fatalf("fixture %q has no frame busting for the rewriter", src)
		}
		for k, n := range res.Counts {
			bust[k] += float64(n)
		}
	}
	wants := []mWant{
		{"crmframe_proxy_responses_total", nil, 8},
		{"crmframe_proxy_responses_total", lbl{"action": "rewritten_html"}, 1},
		{"crmframe_proxy_responses_total", lbl{"action": "rewritten_js"}, 2},
		{"crmframe_proxy_responses_total", lbl{"action": "passed_through"}, 4},
		{"crmframe_proxy_responses_total", lbl{"action": "undecodable"}, 1},
		{"crmframe_proxy_rewrite_duration_seconds", nil, 4},
		{"crmframe_proxy_rewrite_duration_seconds", lbl{"action": "rewritten_html"}, 1},
		{"crmframe_proxy_rewrite_duration_seconds", lbl{"action": "rewritten_js"}, 2},
		{"crmframe_proxy_rewrite_duration_seconds", lbl{"action": "undecodable"}, 1},
		{"crmframe_proxy_rewrite_bytes_in_total", lbl{"action": "rewritten_html"}, float64(len(mPage()))},
		{"crmframe_proxy_rewrite_bytes_out_total", lbl{"action": "rewritten_html"}, float64(len(page))},
		{"crmframe_proxy_rewrite_bytes_in_total", lbl{"action": "rewritten_js"}, float64(2 * len(mBustJS))},
		{"crmframe_proxy_rewrite_bytes_out_total", lbl{"action": "rewritten_js"}, float64(2 * len(js))},
		{"crmframe_proxy_js_cache_total", lbl{"result": "miss"}, 1},
		{"crmframe_proxy_js_cache_total", lbl{"result": "hit"}, 1},
		// 2 responses carried X-Frame-Options; all 8 proxied responses
		// got frame-ancestors and (sandbox on) the sandbox backstop.
		{"crmframe_proxy_headers_rewritten_total", lbl{"kind": "xfo_removed"}, 2},
		{"crmframe_proxy_headers_rewritten_total", lbl{"kind": "csp_frame_ancestors"}, 8},
		{"crmframe_proxy_headers_rewritten_total", lbl{"kind": "csp_sandbox"}, 8},
		{"crmframe_proxy_foreign_redirects_total", nil, 1},
		{"crmframe_proxy_headers_rewritten_total", lbl{"kind": "location"}, 1},
		{"crmframe_proxy_headers_rewritten_total", lbl{"kind": "cookie"}, 0},
		{"crmframe_proxy_sdk_requests_total", nil, 3},
		{"crmframe_proxy_sdk_requests_total", lbl{"asset": "sdk.js", "status": "200"}, 1},
		{"crmframe_proxy_sdk_requests_total", lbl{"asset": "sdk.js", "status": "304"}, 1},
		{"crmframe_proxy_sdk_requests_total", lbl{"asset": "agentdesktop_widget.js", "status": "200"}, 1},
	}
	total := 0.0
	for k, n := range bust {
		wants = append(wants, mWant{"crmframe_proxy_breakout_constructs_total", lbl{"kind": k, "mode": "neutralize"}, n})
		total += n
	}
	wants = append(wants, mWant{"crmframe_proxy_breakout_constructs_total", nil, total})
	checkDeltas(t, s0, s1, wants)

	// recompress_coding (default zstd): the CRM's gzip page goes out as
	// zstd to a browser that accepts it, and is counted; not to one that
	// does not.
	for _, accept := range []string{"gzip, deflate, br, zstd", "gzip"} {
		resp, _ = get("/page-gz.html", http.Header{"Accept-Encoding": {accept}})
		if want := map[bool]string{true: "zstd", false: "gzip"}[strings.Contains(accept, "zstd")]; resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != want {
			t.Fatalf("gzip page for %q: %d, Content-Encoding %q, want %s", accept, resp.StatusCode, resp.Header.Get("Content-Encoding"), want)
		}
	}
	s2 := mScrape(t, metricsURL)
	checkDeltas(t, s1, s2, []mWant{
		{"crmframe_proxy_recoded_total", nil, 1},
		{"crmframe_proxy_recoded_total", lbl{"from": "gzip", "to": "zstd"}, 1},
		{"crmframe_proxy_responses_total", lbl{"action": "rewritten_html"}, 2},
	})
	if d := s1.hsum("crmframe_proxy_rewrite_duration_seconds", nil) - s0.hsum("crmframe_proxy_rewrite_duration_seconds", nil); d <= 0 || d > 10 {
		t.Errorf("rewrite duration sum grew by %v s", d)
	}

	// ---- engine ----
	tok, err := engine.MintToken([]byte(mSecret), mAgent, "Metrics Agent", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wsURL := fmt.Sprintf("ws://127.0.0.1:%d/__crmframe/ws", port)
	if _, st, err := mDial(t, websocket.DefaultDialer, wsURL+"?token=forged.token.value", nil); err == nil || st != http.StatusUnauthorized {
		t.Errorf("bad token: status %d err %v", st, err)
	}
	if _, st, err := mDial(t, websocket.DefaultDialer, wsURL+"?token="+tok, http.Header{"Origin": {"http://evil.example.com"}}); err == nil || st != http.StatusForbidden {
		t.Errorf("foreign origin: status %d err %v", st, err)
	}
	c, st, err := mDial(t, websocket.DefaultDialer, wsURL+"?token="+tok, nil)
	if err != nil {
		t.Fatalf("dial: %d %v", st, err)
	}
	ws := &mWS{t: t, c: c, events: map[string]int{}}
	if w := ws.hello("widget", nil); !w.Snapshot {
		t.Fatalf("first welcome is not a snapshot: %+v", w)
	}
	if r := ws.cmd("c1", "AGENT.Ready", nil); !r.OK {
		t.Fatalf("AGENT.Ready: %s", r.Data)
	}
	post := func(path, body string, want int) {
		t.Helper()
		resp, err := client.Post(api+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
		}
	}
	tCall := time.Now()
	post("/contacts", `{"id":"`+mContact+`","media_type":"telephony","queue":"sales","ani":"+390255501234"}`, http.StatusCreated)
	ws.event("RINGING")
	if r := ws.cmd("c2", "CONTACT.Answer", lbl{"contactId": mContact}); !r.OK {
		t.Fatalf("CONTACT.Answer: %s", r.Data)
	}
	sMid := mScrape(t, metricsURL)
	checkDeltas(t, s1, sMid, []mWant{
		{"crmframe_engine_contacts_active", lbl{"media": "telephony", "phase": "online"}, 1},
		{"crmframe_engine_contacts_active", nil, 1},
		{"crmframe_engine_agents", lbl{"state": "LOGGEDIN", "pause_code": ""}, 1},
		{"crmframe_ws_connections", lbl{"kind": "widget"}, 1},
	})
	if r := ws.cmd("c3", "CONTACT.Hangup", lbl{"contactId": mContact}); !r.OK {
		t.Fatalf("CONTACT.Hangup: %s", r.Data)
	}
	sACW := mScrape(t, metricsURL)
	checkDeltas(t, s1, sACW, []mWant{{"crmframe_engine_contacts_active", lbl{"media": "telephony", "phase": "offline"}, 1}})
	if r := ws.cmd("c4", "CONTACT.OfflineEnd", lbl{"contactId": mContact}); !r.OK {
		t.Fatalf("CONTACT.OfflineEnd: %s", r.Data)
	}
	callSecs := time.Since(tCall).Seconds()
	if r := ws.cmd("c5", "CONTACT.Hold", lbl{"contactId": mUnknown}); r.OK || r.Error == nil || r.Error.Code != "not_found" {
		t.Fatalf("hold of an unknown contact: %+v", r)
	}
	// A second call rings unanswered: FORCED, then the customer gives up.
	post("/contacts", `{"id":"`+mForced+`","media_type":"telephony","queue":"sales"}`, http.StatusCreated)
	ws.event("RINGING")
	ws.event("FORCED")
	post("/events", `{"contact":"`+mForced+`","event":"CONNECTIONCLEARED","reason":"abandoned"}`, http.StatusOK)
	if r := ws.cmd("c6", "AGENT.Pause", map[string]int{"code": 1701}); !r.OK {
		t.Fatalf("AGENT.Pause: %s", r.Data)
	}
	sEng := mScrape(t, metricsURL)

	// The page leaves; the next one resumes, a third one comes back with a
	// lost position and gets a snapshot.
	epoch, seq := ws.epoch, ws.seq
	_ = ws.c.Close()
	waitFor(t, metricsURL, "widget disconnect", func(s scrape) bool {
		return s.val("crmframe_ws_disconnects_total", lbl{"kind": "widget"}) == 1
	})
	for i, resume := range []map[string]any{{"epoch": epoch, "seq": seq}, {"epoch": "0000lost0000", "seq": seq}} {
		c, st, err := mDial(t, websocket.DefaultDialer, wsURL+"?token="+tok, nil)
		if err != nil {
			t.Fatalf("redial: %d %v", st, err)
		}
		w := (&mWS{t: t, c: c, events: map[string]int{}}).hello("widget", resume)
		if w.Snapshot != (i == 1) {
			t.Errorf("reconnect %d: snapshot=%v", i, w.Snapshot)
		}
		_ = c.Close()
	}

	// A client that stops reading while asking for answers is cut off.
	slowDialer := &websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}).DialContext}
	sc, st, err := mDial(t, slowDialer, wsURL+"?token="+tok, nil)
	if err != nil {
		t.Fatalf("slow dial: %d %v", st, err)
	}
	if err := sc.WriteJSON(map[string]any{"op": "hello", "v": 1, "client": map[string]string{"kind": "sdk", "id": "slow"}}); err != nil {
		t.Fatal(err)
	}
	ping := []byte(`{"op":"ping","id":"p"}`)
	cut := false
	for i := 1; i <= 200000 && !cut; i++ {
		if err := sc.WriteMessage(websocket.TextMessage, ping); err != nil {
			break
		}
		if i%2000 == 0 {
			cut = mScrape(t, metricsURL).val("crmframe_ws_slow_disconnects_total", lbl{"kind": "sdk"}) == 1
		}
	}
	_ = sc.Close()
	sEnd := waitFor(t, metricsURL, "all connections closed", func(s scrape) bool {
		return s.val("crmframe_ws_connections", nil) == 0 && s.val("crmframe_ws_disconnects_total", nil) == 4
	})

	checkDeltas(t, s1, sEnd, []mWant{
		{"crmframe_ws_refused_total", nil, 2},
		{"crmframe_ws_refused_total", lbl{"status": "401"}, 1},
		{"crmframe_ws_refused_total", lbl{"status": "403"}, 1},
		{"crmframe_ws_connects_total", nil, 4},
		{"crmframe_ws_connects_total", lbl{"kind": "widget"}, 3},
		{"crmframe_ws_connects_total", lbl{"kind": "sdk"}, 1},
		{"crmframe_ws_welcomes_total", nil, 4},
		{"crmframe_ws_welcomes_total", lbl{"kind": "widget", "how": "fresh"}, 1},
		{"crmframe_ws_welcomes_total", lbl{"kind": "widget", "how": "resumed"}, 1},
		{"crmframe_ws_welcomes_total", lbl{"kind": "widget", "how": "snapshot"}, 1},
		{"crmframe_ws_welcomes_total", lbl{"kind": "sdk", "how": "fresh"}, 1},
		{"crmframe_ws_disconnects_total", lbl{"kind": "widget", "reason": "client_closed"}, 3},
		{"crmframe_ws_disconnects_total", lbl{"kind": "sdk", "reason": "slow"}, 1},
		{"crmframe_ws_slow_disconnects_total", nil, 1},
		{"crmframe_ws_slow_disconnects_total", lbl{"kind": "sdk"}, 1},
		{"crmframe_ws_connections", nil, 0},

		{"crmframe_engine_commands_total", nil, 6},
		{"crmframe_engine_commands_total", lbl{"command": "AGENT.Ready", "code": "ok"}, 1},
		{"crmframe_engine_commands_total", lbl{"command": "CONTACT.Answer", "code": "ok"}, 1},
		{"crmframe_engine_commands_total", lbl{"command": "CONTACT.Hangup", "code": "ok"}, 1},
		{"crmframe_engine_commands_total", lbl{"command": "CONTACT.OfflineEnd", "code": "ok"}, 1},
		{"crmframe_engine_commands_total", lbl{"command": "CONTACT.Hold", "code": "not_found"}, 1},
		{"crmframe_engine_commands_total", lbl{"command": "AGENT.Pause", "code": "ok"}, 1},
		{"crmframe_engine_forced_total", nil, 1},
		// The agent ends paused with a configured code; every other state
		// series it went through is back to 0.
		{"crmframe_engine_agents", nil, 1},
		{"crmframe_engine_agents", lbl{"state": "PAUSESUBSTATE", "pause_code": "1701"}, 1},
		// Both contacts are over: nothing active in any phase (finished
		// contacts are not active).
		{"crmframe_engine_contacts_active", lbl{"phase": "finished"}, 0},
		{"crmframe_engine_contacts_active", nil, 0},

		{"crmframe_queue_offered_total", nil, 2},
		{"crmframe_queue_offered_total", lbl{"queue": "sales", "media": "telephony"}, 2},
		{"crmframe_queue_answered_total", lbl{"queue": "sales", "media": "telephony"}, 1},
		{"crmframe_queue_answered_within_threshold_total", lbl{"queue": "sales", "media": "telephony"}, 1},
		{"crmframe_queue_abandoned_total", lbl{"queue": "sales", "media": "telephony"}, 1},
		{"crmframe_queue_wait_seconds", nil, 2},
		{"crmframe_queue_wait_seconds", lbl{"queue": "sales", "media": "telephony", "outcome": "answered"}, 1},
		{"crmframe_queue_wait_seconds", lbl{"queue": "sales", "media": "telephony", "outcome": "abandoned"}, 1},
		{"crmframe_contact_handle_seconds", lbl{"media": "telephony"}, 1},
		{"crmframe_contact_acw_seconds", lbl{"media": "telephony"}, 1},
	})
	for _, h := range []string{"crmframe_contact_handle_seconds", "crmframe_contact_acw_seconds"} {
		if d := sEnd.hsum(h, nil) - s1.hsum(h, nil); d < 0 || d > callSecs {
			t.Errorf("%s sum grew by %v s; the call lasted %v s", h, d, callSecs)
		}
	}
	// Every event the agent's page received was counted once, and nothing else.
	if len(ws.events) == 0 {
		t.Fatal("no events received")
	}
	for _, name := range []string{"LOGGEDIN", "RINGING", "ESTABLISHED", "CONNECTIONCLEARED", "JOBFINISHED", "FORCED", "PAUSESUBSTATE"} {
		if ws.events[name] == 0 {
			t.Errorf("event %s never received (got %v)", name, ws.events)
		}
	}
	evTotal := 0
	for name, n := range ws.events {
		evTotal += n
		if got := sEng.val("crmframe_engine_events_published_total", lbl{"event": name}) - s1.val("crmframe_engine_events_published_total", lbl{"event": name}); got != float64(n) {
			t.Errorf("events_published_total{event=%q}: delta %v, the page received %d", name, got, n)
		}
	}
	if got := sEng.val("crmframe_engine_events_published_total", nil) - s1.val("crmframe_engine_events_published_total", nil); got != float64(evTotal) {
		t.Errorf("events_published_total: delta %v, the page received %d", got, evTotal)
	}

	// Label values stay bounded: no agent or contact ids, tokens or URLs.
	forbidden := []string{mAgent, mContact, mForced, mUnknown, tok, "forged", "/", "127.0.0.1", "evil.example.com"}
	for name, f := range sEnd {
		if !strings.HasPrefix(name, "crmframe_") {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				for _, bad := range forbidden {
					if strings.Contains(lp.GetValue(), bad) {
						t.Errorf("%s{%s=%q}: label value contains %q", name, lp.GetName(), lp.GetValue(), bad)
					}
				}
			}
		}
	}

	// Structured logs: one line per refusal and slow client, with the
	// reason; the agent token itself is never logged.
	out := p.Output()
	for _, want := range []string{`"msg":"WebSocket refused"`, `"status":401`, `"status":403`, `origin not allowed`,
		`"msg":"slow WebSocket client disconnected (it will resume)"`, `"msg":"response not rewritten"`, `"action":"undecodable"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s", want)
		}
	}
	if strings.Contains(out, tok) {
		t.Error("the agent token appears in the log")
	}

	t.Run("dashboard", func(t *testing.T) { checkDashboard(t, sEnd) })
}

// dashboard is the part of a Grafana dashboard JSON model the test reads.
type dashboard struct {
	Title         string `json:"title"`
	UID           string `json:"uid"`
	SchemaVersion int    `json:"schemaVersion"`
	Inputs        []struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		PluginID string `json:"pluginId"`
	} `json:"__inputs"`
	Panels []dashPanel `json:"panels"`
}

type dashPanel struct {
	ID         int                       `json:"id"`
	Type       string                    `json:"type"`
	Title      string                    `json:"title"`
	Datasource json.RawMessage           `json:"datasource"`
	GridPos    *struct{ H, W, X, Y int } `json:"gridPos"`
	Targets    []struct {
		Expr  string `json:"expr"`
		RefID string `json:"refId"`
	} `json:"targets"`
	Panels []dashPanel `json:"panels"` // collapsed rows
}

var metricName = regexp.MustCompile(`crmframe_[a-z_]+`)

// checkDashboard validates the example dashboard and that every metric its
// queries use is in the scrape of the running binary.
func checkDashboard(t *testing.T, s scrape) {
	b, err := os.ReadFile(filepath.Join("..", "examples", "grafana", "crmframe-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if dec.More() {
		t.Fatal("dashboard JSON: trailing data")
	}
	if d.Title == "" || d.UID == "" || d.SchemaVersion < 36 {
		t.Errorf("title %q uid %q schemaVersion %d", d.Title, d.UID, d.SchemaVersion)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].Name != "DS_PROMETHEUS" || d.Inputs[0].PluginID != "prometheus" {
		t.Errorf("__inputs = %+v, want one DS_PROMETHEUS prometheus datasource", d.Inputs)
	}
	var panels []dashPanel
	for _, p := range d.Panels {
		panels = append(panels, p)
		panels = append(panels, p.Panels...)
	}
	ids := map[int]bool{}
	used := map[string]bool{}
	queries, rows := 0, 0
	for _, p := range panels {
		if ids[p.ID] || p.ID == 0 {
			t.Errorf("panel %q: id %d missing or repeated", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.Title == "" || p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.H == 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %d %q: bad title or gridPos %+v", p.ID, p.Title, p.GridPos)
		}
		if p.Type == "row" {
			rows++
			continue
		}
		if !bytes.Contains(p.Datasource, []byte("${DS_PROMETHEUS}")) {
			t.Errorf("panel %q: datasource %s is not ${DS_PROMETHEUS}", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			names := metricName.FindAllString(tg.Expr, -1)
			if len(names) == 0 || tg.RefID == "" {
				t.Errorf("panel %q: query %q (refId %q) uses no crmframe metric", p.Title, tg.Expr, tg.RefID)
			}
			if strings.Count(tg.Expr, "(") != strings.Count(tg.Expr, ")") || strings.Count(tg.Expr, "{") != strings.Count(tg.Expr, "}") {
				t.Errorf("panel %q: unbalanced query %q", p.Title, tg.Expr)
			}
			queries++
			for _, n := range names {
				used[n] = true
			}
		}
	}
	if rows < 6 || queries < 15 {
		t.Errorf("dashboard has %d rows and %d queries; want the six sections", rows, queries)
	}
	var missing []string
	for n := range used {
		if !metricExists(s, n) {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("dashboard queries metrics the binary does not expose: %v", missing)
	}
	// The KPI sections the dashboard promises are actually queried.
	for _, n := range []string{"crmframe_proxy_responses_total", "crmframe_proxy_rewrite_duration_seconds_bucket",
		"crmframe_proxy_breakout_constructs_total", "crmframe_ws_connections", "crmframe_engine_agents",
		"crmframe_queue_wait_seconds_bucket", "crmframe_queue_answered_within_threshold_total",
		"crmframe_queue_abandoned_total", "crmframe_contact_handle_seconds_sum", "crmframe_contact_acw_seconds_sum",
		"crmframe_engine_commands_total"} {
		if !used[n] {
			t.Errorf("dashboard does not query %s", n)
		}
	}
}

// metricExists reports whether a name from a query is in the scrape; the
// _bucket/_sum/_count series of a histogram are listed under its family.
func metricExists(s scrape, name string) bool {
	if f := s[name]; f != nil {
		return f.GetType() != dto.MetricType_HISTOGRAM && f.GetType() != dto.MetricType_SUMMARY
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suf)
		if !ok {
			continue
		}
		if f := s[base]; f != nil {
			if f.GetType() == dto.MetricType_HISTOGRAM || (f.GetType() == dto.MetricType_SUMMARY && suf != "_bucket") {
				return true
			}
		}
	}
	return false
}
