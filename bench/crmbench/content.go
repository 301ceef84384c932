package main

import (
	"bytes"
	"compress/gzip"

	"github.com/crmframe/crmframe/internal/benchpage"
)

// Resource is one thing the upstream serves.
type Resource struct {
	Name        string // short name used in the table
	Path        string
	ContentType string
	Body        []byte // as sent on the wire (already gzipped for Gzip)
	Gzip        bool   // Body is gzip-compressed HTML (Content-Encoding: gzip)
	HTML        bool   // target class: HTML (>= 0.9x) or not (>= 0.98x)
	// Pieces, when set, is Body as a JSP/PHP container sends it: no
	// Content-Length (chunked), a flush after each piece.
	Pieces [][]byte
}

// Content is everything the upstream serves, generated deterministically so
// runs are comparable.
type Content struct {
	Resources []*Resource
	// Stream is the slowly streaming page: First is sent at once, then each
	// of Rest every StreamInterval.
	StreamFirst []byte
	StreamRest  [][]byte
}

// Resource names (rows of the table).
const (
	resHTML128 = "html-128KB"
	resHTML1M  = "html-1MB"
	resJS      = "js-700KB"
	resImage   = "png-2MB"
	resGzip    = "html-gzip"
	// The same pages from an upstream that sends no Content-Length:
	// reverse_proxy then flushes after every read from it.
	resHTML128Chunked = "html-128KB-chunked"
	resGzipChunked    = "html-gzip-chunked"
)

// chunkSizes are the upstream's flush points, cycled: a JSP container
// flushes its 8 KB buffer, PHP its 4 KB one, a page flushes after a part.
var chunkSizes = []int{8 << 10, 4 << 10, 16 << 10, 8 << 10, 12 << 10}

// splitPieces cuts page at the chunkSizes points.
func splitPieces(page []byte) [][]byte {
	var out [][]byte
	for i := 0; len(page) > 0; i++ {
		n := min(chunkSizes[i%len(chunkSizes)], len(page))
		out = append(out, page[:n])
		page = page[n:]
	}
	return out
}

// gzipPieces compresses page as a servlet gzip filter does: the
// compressor is flushed (a deflate sync flush) at every flush point, and
// what it produced up to there is one piece.
func gzipPieces(page []byte) (body []byte, pieces [][]byte, err error) {
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	if err != nil {
		return nil, nil, err
	}
	var ends []int
	for _, p := range splitPieces(page) {
		if _, err := zw.Write(p); err != nil {
			return nil, nil, err
		}
		if err := zw.Flush(); err != nil {
			return nil, nil, err
		}
		ends = append(ends, gz.Len())
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	ends[len(ends)-1] = gz.Len()
	body, start := gz.Bytes(), 0
	for _, e := range ends {
		pieces = append(pieces, body[start:e])
		start = e
	}
	return body, pieces, nil
}

func generateContent() (*Content, error) {
	html128 := benchpage.CRMPage(1, 128<<10)
	html1M := benchpage.CRMPage(2, 1<<20)
	js := benchpage.JSBundle(3, 700<<10)
	img := benchpage.PNGLike(4, 2<<20)
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(benchpage.CRMPage(5, 128<<10)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	gzc, gzcPieces, err := gzipPieces(benchpage.CRMPage(5, 128<<10))
	if err != nil {
		return nil, err
	}
	c := &Content{Resources: []*Resource{
		{Name: resHTML128, Path: "/crm/customer.html", ContentType: "text/html; charset=utf-8", Body: html128, HTML: true},
		{Name: resHTML1M, Path: "/crm/report.html", ContentType: "text/html; charset=utf-8", Body: html1M, HTML: true},
		{Name: resJS, Path: "/static/app.bundle.js", ContentType: "application/javascript", Body: js},
		{Name: resImage, Path: "/static/banner.png", ContentType: "image/png", Body: img},
		{Name: resGzip, Path: "/crm/list.html", ContentType: "text/html; charset=utf-8", Body: gz.Bytes(), Gzip: true, HTML: true},
		{Name: resHTML128Chunked, Path: "/crm/customer.jsp", ContentType: "text/html; charset=utf-8", Body: html128, HTML: true, Pieces: splitPieces(html128)},
		{Name: resGzipChunked, Path: "/crm/list.jsp", ContentType: "text/html; charset=utf-8", Body: gzc, Gzip: true, HTML: true, Pieces: gzcPieces},
	}}
	page := benchpage.CRMPage(6, 48<<10)
	// The first chunk holds <head> and the start of the body, so a rewriter
	// has everything it needs to inject and forward it at once.
	cut := bytes.Index(page, []byte("<table"))
	c.StreamFirst = page[:cut]
	rest := page[cut:]
	for len(rest) > 0 {
		n := min(4096, len(rest))
		c.StreamRest = append(c.StreamRest, rest[:n])
		rest = rest[n:]
	}
	return c, nil
}

func (c *Content) byName(name string) *Resource {
	for _, r := range c.Resources {
		if r.Name == name {
			return r
		}
	}
	return nil
}
