package caddymodule_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/crmframe/crmframe/internal/caddyrun"
)

func engineCaddyfile(sub string) string {
	return "{\n\tcrm_engine {\n\t\tsecret \"0123456789abcdef0123456789abcdef\"\n\t\t" + sub + "\n\t}\n}\n:8080 {\n\trespond ok\n}\n"
}

// dial_answer_after: docs/events.md names it for preview and manual calls
// (the built-in model answers a dialled customer after it), but the
// Caddyfile had no way to set it: a CTI driving ESTABLISHED itself could
// not turn the automatic answer off.
func TestEngineCaddyfileDialAnswerAfter(t *testing.T) {
	for sub, want := range map[string]float64{
		"dial_answer_after 5s":  5e9,
		"dial_answer_after off": -1,
	} {
		js, err := caddyrun.Adapt(engineCaddyfile(sub))
		if err != nil {
			t.Fatalf("%s: %v", sub, err)
		}
		var cfg struct {
			Apps map[string]map[string]any `json:"apps"`
		}
		if err := json.Unmarshal(js, &cfg); err != nil {
			t.Fatal(err)
		}
		if got := cfg.Apps["crm_engine"]["dial_answer_after"]; got != want {
			t.Errorf("%s: dial_answer_after = %v, want %v (%s)", sub, got, want, js)
		}
	}
	for sub, want := range map[string]string{
		"dial_answer_after":       "wrong argument count",
		"dial_answer_after 0s":    `dial_answer_after: "0s" is not a positive duration (e.g. 3s) or off`,
		"dial_answer_after never": `dial_answer_after: "never" is not a positive duration`,
		// every duration error names the subdirective, not its value
		"acw_timeout abc": `acw_timeout: "abc" is not a positive duration`,
	} {
		_, err := caddyrun.Adapt(engineCaddyfile(sub))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", sub, err, want)
		}
	}
}

// A block after a subdirective that takes none named "{" as an unknown
// subdirective; crm_frame names the subdirective, and so does crm_engine.
func TestEngineCaddyfileBlockAfterSubdirective(t *testing.T) {
	_, err := caddyrun.Adapt(engineCaddyfile("send_queue 256 {\n\t\t\tx\n\t\t}"))
	if want := "crm_engine: send_queue takes no block"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	// Subdirectives with blocks still take them.
	if _, err := caddyrun.Adapt(engineCaddyfile("queue sales a1 {\n\t\t\tservice \"S\"\n\t\t}\n\t\tsend_queue 256")); err != nil {
		t.Errorf("queue block: %v", err)
	}
}
