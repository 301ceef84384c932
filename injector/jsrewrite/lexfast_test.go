package jsrewrite

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

type lexTok struct {
	tt         js.TokenType
	start, end int
}

// libTokens lexes src with the bare library, '/' decided by bareRegexOK.
func libTokens(src []byte) ([]lexTok, string) {
	lx := js.NewLexer(parse.NewInputBytes(src[:len(src):len(src)]))
	var out []lexTok
	prev := js.ErrorToken
	pos := 0
	for {
		tt, data := lx.Next()
		start := pos
		if (tt == js.DivToken || tt == js.DivEqToken) && bareRegexOK(prev) {
			tt, data = lx.RegExp()
		}
		if tt == js.ErrorToken {
			return out, lx.Err().Error()
		}
		pos += len(data)
		if tt != js.WhitespaceToken {
			out = append(out, lexTok{tt, start, pos})
		}
		if tt != js.WhitespaceToken && tt != js.LineTerminatorToken && tt != js.CommentToken && tt != js.CommentLineTerminatorToken {
			prev = tt
		}
	}
}

// ourTokens lexes src with lexer, shortcuts included.
func ourTokens(src []byte) ([]lexTok, string) {
	lx := newLexer(append(append([]byte(nil), src...), 0))
	var out []lexTok
	prev := js.ErrorToken
	for {
		tt := lx.next()
		if (tt == js.DivToken || tt == js.DivEqToken) && bareRegexOK(prev) {
			tt = lx.regexp()
		}
		if tt == js.ErrorToken {
			return out, lx.err.Error()
		}
		out = append(out, lexTok{tt, lx.start, lx.pos})
		if tt != js.LineTerminatorToken && tt != js.CommentToken && tt != js.CommentLineTerminatorToken {
			prev = tt
		}
	}
}

func checkSameTokens(t *testing.T, src []byte) {
	t.Helper()
	want, werr := libTokens(src)
	got, gerr := ourTokens(src)
	if werr != gerr || len(want) != len(got) {
		t.Fatalf("%q: %d tokens, %q; library %d tokens, %q", src, len(got), gerr, len(want), werr)
	}
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("%q: token %d is %v %d-%d, library %v %d-%d", src, i,
				got[i].tt, got[i].start, got[i].end, want[i].tt, want[i].start, want[i].end)
		}
	}
}

// TestLexerShortcutsExhaustive compares the token stream with the library's
// for every short string over the bytes each shortcut looks at.
func TestLexerShortcutsExhaustive(t *testing.T) {
	n := 0
	var all func(alpha, b []byte, max int)
	all = func(alpha, b []byte, max int) {
		checkSameTokens(t, b)
		n++
		if len(b) == max {
			return
		}
		for _, c := range alpha {
			all(alpha, append(b, c), max)
		}
	}
	// Every shortcut next to every other, escapes, UTF-8 lead bytes, line
	// breaks and the tokens left to the library.
	all([]byte(">=!+*%&|^~?.:,;[](){}0a_ \n-</\\\xc3'`"), nil, 3)
	// Operator runs.
	all([]byte(">=!+*&|~?.0"), nil, 4)
	// Line starts, numbers and "-->" after shortcut tokens.
	all([]byte("a-> \n0"), nil, 6)
	// Integers, '-', '<' and '/' shortcuts against numbers, comments,
	// regexps and identifiers.
	all([]byte("0 19e.n_x/*=<!->a\n\\"), nil, 4)
	// Line breaks (\r\n, U+2028, U+2029) and "-->" comments.
	all([]byte("->\n\r \xe2\x80\xa8\xa9a\x00"), nil, 5)
	// Templates and brackets: the library's nesting level.
	all([]byte("`${}(a"), nil, 6)
	// Strings.
	all([]byte("'\"\\\na\x00"), nil, 5)
	t.Logf("%d inputs", n)
}

func TestLexerShortcutsCorpus(t *testing.T) {
	for _, c := range rwCases {
		checkSameTokens(t, []byte(c.in))
	}
	raw, err := os.ReadFile("testdata/snippets.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(raw), "\n----\n") {
		checkSameTokens(t, []byte(block))
	}
	for _, in := range benchInputs {
		checkSameTokens(t, in.src[:64<<10]) // the bundles repeat their modules
	}
	for _, s := range []string{
		"a\n-->x", "1\n-->x", "x=1\n--> y", "3in x", "3 in x", "1.5.toFixed()", "a?.5:1", "a?.b", "x ~= 1", "x ?= 1",
		"a >>>= b >>= c >>> d", "a **= b ** c", "a ??= b ?? c", "a &&= b || c", "é=1", "aé=1", "a\\u0062=1", "a\u2028b",
		"x\u00a0 y", ".5+.e", "a...b", "a..b", "<!--x\ny", "`${a}`+b", "a\x00b",
		"{(`${ {a:(1)} }`)}", "`${`${}`}`", "x = {a: `b${ {c} }d${(e)}f`}; {g}", "}`${}`", "`${a}`}{`${b}`", "({})`${({})}`{}",
		"0x1F+0b1+0o7+1n+1_000+1e3+1.5e-3+.5", "a = 08", "a = 0_1", "x = 1\n-->c", "x\n--> c", "a<!--b\nc", "a<<=b<=c<<d<e",
		"a-=b--c-d", "a\n-->c\u2028d", "-->c\u2029d", "-->c\xe2\x80\xaad", "-->x\r\ny", "a\r\n\r\n-->", "x\n  --> y\n-->z", "a\u2028\n-->b", "a\n\u2029-->b", "/*\n*/-->c", "1\n-->c", "a/=b/c/ /re/g.x", "if(a)/re/.test(b)", "x=/[/]/", "1/2//c\n3/*d*/4", "a = 1\u0061", "1é", "0\x80",
		"'a\\'b'", "'a\nb'", "\"a'b\"", "'abc", "'a\x00b'",
	} {
		checkSameTokens(t, []byte(s))
	}
}

