package caddymodule_test

// crmframe configured with Caddy's JSON (caddy run --config x.json, the
// admin API's POST /load and PATCH /config/...), which reaches the modules
// without the Caddyfile parser: every rule must hold there too.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/crmframe/crmframe/caddymodule"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// jsonWithFrame is a whole config: one server whose route runs handler
// (crm_frame's JSON) before a static response, and engine as the crm_engine
// app when not empty.
func jsonWithFrame(handler, engine string) string {
	apps := `"http":{"servers":{"s":{"listen":["127.0.0.1:0"],"routes":[{"handle":[` + handler + `,{"handler":"static_response","body":"x"}]}]}}}`
	if engine != "" {
		apps += `,"crm_engine":` + engine
	}
	return `{"apps":{` + apps + `}}`
}

// validateJSON provisions a JSON config without starting it, as `caddy
// validate --config x.json` (and the first half of POST /load) does.
func validateJSON(js string) error {
	var cfg caddy.Config
	if err := json.Unmarshal([]byte(js), &cfg); err != nil {
		return fmt.Errorf("test config: %v", err)
	}
	cfg.Admin = &caddy.AdminConfig{Disabled: true}
	cfg.Logging = &caddy.Logging{Logs: map[string]*caddy.CustomLog{"default": {BaseLog: caddy.BaseLog{Level: "ERROR"}}}}
	return caddy.Validate(&cfg)
}

const (
	jsFA     = `"frame_ancestors":["https://desk.example.com"]`
	jsSecret = `"secret":"0123456789abcdef0123456789abcdef"`
)

