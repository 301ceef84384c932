package jsrewrite

import (
	"strings"
	"testing"
)

// Legit pass 19 (x1034): in a script with a with statement the wrappers read
// the shim's function by its bare name. Vue 2's dev build runs a template's
// with(this){…} over a proxy whose has trap claims globalThis (the
// component's, undefined) but lets _-names through to the window.
func TestWithScriptWrappersAvoidGlobalThis(t *testing.T) {
	W := func(name string) string { return "(typeof " + name + "=='function'&&" + name + "||(x=>x))(" }
	V, K, C := W("__crmframe_vtop"), W("__crmframe_key"), VtopWrapClose
	cases := []struct{ in, want string }{
		{"with(this){return _s(customer.location.city)+_s(rows[i].location.city)+_s(c['location'].zip)+_s(pick(c).location.city)}",
			"with(this){return _s(" + V + "customer" + C + ".location.city)+_s(" + V + "rows" + C + "[" + K + "i" + KeyWrapClose + "].location.city)+_s(" + V + "c" + C + "['location'].zip)+_s(" + V + "pick(c)" + C + ".location.city)}"},
		{"x = 1\nr.location.href = u; with (o) f()", "x = 1\nObject(typeof __crmframe_vtop=='function'&&__crmframe_vtop||Object)(r" + C + ".location.href = u; with (o) f()"},
		// eval stays a direct call
		{"with (o) { eval(s) }", "with (o) { eval(" + W("__crmframe_code") + "s" + EvalWrapClose + ") }"},
	}
	for _, c := range cases {
		checkRewrite(t, c.in, c.want)
	}
	// without a with statement the wrappers are as before
	if got, _ := Rewrite([]byte("r.location.href = u"), Classic); !strings.HasPrefix(string(got), VtopWrapOpen) {
		t.Errorf("no with: %s", got)
	}
}
