package e2e

// Generated frame-busting matrix: pages built from three lists (busting
// conditions, counter-actions, placements in a page), taken from the 2010
// "Busting Frame Busting" study, the OWASP cheat sheet and public code as
// collected in shared/framebusting/snippets.txt. Where TestFrameBustingChromium
// checks the cases we wrote one by one, this checks that the mechanism
// (static rewriter + run-time shim) holds for combinations nobody wrote.
//
// Selection (deterministic, no randomness in the default and "all" runs):
// every (action, placement) pair that can bust plain is one case (188; the
// pairs left out are logged with the reason), and its condition is
// conditions[(a + 5*p) mod len(conditions)], so conditions rotate over
// actions and placements. The default run takes the third with
// (a + p) mod 3 == 0 (63 cases, about 90 s on 2 cores; every condition,
// action and placement at least 3 times, checked); CRMFRAME_MATRIX=all runs
// every case of both waves (697, 14m40s on 2 cores); CRMFRAME_MATRIX=N a sample of N (math/rand/v2
// PCG, seed fbMatrixSeed); CRMFRAME_MATRIX_FILTER=word the selected cases
// whose name (e.g. "m012 c03:parent.frames.length>0 a00:... p11:iife-helper")
// contains word.
//
// Second wave: 10 more placements (img onerror, svg onload, a clicked
// javascript: link, body onpageshow, details ontoggle, a srcdoc child frame,
// DOMContentLoaded, queueMicrotask, Promise.then, requestAnimationFrame)
// crossed with every action, and 17 syntactic forms (fbmForms: ternary,
// &&, switch, while/break, void/comma, labels, with, computed members,
// Object.assign, Reflect.set, computed keys, aliases, destructuring,
// indirect eval) crossed with every placement. The default run adds each
// new placement once and each form once (+27 cases, about 30 s).
//
// Not in the lists because they cannot bust a cross-site frame even plain:
// top.location.assign (assign is not one of Location's cross-origin
// members: SecurityError), window.frameElement (null under a
// cross-origin parent), with (top.location) href = … (with reads
// Symbol.unscopables, which a cross-origin Location refuses) and
// <input autofocus onfocus> (Chromium blocks autofocus in cross-origin
// frames).
//
// Each case runs through crmframe (must stay framed, visible, intact) and
// served plain (must bust, otherwise it proves nothing), with the same
// driver as the main test (fbRunCase: #nav click for sticky activation,
// settling, #crm-marker checks).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

const fbMatrixSeed = 2010

// fbmCond wraps an action (statements) into a guarded statement.
type fbmCond struct {
	name string
	wrap func(a string) string
}

func fbmIf(cond string) fbmCond {
	return fbmCond{strings.ReplaceAll(cond, " ", ""), func(a string) string { return "if (" + cond + ") { " + a + " }" }}
}

var fbmConds = []fbmCond{
	fbmIf("top != self"),
	fbmIf("top.location != self.location"),
	fbmIf("top.location != location"),
	fbmIf("parent.frames.length > 0"),
	fbmIf("window != top"),
	fbmIf("window.top !== window.self"),
	fbmIf("window.self != window.top"),
	fbmIf("parent && parent != window"),
	fbmIf("parent && parent.frames && parent.frames.length>0"),
	fbmIf("(self.parent&&!(self.parent===self))&&(self.parent.frames.length!=0)"),
	{"try:self.location!==top.location", func(a string) string {
		return "var fr = false; try { fr = self.location !== top.location; } catch (e) { fr = true; } if (fr) { " + a + " }"
	}},
	{"try:top.location.hostname", func(a string) string {
		return "try { if (top.location.hostname !== window.location.hostname) { " + a + " } } catch (e) { " + a + " }"
	}},
	fbmIf("top.frames.length"),
	fbmIf("location.ancestorOrigins.length"),
	fbmIf("self !== top"),
	fbmIf("window.parent != window"),
}

