package injector

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// attrSpan locates one attribute inside the raw bytes of a start tag.
// Offsets index the token's Raw() bytes.
type attrSpan struct {
	ks, ke int  // key
	vs, ve int  // value, without quotes
	quote  byte // '"', '\'' or 0 (unquoted or no value)
	hasEq  bool // the attribute has a value part ("k=..." rather than "k")
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

// scanTag finds the tag name and attributes of a complete start-tag token
// (raw begins with "<" and a letter). It mirrors the x/net/html tokenizer's
// readTag exactly, so that the spans agree with what the tokenizer (and
// the browser) see; attrs is reused to avoid allocating per tag.
func scanTag(raw []byte, attrs []attrSpan) (nameEnd int, _ []attrSpan) {
	nameEnd, _, attrs = scanTagEnd(raw, attrs, true)
	return nameEnd, attrs
}

// scanTagEnd is scanTag on input that may go on after the tag: it also
// returns the tag's length up to and including the '>' that ends it for
// the tokenizer, or 0 if raw ends first. With collect false it only finds
// the end.
func scanTagEnd(raw []byte, attrs []attrSpan, collect bool) (nameEnd, length int, _ []attrSpan) {
	attrs = attrs[:0]
	n := len(raw)
	j := 2
	for j < n && tagClass[raw[j]]&tcNameEnd == 0 {
		j++
	}
	nameEnd = j
	if j < n && tagClass[raw[j]]&tcSpace != 0 {
		j++
	}
	for j < n && tagClass[raw[j]]&tcSpace != 0 {
		j++
	}
	for j < n {
		if raw[j] == '>' {
			break
		}
		// Attribute key (a leading '=' belongs to it). The span is written
		// in place at the end: a struct filled on the stack field by field
		// and copied with 16-byte moves stalled on store forwarding (a
		// quarter of this function's time).
		ks := j
		if raw[j] == '=' {
			j++
		}
		for j < n && tagClass[raw[j]]&tcKeyEnd == 0 {
			j++
		}
		ke := j
		// Attribute value.
		vs, ve := j, j
		var quote byte
		hasEq := false
		for j < n && tagClass[raw[j]]&tcSpace != 0 {
			j++
		}
		if j < n {
			c := raw[j]
			j++
			switch {
			case c == '/':
			case c != '=':
				j--
			default:
				hasEq = true
				for j < n && tagClass[raw[j]]&tcSpace != 0 {
					j++
				}
				if j < n {
					q := raw[j]
					j++
					switch q {
					case '>':
						j--
						vs, ve = j, j
					case '"', '\'':
						quote = q
						vs, ve = j, n
						if k := bytes.IndexByte(raw[j:], q); k >= 0 {
							ve = j + k
							j += k + 1
						} else {
							j = n
						}
					default:
						vs = j - 1
						for j < n && tagClass[raw[j]]&tcValEnd == 0 {
							j++
						}
						ve = j
						if j < n && raw[j] != '>' {
							j++ // the white space ending the value
						}
					}
				}
			}
		}
		if collect && ke > ks {
			attrs = append(attrs, attrSpan{})
			a := &attrs[len(attrs)-1]
			a.ks, a.ke, a.vs, a.ve, a.quote, a.hasEq = ks, ke, vs, ve, quote, hasEq
		}
		for j < n && tagClass[raw[j]]&tcSpace != 0 {
			j++
		}
	}
	if j < n { // raw[j] == '>'
		length = j + 1
	}
	return nameEnd, length, attrs
}

// Byte classes for scanTagEnd.
const (
	tcSpace   = 1 << iota // HTML white space
	tcNameEnd             // ends a tag name: white space, '/', '>'
	tcKeyEnd              // ends an attribute key: white space, '/', '>', '='
	tcValEnd              // ends an unquoted value: white space, '>'
	tcAlnum               // ASCII letter or digit
)

var tagClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r\f") {
		t[c] = tcSpace | tcNameEnd | tcKeyEnd | tcValEnd
	}
	t['/'] = tcNameEnd | tcKeyEnd
	t['>'] = tcNameEnd | tcKeyEnd | tcValEnd
	t['='] = tcKeyEnd
	for c := '0'; c <= 'z'; c++ {
		if c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c {
			t[c] = tcAlnum
		}
	}
	return t
}()

// asciiEqualFold compares b with a lower-case ASCII string.
func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// asciiHasPrefixFold reports whether b starts with the lower-case ASCII prefix.
func asciiHasPrefixFold(b []byte, lower string) bool {
	return len(b) >= len(lower) && asciiEqualFold(b[:len(lower)], lower)
}

// isLowerASCII reports whether b has no upper-case ASCII letter.
func isLowerASCII(b []byte) bool {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// attrValue returns the decoded value of an attribute (entities resolved).
func attrValue(raw []byte, a attrSpan) string {
	v := raw[a.vs:a.ve]
	if !hasCharRef(v) {
		return string(v)
	}
	return unescapeAttr(v, a.quote)
}

// textUnescapeSafe reports whether decoding v as text gives what the
// attribute rules give: they differ only for named references without
// their ';' (and the tokenizer also folds CR LF), so every named reference
// must end with ';'. That is the common case ("&quot;", "&amp;").
func textUnescapeSafe(v []byte) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\r', 0:
			return false
		case '&':
			j := i + 1
			for j < len(v) && (v[j]|0x20 >= 'a' && v[j]|0x20 <= 'z' || v[j] >= '0' && v[j] <= '9') {
				j++
			}
			if j > i+1 && v[i+1] != '#' {
				if j == len(v) || v[j] != ';' {
					return false
				}
				// Only whole, known names: "&notit;" decodes "&not" as text
				// but stays as it is in an attribute.
				if d := html.UnescapeString(string(v[i : j+1])); strings.Contains(d, ";") {
					return false
				}
			}
		}
	}
	return true
}

