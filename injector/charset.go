package injector

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// pageCharset is what we know about a page's character encoding. The
// rewriter tokenises bytes (every encoding we rewrite is ASCII-compatible
// for markup) and only decodes the few script texts and attribute values
// it hands to the JavaScript rewriter.
type pageCharset struct {
	name     string            // WHATWG name, "" when undeclared
	enc      encoding.Encoding // nil for UTF-8 and undeclared
	declared bool
}

// charsetFromLabel resolves a charset label the way browsers do.
func charsetFromLabel(label string) (pageCharset, bool) {
	e, err := htmlindex.Get(strings.TrimSpace(label))
	if err != nil {
		return pageCharset{}, false
	}
	name, _ := htmlindex.Name(e)
	cs := pageCharset{name: name, declared: true}
	if name != "utf-8" {
		cs.enc = e
	}
	return cs, true
}

// asciiIncompatible reports encodings in which markup bytes do not mean
// what they mean in ASCII (the HTML standard's list), so a byte tokeniser
// cannot find tags in them.
func (c pageCharset) asciiIncompatible() bool {
	switch c.name {
	case "utf-16le", "utf-16be", "iso-2022-jp", "replacement":
		return true
	}
	return false
}

// metaCharsetOverride applies the HTML rule that a <meta> declaring UTF-16
// means UTF-8, and x-user-defined means windows-1252.
func metaCharsetOverride(c pageCharset) pageCharset {
	switch c.name {
	case "utf-16le", "utf-16be":
		c, _ = charsetFromLabel("utf-8")
	case "x-user-defined":
		c, _ = charsetFromLabel("windows-1252")
	}
	return c
}

// bomCharset recognises a byte order mark.
func bomCharset(b []byte) (pageCharset, bool) {
	switch {
	case bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")):
		return charsetFromLabel("utf-8")
	case bytes.HasPrefix(b, []byte("\xFE\xFF")):
		return charsetFromLabel("utf-16be")
	case bytes.HasPrefix(b, []byte("\xFF\xFE")):
		return charsetFromLabel("utf-16le")
	}
	return pageCharset{}, false
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// legacyEncoding returns the encoding to decode b with, or nil when b can
// be handed to the JS rewriter as it is (UTF-8 or pure ASCII). Undeclared
// pages that are not valid UTF-8 are read as windows-1252, the HTML
// default.
func (c pageCharset) legacyEncoding(b []byte) encoding.Encoding {
	if isASCII(b) {
		return nil
	}
	if c.enc != nil {
		return c.enc
	}
	if !c.declared && !utf8.Valid(b) {
		return charmap.Windows1252
	}
	return nil
}

// toUTF8 converts page bytes to UTF-8 for the JS rewriter. It fails when
// the bytes would not come back identical (so edits could not be mapped
// back without changing bytes we did not mean to change).
func (c pageCharset) toUTF8(b []byte) (out []byte, enc encoding.Encoding, ok bool) {
	enc = c.legacyEncoding(b)
	if enc == nil {
		return b, nil, true
	}
	u, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return nil, nil, false
	}
	back, err := enc.NewEncoder().Bytes(u)
	if err != nil || !bytes.Equal(back, b) {
		return nil, nil, false
	}
	return u, enc, true
}

// fromUTF8 converts rewritten text back to the page's encoding. In
// attribute values, characters the encoding lacks become character
// references; in scripts they make the edit fail.
func fromUTF8(u []byte, enc encoding.Encoding, attr bool) ([]byte, bool) {
	if enc == nil {
		return u, true
	}
	e := enc.NewEncoder()
	if attr {
		e = encoding.HTMLEscapeUnsupported(e)
	}
	out, err := e.Bytes(u)
	if err != nil {
		return nil, false
	}
	return out, true
}

// metaCharset extracts the charset a <meta> tag declares (charset=, or
// http-equiv=content-type with content="...; charset=..."), "" if none.
func metaCharset(raw []byte, attrs []attrSpan) string {
	var httpEquivCT bool
	var content string
	for _, a := range attrs {
		k := raw[a.ks:a.ke]
		switch {
		case asciiEqualFold(k, "charset"):
			return strings.TrimSpace(attrValue(raw, a))
		case asciiEqualFold(k, "http-equiv"):
			httpEquivCT = strings.EqualFold(strings.TrimSpace(attrValue(raw, a)), "content-type")
		case asciiEqualFold(k, "content"):
			content = attrValue(raw, a)
		}
	}
	if !httpEquivCT {
		return ""
	}
	return charsetFromContent(content)
}

// charsetFromContent is the HTML standard's "extracting a character
// encoding from a meta element".
func charsetFromContent(s string) string {
	for {
		i := indexFold(s, "charset")
		if i < 0 {
			return ""
		}
		s = strings.TrimLeft(s[i+len("charset"):], " \t\n\f\r")
		if !strings.HasPrefix(s, "=") {
			continue
		}
		s = strings.TrimLeft(s[1:], " \t\n\f\r")
		if s == "" {
			return ""
		}
		if q := s[0]; q == '"' || q == '\'' {
			if j := strings.IndexByte(s[1:], q); j >= 0 {
				return s[1 : 1+j]
			}
			return ""
		}
		if j := strings.IndexAny(s, " \t\n\f\r;"); j >= 0 {
			return s[:j]
		}
		return s
	}
}

// xmlDeclCharset reads encoding="..." from an <?xml ...?> declaration.
func xmlDeclCharset(raw []byte) string {
	if !bytes.HasPrefix(raw, []byte("<?xml")) {
		return ""
	}
	s := string(raw)
	i := strings.Index(s, "encoding")
	if i < 0 {
		return ""
	}
	s = strings.TrimLeft(s[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(s, "=") {
		return ""
	}
	s = strings.TrimLeft(s[1:], " \t\r\n")
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return ""
	}
	if j := strings.IndexByte(s[1:], s[0]); j >= 0 {
		return s[1 : 1+j]
	}
	return ""
}