// TestJSONConfigErrors: what the Caddyfile parser refuses, and what would
// leave crmframe insecure or silently broken, is refused when written as
// JSON too, with an error naming the JSON key.
func TestJSONConfigErrors(t *testing.T) {
	frame := func(fields string) string { return jsonWithFrame(`{"handler":"crm_frame",`+fields+`}`, "") }
	eng := func(fields string) string {
		return jsonWithFrame(`{"handler":"crm_frame",`+jsFA+`}`, `{`+fields+`}`)
	}
	tests := []struct{ name, config, want string }{
		// frame_ancestors: never every site by accident.
		{"no frame_ancestors", jsonWithFrame(`{"handler":"crm_frame"}`, ""), "crm_frame: frame_ancestors is required"},
		{"empty frame_ancestors", frame(`"frame_ancestors":[]`), "crm_frame: frame_ancestors is required"},
		{"star", frame(`"frame_ancestors":["*"]`), `frame_ancestors "*" would let every site frame the CRM (clickjacking); if you really mean it, set "insecure_any_ancestor": true`},
		{"star with an origin", frame(`"frame_ancestors":["*","https://desk.example.com"],"insecure_any_ancestor":true`), `crm_frame: frame_ancestors: "*" must be the only entry`},
		{"star with an origin, no flag", frame(`"frame_ancestors":["https://desk.example.com","*"]`), `frame_ancestors "*" would let every site frame the CRM`},
		{"insecure flag without star", frame(jsFA + `,"insecure_any_ancestor":true`), `crm_frame: insecure_any_ancestor is only accepted with frame_ancestors ["*"]`},
		{"'none'", frame(`"frame_ancestors":["'none'"]`), `crm_frame: frame_ancestors: "'none'" is not an origin: want http:// or https://`},
		{"no scheme", frame(`"frame_ancestors":["desk.example.com"]`), `crm_frame: frame_ancestors: "desk.example.com" is not an origin`},
		{"with a path", frame(`"frame_ancestors":["https://desk.example.com/app"]`), `"https://desk.example.com/app" is not an origin: want scheme://host[:port]`},
		{"empty string", frame(`"frame_ancestors":[""]`), `crm_frame: frame_ancestors: "" is not an origin`},
		{"CSP injection", frame(`"frame_ancestors":["https://desk.example.com;script-src"]`), `crm_frame: frame_ancestors: "https://desk.example.com;script-src"`},
		{"star as a host", frame(`"frame_ancestors":["https://*"]`), `crm_frame: frame_ancestors: "https://*"`},
		{"not a list", frame(`"frame_ancestors":"https://desk.example.com"`), `frame_ancestors of type []string`},
		{"flag not a bool", frame(`"frame_ancestors":["*"],"insecure_any_ancestor":"yes"`), `insecure_any_ancestor of type bool`},
		// upstream_origins: no open proxy, no wildcard rewriting.
		{"upstream without scheme", frame(jsFA + `,"upstream_origins":["crm.internal"]`), `crm_frame: upstream_origins: "crm.internal" is not an origin`},
		{"upstream star", frame(jsFA + `,"upstream_origins":["*"]`), `crm_frame: upstream_origins: '*'`},
		{"upstream wildcard", frame(jsFA + `,"upstream_origins":["https://*.corp.example"]`), `crm_frame: upstream_origins: "https://*.corp.example" must be a concrete origin`},
		{"upstream with a path", frame(jsFA + `,"upstream_origins":["http://crm.internal/app"]`), `crm_frame: upstream_origins: "http://crm.internal/app" is not an origin`},
		// The singular Caddyfile name is not a JSON key.
		{"caddyfile name as key", frame(jsFA + `,"upstream_origin":["http://crm.internal"]`), `unknown field "upstream_origin"`},
		{"js_cache as key", frame(jsFA + `,"js_cache":1024`), `unknown field "js_cache"`},
		{"typo", frame(jsFA + `,"frame_ancestor":["https://desk.example.com"]`), `unknown field "frame_ancestor"`},
		// Modes.
		{"cookies", frame(jsFA + `,"cookies":"lax"`), `crm_frame: cookies: unknown mode "lax" (want same_site or cross_site)`},
		{"partitioned alone", frame(jsFA + `,"partitioned":true`), `crm_frame: partitioned only applies to cookies cross_site, and cookies is "same_site (the default)"`},
		{"partitioned same_site", frame(jsFA + `,"cookies":"same_site","partitioned":true`), `crm_frame: partitioned only applies to cookies cross_site, and cookies is "same_site"`},
		{"breakout", frame(jsFA + `,"breakout":"yes"`), `crm_frame: breakout: unknown mode "yes" (want neutralize, detect or off)`},
		{"breakout case", frame(jsFA + `,"breakout":"Neutralize"`), `crm_frame: breakout: unknown mode "Neutralize"`},
		{"sandbox", frame(jsFA + `,"sandbox":"true"`), `crm_frame: sandbox: unknown value "true" (want on or off)`},
		{"sandbox bool", frame(jsFA + `,"sandbox":true`), `sandbox of type string`},
		{"recompress_level", frame(jsFA + `,"recompress_level":"9"`), `crm_frame: recompress_level: "9": want fastest, default or better`},
		{"recompress_coding", frame(jsFA + `,"recompress_coding":"br"`), `crm_frame: recompress_coding: "br": want zstd or same`},
		// Sizes are bytes.
		{"negative max_rewrite_size", frame(jsFA + `,"max_rewrite_size":-1`), `crm_frame: max_rewrite_size: -1 is negative: want a size in bytes`},
		{"max_rewrite_size in MiB", frame(jsFA + `,"max_rewrite_size":16`), `crm_frame: max_rewrite_size: 16 bytes is too small: want at least 1024 (16 MiB is 16777216)`},
		{"max_rewrite_size as text", frame(jsFA + `,"max_rewrite_size":"16MiB"`), `max_rewrite_size of type int64`},
		{"js_cache_size", frame(jsFA + `,"js_cache_size":-2`), `crm_frame: js_cache_size: -2: want a size in bytes, 0 (default, 32 MiB) or -1 (off)`},
		// Paths and URLs.
		{"path_prefix relative", frame(jsFA + `,"path_prefix":"x"`), `crm_frame: path_prefix "x" must start with /`},
		{"path_prefix root", frame(jsFA + `,"path_prefix":"/"`), `crm_frame: path_prefix "/" must name a path below /`},
		{"path_prefix quote", frame(jsFA + `,"path_prefix":"/a'b"`), `crm_frame: path_prefix "/a'b": only letters, digits and - . _ ~ / are allowed`},
		{"inject javascript:", frame(jsFA + `,"inject":["javascript:alert(1)"]`), `crm_frame: inject: "javascript:alert(1)": want a path or an http(s) URL`},
		{"inject relative", frame(jsFA + `,"inject":["popup.js"]`), `crm_frame: inject: "popup.js": relative URLs must start with /`},
		{"inject space", frame(jsFA + `,"inject":["/a b.js"]`), `crm_frame: inject: "/a b.js": only printable ASCII without spaces is allowed`},
		{"screen_pop media", frame(jsFA + `,"screen_pop":{"fax":"/x"}`), `crm_frame: screen_pop: unknown media "fax"`},
		{"screen_pop empty media", frame(jsFA + `,"screen_pop":{"":"/x"}`), `crm_frame: screen_pop: unknown media ""`},
		{"screen_pop other host", frame(jsFA + `,"screen_pop":{"*":"//evil.example/x"}`), `crm_frame: screen_pop: "//evil.example/x" must be a path on the CRM's origin`},
		{"screen_pop absolute", frame(jsFA + `,"screen_pop":{"telephony":"https://evil.example/x?n={ani}"}`), `must be a path on the CRM's origin starting with a single /`},
		{"screen_pop backslash", frame(jsFA + `,"screen_pop":{"chat":"/\\evil.example"}`), `must be a path on the CRM's origin starting with a single /`},
		{"compat_sdk_path", frame(jsFA + `,"compat_sdk_path":"x.js"`), `crm_frame: compat_sdk_path "x.js" must be a path starting with a single / (or off)`},

		// crm_engine.
		{"no secret", eng(`"demo_tokens":true`), `crm_engine: secret: required`},
		{"short secret", eng(`"secret":"short"`), `crm_engine: secret: 5 bytes is too short, need at least 32`},
		{"unset env secret", eng(`"secret":"{env.CRMFRAME_JSON_TEST_UNSET}"`), `crm_engine: secret: required`},
		{"dev", eng(`"dev":true,"secret":"changeme"`), `crm_engine: dev is not a crm_engine setting`},
		{"dev without secret", eng(`"dev":true`), `crm_engine: dev is not a crm_engine setting`},
		{"engine typo", eng(jsSecret + `,"no_answer_timout":"30s"`), `unknown field "no_answer_timout"`},
		{"engine caddyfile name", eng(jsSecret + `,"pause_code":[{"code":1,"label":"x"}]`), `unknown field "pause_code"`},
		{"queue typo", eng(jsSecret + `,"queues":[{"name":"sales","agent":["a1"]}]`), `unknown field "agent"`},
		{"simulate typo", eng(jsSecret + `,"queues":[{"name":"q"}],"simulate":{"enabled":true,"calls_per_min":3}`), `unknown field "calls_per_min"`},
		{"seconds as nanoseconds", eng(jsSecret + `,"no_answer_timeout":30`), `crm_engine: no_answer_timeout: 30ns is below 1ms: JSON durations are integers of nanoseconds or strings such as "30s"`},
		{"ms as nanoseconds", eng(jsSecret + `,"ping_interval":25000`), `crm_engine: ping_interval: 25µs is below 1ms`},
		{"bad duration text", eng(jsSecret + `,"acw_timeout":"30 sec"`), `crm_engine: acw_timeout: "30 sec" is not a duration (e.g. "30s", or an integer of nanoseconds)`},
		{"negative duration", eng(jsSecret + `,"logout_grace":"-5s"`), `crm_engine: logout_grace: must be positive, got -5s`},
		{"negative threshold", eng(jsSecret + `,"service_level_threshold":"-5s"`), `crm_engine: service_level_threshold: must be positive, got -5s`},
		{"tiny threshold", eng(jsSecret + `,"service_level_threshold":20`), `crm_engine: service_level_threshold: 20ns is below 1ms`},
		{"off elsewhere", eng(jsSecret + `,"hello_timeout":"off"`), `crm_engine: hello_timeout: "off" is not a duration`},
		{"simulate not enabled", eng(jsSecret + `,"queues":[{"name":"q"}],"simulate":{"calls_per_minute":3}`), `crm_engine: simulate: settings given but "enabled" is not true`},
		{"simulate negative, not enabled", eng(jsSecret + `,"simulate":{"chats_per_minute":-1}`), `crm_engine: simulate: settings given but "enabled" is not true`},
		{"simulate no queue", eng(jsSecret + `,"simulate":{"enabled":true,"calls_per_minute":3}`), `crm_engine: simulate: needs at least one queue`},
		{"simulate no rate", eng(jsSecret + `,"queues":[{"name":"q"}],"simulate":{"enabled":true}`), `crm_engine: simulate: enabled but every rate is 0`},
		{"simulate bad duration", eng(jsSecret + `,"queues":[{"name":"q"}],"simulate":{"enabled":true,"calls_per_minute":1,"hangup_after":"soon"}`), `crm_engine: simulate: hangup_after: "soon" is not a duration`},
		{"simulate tiny duration", eng(jsSecret + `,"queues":[{"name":"q"}],"simulate":{"enabled":true,"calls_per_minute":1,"abandon_after":60}`), `crm_engine: simulate: abandon_after: 60ns is below 1ms`},
		{"simulate probability", eng(jsSecret + `,"queues":[{"name":"q"}],"simulate":{"enabled":true,"calls_per_minute":1,"abandon_probability":2}`), `crm_engine: simulate: abandon_probability 2 out of range 0..1`},
		{"popup_on", eng(jsSecret + `,"popup_on":"never"`), `crm_engine: popup_on: "never" is not one of accept, ringing, established`},
		{"pause code zero", eng(jsSecret + `,"pause_codes":[{"code":0,"label":"Lunch"}]`), `pause_codes: code 0 must be a positive number`},
		{"pause code twice", eng(jsSecret + `,"pause_codes":[{"code":1,"label":"a"},{"code":1,"label":"b"}]`), `pause_codes: code 1 listed twice`},
		{"pause code no label", eng(jsSecret + `,"pause_codes":[{"code":1}]`), `pause_codes: code 1 needs a label`},
		{"pause code as text", eng(jsSecret + `,"pause_codes":[{"code":"1701","label":"Lunch"}]`), `pause_codes.0.code of type int`},
		{"queue name", eng(jsSecret + `,"queues":[{"name":"the sales"}]`), `queues: invalid queue name "the sales"`},
		{"queue twice", eng(jsSecret + `,"queues":[{"name":"q"},{"name":"q"}]`), `queues: queue "q" listed twice`},
		{"queue agents as text", eng(jsSecret + `,"queues":[{"name":"q","agents":"a1 a2"}]`), `queues.0.agents of type []string`},
		{"queue agent id", eng(jsSecret + `,"queues":[{"name":"q","agents":["a 1"]}]`), `queues q: invalid agent id "a 1"`},
		{"agent id", eng(jsSecret + `,"agents":[{"id":""}]`), `agents: invalid agent id ""`},
		{"agent capacity", eng(jsSecret + `,"agents":[{"id":"a1","capacity":{"telephony":2}}]`), `agents a1 capacity: telephony capacity must be 1 (or 0 to disable), got 2`},
		{"capacity media", eng(jsSecret + `,"capacity":{"fax":1}`), `capacity: unknown media "fax"`},
		{"capacity negative", eng(jsSecret + `,"capacity":{"chat":-1}`), `capacity: chat capacity -1 out of range 0..100`},
		{"history_length", eng(jsSecret + `,"history_length":-1`), `history_length: -1 out of range 1..1048576`},
		{"max_message_size", eng(jsSecret + `,"max_message_size":64`), `max_message_size: 64 is below 1024 bytes`},
		{"send_queue", eng(jsSecret + `,"send_queue":-1`), `send_queue: must be at least 1`},
		{"max_conns_per_agent", eng(jsSecret + `,"max_conns_per_agent":-1`), `max_conns_per_agent: must be at least 1`},
		{"command_rate", eng(jsSecret + `,"command_rate":-1`), `command_rate: -1 out of range`},
		{"command_burst", eng(jsSecret + `,"command_burst":-1`), `command_burst: -1 out of range`},
		// crm_engine_api.
		{"api without engine", jsonWithFrame(`{"handler":"crm_engine_api"}`, ""), `crm_engine_api: no crm_engine configured`},
		{"api with a field", jsonWithFrame(`{"handler":"crm_engine_api","prefix":"/x"}`, `{`+jsSecret+`}`), `unknown field "prefix"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateJSON(tc.config)
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.config)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n\t%v\ndoes not contain\n\t%s", err, tc.want)
			}
		})
	}
}

// TestJSONConfigAccepted: what JSON allows that the Caddyfile writes
// differently, and how it reads.
func TestJSONConfigAccepted(t *testing.T) {
	for _, js := range []string{
		jsonWithFrame(`{"handler":"crm_frame","frame_ancestors":["*"],"insecure_any_ancestor":true}`, ""),
		jsonWithFrame(`{"handler":"crm_frame","frame_ancestors":["'self'","https://*.desk.example.com"],"cookies":"cross_site","partitioned":true,"path_prefix":"/_cf/","js_cache_size":-1,"max_rewrite_size":1024}`, ""),
		jsonWithFrame(`{"handler":"crm_frame",`+jsFA+`,"cookies":"","breakout":"","sandbox":"","recompress_level":"","path_prefix":"","compat_sdk_path":"off"}`, ""),
		jsonWithFrame(`{"handler":"crm_frame",`+jsFA+`}`, `{`+jsSecret+`,"acw_timeout":null,"simulate":{"hangup_after":null}}`),
		jsonWithFrame(`{"handler":"crm_frame",`+jsFA+`}`, `{`+jsSecret+`,"no_answer_timeout":"1m30s","acw_timeout":30000000000,"dial_answer_after":"off","service_level_threshold":"15s","simulate":{"enabled":true,"calls_per_minute":1,"hangup_after":"2m"},"queues":[{"name":"q"}]}`),
	} {
		if err := validateJSON(js); err != nil {
			t.Errorf("refused: %v\n%s", err, js)
		}
	}

	// Durations: strings as Caddy's own durations, or nanoseconds.
	var a caddymodule.EngineApp
	if err := json.Unmarshal([]byte(`{"no_answer_timeout":"1m30s","acw_timeout":30000000000,"dial_answer_after":"off","service_level_threshold":"15s","simulate":{"enabled":true,"hangup_after":"2m","abandon_after":"1d"}}`), &a); err != nil {
		t.Fatal(err)
	}
	if a.NoAnswerTimeout != 90*time.Second || a.ACWTimeout != 30*time.Second || a.DialAnswerAfter >= 0 ||
		time.Duration(a.ServiceLevelThreshold) != 15*time.Second || a.Simulate.HangupAfter != 2*time.Minute || a.Simulate.AbandonAfter != 24*time.Hour {
		t.Errorf("durations read as %+v", a)
	}
	// What the Caddyfile adapter writes reads back the same.
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back caddymodule.EngineApp
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(a, back) {
		t.Errorf("round trip: %v\n%+v\n%+v", err, a, back)
	}
	// Caddy decodes modules strictly; so does crm_engine with its durations.
	if err := caddy.StrictUnmarshalJSON([]byte(`{"no_answer_timeout":"1s","nope":1}`), new(caddymodule.EngineApp)); err == nil || !strings.Contains(err.Error(), `unknown field "nope"`) {
		t.Errorf("unknown field: %v", err)
	}
}

// crmUpstream serves a CRM page with what crm_frame changes: a framing
// header and a CSP, a cookie, frame-busting code, plus a script.
func crmUpstream() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = io.WriteString(w, "if (top !== self) { top.location = self.location; }\n")
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("X-Frame-Options", "SAMEORIGIN")
			w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'self'")
			w.Header().Set("Set-Cookie", "sid=1; Path=/; HttpOnly; SameSite=Lax")
			_, _ = io.WriteString(w, `<!doctype html><html><head><title>CRM</title><script src="/app.js"></script>`+
				`<script>if (window.top != window.self) top.location.href = location.href;</script></head>`+
				`<body><a href="/x" target="_top">x</a></body></html>`)
		}
	}))
}

// startJSON loads a JSON config into an in-process Caddy (as `caddy run
// --config x.json`), with the admin endpoint at admin ("" for none), and
// stops it when the test ends.
func startJSON(t *testing.T, js, admin string) {
	t.Helper()
	var cfg map[string]any
	if err := json.Unmarshal([]byte(js), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["admin"] = adminSection(admin)
	cfg["logging"] = map[string]any{"logs": map[string]any{"default": map[string]any{"level": "ERROR"}}}
	b, _ := json.Marshal(cfg)
	if err := caddy.Load(b, true); err != nil {
		t.Fatalf("load: %v\n%s", err, b)
	}
	t.Cleanup(func() {
		// Stop leaves the admin endpoint up; a config without one closes it.
		_ = caddy.Load([]byte(`{"admin":{"disabled":true,"config":{"persist":false}}}`), true)
		_ = caddy.Stop()
	})
}

func adminSection(admin string) map[string]any {
	if admin == "" {
		return map[string]any{"disabled": true, "config": map[string]any{"persist": false}}
	}
	return map[string]any{"listen": admin, "config": map[string]any{"persist": false}}
}

// crmFrameHandler finds the crm_frame handler in an adapted config.
func crmFrameHandler(t *testing.T, v any) map[string]any {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if v["handler"] == "crm_frame" {
			return v
		}
		for _, c := range v {
			if h := crmFrameHandler(t, c); h != nil {
				return h
			}
		}
	case []any:
		for _, c := range v {
			if h := crmFrameHandler(t, c); h != nil {
				return h
			}
		}
	}
	return nil
}

// TestJSONMinimalMatchesCaddyfile: a hand-written minimal JSON handler is
// what the minimal Caddyfile adapts to, and both serve the same bytes and
// headers (the parser adds no defaults that Provision would not).
func TestJSONMinimalMatchesCaddyfile(t *testing.T) {
	up := crmUpstream()
	defer up.Close()
	cfPort, jsPort := caddyrun.FreePort(t), caddyrun.FreePort(t)
	cf := fmt.Sprintf("http://127.0.0.1:%d {\n\tcrm_frame {\n\t\tframe_ancestors https://desk.example.com\n\t}\n\treverse_proxy %s\n}\n", cfPort, strings.TrimPrefix(up.URL, "http://"))
	adapted, err := caddyrun.Adapt(cf)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(adapted, &cfg); err != nil {
		t.Fatal(err)
	}
	const minimal = `{"handler":"crm_frame","frame_ancestors":["https://desk.example.com"]}`
	var want map[string]any
	_ = json.Unmarshal([]byte(minimal), &want)
	if got := crmFrameHandler(t, cfg); !reflect.DeepEqual(got, want) {
		t.Fatalf("the minimal Caddyfile adapts to\n\t%v\nnot\n\t%s", got, minimal)
	}

	// Both side by side: the adapted Caddyfile and a hand-written server.
	var hand any
	_ = json.Unmarshal([]byte(fmt.Sprintf(`{"listen":["127.0.0.1:%d"],"routes":[{"handle":[%s,{"handler":"reverse_proxy","upstreams":[{"dial":%q}]}]}]}`,
		jsPort, minimal, strings.TrimPrefix(up.URL, "http://"))), &hand)
	cfg["apps"].(map[string]any)["http"].(map[string]any)["servers"].(map[string]any)["handwritten"] = hand
	js, _ := json.Marshal(cfg)
	startJSON(t, string(js), "")

	get := func(port int, path string, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, body, err := fetchRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	_, page := get(cfPort, "/page", "Sec-Fetch-Dest", "iframe")
	sdk := regexp.MustCompile(`src="(/__crmframe/sdk\.js\?v=[^"]+)"`).FindSubmatch(page)
	if sdk == nil {
		t.Fatalf("no SDK in the page:\n%s", page)
	}
	for _, c := range []struct {
		path string
		hdr  []string
	}{
		{"/page", []string{"Sec-Fetch-Dest", "iframe"}},
		{"/app.js", nil},
		{string(sdk[1]), nil},
		{string(sdk[1]), []string{"Accept-Encoding", "gzip"}},
		{"/AD/widget/agentdesktop_widget.js", nil},
		{"/__crmframe/ws", nil},
		{"/__crmframe/demo/token", nil},
	} {
		r1, b1 := get(cfPort, c.path, c.hdr...)
		r2, b2 := get(jsPort, c.path, c.hdr...)
		r1.Header.Del("Date")
		r2.Header.Del("Date")
		if r1.StatusCode != r2.StatusCode || !reflect.DeepEqual(r1.Header, r2.Header) || !bytes.Equal(b1, b2) {
			t.Errorf("GET %s differs:\nCaddyfile: %d %v\n%s\nJSON: %d %v\n%s", c.path, r1.StatusCode, r1.Header, b1, r2.StatusCode, r2.Header, b2)
		}
	}
	// And it is crm_frame's doing, not two identical pass-throughs.
	r, _ := get(jsPort, "/page")
	if csp := r.Header.Get("Content-Security-Policy"); r.Header.Get("X-Frame-Options") != "" || !strings.Contains(csp, "frame-ancestors https://desk.example.com") {
		t.Errorf("framing headers through the JSON config: %v", r.Header)
	}
}

// TestJSONAdminAPI: crmframe driven through Caddy's admin API, as
// automation does: PATCH and POST /load take effect on the next requests,
// and a change crm_frame or crm_engine refuses is answered 400 with the
// reason while the old configuration keeps serving, engine included.
func TestJSONAdminAPI(t *testing.T) {
	up := crmUpstream()
	defer up.Close()
	port, apiPort := caddyrun.FreePort(t), caddyrun.FreePort(t)
	admin := fmt.Sprintf("127.0.0.1:%d", caddyrun.FreePort(t))
	config := func(ancestor, queue string) string {
		return fmt.Sprintf(`{"apps":{
			"crm_engine":{"secret":%q,"queues":[{"name":%q,"agents":["a1"]}],"no_answer_timeout":"30s"},
			"http":{"servers":{
				"crm":{"listen":["127.0.0.1:%d"],"routes":[{"handle":[
					{"handler":"crm_frame","frame_ancestors":[%q]},
					{"handler":"reverse_proxy","upstreams":[{"dial":%q}]}]}]},
				"internal":{"listen":["127.0.0.1:%d"],"routes":[{"handle":[{"handler":"crm_engine_api"}]}]}}}}}`,
			testSecret, queue, port, ancestor, strings.TrimPrefix(up.URL, "http://"), apiPort)
	}
	startJSON(t, config("https://desk-a.example.com", "sales"), admin)
	client := caddyrun.ReloadClient()

	ancestors := func() string {
		t.Helper()
		resp, _, err := fetchBody(client, fmt.Sprintf("http://127.0.0.1:%d/page", port))
		if err != nil {
			t.Fatal(err)
		}
		// 'self' stays: the CRM sent SAMEORIGIN (its own framesets).
		_, fa, _ := strings.Cut(resp.Header.Get("Content-Security-Policy"), "frame-ancestors ")
		fa, _, _ = strings.Cut(fa, ";")
		return strings.TrimSuffix(fa, " 'self'")
	}
	queues := func() string {
		t.Helper()
		_, body, err := fetchBody(client, fmt.Sprintf("http://127.0.0.1:%d/queues", apiPort))
		if err != nil {
			t.Fatal(err)
		}
		var qs []struct{ Name string }
		if err := json.Unmarshal(body, &qs); err != nil {
			t.Fatalf("GET /queues: %v\n%s", err, body)
		}
		var names []string
		for _, q := range qs {
			names = append(names, q.Name)
		}
		slices.Sort(names)
		return strings.Join(names, ",")
	}
	adminDo := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+admin+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		// Each load replaces the admin listener too: the retrying client.
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// A whole config for POST /load keeps the admin section (else Caddy
	// moves the endpoint to its default address).
	withAdmin := func(js string) string {
		var cfg map[string]any
		_ = json.Unmarshal([]byte(js), &cfg)
		cfg["admin"] = adminSection(admin)
		cfg["logging"] = map[string]any{"logs": map[string]any{"default": map[string]any{"level": "ERROR"}}}
		b, _ := json.Marshal(cfg)
		return string(b)
	}
	check := func(step, wantFA, wantQueues string) {
		t.Helper()
		if got := ancestors(); got != wantFA {
			t.Errorf("%s: frame-ancestors %q, want %q", step, got, wantFA)
		}
		if got := queues(); got != wantQueues {
			t.Errorf("%s: queues %q, want %q", step, got, wantQueues)
		}
	}
	check("start", "https://desk-a.example.com", "sales")
	// After an accepted change the old server may still take a connection
	// or two (Caddy stops it in a goroutine): wait for the new one.
	applied := func(step, wantFA, wantQueues string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if ancestors() == wantFA && queues() == wantQueues {
				return
			}
		}
		check(step, wantFA, wantQueues)
	}

	const fa = "/config/apps/http/servers/crm/routes/0/handle/0/frame_ancestors"
	if code, body := adminDo("PATCH", fa, `["https://desk-b.example.com"]`); code != 200 {
		t.Fatalf("PATCH frame_ancestors: %d %s", code, body)
	}
	applied("PATCH frame_ancestors", "https://desk-b.example.com", "sales")

	for _, bad := range []struct{ method, path, body, want string }{
		{"PATCH", fa, `["*"]`, `frame_ancestors \"*\" would let every site frame the CRM`},
		{"PATCH", fa, `[]`, `frame_ancestors is required`},
		{"PATCH", fa, `["desk.example.com"]`, `\"desk.example.com\" is not an origin`},
		{"PUT", "/config/apps/http/servers/crm/routes/0/handle/0/insecure_any_ancestor", `true`, `insecure_any_ancestor is only accepted with frame_ancestors [\"*\"]`},
		{"PUT", "/config/apps/http/servers/crm/routes/0/handle/0/path_prefix", `"x"`, `path_prefix \"x\" must start with /`},
		{"PATCH", "/config/apps/crm_engine/no_answer_timeout", `30`, `no_answer_timeout: 30ns is below 1ms`},
		{"PATCH", "/config/apps/crm_engine/secret", `"short"`, `secret: 5 bytes is too short`},
		{"PUT", "/config/apps/crm_engine/dev", `true`, `dev is not a crm_engine setting`},
		{"POST", "/load", withAdmin(strings.Replace(config("https://desk-c.example.com", "support"), `"queues"`, `"dev":true,"queues"`, 1)), `dev is not a crm_engine setting`},
		{"POST", "/load", withAdmin(config("https://desk-c.example.com/app", "support")), `is not an origin`},
		{"POST", "/load", withAdmin(strings.Replace(config("https://desk-c.example.com", "support"), `"frame_ancestors"`, `"frame_ancestor"`, 1)), `unknown field \"frame_ancestor\"`},
	} {
		code, body := adminDo(bad.method, bad.path, bad.body)
		// Caddy answers 400 to POST /load, 500 to /config/ changes.
		if code < 400 || !strings.Contains(body, bad.want) {
			t.Errorf("%s %s %.80s: %d %s (want an error with %s)", bad.method, bad.path, bad.body, code, body, bad.want)
		}
		check("after a refused "+bad.method+" "+bad.path, "https://desk-b.example.com", "sales")
	}

	// A good POST /load changes the handler and the engine together.
	if code, body := adminDo("POST", "/load", withAdmin(config("https://desk-c.example.com", "support"))); code != 200 {
		t.Fatalf("POST /load: %d %s", code, body)
	}
	applied("POST /load", "https://desk-c.example.com", "support")
	// An engine setting as a Caddy duration string, through PATCH.
	if code, body := adminDo("PATCH", "/config/apps/crm_engine/no_answer_timeout", `"45s"`); code != 200 {
		t.Fatalf("PATCH no_answer_timeout: %d %s", code, body)
	}
	if code, body := adminDo("GET", "/config/apps/crm_engine/no_answer_timeout", ""); code != 200 || strings.TrimSpace(body) != `"45s"` {
		t.Errorf("GET no_answer_timeout: %d %s", code, body)
	}
	applied("PATCH no_answer_timeout", "https://desk-c.example.com", "support")
}

// structKeys are the JSON keys of a module's struct, embedded structs
// (engine.Config) flattened; deep adds those of nested objects (simulate,
// the items of queues).
func structKeys(t reflect.Type, deep bool) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name != "" {
			out = append(out, name)
		}
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && (deep || name == "") {
			out = append(out, structKeys(ft, deep)...)
		}
	}
	return out
}

// keysOf is every object key in a JSON value.
func keysOf(v any, set map[string]bool) map[string]bool {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			set[k] = true
			keysOf(c, set)
		}
	case []any:
		for _, c := range v {
			keysOf(c, set)
		}
	}
	return set
}

