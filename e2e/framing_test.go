package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

// frameState loads pageURL in a fresh tab and reports whether its iframe
// ended up showing the CRM (true) or the browser's blocked-frame page.
func frameState(t *testing.T, browser context.Context, pageURL string) (loaded bool, marker string) {
	t.Helper()
	ctx := chromium.NewTab(t, browser)
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("navigate %s: %v", pageURL, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f, err := chromium.ChildFrame(tctx)
		if err == nil && f.URL != "" && f.URL != "about:blank" {
			if !chromium.Loaded(f) {
				return false, ""
			}
			m, err := chromium.EvalInFrame[string](tctx, f.ID, `(document.getElementById('crm-marker')||{}).textContent || ''`)
			if err == nil && m != "" {
				return true, m
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: frame neither loaded nor blocked in time", pageURL)
	return false, ""
}

// TestBrowserFraming proves in Chromium that crmframe lets exactly the
// configured desktop origin frame a CRM that forbids framing.
func TestBrowserFraming(t *testing.T) {
	up := caddyrun.FreePort(t)
	proxy := caddyrun.FreePort(t)
	desk := caddyrun.FreePort(t)
	evil := caddyrun.FreePort(t)
	crm := `<!doctype html><title>CRM</title><div id="crm-marker">CRM page ok</div>`
	frame := func(src string) string {
		return fmt.Sprintf(`<!doctype html><title>desk</title><iframe src="%s" width=600 height=300></iframe>`, src)
	}
	caddyrun.Start(t, fmt.Sprintf(`
http://localhost:%[1]d {
	header {
		X-Frame-Options DENY
		Content-Security-Policy "frame-ancestors 'none'"
		Content-Type "text/html; charset=utf-8"
	}
	respond %[5]q
}
http://localhost:%[2]d {
	crm_frame {
		frame_ancestors http://127.0.0.1:%[3]d
		upstream_origin http://localhost:%[1]d
	}
	reverse_proxy localhost:%[1]d {
		header_up Host {upstream_hostport}
	}
}
http://127.0.0.1:%[3]d {
	header Content-Type "text/html; charset=utf-8"
	respond /via-crmframe %[6]q
	respond /direct %[7]q
}
http://127.0.0.2:%[4]d {
	header Content-Type "text/html; charset=utf-8"
	respond %[6]q
}
http://localhost:%[4]d {
	header Content-Type "text/html; charset=utf-8"
	respond %[6]q
}`, up, proxy, desk, evil, crm,
		frame(fmt.Sprintf("http://localhost:%d/", proxy)),
		frame(fmt.Sprintf("http://localhost:%d/", up))))

	browser := chromium.New(t)

	t.Run("allowed desktop frames the CRM through crmframe", func(t *testing.T) {
		loaded, marker := frameState(t, browser, fmt.Sprintf("http://127.0.0.1:%d/via-crmframe", desk))
		if !loaded || !strings.Contains(marker, "ok") {
			t.Errorf("frame loaded=%v marker=%q, want the CRM page", loaded, marker)
		}
	})
	t.Run("same desktop without crmframe is blocked", func(t *testing.T) {
		if loaded, _ := frameState(t, browser, fmt.Sprintf("http://127.0.0.1:%d/direct", desk)); loaded {
			t.Error("the hostile CRM was framed without crmframe: the test proves nothing")
		}
	})
	t.Run("cross-site foreign origin is blocked", func(t *testing.T) {
		if loaded, _ := frameState(t, browser, fmt.Sprintf("http://127.0.0.2:%d/", evil)); loaded {
			t.Error("a foreign origin framed the CRM through crmframe")
		}
	})
	t.Run("same-site foreign origin is blocked", func(t *testing.T) {
		if loaded, _ := frameState(t, browser, fmt.Sprintf("http://localhost:%d/", evil)); loaded {
			t.Error("a foreign origin on the CRM's own site framed it through crmframe")
		}
	})
}