// fbmAction is a counter-action; afterLoadOK says whether it still busts
// when it first runs after the load event (window.onload assignments do not).
// navigates: it leaves through navigation (blanking actions do not survive
// the #nav click's own navigation to step=2).
type fbmAction struct {
	name        string
	code        string
	afterLoadOK bool
	navigates   bool
}

var fbmActions = []fbmAction{
	{"top.location=self.location", `top.location = self.location;`, true, true},
	{"top.location.href=document.location.href", `top.location.href = document.location.href;`, true, true},
	{"top.location.replace(self.location)", `top.location.replace(self.location);`, true, true},
	{"top.location.href=URL", `top.location.href = "{URL}";`, true, true},
	{"self.parent.location=document.location", `self.parent.location = document.location;`, true, true},
	{"parent.location.href=self.document.location", `parent.location.href = self.document.location;`, true, true},
	{"window.top.location=window.self.location", `window.top.location = window.self.location;`, true, true},
	{"top.location.replace(pathname)", `top.location.replace(window.location.pathname);`, true, true},
	{"document.write('')afterload", `if (document.readyState == "complete") { document.write(""); } else { window.addEventListener("load", function () { document.write(""); }); }`, true, false},
	{"setTimeout(innerHTML='')", `setTimeout(function(){document.body.innerHTML=""},1);`, true, false},
	{"window.self.onload=innerHTML=''", `window.self.onload = function(){document.body.innerHTML=""};`, false, false},
	{"var url;top.location.replace(url)", `var url = window.location.href; top.location.replace(url);`, true, true},
	{"window.open(href,'_top')", `window.open(location.href, "_top");`, true, true},
	{"parent.location.replace(href)", `parent.location.replace(location.href);`, true, true},
	{"top.window.location=URL", `top.window.location = "{URL}";`, true, true},
}

// fbmPlace puts code (cond + action, or cond with a helper call) into a page.
// afterLoad: the code first runs after the load event. navOnly: the code
// runs in the #nav click, so only navigating actions can bust.
type fbmPlace struct {
	name      string
	afterLoad bool
	navOnly   bool
	page      func(id string, c fbmCond, a string) (head, bodyAttr, navAttr, body, js string)
}

// fbmStr is a double-quoted JS string literal as people write it by hand
// (no \u escapes), safe inside an inline script.
func fbmStr(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "</", `<\/`)
	return `"` + r.Replace(s) + `"`
}

func fbmScript(s string) string { return "<script>" + s + "</script>" }

