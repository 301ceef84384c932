package injector

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// failAfter is a client connection that accepts n bytes, then fails.
type failAfter struct {
	n   int
	hdr http.Header
}

func (w *failAfter) Header() http.Header { return w.hdr }
func (w *failAfter) WriteHeader(int)     {}
func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errors.New("broken pipe")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestAbortReasons: an abandoned response reports why, so that logs can
// tell a CRM that broke off (actionable) from an agent who clicked on
// (routine); a failed write to the client wins over the caller's reason.
func TestAbortReasons(t *testing.T) {
	page := "<html><head><title>t</title></head><body>" + strings.Repeat("<p>row</p>", 20000)
	for _, c := range []struct {
		name, ct, reason string
		room             int // bytes the client takes before failing
		want             string
	}{
		{"html upstream broke", "text/html", ReasonUpstreamBroke, 1 << 30, ReasonUpstreamBroke},
		{"js upstream broke", "text/javascript", ReasonUpstreamBroke, 1 << 30, ReasonUpstreamBroke},
		{"html unknown", "text/html", "", 1 << 30, ReasonAborted},
		{"html client gone first", "text/html", ReasonUpstreamBroke, 100, ReasonClientGone},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
			cfg := &Config{Body: tr.Filter}
			dst := &failAfter{n: c.room, hdr: http.Header{}}
			w := cfg.Wrap(dst, getReq())
			w.Header().Set("Content-Type", c.ct)
			w.WriteHeader(http.StatusOK)
			_, werr := w.Write([]byte(page))
			if (werr != nil) != (c.room < len(page)) {
				t.Fatalf("write: %v", werr)
			}
			w.AbortWith(c.reason)
			res := tr.last(t)
			if res.Action != ActionError || res.Reason != c.want {
				t.Errorf("result %s %q, want error %q", res.Action, res.Reason, c.want)
			}
			if len(tr.results) != 1 {
				t.Errorf("%d results for one response", len(tr.results))
			}
			w.AbortWith(ReasonAborted) // a second abort is a no-op
			if len(tr.results) != 1 {
				t.Errorf("counted again after a second abort")
			}
		})
	}
}
