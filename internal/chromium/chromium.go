// Package chromium starts headless Chromium for browser tests and gives
// them access to frames (the framed CRM is what we test).
package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Path finds the Chromium binary: $CHROMIUM, then the usual names.
func Path() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium not found: run `make deps` (apt-get install -y chromium) or set CHROMIUM=/path/to/chrome")
}

// New starts a fresh headless browser for the test and returns a chromedp
// context for its first tab. The browser stops when the test ends. extra
// options come after the defaults (more flags, or overrides).
func New(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path, err := Path()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		// One renderer process for every frame, so that the test can reach
		// cross-site frames through the page's own frame tree. Web-platform
		// rules (CSP, same-origin policy, user activation) are unaffected.
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.Flag("disable-features", "IsolateOrigins,site-per-process,Translate,BlinkGenPropertyTrees"),
	)
	opts = append(opts, extra...)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil { // start the browser now
		cancel()
		acancel()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); acancel() })
	return ctx
}

// NewTab opens another tab of the same browser.
func NewTab(t testing.TB, browser context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	return ctx
}

// OnTabs runs job(tab, i) for every i in [0, jobs) on n tabs of browser
// in parallel and returns when all are done. Each tab is reused from job to
// job, runs timers and takes input as a foreground tab does (focus
// emulation), and accepts JavaScript dialogs, which would block it. A tab
// that could not be set up hands its error to each job it takes.
func OnTabs(t testing.TB, browser context.Context, n, jobs int, job func(tab context.Context, i int, setupErr error)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range n {
		tab := NewTab(t, browser)
		err := chromedp.Do(tab)
		if err == nil {
			_, err = chromedp.Call(tab, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		}
		if err == nil {
			dialogs := chromedp.Events(tab, page.JavascriptDialogOpening)
			go func() {
				for _, err := range dialogs {
					if err != nil {
						return
					}
					_, _ = chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				job(tab, i, err)
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Frames returns every frame of the tab's page, depth first.
func Frames(ctx context.Context) ([]*cdp.Frame, error) {
	res, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	var out []*cdp.Frame
	var walk func(ft *page.FrameTree)
	walk = func(ft *page.FrameTree) {
		if ft == nil {
			return
		}
		out = append(out, ft.Frame)
		for _, c := range ft.ChildFrames {
			walk(c)
		}
	}
	walk(res.FrameTree)
	return out, nil
}

// ChildFrame returns the first non-main frame, if any.
func ChildFrame(ctx context.Context) (*cdp.Frame, error) {
	fs, err := Frames(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.ParentID != "" {
			return f, nil
		}
	}
	return nil, errors.New("no child frame")
}

// Loaded reports whether a frame shows its document rather than the
// browser's error page (what a frame blocked by CSP or XFO shows).
func Loaded(f *cdp.Frame) bool {
	return f.UnreachableURL == "" && !strings.HasPrefix(f.URL, "chrome-error:")
}

// EvalInFrame evaluates expr in an isolated world of the frame: it sees the
// frame's DOM, not its page scripts' globals. The result is decoded into T.
func EvalInFrame[T any](ctx context.Context, frameID cdp.FrameID, expr string) (T, error) {
	var zero T
	w, err := chromedp.Call(ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: frameID, WorldName: "crmframe-test"})
	if err != nil {
		return zero, err
	}
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, func(p *runtime.EvaluateParams) { p.ContextID = w.ExecutionContextID }))
}

// MainEvalInFrame evaluates expr in the frame's main world, where the page's
// own scripts live (to read globals such as AGENTDESKTOP). It injects a
// script element through the isolated world that copies the value into a
// DOM attribute.
func MainEvalInFrame(ctx context.Context, frameID cdp.FrameID, expr string) (string, error) {
	js := fmt.Sprintf(`(() => {
		const s = document.createElement('script');
		s.textContent = "document.documentElement.setAttribute('data-crmframe-test', String((function(){ try { return (%s); } catch (e) { return 'throw:' + e; } })()))";
		document.documentElement.appendChild(s); s.remove();
		return document.documentElement.getAttribute('data-crmframe-test');
	})()`, strings.ReplaceAll(expr, `"`, `\"`))
	return EvalInFrame[string](ctx, frameID, js)
}