var fbmPlaces = []fbmPlace{
	{"head-inline", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return fbmScript(c.wrap(a)), "", "", "", ""
	}},
	{"body-inline", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(c.wrap(a)), ""
	}},
	{"external-js", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", `<script src="` + id + `.js"></script>`, c.wrap(a) + "\n"
	}},
	{"body-onload-attr", true, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", ` onload="` + html.EscapeString(c.wrap(a)) + `"`, "", "", ""
	}},
	{"nav-onclick-attr", true, true, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", ` onclick="` + html.EscapeString(c.wrap(a)) + `"`, "", ""
	}},
	{"button-onclick-dispatched", true, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", `<button id="b" onclick="` + html.EscapeString(c.wrap(a)) + `">b</button>` +
			fbmScript(`window.addEventListener("load", function () { document.getElementById("b").click(); });`), ""
	}},
	{"javascript-url", true, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`location.href = ` + fbmStr("javascript:"+c.wrap(a)+" void 0") + `;`), ""
	}},
	{"setTimeout-string", true, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`setTimeout(` + fbmStr(c.wrap(a)) + `, 10);`), ""
	}},
	{"eval", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`eval(` + fbmStr(c.wrap(a)) + `);`), ""
	}},
	{"new-Function", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`var f = new Function(` + fbmStr(c.wrap(a)) + `); f();`), ""
	}},
	{"document.write-script", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`document.write(` + fbmStr("<script>"+c.wrap(a)+"</script>") + `);`), ""
	}},
	{"iife-helper", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`(function (w) { function bust() { ` + a + ` } ` + c.wrap("bust();") + ` })(window);`), ""
	}},
	{"minified-bang-fn", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return fbmScript(`!function(){` + fbmMinify(c.wrap(a)) + `}();`), "", "", "", ""
	}},
	// Placements below fbmBasePlaces are the second wave (event handlers and
	// callbacks real pages use); they get their own default selection.
	{"img-onerror", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", `<img src="` + id + `-missing.png" alt="" onerror="` + html.EscapeString(c.wrap(a)) + `">`, ""
	}},
	{"svg-onload", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", `<svg width="1" height="1" onload="` + html.EscapeString(c.wrap(a)) + `"></svg>`, ""
	}},
	{"a-href-javascript-clicked", true, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", `<a id="j" href="` + html.EscapeString("javascript:"+c.wrap(a)+" void 0") + `">j</a>` +
			fbmScript(`window.addEventListener("load", function () { document.getElementById("j").click(); });`), ""
	}},
	{"body-onpageshow", true, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", ` onpageshow="` + html.EscapeString(c.wrap(a)) + `"`, "", "", ""
	}},
	{"details-open-ontoggle", true, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", `<details open ontoggle="` + html.EscapeString(c.wrap(a)) + `"><summary>s</summary>d</details>`, ""
	}},
	// with (parent) makes top/self/location/document the CRM page's, as a
	// child frame written against parent would.
	{"srcdoc-iframe-with-parent", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", `<iframe width="1" height="1" srcdoc="` + html.EscapeString(fbmScript("with (parent) { "+c.wrap(a)+" }")) + `"></iframe>`, ""
	}},
	{"DOMContentLoaded-listener", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return fbmScript(`document.addEventListener("DOMContentLoaded", function () { ` + c.wrap(a) + ` });`), "", "", "", ""
	}},
	{"queueMicrotask", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`queueMicrotask(function () { ` + c.wrap(a) + ` });`), ""
	}},
	{"Promise.then", false, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`Promise.resolve().then(() => { ` + c.wrap(a) + ` });`), ""
	}},
	{"requestAnimationFrame", true, false, func(id string, c fbmCond, a string) (string, string, string, string, string) {
		return "", "", "", fbmScript(`requestAnimationFrame(function () { ` + c.wrap(a) + ` });`), ""
	}},
}

// fbmSrcdocWhy: Chromium lets a frame cross-site to top navigate top only
// with user activation; the srcdoc child never gets the #nav click's.
const fbmSrcdocWhy = "the srcdoc child frame has no user activation, so Chromium blocks its navigation of top (window.open through the page's own window still busts)"

// fbmBasePlaces is the number of first-wave placements (default selection
// (a+p) mod 3 == 0 over them).
const fbmBasePlaces = 13

// fbmForms are whole guarded busters in the syntactic shapes real (often
// minified or obfuscated) pages use instead of if (cond) { action }: they
// check that the rewriter does not depend on the statement's shape.
var fbmForms = []struct{ name, code string }{
	{"ternary", `top != self ? top.location = self.location : 0;`},
	{"and-paren", `top !== self && (top.location.href = location.href);`},
	{"switch-true", `switch (true) { case top != self: top.location.replace(location.href); }`},
	{"while-break", `while (window.top != window.self) { top.location = location; break; }`},
	{"void-comma", `void (self != top && (top.location = self.location, 0));`},
	{"labelled-block", `bust: { if (top == self) break bust; top.location.href = "{URL}"; }`},
	{"with-window", `with (window) { if (top != self) top.location = location; }`},
	{"computed-top['location']['href']", `if (top != self) top['location']['href'] = location['href'];`},
	{"computed-window['top'].location", `if (window['top'] != window['self']) window['top'].location = window.location;`},
	{"Object.assign(top.location)", `if (top != self) Object.assign(top.location, {href: location.href});`},
	{"Reflect.set(top.location)", `if (top != self) Reflect.set(top.location, 'href', location.href);`},
	{"parent-computed-replace", `if (parent !== window) parent['location']['replace'](location.href);`},
	{"top-bracket-concat", `if (top != self) top['loc' + 'ation'] = self.location;`},
	{"window['t'+'op']", `var w = window['t' + 'op']; if (w != window) w.location.href = location.href;`},
	{"document.defaultView-alias", `var d = document.defaultView; if (d.top !== d) d.top.location = d.location.href;`},
	{"destructure-rename", `const { top: t, self: s } = window; if (t !== s) t.location.replace(s.location.href);`},
	{"indirect-(0,eval)", `if ((0, eval)('top') != window) (0, eval)('top').location = location.href;`},
}

