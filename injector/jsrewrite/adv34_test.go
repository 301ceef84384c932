package jsrewrite

import "testing"

// Pass 34 (x1035-x1039): in a script that spells "location", the receiver
// of a computed member that is no plain path goes through __crmframe_vtop
// too: a computed member (f[k][l], arguments[0][l]), a call's result
// (g()[l]), a parenthesis ((0, t)[l]) and this (this[l] in a function
// called with the real top as this).
func TestLocationKeyReceiverChains(t *testing.T) {
	V, C, N := VtopWrapOpen, VtopWrapClose, LocNLWrapOpen
	K := "(globalThis.__crmframe_key||(x=>x))("
	cases := []struct{ in, want string }{
		{"var l = 'location'; f[k][l].href = u", "var l = 'location'; " + V + V + "f" + C + "[k]" + C + "[l].href = u"},
		{"var l = 'location'; g()[l] = u; a.b(c)[l]", "var l = 'location'; " + V + "g()" + C + "[l] = u; " + V + "a.b(c)" + C + "[l]"},
		{"var l = 'location'; (0, t)[l].replace(u)", "var l = 'location'; " + V + "(0, t)" + C + "[l].replace(u)"},
		{"var l = 'location'; if (c) (0, t)[l] = u", "var l = 'location'; if (c) " + V + "(0, t)" + C + "[l] = u"},
		{"var l = 'location'; function nav(k, u) { this[k] = u }", "var l = 'location'; function nav(k, u) { " + V + "this" + C + "[k] = u }"},
		{"var l = 'location'; x = this[k]", "var l = 'location'; x = " + V + "this" + C + "[" + K + "k)]"},
		{"var l = 'location'; arguments[0][l].href = u", "var l = 'location'; " + V + "arguments[0]" + C + "[l].href = u"},
		{"var l = 'location'\nf(x)[l] = u", "var l = 'location'\n" + N + "f(x)" + C + "[l] = u"},
		// left alone: literal keys after a call, new, a call's result with
		// a literal key, an optional call, scripts that do not spell location
		{"var l = 'location'; f(x)[0]; g()['a']; new C(x); a?.b()[k]", ""},
		{"g()[l] = u; f[k][l] = u; this[k] = u; (0, t)[l] = u", ""},
	}
	for _, c := range cases {
		checkRewrite(t, c.in, c.want)
	}
}

// x1044: new X(t).location, X a constructor that returns t (the real top):
// the new expression's value goes through __crmframe_vtop, served code or
// not spelled; new a.b(c)[l] in a script that spells location too.
func TestLocationNewReceiver(t *testing.T) {
	C, N := VtopWrapClose, LocNLWrapOpen
	cases := []struct{ in, want string }{
		{"new X(t).location.href = u", N + "new X(t)" + C + ".location.href = u"},
		{"x = y\nnew a.B(t, 1).location = u", "x = y\n" + N + "new a.B(t, 1)" + C + ".location = u"},
		{"var l = 'location'; new X(t)[l] = u", "var l = 'location'; " + N + "new X(t)" + C + "[l] = u"},
		// left alone: new without arguments binds to the member, no location
		{"new X.location.Y(); new X(t).href; new a.b[k](t)", ""},
	}
	for _, c := range cases {
		checkRewrite(t, c.in, c.want)
	}
}
