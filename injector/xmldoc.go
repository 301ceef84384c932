package injector

import (
	"net/http"
	"strings"
)

// Documents no rewriter reaches. Chromium renders every XML type as an XML
// document (text/xml, application/xml, text/xsl and any */*+xml it does not
// download), and an XML document runs scripts and inline handlers of the
// XHTML and SVG namespaces (<h:script xmlns:h="http://www.w3.org/1999/xhtml">),
// and whatever an <?xml-stylesheet type="text/xsl"?> transform outputs; it
// sniffs the bodies of unknown/unknown, application/unknown and */* (and
// of a response without Content-Type) and may render them as HTML. None of
// these gets the HTML rewriter or the shim: rewriting XML scripts would need
// a namespace-aware parser, and XSLT output exists only in the browser.
// They get the CSP sandbox instead (see applyCSP): scripts, forms, popups
// and same-origin access keep working, navigating the CRM page or the
// desktop does not. The body is never touched, so a fetch()/XHR of XML gets
// the CRM's exact bytes (the header is inert there); the sandbox does not
// depend on the request, but revalidation does (keepSandboxCached).

// unrewrittenDocType reports whether a Content-Type value names a document
// the browser may run scripts in that crm_frame does not rewrite:
// application/xhtml+xml goes through the HTML rewriter and is not one. Runs
// on every response: no allocation.
func unrewrittenDocType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	switch {
	case strings.EqualFold(mt, "application/xhtml+xml"):
		return false
	case strings.EqualFold(mt, "text/xml"), strings.EqualFold(mt, "application/xml"), strings.EqualFold(mt, "text/xsl"),
		strings.EqualFold(mt, "unknown/unknown"), strings.EqualFold(mt, "application/unknown"), mt == "*/*":
		return true
	}
	// type/subtype+xml (image/svg+xml, application/rss+xml, …): Chromium's
	// test for an XML MIME type (a slash, and a suffix after it).
	slash := strings.IndexByte(mt, '/')
	return slash > 0 && len(mt)-slash > len("/+xml") && strings.EqualFold(mt[len(mt)-4:], "+xml")
}

// unlabeledBody reports a response whose body the browser will sniff and
// crm_frame never saw labelled: no Content-Type value, and none that Go's
// server adds later either, because a Content-Encoding is set (neither
// needsSniff nor the server looks at encoded bytes) or the field is there
// with no value (the server's way of saying "do not sniff"). Chromium
// decodes and sniffs it: an HTML page there would run unrewritten.
func unlabeledBody(r *http.Request, status int, h http.Header) bool {
	if r.Method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified || status < 200 {
		return false
	}
	if strings.TrimSpace(h.Get("Content-Type")) != "" {
		return false // the usual case, decided without a loop
	}
	typed, encoded := false, false
	for k, vs := range h {
		switch {
		case strings.EqualFold(k, "Content-Type"):
			typed = true
			for _, v := range vs {
				if strings.TrimSpace(v) != "" {
					return false
				}
			}
		case strings.EqualFold(k, "Content-Encoding"):
			encoded = true
		}
	}
	return typed || encoded
}

// keepSandboxCached keeps a cached copy of a sandboxed document from losing
// its sandbox: Chromium replaces a cached response's CSP with the one of a
// 304 that revalidates it, and a 304 (no Content-Type) gets no sandbox. So
// a copy fetched for a frame (or by a client that does not say) carries no
// validators: it is fetched whole again, with its sandbox, instead of being
// revalidated. A copy fetched by script or <img> keeps them (an XML API's
// ETag is used for If-Match), and every copy varies on Sec-Fetch-Dest so
// that a frame never revalidates one of those.
func keepSandboxCached(r *http.Request, status int, h http.Header) {
	if r.Method == http.MethodHead || status == http.StatusNotModified || status < 200 {
		return
	}
	addVary(h, "Sec-Fetch-Dest")
	switch strings.ToLower(r.Header.Get("Sec-Fetch-Dest")) {
	case "", "document", "iframe", "frame", "embed", "object":
		removeHeader(h, "ETag")
		removeHeader(h, "Last-Modified")
	}
}
