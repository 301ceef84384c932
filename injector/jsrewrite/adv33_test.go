package jsrewrite

import "testing"

// Pass 33 (x1008, x1009): in a script that spells "location" in a string
// (or a piece of it, or builds one from char codes), the receiver of a
// computed member whose key is not provably a number or a literal goes
// through __crmframe_vtop: t[l].href = u and t[l] = u with l === 'location'
// and t the real top act on the virtual top.
func TestLocationKeyReceiver(t *testing.T) {
	V, C, N := VtopWrapOpen, VtopWrapClose, LocNLWrapOpen
	cases := []struct{ in, want string }{
		{"var l = 'location'; t[l].href = u", "var l = 'location'; " + V + "t" + C + "[l].href = u"},
		{"var l = 'loc' + 'ation'; t[l] = u; a.b[l].assign(u)", "var l = 'loc' + 'ation'; " + V + "t" + C + "[l] = u; " + V + "a.b" + C + "[l].assign(u)"},
		{"var l = [\"lo\", \"cation\"].join(''); o[l]", "var l = [\"lo\", \"cation\"].join(''); " + V + "o" + C + "[l]"},
		{"var l = String.fromCharCode(108, 111); t[l][m](u)", "var l = String.fromCharCode(108, 111); " + V + V + "t" + C + "[l]" + C + "[m](u)"}, // pass 34: t[l] as receiver too
		{"x = 'location'\nt[k] = u", "x = 'location'\n" + N + "t" + C + "[k] = u"},
		{"s = `location`; a[b[c]]", "s = `location`; " + V + "a" + C + "[" + V + "b" + C + "[c]]"},
		// left alone: literal and provably numeric keys, window names,
		// new, optional chains (pass 34 wraps this[k] and f()[k]: adv34_test.go)
		{"s = 'location'; a[0]; a['x']; a[i - 1]; a[n * 2 | 0]; window[k]; this[k]; new a[k](); a?.b[k]; f()[k]", "s = 'location'; a[0]; a['x']; a[i - 1]; a[n * 2 | 0]; window[(globalThis.__crmframe_key||(x=>x))(k)]; " + V + "this" + C + "[(globalThis.__crmframe_key||(x=>x))(k)]; new a[k](); a?.b[k]; " + V + "f()" + C + "[k]"},
		// no string that spells location: unchanged (hot loops keep a[i])
		{"for (i = 0; i < n; i++) s += a[i]; t[l].href = u", ""},
		{"var c = 'allocation'; a[i]", ""},
	}
	for _, c := range cases {
		checkRewrite(t, c.in, c.want)
	}
	checkMentions(t, map[string]bool{"var l = 'location'": true, "x = ['loc', 'ation'].join('')": true, "k = \"cation\"": true,
		"String.fromCharCode(108)": true, "String.fromCharCode(0x6C, 0x6f)": true, "String.fromCharCode(t + 65536)": false, "atob(s)": false, "a[i] = b[j]; s = 'on'; c = 'lo'": false, "var x = 'function'": false})
}

// Pass 33 (x1013): a receiver with an optional chain inside (a?.b.location)
// is wrapped, and the member after it becomes ?.location so that the chain
// still short-circuits.
func TestLocationOptionalReceiver(t *testing.T) {
	V, C, N := VtopWrapOpen, VtopWrapClose, LocNLWrapOpen
	cases := []struct{ in, want string }{
		{"o?.t.location.replace(u)", V + "o?.t" + C + "?.location.replace(u)"},
		{"x = a?.b.c . location.href", "x = " + V + "a?.b.c" + C + " ?. location.href"},
		{"a?.b?.location.assign(u)", V + "a?.b" + C + "?.location.assign(u)"},
		{"x = 1\na?.b.location.replace(u)", "x = 1\n" + N + "a?.b" + C + "?.location.replace(u)"},
		// left alone: a window root, new, a call in the chain
		{"window?.frames.location; new a?.b.location; a?.b(c).location", ""},
	}
	for _, c := range cases {
		checkRewrite(t, c.in, c.want)
	}
}
