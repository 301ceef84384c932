package e2e

// How a frame-busting run opens its case (fbOpen): a tab keeps its desktop
// page from run to run and only swaps the CRM frame, which saves loading a
// top-level document twice per run (about:blank and the desktop), a third
// of the suite's CPU. The desktop is loaded afresh (about:blank first, so
// that nothing pending of the previous case survives) whenever the previous
// run did not leave it in place: its top left the desktop, it looped, it
// failed, or the desktop is no longer the document the judge loaded.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/crmframe/crmframe/internal/chromium"
)

// fbTabDesk is what a tab's last run left: the desktop it loaded (base URL
// and the nonce its body carries) and whether the next run may reuse it.
type fbTabDesk struct {
	desk, n string
	reuse   bool
}

var (
	fbTabDesks sync.Map // *chromedp.Target -> *fbTabDesk
	fbDeskSeq  atomic.Int64
	// fbOpened counts runs that reused the desktop and runs that loaded it.
	fbReused, fbFresh atomic.Int64
	// CRMFRAME_FRESH_DESK=1 loads the desktop for every run (as before the
	// reuse; for comparisons and for suspicion).
	fbFreshDesk = os.Getenv("CRMFRAME_FRESH_DESK") != ""
)

// fbTabOf returns the tab's desktop record (nil outside a chromedp tab).
func fbTabOf(ctx context.Context) *fbTabDesk {
	c := chromedp.FromContext(ctx)
	if c == nil || c.Target == nil {
		return nil
	}
	v, _ := fbTabDesks.LoadOrStore(c.Target, &fbTabDesk{})
	return v.(*fbTabDesk)
}

// fbOpen shows src in the tab's desktop frame: in the desktop already
// there when the previous run allows it, else in a freshly loaded one.
func fbOpen(ctx context.Context, tab *fbTabDesk, desk, src string) error {
	if tab != nil && tab.reuse && tab.desk == desk && !fbFreshDesk {
		tab.reuse = false
		if ok, err := fbSwapFrame(ctx, tab.n, src); err != nil {
			return err
		} else if ok {
			fbReused.Add(1)
			return nil
		}
	}
	fbFresh.Add(1)
	n := strconv.FormatInt(fbDeskSeq.Add(1), 10)
	// Start from a blank tab so that nothing of the previous case (a late
	// navigation) can land in this one.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		return err
	}
	if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: desk + "/desk?src=" + url.QueryEscape(src) + "&n=" + n}); err != nil {
		return err
	}
	if tab != nil {
		tab.desk, tab.n, tab.reuse = desk, n, false
	}
	return nil
}

// fbDropFrameJS removes the desktop's CRM frame, when the top is still the
// desktop document with nonce %q holding that one frame, and returns the
// frame's style; null otherwise. Removing the frame ends its document, its
// timers and its nested frames: none of them can navigate anything after.
const fbDropFrameJS = `(function (n) {
  var b = document.body, f = document.getElementById('crm');
  if (!b || b.dataset.desk !== n || !f || document.querySelectorAll('iframe, frame, object, embed').length !== 1) return null;
  var style = f.getAttribute('style');
  f.remove();
  return style;
})(%q)`

// fbAddFrameJS adds a fresh frame (no history or state of the previous
// one) for src with the old style, when the desktop is still the document
// with nonce n and holds no frame; the top's URL names the case, as a
// fresh desktop's would.
const fbAddFrameJS = `(function (n, style, src, u) {
  var b = document.body;
  if (!b || b.dataset.desk !== n || document.querySelector('iframe, frame, object, embed')) return false;
  var f = document.createElement('iframe');
  f.id = 'crm';
  f.setAttribute('style', style);
  f.src = src;
  b.appendChild(f);
  history.replaceState(null, '', u);
  return true;
})(%q, %q, %q, %q)`

// fbSwapFrame replaces the desktop's frame by a fresh one showing src. It
// says false when the desktop is not the document with nonce n (the caller
// then loads a fresh one). Between removing the old frame and adding the
// new one it stops every navigation still pending in the tab (a late
// top-level navigation the old case asked for) and clears the session
// history (so that history.go(-n) of the next case cannot reach the
// previous case's documents), then checks the desktop again.
func fbSwapFrame(ctx context.Context, n, src string) (bool, error) {
	style, err := fbEval[*string](ctx, 0, fmt.Sprintf(fbDropFrameJS, n))
	if err != nil || style == nil {
		return false, nil
	}
	for _, c := range []cdp.Command[cdp.Empty, cdp.Empty]{page.StopLoading, page.ResetNavigationHistory} {
		if _, err := chromedp.Call(ctx, c, cdp.Empty{}); err != nil {
			return false, err
		}
	}
	u := "/desk?src=" + url.QueryEscape(src) + "&n=" + n
	ok, err := fbEval[bool](ctx, 0, fmt.Sprintf(fbAddFrameJS, n, *style, src, u))
	return err == nil && ok, nil
}

