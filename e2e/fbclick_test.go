package e2e

// The judge's last test is use. A page can be present, visible, uncovered
// and painted and still take no input: inert on <body>, a capture listener
// on window that stops every click and key, a handler returning false
// (pass 19). fbUse makes a real CDP click at the centre of the marker's box
// and a real key press (Shift: no default action, no page shortcut) in the
// frame, and wants listeners of its own to see both: one on the marker for
// the click, one on the frame's document for the key, neither event
// cancelled (preventDefault, return false) on its way. The listeners live
// in the judge's isolated world, which the page cannot reach; they fire for
// trusted input like the page's own.

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// fbUseArmJS adds the judge's listeners (taking out those of an earlier
// look) and returns the marker's box in view (fbMarkerBoxJS), or null
// without a marker or without a box in view.
const fbUseArmJS = `(function(){
  if (window.__fbUseOff) window.__fbUseOff();
  var m = document.getElementById('crm-marker');
  if (!m) return null;
  var s = window.__fbUse = {Click: 0, ClickCancelled: false, Key: 0, KeyCancelled: false, Focus: false};
  var ls = [
    [m, 'click', function (e) { if (!e.isTrusted) return; s.Click++; if (e.defaultPrevented) s.ClickCancelled = true; }],
    [window, 'click', function (e) { if (e.isTrusted && e.defaultPrevented) s.ClickCancelled = true; }],
    [document, 'keydown', function (e) { if (!e.isTrusted || e.key !== 'Shift') return; s.Key++; if (e.defaultPrevented) s.KeyCancelled = true; }],
    [window, 'keydown', function (e) { if (e.isTrusted && e.key === 'Shift' && e.defaultPrevented) s.KeyCancelled = true; }]
  ];
  ls.forEach(function (l) { l[0].addEventListener(l[1], l[2]); });
  window.__fbUseOff = function () { ls.forEach(function (l) { l[0].removeEventListener(l[1], l[2]); }); window.__fbUseOff = null; };
  return ` + fbMarkerBoxJS + `;
})()`

// fbUseSeen is what the judge's listeners saw.
type fbUseSeen struct {
	Click          int
	ClickCancelled bool
	Key            int
	KeyCancelled   bool
	Focus          bool
}

// fbUseReadJS also takes the listeners out once they saw a usable page
// (the judge reads no further).
const fbUseReadJS = `(function(){
  var s = window.__fbUse; if (!s) return null;
  s.Focus = document.hasFocus();
  if (s.Click && !s.ClickCancelled && s.Key && !s.KeyCancelled && window.__fbUseOff) window.__fbUseOff();
  return s;
})()`

// fbUseVerdict says why what the listeners saw is not a usable page ("" when
// it is).
func fbUseVerdict(s fbUseSeen) string {
	switch {
	case s.Click == 0:
		return "a click on the marker never reached it"
	case s.ClickCancelled:
		return "a click on the marker was cancelled"
	case s.Key == 0:
		return "a key press never reached the document"
	case s.KeyCancelled:
		return "a key press was cancelled"
	}
	return ""
}

// fbUseNanos: the time all fbUse calls took (CPU of all tabs together),
// for the test's summary.
var fbUseNanos atomic.Int64

