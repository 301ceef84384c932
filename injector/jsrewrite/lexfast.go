package jsrewrite

import (
	"bytes"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// lexer wraps the tdewolff lexer. The library classifies every identifier
// with a map lookup on a string and every operator with byte-keyed maps; on
// bundles that is most of its time. lexer produces the plainest tokens
// itself — runs of ASCII whitespace and of \n \r, pure-ASCII identifiers,
// decimal integers, operators (but "<!" and comments), "-->" comments at a
// line start, strings without escapes or line breaks, and , ; : [ ] . ( )
// { } — and hands everything else to the library. It does so
// only where the token is exactly the one the library would return and the
// library's private state stays as the library would have left it
// (lexfast_test.go compares both with the library itself):
//
//   - prevNumericLiteral (an identifier right after a number is an error):
//     set by numbers, cleared by every other token. lexer mirrors it in num
//     and takes no shortcut while it is set, so the library's copy is right.
//   - prevLineTerminator only decides whether "-->" starts an HTML-like
//     comment. The library's copy is stale after shortcut tokens, so lexer
//     tracks the true value in lt and lexes every "-->" itself (outside
//     num, where the library's copy is false and right).
//   - The nesting level moved by ( ) { } is only compared with the level
//     recorded when a template substitution opened. lexer takes brackets
//     only while no substitution is open (tmpl == 0), so whenever the
//     library compares, its level is off by a constant on both sides.
type lexer struct {
	lx    *js.Lexer
	in    *parse.Input
	buf   []byte // the input plus a NUL sentinel
	n     int    // input length
	start int    // start of the token next returned
	err   error  // set when next returns ErrorToken: io.EOF or the lexing error
	pos   int    // its end: where the next token starts
	num   bool   // mirror of the library's prevNumericLiteral
	lt    bool   // a line terminator precedes, with only whitespace in between
	tmpl  int    // open template substitutions (${ without its closing })
	escs  []int  // starts of the identifiers with \u escapes, in order (only the library lexes those)
}

// newLexer lexes buf[:len(buf)-1]; buf must end with a NUL byte.
func newLexer(buf []byte) *lexer {
	in := parse.NewInputBytes(buf[: len(buf)-1 : len(buf)])
	return &lexer{lx: js.NewLexer(in), in: in, buf: buf, n: len(buf) - 1, lt: true}
}

// next returns the next token that is not whitespace, spanning
// buf[l.start:l.pos]. At the end of input or on a lexing error it returns
// ErrorToken and sets l.err (io.EOF or the error).
func (l *lexer) next() js.TokenType {
	b := l.buf // b[l.n] is the NUL sentinel
	for {
		pos := l.pos
		l.start = pos
		if !l.num {
			c := b[pos]
			switch byteClass[c] {
			case bSpace:
				j := pos + 1
				for byteClass[b[j]] == bSpace {
					j++
				}
				l.pos = j
				continue
			case bIdent:
				j := pos + 1
				for identPart[b[j]] {
					j++
				}
				// A byte >= 0xC0 may start a Unicode ID_Continue rune and
				// '\\' a \u escape; the library would go on consuming both.
				if e := b[j]; e < 0xC0 && e != '\\' {
					l.pos, l.lt = j, false
					return keyword(b[pos:j])
				}
			case bSingle:
				l.pos, l.lt = pos+1, false
				return singleTokens[c]
			case bBracket:
				if l.tmpl == 0 {
					l.pos, l.lt = pos+1, false
					return singleTokens[c]
				}
			case bDot:
				if e := b[pos+1]; e != '.' && (e < '0' || e > '9') {
					l.pos, l.lt = pos+1, false
					return js.DotToken
				}
			case bOp:
				if tt, j := opToken(b, pos); tt != js.ErrorToken {
					l.pos, l.lt = j, false
					return tt
				}
			case bQuote:
				// Strings without escapes or line breaks; the rest (and an
				// unterminated string at the end) go through the library.
				if j := l.plainString(pos, c); j > 0 {
					l.pos, l.lt = j, false
					return js.StringToken
				}
			case bMinus:
				// '-', '<' and '/' are lexed inline, not by opToken: a call
				// per operator cost 2 % on minified code (measured).
				if d := b[pos+1]; d != '-' {
					l.pos, l.lt = pos+1, false
					if d == '=' {
						l.pos = pos + 2
						return js.SubEqToken
					}
					return js.SubToken
				} else if b[pos+2] != '>' || !l.lt {
					// "--", or "-->" not at a line start: the operator.
					l.pos, l.lt = pos+2, false
					return js.DecrToken
				}
				// "-->" at a line start: an HTML-like comment.
				l.pos, l.lt = l.lineEnd(pos+3), false
				return js.CommentToken
			case bLineEnd:
				// A run of \n and \r is one token; one going on with
				// U+2028 or U+2029 goes to the library.
				j := pos + 1
				for b[j] == '\n' || b[j] == '\r' {
					j++
				}
				if b[j] != 0xE2 {
					l.pos, l.lt = j, true
					return js.LineTerminatorToken
				}
			case bDigit:
				// A decimal integer that nothing extends: the library's
				// IntegerToken. The byte after it starts no identifier, so
				// the library's prevNumericLiteral (never set here) cannot
				// matter; 0 followed by a digit is the library's error.
				j := pos + 1
				for b[j] >= '0' && b[j] <= '9' {
					j++
				}
				if e := b[j]; (c != '0' || j == pos+1) && !identPart[e] && e != '.' && e != '\\' && e < 0x80 {
					l.pos, l.lt = j, false
					return js.IntegerToken
				}
			case bLt:
				// "<!" may open an HTML-like comment: the library decides.
				switch b[pos+1] {
				case '!':
				case '=':
					l.pos, l.lt = pos+2, false
					return js.LtEqToken
				case '<':
					l.pos, l.lt = pos+2, false
					if b[pos+2] == '=' {
						l.pos = pos + 3
						return js.LtLtEqToken
					}
					return js.LtLtToken
				default:
					l.pos, l.lt = pos+1, false
					return js.LtToken
				}
			case bSlash:
				// Not a comment: division, or a regexp that regexp()
				// re-lexes from here.
				if d := b[pos+1]; d != '/' && d != '*' {
					l.pos, l.lt = pos+1, false
					if d == '=' {
						l.pos = pos + 2
						return js.DivEqToken
					}
					return js.DivToken
				}
			}
		}
		l.sync()
		tt, data := l.lx.Next()
		l.pos += len(data)
		l.num = js.IsNumeric(tt)
		switch tt {
		case js.ErrorToken:
			l.err = l.lx.Err()
			return tt
		case js.WhitespaceToken:
			continue
		case js.LineTerminatorToken, js.CommentLineTerminatorToken:
			l.lt = true
		case js.TemplateStartToken:
			l.tmpl++
			l.lt = false
		case js.TemplateEndToken:
			l.tmpl--
			l.lt = false
		case js.IdentifierToken:
			if bytes.IndexByte(data, '\\') >= 0 {
				l.escs = append(l.escs, l.start)
			}
			l.lt = false
		default:
			l.lt = false
		}
		return tt
	}
}

// regexp re-lexes the '/' or '/=' just returned by next as a regular
// expression; on ErrorToken l.err is set.
func (l *lexer) regexp() js.TokenType {
	l.sync() // the '/' may have been a shortcut
	tt, data := l.lx.RegExp()
	if tt == js.ErrorToken {
		l.err = l.lx.Err()
		return tt
	}
	l.pos = l.start + len(data)
	return tt
}

// sync moves the library's input to l.pos, past the tokens lexed here.
func (l *lexer) sync() {
	if d := l.pos - l.in.Offset(); d != 0 {
		l.in.Move(d)
		l.in.Skip()
	}
}

// lineEnd returns where the line holding j ends: the library's
// consumeSingleLineComment (rare: kept out of next).
//
//go:noinline
func (l *lexer) lineEnd(j int) int {
	b := l.buf
	for c := b[j]; c != '\n' && c != '\r' && (c != 0 || j < l.n) &&
		(c != 0xE2 || b[j+1] != 0x80 || b[j+2] != 0xA8 && b[j+2] != 0xA9); c = b[j] {
		j++
	}
	return j
}

// plainString returns the end of the string starting with quote q at pos,
// or 0 when it holds an escape or line break or is unterminated.
func (l *lexer) plainString(pos int, q byte) int {
	b := l.buf
	for j := pos + 1; ; j++ {
		switch b[j] {
		case q:
			return j + 1
		case '\\', '\n', '\r':
			return 0
		case 0:
			if j == l.n {
				return 0
			}
		}
	}
}

// Byte classes for next's shortcuts.
const (
	bOther   = iota
	bSpace   // ' ' \t \v \f
	bIdent   // ASCII identifier start
	bSingle  // , ; : [ ]
	bBracket // ( ) { }
	bDot     // .
	bOp      // > = ! + * % & | ^ ~ ?
	bQuote   // ' "
	bMinus   // -
	bDigit   // 0-9
	bLt      // <
	bSlash   // /
	bLineEnd // \n \r
)

var (
	byteClass    [256]uint8
	singleTokens [256]js.TokenType
)

// Operator tokens by first character: alone (op1), followed by '=' (opEq),
// doubled (opDouble), doubled and followed by '=' (opDoubleEq). A zero
// entry (ErrorToken) is a combination the library handles itself.
var op1, opEq, opDouble, opDoubleEq [256]js.TokenType

func init() {
	for c, t := range map[byte][4]js.TokenType{
		'=': {js.EqToken, js.EqEqToken},
		'!': {js.NotToken, js.NotEqToken},
		'>': {js.GtToken, js.GtEqToken},
		'+': {js.AddToken, js.AddEqToken, js.IncrToken},
		'*': {js.MulToken, js.MulEqToken, js.ExpToken, js.ExpEqToken},
		'%': {js.ModToken, js.ModEqToken},
		'&': {js.BitAndToken, js.BitAndEqToken, js.AndToken, js.AndEqToken},
		'|': {js.BitOrToken, js.BitOrEqToken, js.OrToken, js.OrEqToken},
		'^': {js.BitXorToken, js.BitXorEqToken},
		'~': {js.BitNotToken},
		'?': {js.QuestionToken, js.ErrorToken, js.NullishToken, js.NullishEqToken},
	} {
		op1[c], opEq[c], opDouble[c], opDoubleEq[c] = t[0], t[1], t[2], t[3]
	}
}

// opToken mirrors the library's consumeOperatorToken for the operator
// characters it handles without special cases; combinations the library
// rejects (~= ?=) return ErrorToken and go through the library.
func opToken(b []byte, i int) (js.TokenType, int) {
	c, d := b[i], b[i+1]
	switch {
	case d == '=':
		if b[i+2] == '=' && (c == '!' || c == '=') {
			if c == '!' {
				return js.NotEqEqToken, i + 3
			}
			return js.EqEqEqToken, i + 3
		}
		return opEq[c], i + 2
	case d == c && opDouble[c] != js.ErrorToken:
		if b[i+2] == '=' && opDoubleEq[c] != js.ErrorToken {
			return opDoubleEq[c], i + 3
		}
		return opDouble[c], i + 2
	case c == '?' && d == '.' && (b[i+2] < '0' || b[i+2] > '9'):
		return js.OptChainToken, i + 2
	case c == '=' && d == '>':
		return js.ArrowToken, i + 2
	case c == '>' && d == '>':
		if b[i+2] == '>' {
			if b[i+3] == '=' {
				return js.GtGtGtEqToken, i + 4
			}
			return js.GtGtGtToken, i + 3
		}
		if b[i+2] == '=' {
			return js.GtGtEqToken, i + 3
		}
		return js.GtGtToken, i + 2
	}
	return op1[c], i + 1
}

// identStart and identPart are the ASCII bytes the library accepts to start
// and continue an identifier.
var identStart, identPart [256]bool

// kwSlots is an open-addressing table of js.Keywords, built once from the
// library's own map so both always agree.
type kwSlot struct {
	name string
	tt   js.TokenType
}

const kwSize = 256 // power of two, well above 2*len(js.Keywords)

var (
	kwSlots [kwSize]kwSlot
	// kwLenFirst[n] has bit c&63 set for the first byte c of each keyword
	// of length n: one load rejects most names (push, left, el).
	kwLenFirst [16]uint64
)

func kwHash(b []byte) uint {
	return (uint(len(b))*0x9E + uint(b[0])*0x1F + uint(b[1])*0x07 + uint(b[len(b)-1])*0x3B) & (kwSize - 1)
}

func init() {
	for _, c := range []byte(" \t\v\f") {
		byteClass[c] = bSpace
	}
	for _, c := range []byte(",;:[]") {
		byteClass[c] = bSingle
	}
	for _, c := range []byte("(){}") {
		byteClass[c] = bBracket
	}
	for _, c := range []byte(">=!+*%&|^~?") {
		byteClass[c] = bOp
	}
	byteClass['.'], byteClass['\''], byteClass['"'], byteClass['-'] = bDot, bQuote, bQuote, bMinus
	byteClass['<'], byteClass['/'], byteClass['\n'], byteClass['\r'] = bLt, bSlash, bLineEnd, bLineEnd
	for c := '0'; c <= '9'; c++ {
		byteClass[c] = bDigit
	}
	singleTokens[','], singleTokens[';'], singleTokens[':'] = js.CommaToken, js.SemicolonToken, js.ColonToken
	singleTokens['['], singleTokens[']'] = js.OpenBracketToken, js.CloseBracketToken
	singleTokens['('], singleTokens[')'] = js.OpenParenToken, js.CloseParenToken
	singleTokens['{'], singleTokens['}'] = js.OpenBraceToken, js.CloseBraceToken
	for c := 'a'; c <= 'z'; c++ {
		identStart[c], identPart[c] = true, true
		identStart[c-'a'+'A'], identPart[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		identPart[c] = true
	}
	for _, c := range []byte("$_") {
		identStart[c], identPart[c] = true, true
	}
	for c := range identStart {
		if identStart[c] {
			byteClass[c] = bIdent
		}
	}
	for name, tt := range js.Keywords {
		if len(name) < 2 || len(name) >= len(kwLenFirst) || len(js.Keywords) > kwSize/2 {
			panic("jsrewrite: unexpected js.Keywords entry " + name)
		}
		kwLenFirst[len(name)] |= 1 << (name[0] & 63)
		h := kwHash([]byte(name))
		for kwSlots[h].name != "" {
			h = (h + 1) & (kwSize - 1)
		}
		kwSlots[h] = kwSlot{name, tt}
	}
}

// keyword returns the token type the library gives the identifier name b
// (js.Keywords[b], or IdentifierToken), without allocating.
func keyword(b []byte) js.TokenType {
	if len(b) >= len(kwLenFirst) || kwLenFirst[len(b)]>>(b[0]&63)&1 == 0 {
		return js.IdentifierToken
	}
	for h := kwHash(b); kwSlots[h].name != ""; h = (h + 1) & (kwSize - 1) {
		if kwSlots[h].name == string(b) {
			return kwSlots[h].tt
		}
	}
	return js.IdentifierToken
}
