package caddymodule_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmframe/crmframe/internal/caddyrun"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestAdaptGolden adapts each testdata/adapt/*.caddyfiletest (Caddyfile,
// a line of dashes, the expected JSON) and compares.
func TestAdaptGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/adapt/*.caddyfiletest")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			in, want, ok := strings.Cut(string(raw), "\n----------\n")
			if !ok {
				t.Fatal("missing ---------- separator")
			}
			js, err := caddyrun.Adapt(in)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, js, "", "\t"); err != nil {
				t.Fatal(err)
			}
			got := pretty.String() + "\n"
			if *update {
				if err := os.WriteFile(f, []byte(in+"\n----------\n"+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("adapted JSON differs (run go test -update):\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestCaddyfileErrors(t *testing.T) {
	tests := []struct {
		name, block, want string
	}{
		{"missing frame_ancestors", "crm_frame {\n\tcookies same_site\n}", "frame_ancestors is required"},
		{"star refused", "crm_frame {\n\tframe_ancestors *\n}", "'*' would let every site frame the CRM"},
		{"star with others and insecure", "crm_frame {\n\tframe_ancestors https://a.example * insecure\n}", "'insecure' is only accepted after a lone '*'"},
		{"not an origin", "crm_frame {\n\tframe_ancestors desk.example.com\n}", `"desk.example.com" is not an origin`},
		{"origin with path", "crm_frame {\n\tframe_ancestors https://desk.example.com/app\n}", `"https://desk.example.com/app" is not an origin`},
		{"unknown subdirective", "crm_frame {\n\tframe_ancestors https://d.example\n\tframe_ancestor https://x\n}", `unknown subdirective "frame_ancestor"`},
		{"bad cookie mode", "crm_frame {\n\tframe_ancestors https://d.example\n\tcookies lax\n}", `cookies: unknown mode "lax"`},
		{"bad cookie option", "crm_frame {\n\tframe_ancestors https://d.example\n\tcookies cross_site chips\n}", `unknown option "chips"`},
		{"bad upstream", "crm_frame {\n\tframe_ancestors https://d.example\n\tupstream_origin crm.internal\n}", `upstream_origin: "crm.internal" is not an origin`},
		{"bad size", "crm_frame {\n\tframe_ancestors https://d.example\n\tmax_rewrite_size lots\n}", `"lots" is not a size`},
		{"bad js_cache", "crm_frame {\n\tframe_ancestors https://d.example\n\tjs_cache big\n}", `js_cache: "big" is not a size`},
		{"bad recompress_level", "crm_frame {\n\tframe_ancestors https://d.example\n\trecompress_level 9\n}", `recompress_level: "9": want fastest, default or better`},
		{"recompress_level without value", "crm_frame {\n\tframe_ancestors https://d.example\n\trecompress_level\n}", `wrong argument count`},
		{"bad recompress_coding", "crm_frame {\n\tframe_ancestors https://d.example\n\trecompress_coding gzip\n}", `recompress_coding: "gzip": want zstd or same`},
		{"recompress_coding with two values", "crm_frame {\n\tframe_ancestors https://d.example\n\trecompress_coding zstd same\n}", `wrong argument count`},
		{"bad breakout", "crm_frame {\n\tframe_ancestors https://d.example\n\tbreakout yes\n}", `breakout: unknown mode "yes"`},
		{"bad prefix", "crm_frame {\n\tframe_ancestors https://d.example\n\tpath_prefix x\n}", `path_prefix "x" must start with /`},
		{"bad sandbox", "crm_frame {\n\tframe_ancestors https://d.example\n\tsandbox maybe\n}", `sandbox: unknown value "maybe"`},
		{"args on first line", "crm_frame https://d.example", `takes no arguments`},
		// Every error names the line it is about (the site block opens on line 1).
		{"not an origin names its line", "crm_frame {\n\tframe_ancestors desk.example.com\n}", `"desk.example.com" is not an origin: want http:// or https://, at Caddyfile:3`},
		{"bad upstream names its line", "crm_frame {\n\tframe_ancestors https://d.example\n\tupstream_origin crm.internal\n}", `upstream_origin: "crm.internal" is not an origin: want http:// or https://, at Caddyfile:4`},
		{"bad screen_pop media", "crm_frame {\n\tframe_ancestors https://d.example\n\tscreen_pop fax /x\n}", `screen_pop: unknown media "fax" (want telephony, chat, channel or a template alone), at Caddyfile:4`},
		{"screen_pop to another host", "crm_frame {\n\tframe_ancestors https://d.example\n\tscreen_pop //evil.example/x\n}", `must be a path on the CRM's origin starting with a single /, at Caddyfile:4`},
		{"bad compat path", "crm_frame {\n\tframe_ancestors https://d.example\n\tcompat_sdk_path x.js\n}", `compat_sdk_path "x.js" must be a path starting with a single / (or off), at Caddyfile:4`},
		{"inject javascript:", "crm_frame {\n\tframe_ancestors https://d.example\n\tinject javascript:alert(1)\n}", `inject: "javascript:alert(1)": want a path or an http(s) URL, at Caddyfile:4`},
		{"inject with a space", "crm_frame {\n\tframe_ancestors https://d.example\n\tinject \"/a b.js\"\n}", `inject: "/a b.js": only printable ASCII without spaces is allowed, at Caddyfile:4`},
		// path_prefix / would make the SDK URL //sdk.js: a script from the host "sdk.js".
		{"root prefix", "crm_frame {\n\tframe_ancestors https://d.example\n\tpath_prefix /\n}", `path_prefix "/" must name a path below / (e.g. /__crmframe), at Caddyfile:4`},
		{"prefix with a quote", "crm_frame {\n\tframe_ancestors https://d.example\n\tpath_prefix \"/a'b\"\n}", `only letters, digits and - . _ ~ / are allowed, at Caddyfile:4`},
		{"duplicate cookies", "crm_frame {\n\tframe_ancestors https://d.example\n\tcookies same_site\n\tcookies cross_site\n}", `cookies is already set on line 4, at Caddyfile:5`},
		{"duplicate path_prefix", "crm_frame {\n\tframe_ancestors https://d.example\n\tpath_prefix /a\n\tpath_prefix /b\n}", `path_prefix is already set on line 4, at Caddyfile:5`},
		{"duplicate sandbox", "crm_frame {\n\tframe_ancestors https://d.example\n\tsandbox on\n\tsandbox off\n}", `sandbox is already set on line 4, at Caddyfile:5`},
		{"duplicate screen_pop media", "crm_frame {\n\tframe_ancestors https://d.example\n\tscreen_pop /a\n\tscreen_pop /b\n}", `a template for "*" is already set, at Caddyfile:5`},
		{"block after a subdirective", "crm_frame {\n\tframe_ancestors https://d.example\n\tsandbox on {\n\t\tx\n\t}\n}", `sandbox takes no block, at Caddyfile:4`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := caddyrun.Adapt(":8080 {\n" + tc.block + "\nreverse_proxy 127.0.0.1:9\n}\n")
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// List subdirectives may be repeated: their values add up.
func TestCaddyfileRepeatedLists(t *testing.T) {
	js, err := caddyrun.Adapt(":8080 {\ncrm_frame {\n\tframe_ancestors https://a.example\n\tframe_ancestors https://b.example\n" +
		"\tupstream_origin http://crm.internal\n\tupstream_origin http://crm2.internal\n\tinject /a.js\n\tinject /b.js\n" +
		"\tscreen_pop /a\n\tscreen_pop chat /b\n}\nreverse_proxy 127.0.0.1:9\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"frame_ancestors":["https://a.example","https://b.example"]`, `"inject":["/a.js","/b.js"]`,
		`"upstream_origins":["http://crm.internal","http://crm2.internal"]`, `"screen_pop":{"*":"/a","chat":"/b"}`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("missing %s in %s", want, js)
		}
	}
}
