package jsrewrite

import "testing"

// Pass 32 (x992-x997): the receiver of location is wrapped in
// __crmframe_vtop on the forms pass 31 left: an optional chain
// (t?.location), a literal key (t['location']), a call result
// (pick(f, k).location) and a parenthesised expression ((0, f[k]).location).
func TestLocationReceiverForms(t *testing.T) {
	V, C, N := VtopWrapOpen, VtopWrapClose, LocNLWrapOpen
	cases := []struct{ in, want string }{
		{"t?.location.replace(u)", V + "t" + C + "?.location.replace(u)"},
		{"a.b ?. location", V + "a.b" + C + " ?. location"},
		{"t['location'].href = u; t[\"location\"] = u", V + "t" + C + "['location'].href = u; " + V + "t" + C + "[\"location\"] = u"},
		{"t?.['location'].replace(u)", V + "t" + C + "?.['location'].replace(u)"},
		{"pick(f, k).location.href = u", V + "pick(f, k)" + C + ".location.href = u"},
		{"a.pick(f, k)?.location.replace(u)", V + "a.pick(f, k)" + C + "?.location.replace(u)"},
		{"(0, f[k]).location.href = u", V + "(0, f[k])" + C + ".location.href = u"},
		{"if (f[k] !== w) (0, f[k]).location.href = u", "if (f[k] !== w) " + V + "(0, f[k])" + C + ".location.href = u"},
		{"while (a) (b).location = u; g(x)(y).location", "while (a) " + V + "(b)" + C + ".location = u; g(x)(y).location"},
		{"return (c ? a : b).location", "return " + V + "(c ? a : b)" + C + ".location"},
		{"x = 1\npick(f, k).location = u", "x = 1\n" + N + "pick(f, k)" + C + ".location = u"},
		// left alone: an optional chain before (the wrapper would end its
		// short-circuit), a window name, new, a call on a chain's result,
		// a method call's argument list, an array literal's string
		{"a?.b.location; a?.b(c).location; a?.(b).location", V + "a?.b" + C + "?.location; a?.b(c).location; a?.(b).location"}, // pass 33: a?.b.location
		{"window?.location; window['location']; document['location'].href; self.open(u).location", "window?.location; window['location']; document['location'].href; " + V + "self.open(u)" + C + ".location"},
		// pass 34 (x1044): the whole new expression (its value may be any object)
		{"x = new pick(f).location; y = new (g()).location", "x = " + LocNLWrapOpen + "new pick(f)" + C + ".location; y = new (g()).location"},
		{"f().a(b).location", V + "f().a(b)" + C + ".location"},
		// a call without arguments is wrapped whole, never its callee alone
		// (that call would lose its this)
		{"w = obj.getWin().location.href; f() . location = u; a?.b().location", "w = " + V + "obj.getWin()" + C + ".location.href; " + V + "f()" + C + " . location = u; a?.b().location"},
		{"[t['location']] = [u]", "[" + V + "t" + C + "['location']] = [u]"},
		{"x = ['location']; y = {['location']: 1}", ""},
		{"if (a) (b).c; for (k in o) (o[k]).x", ""},
	}
	for _, c := range cases {
		checkRewrite(t, c.in, c.want)
	}
	checkMentions(t, map[string]bool{"t?.location": true, "t['location'].href = u": true, "t[\"location\"]": true, "f().location": true, "(0, f[k]).location": true,
		"x.locationbar": false, "window?.location": false, "var s = 'location'": true /* pass 33: keyRecv */})
}
