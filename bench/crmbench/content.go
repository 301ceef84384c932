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
)

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
	c := &Content{Resources: []*Resource{
		{Name: resHTML128, Path: "/crm/customer.html", ContentType: "text/html; charset=utf-8", Body: html128, HTML: true},
		{Name: resHTML1M, Path: "/crm/report.html", ContentType: "text/html; charset=utf-8", Body: html1M, HTML: true},
		{Name: resJS, Path: "/static/app.bundle.js", ContentType: "application/javascript", Body: js},
		{Name: resImage, Path: "/static/banner.png", ContentType: "image/png", Body: img},
		{Name: resGzip, Path: "/crm/list.html", ContentType: "text/html; charset=utf-8", Body: gz.Bytes(), Gzip: true, HTML: true},
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
