package jsrewrite

import (
	"strings"
	"testing"
)

// Fourth pass of legitimate pages (docs/framebusting.md, x416, x419): a
// bare top in the body of a with statement, and X.top.postMessage.
func TestRewriteLegit14(t *testing.T) {
	const (
		V = VtopRef
		P = PostWrapOpen
	)
	for _, c := range []rwCase{
		// x416: with (document) { … top.frames … }: the accessor would be
		// found on document (document.__crmframe_top is document.top,
		// undefined); __crmframe_vtop(top) resolves top through the scope.
		{"with document", Classic, `with (document) { write(top.frames.length + top.length) }`, `with (document) { write(` + V + `.frames.length + ` + V + `.length) }`},
		{"with single statement", Classic, "with (document) write(top.length)", "with (document) write(" + V + ".length)"},
		{"with if body", Classic, "with (d) if (a) top.x(); else g(top)", "with (d) if (a) " + V + ".x(); else g(" + V + ")"},
		{"with nested function", Classic, "with (d) { function g() { return top } var h = () => top.frames }", "with (d) { function g() { return " + V + " } var h = () => " + V + ".frames }"},
		{"with head keeps the accessor", Classic, "with (top.document) { x = 1 } top.y", "with (" + T + ".document) { x = 1 } " + T + ".y"},
		{"after a with block", Classic, "function f() { with (d) { a } } top.x", "function f() { with (d) { a } } " + T + ".x"},
		// x337: writes keep top: with (el.style) { top = y } sets el.style.top
		// (the global top cannot be assigned), as the run-time scanner does
		{"with writes", Classic, "with (el.style) { top = y + 'px'; top += 1; top++; --top; for (top in o); for (top of o); }", ""},
		{"with write and read", Classic, "with (el.style) { top = top + 1 }", "with (el.style) { top = " + V + " + 1 }"},
		{"with reads of a box", Classic, "with (el.getBoundingClientRect()) { r.top = top }", "with (el.getBoundingClientRect()) { r.top = " + V + " }"},
		// destructuring targets keep top too (a call cannot be assigned to)
		{"with patterns", Classic, "with (d) { [top, a] = b; ({top} = o); ({a: top} = o); (top) = 1; ((top)) = 2; [(top)] = a; [[top], x] = a; [...top] = a; ({a: [top]} = o); [{top}] = a; ({top = 1} = o) }", ""},
		{"with pattern and value", Classic, "with (d) { [top] = [top] }", "with (d) { [top] = [" + V + "] }"},
		{"with values", Classic, "with (d) { x = {top}; y = [top, [top]]; z = {a: top}; f((top)); c ? top : 1; delete top; typeof top }",
			"with (d) { x = {top: " + V + "}; y = [" + V + ", [" + V + "]]; z = {a: " + V + "}; f((" + V + ")); c ? " + V + " : 1; delete " + V + "; typeof " + V + " }"},
		{"with new", Classic, "with (d) { new top.Foo() }", "with (d) { new (" + V + ").Foo() }"},
		{"with local top", Classic, "with (d) { let top = 1; top.x } function f(top) { with (d) top.y }", ""},
		// the same forms in a handler (a bare top there is always
		// __crmframe_vtop(top)): destructuring targets keep the accessor
		{"handler patterns", Handler, "[top] = a; ({a: top} = o); (top) = 1; new top.X(); f(top)", "[" + T + "] = a; ({a: " + T + "} = o); (" + T + ") = 1; new (" + V + ").X(); f(" + V + ")"},

		// x419: X.top.postMessage goes through __crmframe_post (identity
		// but for the real top; a message for the CRM's own origin then goes
		// to the virtual top)
		{"postMessage bare", Classic, "top.postMessage(m, location.origin)", P + "top).postMessage(m, location.origin)"},
		{"postMessage paths", Classic, "window.top.postMessage(1); self.parent.top?.postMessage(2); $window.top.postMessage(3, '*')",
			P + "window.top).postMessage(1); " + P + "self.parent.top)?.postMessage(2); " + P + "$window.top).postMessage(3, '*')"},
		{"postMessage after a line break", Classic, "a = b\nwindow.top.postMessage(1)", "a = b\n" + P + "window.top).postMessage(1)"},
		{"postMessage in a with body", Classic, "with (d) { top.postMessage(1, '/') }", "with (d) { " + P + "top).postMessage(1, '/') }"},
		{"postMessage in a handler", Handler, "top.postMessage(1, '*')", P + "top).postMessage(1, '*')"},
		{"postMessage on a local top", Classic, "function f(top) { top.postMessage(1) }", ""},
		{"postMessage not on a top", Classic, "rect.top.postMessage(1); e.source.top.postMessage(2); getWin().top.postMessage(3)", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			if want == "" {
				want = c.in
			}
			got, res := Rewrite([]byte(c.in), c.kind)
			if string(got) != want {
				t.Fatalf("Rewrite(%q)\n got %s\nwant %s", c.in, got, want)
			}
			if res.Changed != (want != c.in) || res.Err != nil {
				t.Fatalf("result %+v", res)
			}
			if !res.Changed {
				return
			}
			if !onlyTopSwapped([]byte(c.in), got) {
				t.Fatalf("rewrite changed more than top: %s", got)
			}
			if _, err := scanModuleOrClassic(got, c.kind); err != nil {
				t.Fatalf("output does not lex: %v", err)
			}
			n := 0
			for _, v := range res.Counts {
				n += v
			}
			// one count per top, vtop and wrapper
			if w := strings.Count(want, T) + strings.Count(want, V) + strings.Count(want, P); n != w {
				t.Fatalf("counts %v, want %d", res.Counts, w)
			}
		})
	}
}

func FuzzRewriteLegit14(f *testing.F) {
	for _, s := range []string{
		"with (document) { write(top.frames.length) } with (el.style) { top = 1; [top] = a; x = {top} }",
		"with (d) if (a) new top.X(); else ({a: top} = o); top.postMessage(1, location.origin); window.top?.postMessage(2)",
	} {
		f.Add([]byte(s), uint8(Classic))
		f.Add([]byte(s), uint8(Handler))
	}
	f.Fuzz(func(t *testing.T, src []byte, k uint8) {
		kind := Kind(k % 4)
		out, res := Rewrite(src, kind)
		if res.Changed && !onlyTopSwapped(src, out) {
			t.Fatalf("rewrite changed more than top:\n%q\n%q", src, out)
		}
		if res.Changed {
			if _, err := scanModuleOrClassic(out, kind); err != nil {
				t.Fatalf("output does not lex (%v):\n%q\n%q", err, src, out)
			}
		}
	})
}