// TestDocsJSONConfig: the JSON configs of docs/caddyfile.md load (with the
// secret from the environment, as the doc says), the full one sets every
// key crm_frame and crm_engine accept, and the section names every key.
func TestDocsJSONConfig(t *testing.T) {
	t.Setenv("CRMFRAME_SECRET", snippetSecret)
	t.Setenv("XDG_DATA_HOME", t.TempDir()) // certificate storage of https sites
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const file = "docs/caddyfile.md"
	doc := readDoc(t, file)
	start := strings.Index(doc, "\n## JSON config\n")
	if start < 0 {
		t.Fatal(`docs/caddyfile.md has no "## JSON config" section`)
	}
	section := doc[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var full map[string]bool
	n := 0
	for _, b := range parseBlocks(t, file, doc) {
		if b.lang != "json" || !strings.Contains(section, b.body) {
			continue
		}
		var cfg map[string]any
		if err := json.Unmarshal([]byte(b.body), &cfg); err != nil {
			t.Errorf("%s: not JSON: %v", b.pos(), err)
			continue
		}
		if _, whole := cfg["apps"]; !whole {
			continue // a value for PATCH
		}
		n++
		if err := validateJSON(b.body); err != nil {
			t.Errorf("%s: does not load: %v", b.pos(), err)
		}
		if keys := keysOf(cfg, map[string]bool{}); len(keys) > len(full) {
			full = keys
		}
	}
	if n < 2 {
		t.Fatalf("%d whole JSON configs in the JSON config section, want the minimal and the full one", n)
	}
	handler, app := reflect.TypeOf(caddymodule.Handler{}), reflect.TypeOf(caddymodule.EngineApp{})
	for _, k := range append(structKeys(handler, true), structKeys(app, true)...) {
		if k != "dev" && k != "insecure_any_ancestor" && !full[k] {
			// dev is refused; the flag cannot go with real origins.
			t.Errorf("the full JSON example does not set %q", k)
		}
	}
	for _, k := range append(structKeys(handler, false), structKeys(app, false)...) {
		if k != "dev" && !strings.Contains(section, "`"+k+"`") {
			t.Errorf("the JSON config section's tables do not name `%s`", k)
		}
	}
}

// TestCaddyfileSameRules: the rules added for JSON hold in the Caddyfile
// too, still naming the line.
func TestCaddyfileSameRules(t *testing.T) {
	for _, tc := range []struct{ block, want string }{
		{"cookies same_site partitioned", `crm_frame: partitioned only applies to cookies cross_site, and cookies is "same_site", at Caddyfile:4`},
		{"max_rewrite_size 16", `crm_frame: max_rewrite_size: 16 bytes is too small: want at least 1024 (16 MiB is 16777216), at Caddyfile:4`},
		{"frame_ancestors * insecure", `crm_frame: frame_ancestors: "*" must be the only entry (it already allows every site)`},
	} {
		_, err := caddyrun.Adapt(":8080 {\ncrm_frame {\n\tframe_ancestors https://d.example\n\t" + tc.block + "\n}\nreverse_proxy 127.0.0.1:9\n}\n")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", tc.block, err, tc.want)
		}
	}
}

