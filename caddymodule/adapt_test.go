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
		{"bad breakout", "crm_frame {\n\tframe_ancestors https://d.example\n\tbreakout yes\n}", `breakout: unknown mode "yes"`},
		{"bad prefix", "crm_frame {\n\tframe_ancestors https://d.example\n\tpath_prefix x\n}", `path_prefix "x" must start with /`},
		{"bad sandbox", "crm_frame {\n\tframe_ancestors https://d.example\n\tsandbox maybe\n}", `sandbox: unknown value "maybe"`},
		{"args on first line", "crm_frame https://d.example", `takes no arguments`},
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
