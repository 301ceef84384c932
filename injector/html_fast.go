package injector

import (
	"bytes"
	"io"
	"sync"

	"golang.org/x/net/html"
)

// Fast skip: after the injection point most of a page is text and tags
// the rewriter copies as they are, yet the tokenizer costs ~150 MB/s.
// tokSrc feeds the tokenizer at most up to the next '>' per read, so
// after a token ending at such a '>' the tokenizer holds no unread
// bytes. If that token left it in its data state, the pending input is
// scanned here at memchr speed and its leading run of provably
// unchanged constructs goes straight to the output; the tokenizer then
// resumes at the first construct that may matter, in the same state it
// would have reached by tokenizing the skipped bytes itself.

// disableFastSkip turns the fast skip off for filters created afterwards
// (differential tests compare both paths).
var disableFastSkip bool

// decodedBufs hold decoded input waiting for the tokenizer.
var decodedBufs = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// tokSrc is the tokenizer's reader when the fast skip is on.
type tokSrc struct {
	f    *htmlFilter
	dec  io.Reader // decoded body; nil: the identity body in f.in
	buf  *[]byte   // storage for dec's output
	pend []byte    // bytes from dec not yet handed on
	err  error     // dec's error, reported once pend is used up
	idle int       // dec reads that returned nothing
}

func (s *tokSrc) release() {
	if s.buf != nil {
		decodedBufs.Put(s.buf)
		s.buf, s.pend = nil, nil
	}
}

// pending returns the input not yet handed on (never empty without an error).
func (s *tokSrc) pending() ([]byte, error) {
	f := s.f
	if s.dec == nil {
		for len(f.in) == 0 {
			if f.eof {
				return nil, io.EOF
			}
			if !f.yield(struct{}{}) {
				return nil, errStopped
			}
		}
		return f.in, nil
	}
	for len(s.pend) == 0 {
		if s.err != nil {
			return nil, s.err
		}
		b := *s.buf
		n, err := s.dec.Read(b[:cap(b)])
		s.pend, s.err = b[:n], err
		if n == 0 && err == nil {
			if s.idle++; s.idle >= 100 {
				s.err = io.ErrNoProgress
			}
		}
	}
	return s.pend, nil
}

// consume drops n pending bytes (handed to the tokenizer or skipped).
func (s *tokSrc) consume(n int) {
	if s.dec != nil {
		s.pend = s.pend[n:]
		return
	}
	f := s.f
	f.in = f.in[n:]
	f.total += int64(n)
	if f.total > f.max && !f.passthrough {
		f.setPassthrough(ActionTooLarge, "body over max_rewrite_size")
	}
}

func (s *tokSrc) Read(p []byte) (int, error) {
	f := s.f
	for {
		if f.stopping {
			return 0, errStopped
		}
		if f.werr != nil {
			return 0, f.werr
		}
		in, err := s.pending()
		if len(in) == 0 {
			return 0, err
		}
		if f.unread == 0 && f.canSkip() {
			skip := in
			if s.dec == nil && int64(len(skip)) > f.max-f.total {
				// Tokens past max_rewrite_size go out as received; the
				// read that reaches them switches to that.
				skip = skip[:max(f.max-f.total, 0)]
			}
			if n := f.fastSkip(skip); n > 0 {
				f.skipped += int64(n)
				s.consume(n)
				continue
			}
		}
		n := min(len(in), len(p))
		if !f.passthrough && !f.noSkip {
			n = handOn(in[:n], f.rawNext)
		}
		copy(p, in[:n])
		s.consume(n)
		f.unread += n
		return n, nil
	}
}

// handOn returns how much of in to hand to the tokenizer: up to the next
// '>', so that a token ending there leaves nothing unread. In raw text
// (a script body) no '>' before the next "</" ends a token, and handing
// on more saves reads (a miss only delays the skip, unread is exact).
func handOn(in []byte, rawText bool) int {
	from := 0
	if rawText {
		from = bytes.Index(in, []byte("</"))
		if from < 0 {
			if len(in) > 1 && in[len(in)-1] == '<' {
				return len(in) - 1 // the "</" may go on in the next chunk
			}
			return len(in)
		}
	}
	if i := bytes.IndexByte(in[from:], '>'); i >= 0 {
		return from + i + 1
	}
	return len(in)
}