// docsFullJSON is the JSON config of docs/caddyfile.md that sets every key.
func docsFullJSON(t *testing.T) map[string]any {
	t.Helper()
	var full map[string]any
	n := 0
	for _, b := range parseBlocks(t, "docs/caddyfile.md", readDoc(t, "docs/caddyfile.md")) {
		var cfg map[string]any
		if b.lang != "json" || json.Unmarshal([]byte(b.body), &cfg) != nil {
			continue
		}
		if k := len(keysOf(cfg, map[string]bool{})); k > n {
			full, n = cfg, k
		}
	}
	if full == nil {
		t.Fatal("no JSON config in docs/caddyfile.md")
	}
	return full
}

// TestDocsJSONMatchesCaddyfile: the full JSON example of the docs is what
// the Caddyfile with the same settings adapts to (the mapping tables hold),
// for crm_frame exactly, for crm_engine once read (durations as strings
// there, nanoseconds in the adapter's output).
func TestDocsJSONMatchesCaddyfile(t *testing.T) {
	full := docsFullJSON(t)
	adapted, err := caddyrun.Adapt(`{
	crm_engine {
		secret {env.CRMFRAME_SECRET}
		history_length 4096
		no_answer_timeout 20s
		acw_timeout 30s
		logout_grace 60s
		dial_answer_after 3s
		popup_on accept
		service_level_threshold 20s
		pause_code 1701 "Lunch"
		queue sales a1 a2 {
			service "Sales line"
			agents a3
		}
		agent a1 {
			name "Anna"
			capacity chat 4
		}
		capacity telephony 1
		capacity chat 3
		capacity channel 5
		max_message_size 64KiB
		send_queue 256
		max_conns_per_agent 32
		ping_interval 25s
		write_timeout 10s
		hello_timeout 10s
		command_rate 20
		command_burst 40
		simulate {
			calls_per_minute 3
			chats_per_minute 1
			emails_per_minute 0.5
			hangup_after 60s
			abandon_after 60s
			abandon_probability 0.1
			seed 42
		}
	}
}
crm.desk.example.com {
	crm_frame {
		frame_ancestors https://desk.example.com https://*.desk.example.com
		upstream_origin http://crm.internal:8080
		cookies cross_site partitioned
		path_prefix /__crmframe
		inject /integration/popup.js
		max_rewrite_size 16MiB
		js_cache 32MiB
		recompress_level default
		recompress_coding zstd
		breakout neutralize
		sandbox off
		screen_pop /customers/search?phone={ani}&id={id}
		screen_pop chat /chat/transcript?chat={chat_id}
		widget_id crm
		compat_sdk_path /AD/widget/agentdesktop_widget.js
	}
	reverse_proxy crm.internal:8080
}
`)
	if err != nil {
		t.Fatal(err)
	}
	var cf map[string]any
	if err := json.Unmarshal(adapted, &cf); err != nil {
		t.Fatal(err)
	}
	if got, want := crmFrameHandler(t, cf), crmFrameHandler(t, full); !reflect.DeepEqual(got, want) {
		t.Errorf("crm_frame: the Caddyfile adapts to\n\t%v\nthe docs show\n\t%v", got, want)
	}
	read := func(v any) caddymodule.EngineApp {
		t.Helper()
		b, _ := json.Marshal(v.(map[string]any)["apps"].(map[string]any)["crm_engine"])
		var a caddymodule.EngineApp
		if err := caddy.StrictUnmarshalJSON(b, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	if got, want := read(cf), read(full); !reflect.DeepEqual(got, want) {
		t.Errorf("crm_engine: the Caddyfile reads as\n\t%+v\nthe docs' JSON as\n\t%+v", got, want)
	}
}
