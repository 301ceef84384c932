package injector

import (
	"bytes"
	"fmt"
	"testing"
)

// Served declarative shadow roots get the shim's marker first (pass 27:
// a closed root's _top link and form were out of every listener's reach,
// x895, x896), on the fast skip and the tokenizer path, in any chunking;
// other templates, XHTML and rewriters without MarkShadowRoots stay as sent.
func TestMarkShadowRoots(t *testing.T) {
	page := `<!doctype html><html><head><title>t</title></head><body><p>x</p>` +
		`<x-a><template shadowrootmode="closed"><a href="?s=2" target="_top"><slot></slot></a></template><b>go</b></x-a>` +
		`<x-b><TEMPLATE class=c SHADOWROOTMODE=open data-x='a>b'><i>i</i></TEMPLATE></x-b>` +
		`<template><p>plain</p></template><template id=t shadowrootmodex="open"></template></body></html>`
	for _, mark := range []bool{false, true} {
		for _, fast := range []bool{false, true} {
			for _, chunk := range []int{0, 1, 7, 64} {
				name := fmt.Sprintf("mark=%v fast=%v chunk=%d", mark, fast, chunk)
				tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, MarkShadowRoots: mark})
				func() {
					disableFastSkip = !fast
					defer func() { disableFastSkip = false }()
					out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), []byte(page), chunk)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					want := 0
					if mark {
						want = 2 // shadowrootmodex is not the attribute
					}
					if got := bytes.Count(out, dsdMark); got != want {
						t.Errorf("%s: %d markers, want %d: %s", name, got, want, out)
					}
					if mark && !bytes.Contains(out, []byte(`<template shadowrootmode="closed">`+string(dsdMark)+`<a href`)) {
						t.Errorf("%s: marker not first in the closed root: %s", name, out)
					}
					if !bytes.Contains(out, []byte(`<template><p>plain</p></template>`)) {
						t.Errorf("%s: a plain template changed: %s", name, out)
					}
				}()
			}
		}
	}
	// XHTML: no declarative shadow roots there
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, MarkShadowRoots: true})
	x := `<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body><template shadowrootmode="open"><i>i</i></template></body></html>`
	out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("application/xhtml+xml"), []byte(x), 0)
	if err != nil || bytes.Contains(out, dsdMark) {
		t.Errorf("xhtml: err=%v %s", err, out)
	}
}