// fbmMinify drops the spaces a minifier drops: those next to punctuation.
func fbmMinify(s string) string {
	return fbmSpaces.ReplaceAllStringFunc(s, func(m string) string { return strings.TrimSpace(m) })
}

var fbmSpaces = regexp.MustCompile(`\s*[^\w$\s"]\s*`)

// fbmCase: condition c + action a, or (f >= 0) form f, in placement p.
type fbmCase struct {
	ID         string
	c, a, p, f int
}

func (m fbmCase) name() string {
	if m.f >= 0 {
		return fmt.Sprintf("%s f%02d:%s p%02d:%s", m.ID, m.f, fbmForms[m.f].name, m.p, fbmPlaces[m.p].name)
	}
	return fmt.Sprintf("%s c%02d:%s a%02d:%s p%02d:%s", m.ID, m.c, fbmConds[m.c].name, m.a, fbmActions[m.a].name, m.p, fbmPlaces[m.p].name)
}

// fbmDefault says whether the default run takes the case.
func (m fbmCase) fbmDefault() bool {
	switch {
	case m.f >= 0: // each form once, placements rotating
		q := (m.f*7 + 3) % len(fbmPlaces)
		if fbmPlaces[q].name == fbmSrcdoc {
			q++
		}
		return m.p == q
	case m.p < fbmBasePlaces:
		return (m.a+m.p)%3 == 0
	default: // each new placement once, actions rotating
		return m.a == fbmNewPick[m.p]
	}
}

// fbmNewPick: the action each second-wave placement gets in the default
// run (rotating, skipping actions that cannot bust there).
var fbmNewPick = func() map[int]int {
	pick := map[int]int{}
	for p := fbmBasePlaces; p < len(fbmPlaces); p++ {
		for a := (p * 4) % len(fbmActions); ; a = (a + 1) % len(fbmActions) {
			if ok, _ := fbmCompatible(fbmActions[a], fbmPlaces[p]); ok {
				pick[p] = a
				break
			}
		}
	}
	return pick
}()

// fbmSrcdoc: the placement whose code runs in a child frame of the page.
const fbmSrcdoc = "srcdoc-iframe-with-parent"

// fbmCompatible says whether the pair can bust at all when framed plain.
func fbmCompatible(a fbmAction, p fbmPlace) (bool, string) {
	if p.name == fbmSrcdoc && a.navigates && !strings.HasPrefix(a.name, "window.open") {
		return false, fbmSrcdocWhy
	}
	if p.afterLoad && !a.afterLoadOK {
		return false, "window.onload assigned after the load event never fires"
	}
	if p.navOnly && !a.navigates {
		return false, "the #nav click navigates the frame to step=2, which replaces a blanked page"
	}
	return true, ""
}

