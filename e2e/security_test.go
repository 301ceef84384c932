package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/injector"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// Security tests through an in-process Caddy: each fails when the
// protection it names is removed.

const secSecret = "0123456789abcdef0123456789abcdef"

// recorder is an upstream that records every request it receives and
// answers with the CSP given in the csp query parameter.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	srv  *httptest.Server
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r.Clone(r.Context()))
		rec.mu.Unlock()
		if csp := r.URL.Query().Get("csp"); csp != "" {
			w.Header().Set("Content-Security-Policy", csp)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><html><head><title>crm</title></head><body>ok</body></html>")
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) all() []*http.Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]*http.Request(nil), rec.reqs...)
}

type secSetup struct {
	proxy, api int
	up, victim *recorder
	logFile    string
}

// startSec runs crm_frame in front of a recording upstream, the engine API
// on an internal listener, and a victim server nobody configured.
func startSec(t *testing.T, frameExtra, engineExtra string) *secSetup {
	s := &secSetup{proxy: caddyrun.FreePort(t), api: caddyrun.FreePort(t), up: newRecorder(t), victim: newRecorder(t)}
	s.logFile = filepath.Join(t.TempDir(), "caddy.log")
	upURL, _ := url.Parse(s.up.srv.URL)
	caddyrun.Start(t, fmt.Sprintf(`{
	log {
		output file %[5]s
		format json
		level WARN
	}
	servers {
		max_header_size 8KiB
	}
	crm_engine {
		secret %[4]s
		%[7]s
	}
}
http://localhost:%[1]d {
	crm_frame {
		frame_ancestors http://desk.example:8080
		upstream_origin http://%[3]s
		%[6]s
	}
	reverse_proxy %[3]s
}
http://127.0.0.1:%[2]d {
	handle_path /engine/* {
		crm_engine_api
	}
}
`, s.proxy, s.api, upURL.Host, secSecret, s.logFile, frameExtra, engineExtra))
	return s
}

func (s *secSetup) base() string { return fmt.Sprintf("http://localhost:%d", s.proxy) }

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}

func get(t *testing.T, u string, hdr http.Header) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// frameAncestors returns the frame-ancestors values of every enforced policy.
func frameAncestors(h http.Header) []string {
	var out []string
	for _, v := range h.Values("Content-Security-Policy") {
		for _, p := range injector.ParsePolicyList(v) {
			if d, ok := p.Get("frame-ancestors"); ok {
				out = append(out, d.Value)
			}
		}
	}
	return out
}

// frame_ancestors never contains '*' unless `insecure` was written: '*'
// alone is refused at load, and a CRM's own '*' never survives.
func TestSecurityFrameAncestorsMatrix(t *testing.T) {
	for _, tc := range []struct{ fa, want string }{
		{"*", ""}, // refused
		{"http://* ", ""},
		{"https://desk.example.com https://*", ""},
		{"https://desk.example.com", "https://desk.example.com"},
		{"https://desk.example.com https://*.desk.example.com", "https://desk.example.com https://*.desk.example.com"},
		{"'self'", "'self'"},
		{"* insecure", "*"},
	} {
		cf := fmt.Sprintf("http://localhost:1 {\n\tcrm_frame {\n\t\tframe_ancestors %s\n\t}\n\treverse_proxy localhost:2\n}\n", tc.fa)
		_, err := caddyrun.Adapt(cf)
		if tc.want == "" {
			if err == nil {
				t.Errorf("frame_ancestors %s: accepted", tc.fa)
			}
			continue
		}
		if err != nil {
			t.Fatalf("frame_ancestors %s: %v", tc.fa, err)
		}
	}
	up := newRecorder(t)
	upURL, _ := url.Parse(up.srv.URL)
	// bare: for a CRM that sent no framing header at all ('*' needs no 'self').
	for _, tc := range []struct{ fa, want, bare string }{
		{"https://desk.example.com", "https://desk.example.com", "https://desk.example.com 'self'"},
		{"* insecure", "*", "*"},
	} {
		port := caddyrun.FreePort(t)
		t.Run(tc.fa, func(t *testing.T) {
			caddyrun.Start(t, fmt.Sprintf("http://localhost:%d {\n\tcrm_frame {\n\t\tframe_ancestors %s\n\t}\n\treverse_proxy %s\n}\n", port, tc.fa, upURL.Host))
			for _, csp := range []string{"", "frame-ancestors *", "default-src *; frame-ancestors * 'self'", "frame-ancestors 'none', frame-ancestors *"} {
				resp := get(t, fmt.Sprintf("http://localhost:%d/?csp=%s", port, url.QueryEscape(csp)), nil)
				fas := frameAncestors(resp.Header)
				if len(fas) == 0 {
					t.Fatalf("csp %q: no frame-ancestors in %q", csp, resp.Header.Values("Content-Security-Policy"))
				}
				for _, fa := range fas {
					// 'self' stays only where the CRM itself allowed it (its own
					// frameset) or sent no framing restriction at all; '*' never does.
					if csp == "" && fa != tc.bare || csp != "" && fa != tc.want && !(strings.Contains(csp, "'self'") && fa == tc.want+" 'self'") {
						t.Fatalf("csp %q: frame-ancestors %q, want %q", csp, fa, tc.want)
					}
				}
				if resp.Header.Get("X-Frame-Options") != "" {
					t.Fatal("X-Frame-Options kept")
				}
			}
		})
	}
}

