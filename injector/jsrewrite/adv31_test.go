package jsrewrite

import "testing"

// Pass 31 (x980-x985): X.location on a path that is no window name has its
// receiver wrapped in __crmframe_vtop, however X got the real top.
func TestLocationReceiver(t *testing.T) {
	cases := []struct{ in, want string }{
		{"var f = frames[0], t = f[k]; t.location.href = 'u';", "var f = frames[0], t = f[k]; " + VtopWrapOpen + "t" + VtopWrapClose + ".location.href = 'u';"},
		{"const w = el.contentWindow; const t = w[k]; t.location = 'u';", "const w = el.contentWindow; const t = w[k]; " + VtopWrapOpen + "t" + VtopWrapClose + ".location = 'u';"},
		{"a.b.location.replace(u)", VtopWrapOpen + "a.b" + VtopWrapClose + ".location.replace(u)"},
		{"window.location.href = u; document.location = u; location.reload(); self.location = u;", ""},
		{"x = new t.location.Foo()", ""},
		{"t?.location", VtopWrapOpen + "t" + VtopWrapClose + "?.location"},
		// a bare super is no value: wrapping it is a syntax error
		{"class A extends B { m() { super.location.href = u; return super.a.location } }", "class A extends B { m() { super.location.href = u; return " + VtopWrapOpen + "super.a" + VtopWrapClose + ".location } }"},
		// f[k].location: the key is wrapped (an ordinary object's
		// __crmframe_top reads its own top); other element reads stay
		{"if (f[k] !== window) f[k].location.href = u", "if (f[k] !== window) f[" + KeyWrapOpen + "k)].location.href = u"},
		{"a[i][k] . location = u; rect[k] + a[i]; o[k].locationX", "a[i][" + KeyWrapOpen + "k)] . location = u; rect[k] + a[i]; o[k].locationX"},
		// a '(' would join the line above: a wrapper that starts with a name
		{"var t = f[k]\nt.location.href = u", "var t = f[k]\n" + LocNLWrapOpen + "t" + VtopWrapClose + ".location.href = u"},
		{"if (c)\n  t.location = u", "if (c)\n  " + VtopWrapOpen + "t" + VtopWrapClose + ".location = u"},
	}
	for _, c := range cases {
		checkRewrite(t, c.in, c.want)
	}
	checkMentions(t, map[string]bool{"t.location.href = u": true, "a.b.location": true, "t . location": true, "f[k].location": true, "window.location.href = u": false, "window . location": false, "document.location": false, "x.locationbar": false, "f().location": true})
}
