package injector

import (
	"bytes"
	_ "embed"
	"io"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// A service worker of the CRM's origin answers the requests of the CRM's
// pages inside the browser: a page, frame or script it builds or caches
// itself (new Response(html), cache.addAll() of pages fetched with
// fetch(), which crm_frame does not rewrite) would reach the CRM window
// unrewritten and without the shim (x780, x784, x785). swguard.js, put
// first in the worker's script, sends such requests to the network.
//
//go:embed swguard.js
var swGuardSource string

// swGuard is swguard.js on one line, so that the worker's own line numbers
// (stack traces, source maps) only move along the first line. The file
// has block comments only and ends every statement with a semicolon.
var swGuard = func() []byte {
	var b strings.Builder
	for _, l := range strings.Split(swGuardSource, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(l)
		}
	}
	return []byte(b.String())
}()

// guardServiceWorker returns src with swGuard put first: after a BOM, a
// hashbang line and the directive prologue ("use strict" must stay first
// to keep its meaning).
func guardServiceWorker(src []byte) []byte {
	at := prologueEnd(src)
	out := make([]byte, 0, len(src)+len(swGuard))
	out = append(out, src[:at]...)
	out = append(out, swGuard...)
	return append(out, src[at:]...)
}

// prologueEnd is the offset after a script's BOM, hashbang line and
// directive prologue (string literal statements, ended by ";" or by a line
// break that ASI ends them at), read with the JS lexer.
func prologueEnd(s []byte) int {
	i := 0
	if bytes.HasPrefix(s, []byte("\uFEFF")) {
		i = 3
	}
	if bytes.HasPrefix(s[i:], []byte("#!")) {
		k := bytes.IndexAny(s[i:], "\n\r")
		if k < 0 {
			return len(s)
		}
		i += k + 1 // the guard starts the next line, not the comment
	}
	lx := js.NewLexer(parse.NewInputBytes(s[i:len(s):len(s)]))
	end, pos := i, i
	str := -1 // end of a string statement not ended yet
	nl := false
	for {
		tt, data := lx.Next()
		pos += len(data)
		switch tt {
		case js.WhitespaceToken, js.CommentToken:
			continue
		case js.LineTerminatorToken, js.CommentLineTerminatorToken:
			nl = true
			continue
		case js.ErrorToken:
			if str >= 0 && lx.Err() == io.EOF {
				return str
			}
			return end
		}
		if str >= 0 {
			switch {
			case tt == js.SemicolonToken:
				end, str = pos, -1
				continue
			case nl && !continuesExpr(tt):
				end, str = str, -1 // ASI: this token starts the next statement
			default:
				return end // "use strict" + x: an expression
			}
		}
		if tt != js.StringToken {
			return end
		}
		str, nl = pos, false
	}
}

// continuesExpr reports whether token tt after a line break goes on with
// the expression before it (no ASI there).
func continuesExpr(tt js.TokenType) bool {
	switch tt {
	case js.NotToken, js.BitNotToken, js.IncrToken, js.DecrToken, js.OpenBraceToken, js.CloseBraceToken:
		return false // unary, or a new statement: ASI ends the line
	case js.OpenParenToken, js.OpenBracketToken, js.DotToken, js.CommaToken, js.QuestionToken, js.ColonToken,
		js.InToken, js.InstanceofToken, js.TemplateToken, js.TemplateStartToken:
		return true
	}
	return js.IsOperator(tt)
}