// canSkip reports whether the rewriter would copy text, end tags,
// comments and plain start tags as they are, and the tokenizer is in its
// data state (f.unread == 0 is checked by the caller).
func (f *htmlFilter) canSkip() bool {
	return f.phase == phaseDone && !f.first && !f.passthrough && f.rk == rawNone &&
		!f.scriptPending && !f.rawNext && !f.noSkip
}

// afterToken records what a token the tokenizer returned means for the
// fast skip: its bytes are no longer unread, and a start tag of a raw
// text element switches the tokenizer out of its data state.
func (f *htmlFilter) afterToken(tt html.TokenType, raw []byte) {
	f.unread -= len(raw)
	f.rawNext = false
	if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
		name := tagNameOnly(raw)
		if rawTextTag(name) {
			f.rawNext = true
			if asciiEqualFold(name, "plaintext") {
				f.noSkip = true // everything after it is one text token
			}
		}
	}
}

// rawTextTag reports whether x/net/html's tokenizer reads the content of
// an element with this start tag name as raw text (readStartTag).
func rawTextTag(name []byte) bool {
	if len(name) < 3 {
		return false
	}
	switch name[0] | 0x20 {
	case 'i':
		return asciiEqualFold(name, "iframe")
	case 'n':
		return asciiEqualFold(name, "noembed") || asciiEqualFold(name, "noframes") || asciiEqualFold(name, "noscript")
	case 'p':
		return asciiEqualFold(name, "plaintext")
	case 's':
		return asciiEqualFold(name, "script") || asciiEqualFold(name, "style")
	case 't':
		return asciiEqualFold(name, "textarea") || asciiEqualFold(name, "title")
	case 'x':
		return asciiEqualFold(name, "xmp")
	}
	return false
}

// alnumEnd returns the index of the first byte from i on that is not an
// ASCII letter or digit.
func alnumEnd(b []byte, i int) int {
	for i < len(b) && tagClass[b[i]]&tcAlnum != 0 {
		i++
	}
	return i
}

func isASCIILetter(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z'
}

// fastSkip handles the leading run of in that it can tokenize exactly as
// the tokenizer would, and returns its length. Text, end tags, ordinary
// comments and start tags the rewriter leaves alone are copied as they
// are; other start tags go through f.token as the tokenizer's token
// would. It stops at anything else (raw text elements, doctypes, odd
// markup), at constructs not complete in in, before a text run that in
// does not end (the tokenizer would hold it back), and when the state
// no longer allows skipping.
func (f *htmlFilter) fastSkip(in []byte) int {
	// A token reaching the tokenizer's buffer limit is an error there.
	maxTok := len(in) + 3
	if f.max < 1<<31-1 {
		maxTok = int(f.max)
	}
	run := 0  // start of the bytes not emitted yet
	done := 0 // end of the last complete construct
	i := 0
	for {
		j := 0
		if i >= len(in) || in[i] != '<' { // tags often follow each other
			j = bytes.IndexByte(in[i:], '<')
		}
		if j < 0 || i+j+1 >= len(in) {
			break // a text run without its end
		}
		i += j
		var n, nameEnd int
		plain := true
		switch c := in[i+1]; {
		case isASCIILetter(c):
			if k := alnumEnd(in, i+2); k < len(in) && in[k] == '>' {
				n, plain = tagKind(in[i+1:k], k+1-i) // "<td>"
			} else {
				n, plain, nameEnd = f.startTag(in[i:])
			}
		case c == '/':
			if i+2 < len(in) && isASCIILetter(in[i+2]) {
				if k := alnumEnd(in, i+3); k < len(in) && in[k] == '>' {
					n = k + 1 - i // "</td>"
				} else if _, m, _ := scanTagEnd(in[i+1:], nil, false); m > 0 {
					n = m + 1 // end tags are read like start tags
				}
			}
		case c == '!':
			n = plainComment(in[i:])
		case c == '?':
		default:
			i++ // a '<' that starts nothing is text
			continue
		}
		// The text before the construct is a token of its own; the
		// tokenizer reads two bytes past it to see the construct start.
		if i > done && i-done+2 >= maxTok {
			break
		}
		if n == 0 || n >= maxTok {
			done = i
			break
		}
		if !plain {
			f.emitOut(in[run:i])
			if raw := in[i : i+n]; nameEnd > 0 {
				// f.attrs holds this tag's attributes: what token would
				// do in this state, without scanning the tag again.
				f.doneTag(raw, raw[1:nameEnd])
			} else {
				// (The rewriter treats self-closing tags as start tags.)
				f.token(html.StartTagToken, raw)
			}
			run = i + n
		}
		i += n
		done = i
		if !plain && (f.werr != nil || !f.canSkip()) {
			break
		}
	}
	f.emitOut(in[run:done])
	return done
}