// The CSP we emit is never weaker than the CRM's: every directive is kept,
// with at most our nonce, our exact script / WebSocket URLs and our
// trusted-types name added; sandbox only loses top navigation;
// frame-ancestors is ours.
func TestSecurityCSPNeverWeaker(t *testing.T) {
	s := startSec(t, "", "")
	sdk := s.base() + "/__crmframe/sdk.js"
	ws := fmt.Sprintf("ws://localhost:%d/__crmframe/ws", s.proxy)
	policies := []string{
		"default-src 'self'",
		"default-src 'none'",
		"script-src 'none'; connect-src 'none'",
		"script-src 'nonce-abc' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
		"script-src https://cdn.example 'unsafe-inline'; connect-src https://api.example",
		"script-src-elem 'sha256-AAAA'; style-src 'self'; img-src data:",
		"default-src https:; frame-ancestors *",
		"require-trusted-types-for 'script'; trusted-types default",
		"trusted-types 'none'; form-action 'self'; upgrade-insecure-requests",
		"sandbox allow-scripts allow-same-origin allow-top-navigation; report-uri /csp",
		"default-src 'self', script-src 'none'",
	}
	for _, in := range policies {
		resp := get(t, s.base()+"/?csp="+url.QueryEscape(in), nil)
		outs := resp.Header.Values("Content-Security-Policy")
		inPols := injector.ParsePolicyList(in)
		var outPols []*injector.Policy
		for _, o := range outs {
			outPols = append(outPols, injector.ParsePolicyList(o)...)
		}
		if len(outPols) < len(inPols) {
			t.Fatalf("%q: policies lost: %q", in, outs)
		}
		for i, ip := range inPols {
			op := outPols[i]
			for _, d := range ip.Directives {
				if d.Name == "" || d.Name == "frame-ancestors" {
					continue
				}
				od, ok := op.Get(d.Name)
				if !ok {
					t.Fatalf("%q: directive %s removed: %q", in, d.Name, outs)
				}
				inSrc, outSrc := strings.Fields(d.Value), strings.Fields(od.Value)
				if d.Name == "sandbox" {
					for _, f := range outSrc {
						if !contains(inSrc, f) {
							t.Fatalf("%q: sandbox gained %q", in, f)
						}
					}
					if contains(outSrc, "allow-top-navigation") {
						t.Fatalf("%q: sandbox allows top navigation", in)
					}
					continue
				}
				for _, f := range outSrc {
					if contains(inSrc, f) {
						continue
					}
					ours := strings.HasPrefix(f, "'nonce-") || strings.HasPrefix(f, sdk) || f == ws || (d.Name == "trusted-types" && f == "crmframe")
					if !ours {
						t.Fatalf("%q: %s gained %q: %q", in, d.Name, f, outs)
					}
				}
				for _, f := range inSrc {
					if !contains(outSrc, f) && !(f == "'none'" && (strings.HasPrefix(d.Name, "script-src") || d.Name == "default-src" || d.Name == "trusted-types" || d.Name == "connect-src")) {
						t.Fatalf("%q: %s lost %q: %q", in, d.Name, f, outs)
					}
				}
			}
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func mint(t *testing.T, agent string, iat time.Time) string {
	tok, err := engine.MintToken([]byte(secSecret), agent, "", time.Hour, iat)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// dialWS opens the agent WebSocket through the proxy and says hello.
func dialWS(t *testing.T, s *secSetup, origin, token string) (*websocket.Conn, map[string]any, *http.Response, error) {
	u := fmt.Sprintf("ws://localhost:%d/__crmframe/ws", s.proxy)
	if token != "" {
		u += "?token=" + token
	}
	hdr := http.Header{}
	if origin != "" {
		hdr.Set("Origin", origin)
	}
	c, resp, err := websocket.DefaultDialer.Dial(u, hdr)
	if err != nil {
		return nil, nil, resp, err
	}
	t.Cleanup(func() { c.Close() })
	_ = c.WriteJSON(map[string]any{"op": "hello", "v": 1})
	var wel map[string]any
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := c.ReadJSON(&wel); err != nil {
		return nil, nil, resp, err
	}
	return c, wel, resp, nil
}

func wsCmd(t *testing.T, c *websocket.Conn, name string, args map[string]any) map[string]any {
	t.Helper()
	_ = c.WriteJSON(map[string]any{"op": "cmd", "id": name, "name": name, "args": args})
	for {
		var m map[string]any
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := c.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m["op"] == "result" && m["id"] == name {
			return m
		}
	}
}

func logged(t *testing.T, s *secSetup, substr string) bool {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(s.logFile)
		if bytes.Contains(b, []byte(substr)) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func TestSecurityWebSocket(t *testing.T) {
	s := startSec(t, "", "")
	desk := "http://desk.example:8080"
	refusals := []struct {
		name, origin, token string
		status              int
		reason              string
	}{
		{"foreign origin", "https://evil.example", mint(t, "a1", time.Now()), 403, "origin not allowed"},
		{"missing token", desk, "", 401, "missing token"},
		{"forged token", desk, func() string {
			tok, _ := engine.MintToken([]byte("another-secret-another-secret-xx"), "a1", "", time.Hour, time.Now())
			return tok
		}(), 401, "signature is invalid"},
		{"expired token", desk, func() string {
			tok, _ := engine.MintToken([]byte(secSecret), "a1", "", time.Minute, time.Now().Add(-time.Hour))
			return tok
		}(), 401, "token is expired"},
	}
	for _, r := range refusals {
		_, _, resp, err := dialWS(t, s, r.origin, r.token)
		if err == nil || resp == nil || resp.StatusCode != r.status {
			t.Fatalf("%s: err=%v resp=%v", r.name, err, resp)
		}
		if !logged(t, s, r.reason) {
			t.Errorf("%s: reason %q not logged", r.name, r.reason)
		}
	}

	// Agent A's contact is invisible and untouchable for agent B.
	a1old := mint(t, "a1", time.Now().Add(-5*time.Second))
	ca, _, _, err := dialWS(t, s, desk, a1old)
	if err != nil {
		t.Fatal(err)
	}
	wsCmd(t, ca, "AGENT.Ready", nil)
	api := fmt.Sprintf("http://127.0.0.1:%d/engine", s.api)
	resp, err := http.Post(api+"/contacts", "application/json", strings.NewReader(`{"type":"outbound","job_type":"previewAgent","agent":"a1","dnis":"+39 02 5555"}`))
	if err != nil {
		t.Fatal(err)
	}
	var contact map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&contact)
	resp.Body.Close()
	cid, _ := contact["id"].(string)
	if cid == "" {
		t.Fatalf("no contact: %v", contact)
	}
	cb, welB, _, err := dialWS(t, s, desk, mint(t, "a2", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(welB); bytes.Contains(b, []byte(cid)) {
		t.Fatal("agent B's welcome shows agent A's contact")
	}
	for _, name := range []string{"CONTACT.Answer", "CONTACT.Reject", "CONTACT.HangupByContactID", "CONTACT.SetCallData"} {
		res := wsCmd(t, cb, name, map[string]any{"contactId": cid, "data": "K=v"})
		if res["ok"] != false || res["error"].(map[string]any)["code"] != engine.CodeNotFound {
			t.Fatalf("B %s on A's contact: %v", name, res)
		}
	}
	if b, _ := json.Marshal(wsCmd(t, cb, "AGENT.Snapshot", nil)); bytes.Contains(b, []byte(cid)) {
		t.Fatal("agent B's snapshot shows agent A's contact")
	}
	if res := wsCmd(t, ca, "CONTACT.Reject", map[string]any{"contactId": cid}); res["ok"] != true {
		t.Fatalf("A cannot reject its own contact: %v", res)
	}

	// Replayed token after logout: refused with a logged reason.
	if res := wsCmd(t, ca, "AGENT.Logout", nil); res["ok"] != true {
		t.Fatalf("logout: %v", res)
	}
	_, _, resp, err = dialWS(t, s, desk, a1old)
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("replayed token after logout: err=%v", err)
	}
	if !logged(t, s, "token revoked") {
		t.Error("revocation not logged")
	}
	if _, _, _, err := dialWS(t, s, desk, mint(t, "a1", time.Now())); err != nil {
		t.Fatalf("fresh token after logout: %v", err)
	}
}

func TestSecurityDemoTokenEndpoint(t *testing.T) {
	post := func(port int, host string) int {
		resp, err := http.Post(fmt.Sprintf("http://%s:%d/__crmframe/demo/token", host, port), "application/json", strings.NewReader(`{"agent":"a1"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("off", func(t *testing.T) {
		s := startSec(t, "", "")
		if st := post(s.proxy, "localhost"); st != http.StatusNotFound {
			t.Fatalf("demo token endpoint answered %d without demo_tokens", st)
		}
	})
	t.Run("on", func(t *testing.T) {
		s := startSec(t, "", "demo_tokens")
		if st := post(s.proxy, "localhost"); st != http.StatusOK {
			t.Fatalf("loopback: %d", st)
		}
	})
}

// rawRequest writes req on a new TCP connection to the proxy and returns
// the status line.
func rawRequest(t *testing.T, port int, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line)
}

// No open proxy; our token never reaches the CRM; hop-by-hop headers are
// dropped; oversized headers are refused.
func TestSecurityProxy(t *testing.T) {
	s := startSec(t, "", "")
	vu, _ := url.Parse(s.victim.srv.URL)
	victim := vu.Host
	for _, req := range []string{
		"GET http://" + victim + "/steal HTTP/1.1\r\nHost: " + victim + "\r\n\r\n",
		"GET http://" + victim + "/steal HTTP/1.1\r\nHost: localhost:" + fmt.Sprint(s.proxy) + "\r\n\r\n",
		"GET /steal HTTP/1.1\r\nHost: " + victim + "\r\n\r\n",
		"CONNECT " + victim + " HTTP/1.1\r\nHost: " + victim + "\r\n\r\n",
		"GET /steal HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: " + victim + "\r\n\r\n",
	} {
		rawRequest(t, s.proxy, req)
	}
	if n := len(s.victim.all()); n != 0 {
		t.Fatalf("the victim server received %d request(s) through the proxy", n)
	}
	for _, r := range s.up.all() {
		if r.Host == victim {
			t.Fatalf("upstream got a request for the victim's host: %s %s", r.Method, r.RequestURI)
		}
	}

	// crmframe_token in the URL: cookie + redirect, never forwarded.
	tok := mint(t, "a1", time.Now())
	resp := get(t, s.base()+"/page?x=1&crmframe_token="+tok, nil)
	if resp.StatusCode != http.StatusSeeOther || strings.Contains(resp.Header.Get("Location"), tok) {
		t.Fatalf("token URL: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	get(t, s.base()+"/page?crmframe_token=garbage", nil)
	get(t, s.base()+"/page2", http.Header{"Cookie": {"a=1; " + engine.TokenCookie + "=" + tok + "; b=2"}})
	var saw2 bool
	for _, r := range s.up.all() {
		if strings.Contains(r.RequestURI, "crmframe_token") || strings.Contains(r.Header.Get("Cookie"), engine.TokenCookie) || strings.Contains(r.Header.Get("Cookie"), tok) {
			t.Fatalf("our token reached the CRM: %s %q", r.RequestURI, r.Header.Get("Cookie"))
		}
		if r.URL.Path == "/page2" {
			saw2 = true
			if c := r.Header.Get("Cookie"); c != "a=1; b=2" {
				t.Fatalf("the CRM's own cookies: %q", c)
			}
		}
	}
	if !saw2 {
		t.Fatal("/page2 did not reach the upstream")
	}

	// Hop-by-hop headers stop at the proxy.
	st := rawRequest(t, s.proxy, "GET /hop HTTP/1.1\r\nHost: localhost:"+fmt.Sprint(s.proxy)+
		"\r\nConnection: keep-alive, X-Hop-Secret\r\nX-Hop-Secret: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n"+
		"Proxy-Connection: keep-alive\r\nTE: trailers, deflate\r\nUpgrade: h2c\r\nX-Kept: yes\r\n\r\n")
	if !strings.Contains(st, " 200 ") {
		t.Fatalf("hop request: %q", st)
	}
	var hop *http.Request
	for _, r := range s.up.all() {
		if r.URL.Path == "/hop" {
			hop = r
		}
	}
	if hop == nil || hop.Header.Get("X-Kept") != "yes" {
		t.Fatal("/hop did not reach the upstream intact")
	}
	for _, h := range []string{"X-Hop-Secret", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "Upgrade"} {
		if v := hop.Header.Get(h); v != "" {
			t.Errorf("hop-by-hop %s reached the upstream: %q", h, v)
		}
	}
	if te := hop.Header.Get("Te"); strings.Contains(te, "deflate") {
		t.Errorf("TE reached the upstream: %q", te)
	}

	// max_header_size (8KiB here) is enforced by Caddy's server.
	if st := rawRequest(t, s.proxy, "GET / HTTP/1.1\r\nHost: localhost:"+fmt.Sprint(s.proxy)+"\r\nX-Big: "+strings.Repeat("a", 16<<10)+"\r\n\r\n"); !strings.Contains(st, " 431 ") {
		t.Fatalf("16 KiB header: %q, want 431", st)
	}
}