// fbUse clicks the marker's centre and presses a key in the frame, and says
// why the page did not take them ("" when it did): in the frame's isolated
// world id, the frame's box f in the desktop tab (what fbMarkerAt found).
func fbUse(ctx context.Context, id runtime.ExecutionContextID, f *fbBox) string {
	defer func(t0 time.Time) { fbUseNanos.Add(int64(time.Since(t0))) }(time.Now())
	m, err := fbEval[*fbBox](ctx, id, fbUseArmJS)
	armed := err == nil
	defer func() {
		if armed {
			fbEval[bool](ctx, id, `(window.__fbUseOff && window.__fbUseOff(), true)`)
		}
	}()
	if err != nil || m == nil {
		return fmt.Sprintf("cannot watch the marker (no marker box in view: %v)", err)
	}
	// The centre of the visible part of the marker's box, in whole pixels
	// inside it.
	x := math.Floor(f.X + m.X + m.W/2)
	y := math.Floor(f.Y + m.Y + m.H/2)
	if err := cdpClick(ctx, x, y); err != nil {
		return "click: " + err.Error()
	}
	// Keys go to the focused frame. The click focuses it unless the page
	// cancelled the mousedown (a drag handle may, legitimately): focus the
	// frame from the desktop, as an agent tabbing into it would.
	fbEval[bool](ctx, 0, `(document.getElementById('crm').focus(), true)`)
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "Shift", Code: "ShiftLeft", WindowsVirtualKeyCode: 16, NativeVirtualKeyCode: 16, Modifiers: 8} // Shift
		if typ == input.DispatchKeyEventTypeKeyUp {
			p.Modifiers = 0
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			return "key: " + err.Error()
		}
	}
	// Input is dispatched before the CDP calls return; a moment more for a
	// renderer the machine starves.
	var s fbUseSeen
	for deadline := time.Now().Add(time.Second); ; time.Sleep(50 * time.Millisecond) {
		got, err := fbEval[*fbUseSeen](ctx, id, fbUseReadJS)
		if err != nil || got == nil {
			return fmt.Sprintf("judge's listeners gone (%v)", err)
		}
		s = *got
		if fbUseVerdict(s) == "" {
			armed = false // fbUseReadJS took the listeners out
			break
		}
		if time.Now().After(deadline) {
			break
		}
	}
	if why := fbUseVerdict(s); why != "" {
		return fmt.Sprintf("%s (frame focused: %v)", why, s.Focus)
	}
	return ""
}

// TestFBUseJudge: a case whose marker took the click and the key passes;
// one whose click or key never arrived, or arrived cancelled, is busted,
// even though it is present, visible and painted.
func TestFBUseJudge(t *testing.T) {
	const desk, page = "http://localhost:1", "/x550.html"
	base := fbOutcome{TopURL: desk + "/desk", FrameURL: "http://127.0.0.1:2/x550.html?step=2", Marker: "CRM page x550 ok", Present: true, Visible: true, Loads: 2}
	for name, c := range map[string]struct {
		seen fbUseSeen
		pass bool
	}{
		"click and key taken":              {fbUseSeen{Click: 1, Key: 1, Focus: true}, true},
		"taken twice (a page re-dispatch)": {fbUseSeen{Click: 2, Key: 1}, true},
		"click swallowed (inert body)":     {fbUseSeen{Click: 0, Key: 1}, false},
		"click cancelled (return false)":   {fbUseSeen{Click: 1, ClickCancelled: true, Key: 1}, false},
		"key swallowed (capture stop)":     {fbUseSeen{Click: 1, Key: 0}, false},
		"key cancelled (onkeydown false)":  {fbUseSeen{Click: 1, Key: 1, KeyCancelled: true}, false},
		"nothing taken":                    {fbUseSeen{}, false},
	} {
		o := base
		o.Use = fbUseVerdict(c.seen)
		if got := o.busted(desk, page); (got == "") != c.pass {
			t.Errorf("%s: busted() = %q, want pass=%v", name, got, c.pass)
		}
	}
}

// cdpClick is a real left click at (x, y) in the tab's viewport: press and
// release, as the browser gets them from a mouse.
func cdpClick(ctx context.Context, x, y float64) error {
	for _, typ := range []input.DispatchMouseEventType{input.DispatchMouseEventTypeMousePressed, input.DispatchMouseEventTypeMouseReleased} {
		p := input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: 1, ClickCount: 1}
		if _, err := chromedp.Call(ctx, input.DispatchMouseEvent, p); err != nil {
			return err
		}
	}
	return nil
}

// cdpKey is a real key press (down with its text, then up) to the focused
// element.
func cdpKey(ctx context.Context, key, code string, vk int64, text string) error {
	for _, p := range []input.DispatchKeyEventParams{
		{Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk, Text: text, UnmodifiedText: text},
		{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk},
	} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			return err
		}
	}
	return nil
}