// fbmCases lists every compatible (action, placement) pair with its condition.
func fbmCases() (cases []fbmCase, dropped []string) {
	for a := range fbmActions {
		for p := range fbmPlaces {
			if ok, why := fbmCompatible(fbmActions[a], fbmPlaces[p]); !ok {
				dropped = append(dropped, fmt.Sprintf("%s + %s: %s", fbmActions[a].name, fbmPlaces[p].name, why))
				continue
			}
			c := (a + 5*p) % len(fbmConds)
			cases = append(cases, fbmCase{fmt.Sprintf("m%03d", len(cases)+1), c, a, p, -1})
		}
	}
	n := 0
	for f := range fbmForms {
		for p := range fbmPlaces {
			if fbmPlaces[p].name == fbmSrcdoc {
				dropped = append(dropped, fmt.Sprintf("%s + %s: %s", fbmForms[f].name, fbmSrcdoc, fbmSrcdocWhy))
				continue
			}
			n++
			cases = append(cases, fbmCase{fmt.Sprintf("s%03d", n), 0, 0, p, f})
		}
	}
	return cases, dropped
}

// fbmPage renders the case page (and its external script, if any); host
// makes the literal URL some busters use absolute.
func fbmPage(m fbmCase, host string) (page, js string) {
	u := "http://" + host + "/" + m.ID + ".html?from=top"
	c, a := fbmConds[m.c], strings.ReplaceAll(fbmActions[m.a].code, "{URL}", u)
	if m.f >= 0 {
		code := strings.ReplaceAll(fbmForms[m.f].code, "{URL}", u)
		c, a = fbmCond{fbmForms[m.f].name, func(string) string { return code }}, ""
	}
	head, bodyAttr, navAttr, body, js := fbmPlaces[m.p].page(m.ID, c, a)
	page = fmt.Sprintf(`<!doctype html><html><head><title>CRM %s</title>%s</head><body%s>
<div id="crm-marker">CRM matrix %s ok</div>
<a id="nav" href="%s.html?step=2"%s>next</a>
%s
</body></html>
`, m.ID, head, bodyAttr, m.ID, m.ID, navAttr, body)
	return page, js
}

// newFBMUpstream is newFBUpstream for generated pages: DENY when deny.
func newFBMUpstream(t *testing.T, deny bool, cases map[string]fbmCase) *fbUpstream {
	var xfo func(string) string
	if deny {
		xfo = func(string) string { return "DENY" }
	}
	return newFBUpstreamFunc(t, xfo, func(w http.ResponseWriter, r *http.Request) {
		id, ext, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), ".")
		m, ok := cases[id]
		if !ok || (ext != "html" && ext != "js") {
			http.NotFound(w, r)
			return
		}
		page, js := fbmPage(m, r.Host)
		if ext == "js" {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, js)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
}