// startTag returns the length of the start tag at the beginning of b if
// it is complete and leaves the tokenizer in its data state (else 0), and
// whether the rewriter copies it as it is. When it scanned the attributes
// they are left in f.attrs and nameEnd is where the tag name ends (else 0).
func (f *htmlFilter) startTag(b []byte) (n int, plain bool, nameEnd int) {
	rewriteJS := f.b.opts.RewriteJS != nil
	if !rewriteJS {
		// Without quotes the first '>' ends the tag (it ends every tag
		// state but a quoted value); attributes do not matter then.
		end := bytes.IndexByte(b, '>')
		if end < 0 {
			return 0, false, 0
		}
		if bytes.IndexByte(b[:end], '"') < 0 && bytes.IndexByte(b[:end], '\'') < 0 {
			n, plain = tagKind(tagNameOnly(b[:end+1]), end+1)
			return n, plain, 0
		}
	}
	end, n, attrs := scanTagEnd(b, f.attrs[:0], rewriteJS)
	f.attrs = attrs
	if n == 0 {
		return 0, false, 0
	}
	if rewriteJS {
		nameEnd = end // the attributes were collected
	}
	if n, plain = tagKind(b[1:end], n); !plain {
		return n, false, nameEnd
	}
	raw := b[:n]
	for _, a := range attrs {
		k := raw[a.ks:a.ke]
		// An odd key: the tokenizer would agree, but keep to plain markup.
		if k[0] == '=' || k[0] == '<' || k[0] == '"' || k[0] == '\'' {
			return 0, false, 0
		}
		// The attributes emitTag may rewrite.
		if (isHandlerAttr(k) || jsURLAttr(k) && mayBeJSURL(raw[a.vs:a.ve])) && f.attrMayChange(raw, a) {
			plain = false
		}
		if len(k) == 9 && asciiEqualFold(k, "integrity") {
			plain = false // a <link> preloading a script (emitTag decides)
		}
		if len(k) == 14 && asciiEqualFold(k, "shadowrootmode") && f.b.opts.MarkShadowRoots {
			plain = false // a declarative shadow root gets dsdMark
		}
	}
	return n, plain, nameEnd
}

// tagKind: the start tag of a raw text element changes the tokenizer's
// state (0); <meta> matters to the rewriter (charset, CSP).
func tagKind(name []byte, n int) (int, bool) {
	if rawTextTag(name) {
		return 0, false
	}
	return n, !asciiEqualFold(name, "meta")
}

// plainComment returns the length of an ordinary "<!--...-->" comment at
// the beginning of b, or 0 for anything else ("<!-->", "--!>" endings,
// doctypes, bogus comments, CDATA) and for an incomplete one. It follows
// the tokenizer's readComment: without "--!" the first "-->" ends it.
func plainComment(b []byte) int {
	if len(b) < 5 || b[2] != '-' || b[3] != '-' {
		return 0
	}
	body := b[4:]
	if body[0] == '>' || len(body) > 1 && body[0] == '-' && body[1] == '>' {
		return 0
	}
	e := bytes.Index(body, []byte("-->"))
	if e < 0 || bytes.Contains(body[:e], []byte("--!")) {
		return 0
	}
	return 4 + e + 3
}
