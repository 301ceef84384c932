package jsrewrite

import "testing"

// Pass 35 (x1056, x1057, x1059, x1060): in a script that spells
// "location", the receivers of computed members that pass 34 left alone go
// through __crmframe_vtop too: a path from this (this.a[l]), a call on a
// call's or parenthesis's result (f(a)(b)[l], (f)(x)[l]), the receiver of
// ?.[ (t?.[l]: the chain keeps its short-circuit) and an array literal
// ([t][0][l]), a chain continued by .names (f(x).b[l], new X(t).a[l])
// and a call of a path from this (this.f(x)[l]).
func TestLocationKeyReceiverChains35(t *testing.T) {
	V, C := VtopWrapOpen, VtopWrapClose
	L := "var l = 'location'; "
	cases := []struct{ in, want string }{
		{L + "function n(u) { this.a[l] = u; this.a.b[l] = u }", L + "function n(u) { " + V + "this.a" + C + "[l] = u; " + V + "this.a.b" + C + "[l] = u }"},
		{L + "pick(f)(k)[l] = u; (f)(x)[l] = u", L + V + "pick(f)(k)" + C + "[l] = u; " + V + "(f)(x)" + C + "[l] = u"},
		{L + "t?.[l].replace(u); f(a)?.[l]; t?.[l][m]", L + V + "t" + C + "?.[l].replace(u); " + V + "f(a)" + C + "?.[l]; " + V + "t" + C + "?.[l][m]"},
		{L + "y = [t][0][l] = u; if (c) [t][l] = u; else [t][l]", L + "y = " + V + "[t][0]" + C + "[l] = u; if (c) " + V + "[t]" + C + "[l] = u; else " + V + "[t]" + C + "[l]"},
		// a chain continued by .names, a call of a path from this
		{L + "f(x).b[l] = u; (0, t).a[l] = u; f[k].a[l]", L + V + "f(x).b" + C + "[l] = u; " + V + "(0, t).a" + C + "[l] = u; " + V + V + "f" + C + "[k].a" + C + "[l]"},
		{L + "this.f(x)[l] = u; x = new X(t).a[l]", L + V + "this.f(x)" + C + "[l] = u; x = " + LocNLWrapOpen + "new X(t).a" + C + "[l]"},
		// left alone: members after a ?. (short-circuit), array literals with
		// literal keys, a call's argument list, code that does not spell it
		{L + "a?.b[l]; g()?.(x)[l]; x = [a, b][0]; [1, 2].forEach(f); f(x)[0]; f(x)?.a[l]; s.t(u).v", ""},
		{"this.a[l] = u; f(a)(b)[l] = u; t?.[l].replace(u); [t][0][l] = u", ""},
	}
	for _, c := range cases {
		checkRewrite(t, c.in, c.want)
	}
}
