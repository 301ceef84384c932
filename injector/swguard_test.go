package injector

import (
	"bytes"
	"strings"
	"testing"
)

func TestSWGuardOneLine(t *testing.T) {
	if bytes.ContainsAny(swGuard, "\n\r") || !bytes.HasPrefix(swGuard, []byte("/*")) || !bytes.HasSuffix(swGuard, []byte(";")) {
		t.Fatalf("swGuard: %q", swGuard)
	}
	if strings.Contains(swGuardSource, "//") {
		t.Error("swguard.js: a line comment would swallow the rest of the joined line")
	}
}

// The guard goes after the directive prologue, which must stay first.
func TestPrologueEnd(t *testing.T) {
	for _, c := range []struct{ src, before string }{
		{"self.addEventListener('fetch', f);", ""},
		{"'use strict';\nvar a;", "'use strict';"},
		{"\"use strict\"\nvar a;", "\"use strict\""},
		{"// c\n'use strict'; 'other';var a;", "// c\n'use strict'; 'other';"},
		{"/* a */ \"use strict\" /* b */ ;x()", "/* a */ \"use strict\" /* b */ ;"},
		{"'use strict'\n+ x;", ""},
		{"'use strict'\n.length;", ""},
		{"'use strict'\nin o;", ""},
		{"'use strict'\ninit();", "'use strict'"},
		{"'use strict' + x;", ""},
		{"'a\\'b';c", "'a\\'b';"},
		{"'use strict'", "'use strict'"},
		{"'unterminated\n';", ""},
		{"#!/usr/bin/env node\n'use strict';x", "#!/usr/bin/env node\n'use strict';"},
		{"#!/usr/bin/env node\nx", "#!/usr/bin/env node\n"},
		{"\uFEFF'use strict';x", "\uFEFF'use strict';"},
		{"\uFEFFx", "\uFEFF"},
		{"'use strict' /* a\nb */ x", "'use strict'"},
		{"'use strict' // c\n(x)", ""},
		{"'use strict' // c\nx", "'use strict'"},
		{"'use strict'\n++x", "'use strict'"}, // a restricted production: ASI
		{"'use strict'\n!x", "'use strict'"},
		{"'use strict'\n{}", "'use strict'"},
		{"'use strict'\n!= x", ""},
		{"'use strict'\n`t`", ""}, // a tagged template
		{"'use strict'\ninstanceof C", ""},
		{"'a' 'b'", ""},
		{"'use strict'\u2028x", "'use strict'"},
	} {
		if got := prologueEnd([]byte(c.src)); got != len(c.before) || c.src[:got] != c.before {
			t.Errorf("%q: guard at %d (%q), want after %q", c.src, got, c.src[:got], c.before)
		}
		out := guardServiceWorker([]byte(c.src))
		if want := c.before + string(swGuard) + c.src[len(c.before):]; string(out) != want {
			t.Errorf("%q: %q", c.src, out)
		}
	}
}

// A service worker's script gets the guard, not the JS rewrite, and only
// where GuardServiceWorkers asks for it; other workers stay as sent.
func TestServiceWorkerGuarded(t *testing.T) {
	src := []byte("'use strict';\nself.onfetch = function (e) { top.location; };")
	for _, guard := range []bool{false, true} {
		tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, GuardServiceWorkers: guard})
		for _, dest := range []string{"serviceworker", "ServiceWorker", "worker", "sharedworker"} {
			r := getReq()
			r.Header.Set("Sec-Fetch-Dest", dest)
			h := htmlHeader("text/javascript")
			h.Set("Content-Length", "60")
			out, err, _ := run(t, tr.BodyRewriter, r, 200, h, src, 7)
			want := src
			if guard && strings.EqualFold(dest, "serviceworker") {
				want = guardServiceWorker(src)
				if h.Get("Content-Length") != "" || !strings.Contains(strings.Join(h.Values("Vary"), ","), "Sec-Fetch-Dest") {
					t.Errorf("%s: headers %v", dest, h)
				}
			}
			if err != nil || !bytes.Equal(out, want) {
				t.Errorf("guard=%v %s: err=%v out=%q", guard, dest, err, out)
			}
		}
		// compressed: decoded, guarded, encoded again
		for _, c := range testCodings {
			if !guard {
				continue
			}
			r := getReq()
			r.Header.Set("Sec-Fetch-Dest", "serviceworker")
			h := htmlHeader("text/javascript")
			h.Set("Content-Encoding", c.name)
			out, err, _ := run(t, tr.BodyRewriter, r, 200, h, compress(t, c, src), 5)
			if err != nil || !bytes.Equal(decompress(t, c, out), guardServiceWorker(src)) {
				t.Errorf("%s: err=%v", c.label(), err)
			}
		}
	}
}