func TestKeywordTable(t *testing.T) {
	for name, tt := range js.Keywords {
		if got := keyword([]byte(name)); got != tt {
			t.Errorf("keyword(%q) = %v, want %v", name, got, tt)
		}
		for _, v := range []string{name + "s", name[1:], name[:len(name)-1], strings.ToUpper(name), "_" + name, name + "1"} {
			want, ok := js.Keywords[v]
			if !ok {
				want = js.IdentifierToken
			}
			if got := keyword([]byte(v)); got != want {
				t.Errorf("keyword(%q) = %v, want %v", v, got, want)
			}
		}
	}
	for _, v := range []string{"a", "top", "window", "ab", "instanceofx", "zz"} {
		if got := keyword([]byte(v)); got != js.IdentifierToken {
			t.Errorf("keyword(%q) = %v", v, got)
		}
	}
}

func TestIdentTables(t *testing.T) {
	for c := 0; c < 0x80; c++ {
		b := []byte{byte(c)}
		if identStart[c] != (js.IsIdentifierStart(b) && c != '\\') {
			t.Errorf("identStart[%q] = %v", rune(c), identStart[c])
		}
		if identPart[c] != (js.IsIdentifierContinue(b) && c != '\\') {
			t.Errorf("identPart[%q] = %v", rune(c), identPart[c])
		}
	}
}

func FuzzLexerShortcuts(f *testing.F) {
	for _, c := range rwCases {
		f.Add([]byte(c.in))
	}
	f.Add(benchInputs[1].src[:2000])
	f.Fuzz(func(t *testing.T, src []byte) {
		checkSameTokens(t, src)
	})
}

// TestLexerEscs: escs lists exactly the identifiers spelled with \u
// escapes (the library lexes them; the shortcuts never take one).
func TestLexerEscs(t *testing.T) {
	src := `a \u0074op 1 t\u006fp.x caf\u00e9 é\u0061 'to\u0070' b`
	want := map[string]bool{`\u0074op`: true, `t\u006fp`: true, `caf\u00e9`: true, `é\u0061`: true}
	lx := newLexer(append([]byte(src), 0))
	n := 0
	for tt := lx.next(); tt != js.ErrorToken; tt = lx.next() {
		text := src[lx.start:lx.pos]
		if got := tt == js.IdentifierToken && len(lx.escs) > 0 && lx.escs[len(lx.escs)-1] == lx.start; got != want[text] {
			t.Errorf("%q: escaped = %v", text, got)
		}
		if want[text] {
			n++
		}
	}
	if n != len(want) {
		t.Errorf("saw %d escaped identifiers, want %d", n, len(want))
	}
}

// windowLikeRef is windowLike without its last-byte and last-three-byte
// rejects: those must never turn a name away that it accepts.
func windowLikeRef(name []byte) bool {
	n := string(bytes.TrimLeft(name, "$_"))
	switch n {
	case "window", "win", "wnd", "wind", "Window", "Win", "Wnd", "defaultView":
		return true
	}
	if len(n) > 3 {
		for _, suf := range [...]string{"Window", "Win", "Wnd", "_window", "_win", "_wnd", "_WINDOW"} {
			if len(n) > len(suf) && n[len(n)-len(suf):] == suf {
				return true
			}
		}
	}
	return false
}

func TestWindowLikeRejects(t *testing.T) {
	words := []string{"", "$", "_", "$_", "a", "x1", "main", "parent", "content", "w", "in", "nd", "d",
		"window", "win", "wnd", "wind", "Window", "Win", "Wnd", "defaultView", "_window", "_win", "_wnd", "_WINDOW",
		"WINDOW", "View", "iew", "dow", "DOW", "wiN", "WND"}
	n := 0
	for _, a := range words {
		for _, b := range words {
			for _, c := range []string{"", "$", "_", "$_"} {
				name := []byte(c + a + b)
				if got, want := windowLike(name), windowLikeRef(name); got != want {
					t.Errorf("windowLike(%q) = %v, want %v", name, got, want)
				}
				if windowLike(name) {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no name accepted")
	}
}
