package injector

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// Import maps (x445): the browser reads a served <script type="importmap">
// when its end tag is parsed, before the shim can see it, so a bare name
// mapped to a data: module would load that module's code unrewritten.
// Each data: URL of a JavaScript module under "imports" or "scopes" goes
// through the JS hook as the specifier of a static import, which the JS
// rewriter rewrites in place (decoded, rewritten as a module, re-encoded):
// one decoder and encoder for both, and the breakout mode (detect, off)
// applies as to any script.

// isImportMap reports whether a <script> start tag (attributes in
// f.attrs) is an inline import map. One with src is ignored by browsers.
func (f *htmlFilter) isImportMap(raw []byte) bool {
	typ, hasType := "", false
	for _, a := range f.attrs {
		k := raw[a.ks:a.ke]
		if f.xhtml && !isLowerASCII(k) {
			continue // XML names are case-sensitive
		}
		switch {
		case asciiEqualFold(k, "src"):
			return false
		case asciiEqualFold(k, "type") && !hasType:
			typ, hasType = attrValue(raw, a), true
		}
	}
	return hasType && strings.EqualFold(strings.Trim(typ, " \t\n\f\r"), "importmap")
}

// mayHoldDataURL is the cheap test before parsing: "data:" in any case,
// or a backslash (a JSON escape can spell it).
func mayHoldDataURL(text []byte) bool {
	if bytes.IndexByte(text, '\\') >= 0 {
		return true
	}
	for i := bytes.IndexByte(text, ':'); i >= 0; {
		if i >= 4 && strings.EqualFold(string(text[i-4:i]), "data") {
			return true
		}
		j := bytes.IndexByte(text[i+1:], ':')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

// rewriteImportMap returns the map text (UTF-8) with its data: module
// URLs rewritten, and how many changed (0: out is nil, send it as it
// came). Text that is not valid JSON is left to the browser, which
// rejects it.
func (f *htmlFilter) rewriteImportMap(text []byte) ([]byte, int) {
	if !mayHoldDataURL(text) || !json.Valid(text) {
		return nil, 0
	}
	var st []mapFrame
	var out []byte
	n, last := 0, 0
	dec := json.NewDecoder(bytes.NewReader(text))
	prev := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0
		}
		end := int(dec.InputOffset())
		top := len(st) - 1
		switch v := tok.(type) {
		case json.Delim:
			if v == '}' || v == ']' {
				st = st[:top]
				break
			}
			if top >= 0 && st[top].obj {
				st[top].wantKey = true
			}
			st = append(st, mapFrame{obj: v == '{', wantKey: v == '{'})
		case string:
			if top >= 0 && st[top].obj && st[top].wantKey {
				st[top].key, st[top].wantKey = v, false
				break
			}
			if top >= 0 && st[top].obj {
				st[top].wantKey = true
			}
			if !mapsModule(st) {
				break
			}
			nu, ok := f.rewriteDataModule(v)
			if !ok {
				break
			}
			start := prev + bytes.IndexByte(text[prev:end], '"')
			lit, err := json.Marshal(nu) // escapes <, > and &: no "</script" or "<!--"
			if err != nil {
				break
			}
			out = append(append(out, text[last:start]...), lit...)
			last = end
			n++
		default:
			if top >= 0 && st[top].obj {
				st[top].wantKey = true
			}
		}
		prev = end
	}
	if n == 0 {
		return nil, 0
	}
	return append(out, text[last:]...), n
}

// mapFrame is an open object or array of the map's JSON; key is the key
// whose value is being read.
type mapFrame struct {
	obj, wantKey bool
	key          string
}

// mapsModule reports whether a string value inside the open containers
// st is a module address: imports.<specifier> or
// scopes.<prefix>.<specifier>, all objects.
func mapsModule(st []mapFrame) bool {
	for _, fr := range st {
		if !fr.obj {
			return false
		}
	}
	return len(st) == 2 && st[0].key == "imports" || len(st) == 3 && st[0].key == "scopes"
}

// rewriteDataModule rewrites one address of an import map when it is a
// data: URL of a JavaScript module (or with no type) that the JS hook
// changes. The URL is read as the browser's URL parser does (outer
// spaces and controls stripped, tabs and newlines removed, no fragment)
// and handed on as `import "…";` with the characters a string literal
// would need escapes for, and a lone '%', percent-encoded (the same
// bytes once decoded).
func (f *htmlFilter) rewriteDataModule(v string) (string, bool) {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	if len(v) < 5 || !strings.EqualFold(v[:5], "data:") {
		return "", false
	}
	if strings.ContainsAny(v, "\t\n\r") {
		v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	}
	v, _, _ = strings.Cut(v, "#")
	meta, body, ok := strings.Cut(v[5:], ",")
	if !ok {
		return "", false
	}
	meta = strings.TrimRight(meta, " \t\n\f\r")
	b64 := false
	if i := strings.LastIndexByte(meta, ';'); i >= 0 && strings.EqualFold(strings.TrimLeft(meta[i+1:], " "), "base64") {
		meta, b64 = meta[:i], true
	}
	essence, _, _ := strings.Cut(meta, ";")
	essence = strings.ToLower(strings.Trim(essence, " \t\n\f\r"))
	if essence != "" && !isJSMIME(essence) {
		return "", false // JSON, CSS: not run as script
	}
	const hex = "0123456789ABCDEF"
	src := make([]byte, 0, len(body)+48)
	src = append(src, `import "data:text/javascript`...)
	if b64 {
		src = append(src, ";base64"...)
	}
	src = append(src, ',')
	for i := 0; i < len(body); i++ {
		c := body[i]
		if b64 && (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
			continue // forgiving-base64 drops them
		}
		if c == '%' && i+2 < len(body) && ishex(body[i+1]) && ishex(body[i+2]) {
			src = append(src, c)
		} else if c == '%' || c == '"' || c == '\\' || c < 0x20 || c >= 0x7f {
			src = append(src, '%', hex[c>>4], hex[c&15])
		} else {
			src = append(src, c)
		}
	}
	src = append(src, `";`...)
	out, ok := f.b.rewriteScriptText(f.req, src, JSModule, f.cs)
	if !ok {
		return "", false
	}
	nu, ok1 := bytes.CutPrefix(out, []byte(`import "`))
	nu, ok2 := bytes.CutSuffix(nu, []byte(`";`))
	if !ok1 || !ok2 || !bytes.HasPrefix(nu, []byte("data:")) || bytes.ContainsAny(nu, "\"\\") {
		return "", false // not the shape the JS rewriter gives
	}
	return string(nu), true
}

// importMapScript rewrites the buffered text of an import map (page
// charset) and emits it.
func (f *htmlFilter) importMapScript() {
	if u, enc, ok := f.cs.toUTF8(f.script); ok {
		if out, n := f.rewriteImportMap(u); n > 0 {
			if b, ok := fromUTF8(out, enc, false); ok {
				f.res.JSRewrites += n
				f.emit(b)
				return
			}
		}
	}
	f.emit(f.script)
}
