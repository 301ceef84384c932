package injector

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"
)

const (
	fuzzLimit     = 64 << 10 // MaxRewriteSize of the fuzz rewriter
	fuzzBombLimit = 256 << 10
	fuzzBombSize  = 32 << 20 // decoded size of the cached bombs
	// fuzzBombAlloc bounds what one bomb response may allocate in total:
	// the limit plus a fixed per-coding cost (brotli's and zstd's windows
	// and re-encoders: ~10-14 MiB measured, whatever the bomb's size). It is
	// half the bomb, so a filter that held the decoded body would fail.
	fuzzBombAlloc = 16 << 20
)

var (
	bombsOnce sync.Once
	bombs     [][]byte // per testCodings entry
)

func fuzzBombs(t testing.TB) [][]byte {
	bombsOnce.Do(func() {
		plain := bytes.Repeat([]byte("<p>aaaa"), fuzzBombSize/7)
		for _, c := range testCodings {
			bombs = append(bombs, compress(t, c, plain))
		}
	})
	return bombs
}

// refDecode decodes body with the reference decoder, nil when it is not a
// valid stream or decodes to more than max.
func refDecode(c testCoding, body []byte, max int64) []byte {
	r, err := c.decode(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	out, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil || int64(len(out)) > max {
		return nil
	}
	return out
}

// fuzzBody is page compressed with c (mode 0), then truncated at pos (1)
// or with one byte flipped (2); mode 3 is page itself labelled with c.
func fuzzBody(t testing.TB, c testCoding, page []byte, mode uint8, pos uint16) []byte {
	switch mode {
	case 0:
		return compress(t, c, page)
	case 1:
		body := compress(t, c, page)
		return body[:int(pos)%(len(body)+1)]
	case 2:
		body := compress(t, c, page)
		body[int(pos)%len(body)] ^= byte(pos>>8) | 1
		return body
	case 3:
		return page
	}
	return nil
}

// FuzzDecoders drives compressed bodies (valid, truncated, corrupted or
// random bytes, and decompression bombs) through the HTML body filter with
// MaxRewriteSize. The client gets the rewritten page, or the body exactly
// as received, or an aborted response (ErrAbort) — never a silently
// truncated page; a bomb never allocates more than fuzzBombAlloc.
func FuzzDecoders(f *testing.F) {
	for i := range testCodings {
		f.Add([]byte("<html><head><title>x</title></head><body><p>hi</p></body></html>"), uint8(i), uint8(0), uint16(0), uint16(0))
		f.Add([]byte("<p>"+string(bytes.Repeat([]byte("ab"), 500))), uint8(i), uint8(1), uint16(300), uint16(7))
		f.Add([]byte("<script>top.location=self.location</script>"), uint8(i), uint8(2), uint16(20), uint16(1))
		f.Add([]byte("\x1f\x8b\x08\x00garbage"), uint8(i), uint8(3), uint16(0), uint16(3))
		f.Add([]byte{}, uint8(i), uint8(4), uint16(1000), uint16(4096))
	}
	tr, err := NewBodyRewriter(BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, MaxRewriteSize: fuzzLimit})
	if err != nil {
		f.Fatal(err)
	}
	bombRW, err := NewBodyRewriter(BodyOptions{Scripts: []string{testSDK}, MaxRewriteSize: fuzzBombLimit})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, page []byte, codingIdx, mode uint8, pos, chunk uint16) {
		c := testCodings[int(codingIdx)%len(testCodings)]
		body := fuzzBody(t, c, page, mode%5, pos)
		rw := tr
		if mode%5 == 4 { // a bomb, possibly cut short
			rw = bombRW
			body = fuzzBombs(t)[int(codingIdx)%len(testCodings)]
			if pos != 0 {
				body = body[:int(pos)%len(body)]
			}
		}
		var ms0, ms1 runtime.MemStats
		if mode%5 == 4 {
			runtime.GC()
			runtime.ReadMemStats(&ms0)
		}
		out, err, _ := run(t, rw, getReq(), 200, codedHeader(c.name), body, int(chunk))
		if mode%5 == 4 {
			runtime.ReadMemStats(&ms1)
			if a := ms1.TotalAlloc - ms0.TotalAlloc; a > fuzzBombAlloc {
				t.Fatalf("%s bomb (%d bytes in): allocated %d KiB", c.label(), len(body), a>>10)
			}
			if int64(len(out)) > fuzzBombLimit+int64(len(body)) {
				t.Fatalf("%s bomb: sent %d bytes", c.label(), len(out))
			}
		}
		switch {
		case errors.Is(err, ErrAbort):
			return
		case err != nil:
			t.Fatalf("%s: unexpected error %v", c.label(), err)
		case bytes.Equal(out, body):
			return
		}
		// Anything else must be the rewrite of a complete, valid stream.
		plain := refDecode(c, body, fuzzLimit)
		if plain == nil {
			t.Fatalf("%s mode %d: an invalid or oversized stream (%d bytes) came out changed and not aborted", c.label(), mode%5, len(body))
		}
		want, werr, _ := run(t, rw, getReq(), 200, htmlHeader("text/html; charset=utf-8"), plain, 0)
		if werr != nil {
			t.Fatal(werr)
		}
		got := refDecode(c, out, 4*fuzzLimit)
		if got == nil || !bytes.Equal(got, want) {
			t.Fatalf("%s mode %d: output is neither the rewritten page nor the input", c.label(), mode%5)
		}
	})
}