// hasCharRef reports whether v may hold a character reference: an '&'
// followed by a letter, digit or '#'. JavaScript in handlers is full of
// "&&" and "& ", which are not references and need no decoding.
func hasCharRef(v []byte) bool {
	for i := 0; i < len(v); i++ {
		if v[i] != '&' || i+1 >= len(v) {
			continue
		}
		c := v[i+1]
		if c == '#' || (c|0x20 >= 'a' && c|0x20 <= 'z') || (c >= '0' && c <= '9') {
			return true
		}
	}
	return false
}

// unescapeAttr resolves character references the way they are resolved
// in attribute values ("&copy=1" stays as it is there). x/net/html only
// exposes that mode through its tokenizer; values with '&' are rare.
func unescapeAttr(v []byte, q byte) string {
	if textUnescapeSafe(v) {
		return html.UnescapeString(string(v))
	}
	b := make([]byte, 0, len(v)+10)
	b = append(b, "<a v="...)
	if q != 0 {
		b = append(b, q)
	}
	b = append(b, v...)
	if q != 0 {
		b = append(b, q)
	}
	b = append(b, '>')
	z := html.NewTokenizer(bytes.NewReader(b))
	z.Next()
	_, val, _ := z.TagAttr()
	return string(val)
}

// escapeAttr escapes s for a value quoted with q (we always quote the
// values we write; unquoted originals get double quotes).
func escapeAttr(dst []byte, s []byte, q byte) []byte {
	for _, c := range s {
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '"' && q == '"':
			dst = append(dst, "&quot;"...)
		case c == '\'' && q == '\'':
			dst = append(dst, "&#39;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// attrPatch replaces the value of one attribute.
type attrPatch struct {
	a   attrSpan
	val []byte // new value in the page's charset
	esc bool   // val is escaped already (attrOut)
}

// applyPatches appends raw with the patched attribute values to dst,
// escaped for XML when xml is set. Patches are in attribute order.
func applyPatches(dst, raw []byte, patches []attrPatch, xml bool) []byte {
	last := 0
	for _, p := range patches {
		q := p.a.quote
		if q == 0 {
			q = '"'
		}
		if p.a.quote == 0 {
			dst = append(dst, raw[last:p.a.vs]...)
			if !p.a.hasEq {
				dst = append(dst, '=')
			}
			dst = append(dst, q)
		} else {
			dst = append(dst, raw[last:p.a.vs]...)
		}
		switch {
		case p.esc:
			dst = append(dst, p.val...)
		case xml:
			dst = escapeXMLAttr(dst, p.val, q)
		default:
			dst = escapeAttr(dst, p.val, q)
		}
		if p.a.quote == 0 {
			dst = append(dst, q)
		}
		last = p.a.ve
	}
	return append(dst, raw[last:]...)
}

// jsURLAttr reports whether an attribute may hold a navigable URL that a
// javascript: URL would run code from. to, from and by: an SVG <set> or
// <animate> gives them to the attribute it animates, an <a>'s href (adv36,
// x1078); on other elements a javascript: URL there is inert either way.
func jsURLAttr(name []byte) bool {
	switch len(name) {
	case 2:
		return asciiEqualFold(name, "to") || asciiEqualFold(name, "by")
	case 3:
		return asciiEqualFold(name, "src")
	case 4:
		return asciiEqualFold(name, "href") || asciiEqualFold(name, "data") || asciiEqualFold(name, "from")
	case 6:
		return asciiEqualFold(name, "action")
	case 10:
		return asciiEqualFold(name, "formaction") || asciiEqualFold(name, "xlink:href")
	}
	return false
}

// isHandlerAttr reports whether name is an event-handler content attribute.
func isHandlerAttr(name []byte) bool {
	return len(name) > 2 && (name[0] == 'o' || name[0] == 'O') && (name[1] == 'n' || name[1] == 'N')
}

// splitJSURL returns the script source a browser would run for a
// javascript: URL attribute value (already entity-decoded), following the
// URL parser: leading/trailing C0 controls and spaces trimmed, tabs and
// newlines removed, then percent-decoded.
func splitJSURL(v string) (code string, ok bool) {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(v, "\t\n\r") {
		v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	}
	if len(v) < len("javascript:") || !strings.EqualFold(v[:len("javascript:")], "javascript:") {
		return "", false
	}
	return percentDecode(v[len("javascript:"):]), true
}

// percentDecode decodes %XX sequences and leaves malformed ones as they are
// (the URL standard's lenient percent-decode).
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// encodeJSURLCode makes code safe to put after "javascript:" so that the
// browser's URL parsing gives it back unchanged.
func encodeJSURLCode(code []byte) []byte {
	out := make([]byte, 0, len(code)+len("javascript:")+8)
	out = append(out, "javascript:"...)
	for _, c := range code {
		switch c {
		case '%':
			out = append(out, "%25"...)
		case '\t':
			out = append(out, "%09"...)
		case '\n':
			out = append(out, "%0A"...)
		case '\r':
			out = append(out, "%0D"...)
		default:
			out = append(out, c)
		}
	}
	return out
}
