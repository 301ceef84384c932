package injector

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"testing"
)

// writePieces sends body through a JS filter in pieces of the given sizes
// (the last one repeated), as reverse_proxy does: a short first read, then
// 32 KiB ones. It returns the output and the most bytes the filter held
// between writes.
func writePieces(t *testing.T, b *BodyRewriter, h http.Header, body []byte, sizes []int) (out []byte, held int) {
	t.Helper()
	var buf bytes.Buffer
	f, ok := b.Filter(getReq(), 200, h, &buf).(*jsFilter)
	if !ok {
		t.Fatal("not a JS filter")
	}
	for i := 0; len(body) > 0; i++ {
		n := min(sizes[min(i, len(sizes)-1)], len(body))
		if _, err := f.Write(body[:n]); err != nil {
			t.Fatal(err)
		}
		body = body[n:]
		held = max(held, len(f.buf))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), held
}

// A short first write followed by large ones (reverse_proxy's reads): a
// hit holds no more than the lookup prefix, and a body that differs from
// the cached one anywhere (in the short write, in the prefix's part of the
// large write, at the prefix's end, after it in the same write, in a
// later write, or only in length) gets its own rewrite, never the cached one.
func TestJSCacheShortFirstWrite(t *testing.T) {
	var cj countingJS
	tr := newTestRewriter(t, cj.opts(16<<20))
	src := []byte("top.location = 1;\n")
	for i := 0; len(src) < 100<<10; i++ {
		src = fmt.Appendf(src, "var line%d = %d; // filler\n", i, i)
	}
	src = append(src, "top.location = 2;\n"...)
	sizes := []int{1700, 32 << 10}
	for _, withLength := range []bool{false, true} {
		h := func(b []byte) http.Header {
			h := htmlHeader("application/javascript")
			if withLength {
				h.Set("Content-Length", strconv.Itoa(len(b)))
			}
			return h
		}
		tr.BodyRewriter.jsCache = newJSCache(16 << 20)
		want, _ := fakeRewriteJS(src, JSClassic)
		if out, _ := writePieces(t, tr.BodyRewriter, h(src), src, sizes); !bytes.Equal(out, want) {
			t.Fatal("first fetch: wrong output")
		}
		if res := tr.last(t); res.JSCache != "miss" {
			t.Fatalf("first fetch: %q", res.JSCache)
		}
		out, held := writePieces(t, tr.BodyRewriter, h(src), src, sizes)
		if !bytes.Equal(out, want) || tr.last(t).JSCache != "hit" {
			t.Fatalf("second fetch: cache %q, output equal %v", tr.last(t).JSCache, bytes.Equal(out, want))
		}
		if held > jsPrefix {
			t.Errorf("a hit held %d bytes, want at most %d", held, jsPrefix)
		}
		for _, at := range []int{5, 1699, 1700, 3000, jsPrefix - 1, jsPrefix, jsPrefix + 1, 20000, 32<<10 + 1700, len(src) - 1} {
			changed := bytes.Clone(src)
			changed[at] ^= 0x20
			want, ok := fakeRewriteJS(changed, JSClassic)
			if !ok {
				want = changed
			}
			if out, _ := writePieces(t, tr.BodyRewriter, h(changed), changed, sizes); !bytes.Equal(out, want) {
				t.Fatalf("byte %d changed (length %v): got the output of another script", at, withLength)
			}
			if res := tr.last(t); res.JSCache != "miss" {
				t.Fatalf("byte %d changed: cache %q", at, res.JSCache)
			}
		}
		longer := append(bytes.Clone(src), "top.location = 3;"...)
		want, _ = fakeRewriteJS(longer, JSClassic)
		if out, _ := writePieces(t, tr.BodyRewriter, h(longer), longer, sizes); !bytes.Equal(out, want) || tr.last(t).JSCache != "miss" {
			t.Fatalf("longer body: cache %q, output equal %v", tr.last(t).JSCache, bytes.Equal(out, want))
		}
	}
}
