package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

// TestDemoCaddyfile runs the README's demo (the root Caddyfile, real binary)
// in Chromium: an agent signs in to the shell, and the hostile example CRM —
// X-Frame-Options DENY, frame-ancestors 'none', hide-by-default CSS and
// frame-busting scripts — shows inside the desktop's frame, visible, with
// the desktop still on top.
func TestDemoCaddyfile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	cf := regexp.MustCompile(`(?m)^\s*admin .*$`).ReplaceAllString(string(raw), "")
	// Run it from the repository root, where its relative paths point.
	root, _ := filepath.Abs("..")
	cf = strings.ReplaceAll(cf, "root * examples/", "root * "+root+"/examples/")
	caddyrun.Run(t, cf, "http://localhost:8080/")

	browser := chromium.New(t)
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate("http://localhost:8080/"),
		chromedp.WaitVisible(chromedp.ID("agent-id")),
		chromedp.SetValue(chromedp.ID("agent-id"), "a1"),
		chromedp.Click(chromedp.CSS(`#login button[type=submit]`)),
	); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	var marker, conn, topURL string
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		conn, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('conn').textContent`))
		topURL, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
		fs, err := chromium.Frames(ctx)
		if err != nil {
			continue
		}
		for _, f := range fs {
			if f.ParentID == "" || !strings.HasPrefix(f.URL, "http://localhost:8081/") {
				continue
			}
			marker, _ = chromium.EvalInFrame[string](ctx, f.ID, `(() => {
				const m = document.getElementById('crm-marker');
				return m && m.checkVisibility() ? m.querySelector('h2').textContent : '';
			})()`)
		}
		if marker != "" && conn == "connected" {
			break
		}
	}
	if !strings.HasPrefix(topURL, "http://localhost:8080/") {
		t.Fatalf("the CRM took over the desktop window: top is %s", topURL)
	}
	if marker != "Customer search" {
		t.Errorf("the CRM is not visible in the desktop's frame (marker %q)", marker)
	}
	if conn != "connected" {
		t.Errorf("shell connection = %q", conn)
	}
}