// TestFBReuseDesk: a run that reuses the desktop is not reached by what the
// previous case left pending. The previous case, once clicked, keeps asking
// the top to navigate to a slow page (always one top-level navigation
// pending, never committed during its own run) and sets a timer that sends
// the top away after its run. The next case must run in the same desktop
// document (reused, same nonce), pass, and that desktop must still be in
// place well after both navigations would have landed. A case whose top
// left is followed by a fresh desktop.
func TestFBReuseDesk(t *testing.T) {
	if fbFreshDesk {
		t.Skip("CRMFRAME_FRESH_DESK: the desktop is never reused")
	}
	const slowFor = 3 * time.Second
	var slowAsked, slowServed, lateHits atomic.Int64
	other := newFBUpstreamFunc(t, nil, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			slowAsked.Add(1)
			select {
			case <-time.After(slowFor):
				slowServed.Add(1)
			case <-r.Context().Done():
				return
			}
		case "/late":
			lateHits.Add(1)
		}
		fmt.Fprint(w, "<!doctype html><title>away</title>away")
	})
	// The pages cross-site to the desktop (127.0.0.1 against localhost),
	// like the suite's cases; "away" is yet another origin.
	away := strings.Replace(other.srv.URL, "127.0.0.1", "localhost", 1)
	pages := map[string]string{
		// step 2: a top navigation to /slow every 20 ms (each replaces the
		// pending one), and /late 6 s after its load: during the next run or
		// the wait after it, never during its own (≈ 1–3 s).
		"/pending.html": `setInterval(function () { top.location = '` + away + `/slow?' + Date.now(); }, 20);
setTimeout(function () { top.location = '` + away + `/late'; }, 6000);`,
		"/quiet.html": ``,
		"/bust.html":  `top.location = '` + away + `/bust';`,
	}
	up := newFBUpstreamFunc(t, nil, func(w http.ResponseWriter, r *http.Request) {
		js, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("step") != "2" {
			fmt.Fprint(w, `<!doctype html><title>case</title><a id="nav" href="?step=2">next</a>`)
			return
		}
		fmt.Fprintf(w, `<!doctype html><title>case</title><p id="crm-marker">CRM page ok</p><script>%s</script>`, js)
	})
	desk := newFBDesk(t)
	browser := chromium.New(t)
	chromium.OnTabs(t, browser, 1, 1, func(ctx context.Context, _ int, err error) {
		if err != nil {
			t.Fatal(err)
		}
		tab := fbTabOf(ctx)
		run := func(id string) fbOutcome {
			t.Helper()
			o, err := fbRunRetried(ctx, desk, up.srv.URL, up, id)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			return o
		}
		deskIs := func(n string) bool {
			ok, _ := fbEval[bool](ctx, 0, fmt.Sprintf(`document.body && document.body.dataset.desk === %q && location.href.indexOf(%q) === 0`, n, desk+"/"))
			return ok
		}
		if o := run("pending"); o.busted(desk, "/pending.html") != "" || !tab.reuse {
			t.Fatalf("pending: %q, reuse %v (%+v): the previous case must end with its desktop in place", o.busted(desk, "/pending.html"), tab.reuse, o)
		}
		if slowAsked.Load() == 0 {
			t.Fatal("the previous case asked for no top-level navigation: this test proves nothing")
		}
		n, reused := tab.n, fbReused.Load()
		if o := run("quiet"); o.busted(desk, "/quiet.html") != "" {
			t.Errorf("quiet after pending: %s (%+v)", o.busted(desk, "/quiet.html"), o)
		}
		if fbReused.Load() != reused+1 || tab.n != n {
			t.Errorf("quiet did not reuse the desktop (reused %d→%d, nonce %s→%s)", reused, fbReused.Load(), n, tab.n)
		}
		// Past the last /slow answer and the /late timer (see pending).
		time.Sleep(slowFor + 2*time.Second)
		if !deskIs(n) {
			t.Errorf("the desktop was replaced after the quiet case: top %s", fbTopURL(ctx))
		}
		if f, err := chromium.ChildFrame(ctx); err != nil || !strings.HasSuffix(f.URL, "/quiet.html?step=2") {
			t.Errorf("the frame left the quiet case: %v %v", f, err)
		}
		if slowServed.Load() != 0 || lateHits.Load() != 0 {
			t.Errorf("a navigation of the previous case went on: /slow served %d times, /late asked %d times", slowServed.Load(), lateHits.Load())
		}
		// A top that left: the next run loads a new desktop.
		if o := run("bust"); strings.HasPrefix(o.TopURL, desk+"/") || tab.reuse {
			t.Fatalf("bust: top %s, reuse %v: want the top gone and no reuse", o.TopURL, tab.reuse)
		}
		fresh := fbFresh.Load()
		if o := run("quiet"); o.busted(desk, "/quiet.html") != "" || fbFresh.Load() != fresh+1 || tab.n == n {
			t.Errorf("quiet after bust: %q, fresh loads %d→%d, nonce %s→%s: want a fresh desktop", o.busted(desk, "/quiet.html"), fresh, fbFresh.Load(), n, tab.n)
		}
	})
}