// FuzzRecoding is FuzzDecoders for a browser that accepts zstd
// (recompress_coding zstd), through the ResponseWriter, with or without a
// flush after each chunk: the client gets the body exactly as received
// under the CRM's Content-Encoding, or the rewritten page under zstd, or
// an aborted response — never bytes under a coding they are not in.
func FuzzRecoding(f *testing.F) {
	for i := range testCodings {
		f.Add([]byte("<html><head><title>x</title></head><body><p>hi</p></body></html>"), uint8(i), uint8(0), uint16(0), uint16(0), false)
		f.Add([]byte("<p>"+string(bytes.Repeat([]byte("ab"), 500))), uint8(i), uint8(1), uint16(300), uint16(7), true)
		f.Add([]byte("<script>top.location=self.location</script>"), uint8(i), uint8(2), uint16(20), uint16(1), true)
		f.Add([]byte("\x1f\x8b\x08\x00garbage"), uint8(i), uint8(3), uint16(0), uint16(3), false)
		f.Add([]byte{}, uint8(i), uint8(0), uint16(0), uint16(2), true)
	}
	tr, err := NewBodyRewriter(BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, MaxRewriteSize: fuzzLimit})
	if err != nil {
		f.Fatal(err)
	}
	cfg := &Config{Policy: HeaderPolicy{FrameAncestors: []string{"https://desk.example"}}, Body: tr.Filter}
	f.Fuzz(func(t *testing.T, page []byte, codingIdx, mode uint8, pos, chunk uint16, flush bool) {
		c := testCodings[int(codingIdx)%len(testCodings)]
		body := fuzzBody(t, c, page, mode%4, pos)
		rec, err := recodeServe(t, cfg, "gzip, deflate, br, zstd", codedHeader(c.name), body, int(chunk), flush)
		out, ce := rec.Body.Bytes(), rec.Result().Header.Get("Content-Encoding")
		switch {
		case errors.Is(err, ErrAbort):
			return
		case err != nil:
			t.Fatalf("%s: unexpected error %v", c.label(), err)
		case ce == c.name && bytes.Equal(out, body):
			return
		case ce != "zstd":
			t.Fatalf("%s mode %d: Content-Encoding %q and the body changed", c.label(), mode%4, ce)
		}
		plain := refDecode(c, body, fuzzLimit)
		if plain == nil {
			t.Fatalf("%s mode %d: an invalid or oversized stream (%d bytes) came out changed and not aborted", c.label(), mode%4, len(body))
		}
		want, werr, _ := run(t, tr, getReq(), 200, htmlHeader("text/html; charset=utf-8"), plain, 0)
		if werr != nil {
			t.Fatal(werr)
		}
		if got := refDecode(zstdCoding, out, 4*fuzzLimit); got == nil || !bytes.Equal(got, want) {
			t.Fatalf("%s mode %d: zstd output is not the rewritten page", c.label(), mode%4)
		}
	})
}