func TestFrameBustingMatrixChromium(t *testing.T) {
	t.Parallel() // a crmframe process of its own: runs beside the other browser suites
	start := time.Now()
	all, dropped := fbmCases()
	for _, d := range dropped {
		t.Logf("not generated (cannot bust plain): %s", d)
	}
	cases := all
	switch s := os.Getenv("CRMFRAME_MATRIX"); s {
	case "all":
	case "":
		// The default third: every condition, action and placement still
		// appears several times (checked below).
		cases = nil
		for _, m := range all {
			if m.fbmDefault() {
				cases = append(cases, m)
			}
		}
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("CRMFRAME_MATRIX=%q: want all or a positive number", s)
		}
		r := rand.New(rand.NewPCG(fbMatrixSeed, fbMatrixSeed))
		cases = slices.Clone(all)
		r.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
		cases = cases[:min(n, len(cases))]
	}
	if os.Getenv("CRMFRAME_MATRIX") == "" {
		seen := map[string]int{}
		for _, m := range cases {
			if m.f >= 0 {
				seen[fmt.Sprint("f", m.f)]++
				continue
			}
			if m.p < fbmBasePlaces {
				seen[fmt.Sprint("c", m.c)]++
				seen[fmt.Sprint("a", m.a)]++
			}
			seen[fmt.Sprint("p", m.p)]++
		}
		// First wave at least 3 times each; second-wave placements and
		// forms at least once (they add ~25 cases to the default run).
		for k, n := range map[string]int{"c": len(fbmConds), "a": len(fbmActions), "p": len(fbmPlaces), "f": len(fbmForms)} {
			for i := range n {
				want := 3
				if k == "f" || (k == "p" && i >= fbmBasePlaces) {
					want = 1
				}
				if seen[fmt.Sprint(k, i)] < want {
					t.Fatalf("%s%d appears %d times in the default selection, want at least %d", k, i, seen[fmt.Sprint(k, i)], want)
				}
			}
		}
	}
	if f := os.Getenv("CRMFRAME_MATRIX_FILTER"); f != "" {
		var keep []fbmCase
		for _, m := range cases {
			if strings.Contains(m.name(), f) {
				keep = append(keep, m)
			}
		}
		cases = keep
	}
	if len(cases) == 0 {
		t.Fatal("no generated case selected")
	}
	byID := map[string]fbmCase{}
	for _, m := range all {
		byID[m.ID] = m
	}

	ups := map[fbVariant]*fbUpstream{
		fbNeutralize: newFBMUpstream(t, true, byID),
		fbPlain:      newFBMUpstream(t, false, byID),
	}
	deskBase := newFBDesk(t)
	port := caddyrun.FreePort(t)
	caddyrun.Run(t, fmt.Sprintf("{\n\tlog {\n\t\tlevel ERROR\n\t\texclude http.log.error\n\t}\n}\n"+`
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors %s
	}
	reverse_proxy %s
}
`, port, deskBase, strings.TrimPrefix(ups[fbNeutralize].srv.URL, "http://")), fmt.Sprintf("http://127.0.0.1:%d/", port))
	base := map[fbVariant]string{fbPlain: ups[fbPlain].srv.URL, fbNeutralize: fmt.Sprintf("http://127.0.0.1:%d", port)}

	browser := chromium.New(t)
	type job struct {
		m fbmCase
		v fbVariant
	}
	var jobs []job
	for _, m := range cases {
		jobs = append(jobs, job{m, fbNeutralize}, job{m, fbPlain})
	}
	type result struct {
		job
		o   fbOutcome
		err error
	}
	results := make([]result, len(jobs))
	chromium.OnTabs(t, browser, fbTabs, len(jobs), func(tab context.Context, i int, tabErr error) {
		j := jobs[i]
		if tabErr != nil {
			results[i] = result{j, fbOutcome{}, tabErr}
			return
		}
		o, err := fbRunRetried(tab, deskBase, base[j.v], ups[j.v], j.m.ID)
		results[i] = result{j, o, err}
	})

	sort.SliceStable(results, func(a, b int) bool { return results[a].m.ID < results[b].m.ID })
	var bad []string
	passed, busted := 0, 0
	for _, r := range results {
		why := ""
		switch {
		case r.err != nil:
			why = "error: " + r.err.Error()
		case !r.o.Clicked:
			why = "the click on #nav never started a navigation in 3 runs"
		default:
			b := r.o.busted(deskBase, "/"+r.m.ID+".html")
			if r.v == fbNeutralize && b != "" {
				why = "ESCAPED through crmframe: " + b
			}
			if r.v == fbPlain && b == "" {
				why = "did not bust plain (proves nothing)"
			}
			if r.v == fbNeutralize && b == "" {
				passed++
			}
			if r.v == fbPlain && b != "" {
				busted++
			}
		}
		if why != "" {
			bad = append(bad, fmt.Sprintf("%-9s %s: %s", r.v, r.m.name(), why))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d runs failed:\n%s", len(bad), len(results), strings.Join(bad, "\n"))
	}
	t.Logf("%d generated cases (%d selected): %d stay framed through crmframe, %d bust plain; %v (%d tabs)",
		len(all), len(cases), passed, busted, time.Since(start).Round(time.Second), fbTabs)
}
