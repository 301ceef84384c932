package injector

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// Content codings we decode and re-encode.
const (
	codingIdentity = ""
	codingGzip     = "gzip"
	codingDeflate  = "deflate"
	codingBr       = "br"
	codingZstd     = "zstd"
)

// Recompression is how hard a rewritten body is compressed again when the
// CRM sent it compressed. The proxy re-encodes every page on every request,
// so even the best setting stays far from the codings' slowest levels.
type Recompression int

const (
	// RecompressDefault: gzip/deflate 5, brotli 4, zstd default (Caddy's
	// encode defaults).
	RecompressDefault Recompression = iota
	// RecompressFastest: gzip/deflate 1, brotli 1, zstd fastest; about half
	// the CPU of the default for 10–15 % larger pages.
	RecompressFastest
	// RecompressBetter: gzip/deflate 7, brotli 5, zstd better compression.
	RecompressBetter
	numRecompress
)

func (r Recompression) String() string {
	switch r {
	case RecompressDefault:
		return "default"
	case RecompressFastest:
		return "fastest"
	case RecompressBetter:
		return "better"
	}
	return fmt.Sprintf("Recompression(%d)", int(r))
}

// ParseRecompression reads the names String returns.
func ParseRecompression(s string) (Recompression, error) {
	for r := RecompressDefault; r < numRecompress; r++ {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("recompress level %q: want fastest, default or better", s)
}

var levels = [numRecompress]struct {
	flate, brotli int
	zstd          zstd.EncoderLevel
	// toZstd is the zstd level for a body the CRM sent in another coding
	// (RecompressToZstd): the fastest level already compresses pages about
	// as well as gzip 5, for 0.3–0.8× its CPU (measured on the bench page
	// and real HTML, docs/performance.md).
	toZstd zstd.EncoderLevel
}{
	RecompressDefault: {5, 4, zstd.SpeedDefault, zstd.SpeedFastest},
	RecompressFastest: {1, 1, zstd.SpeedFastest, zstd.SpeedFastest},
	RecompressBetter:  {7, 5, zstd.SpeedBetterCompression, zstd.SpeedDefault},
}

// RecompressCoding says which content coding a rewritten body that the
// CRM sent compressed goes out in.
type RecompressCoding int

const (
	// RecompressToZstd: zstd when the browser accepts it (Accept-Encoding,
	// q-values honoured) at least as much as the CRM's coding, else the
	// CRM's coding. Bodies sent unchanged keep the CRM's coding.
	RecompressToZstd RecompressCoding = iota
	// RecompressSame: always the CRM's coding.
	RecompressSame
)

func (c RecompressCoding) String() string {
	switch c {
	case RecompressToZstd:
		return "zstd"
	case RecompressSame:
		return "same"
	}
	return fmt.Sprintf("RecompressCoding(%d)", int(c))
}

// ParseRecompressCoding reads the names String returns.
func ParseRecompressCoding(s string) (RecompressCoding, error) {
	switch s {
	case "zstd":
		return RecompressToZstd, nil
	case "same":
		return RecompressSame, nil
	}
	return 0, fmt.Errorf("recompress coding %q: want zstd or same", s)
}

// recodable reports whether a body the CRM sent in coding in may go out in
// another coding (then the response varies with Accept-Encoding).
func recodable(in string, c RecompressCoding) bool {
	return c == RecompressToZstd && in != codingIdentity && in != codingZstd
}

// outCoding is the coding a rewritten body whose upstream coding is in goes
// out in, for a request with these Accept-Encoding values.
func outCoding(in string, c RecompressCoding, accept []string) string {
	if !recodable(in, c) {
		return in
	}
	z, zok := AcceptQ(accept, codingZstd)
	if !zok || z <= 0 {
		return in
	}
	// The CRM's coding, as the browser rates it (an upstream that ignored
	// Accept-Encoding may have sent one it did not name).
	if q, ok := AcceptQ(accept, in); ok && q > z {
		return in
	}
	return codingZstd
}

// AcceptQ is the q-value Accept-Encoding values give coding (x-gzip
// counts as gzip), falling back to "*"; named is false when neither is
// there. A q that does not parse counts as 1, as most servers read it.
func AcceptQ(values []string, coding string) (q float64, named bool) {
	exact, star := -1.0, -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			pq := 1.0
			for p := range strings.SplitSeq(params, ";") {
				if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						pq = f
					}
				}
			}
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "x-gzip" {
				name = codingGzip
			}
			switch name {
			case coding:
				exact = max(exact, pq)
			case "*":
				star = max(star, pq)
			}
		}
	}
	if exact >= 0 {
		return exact, true
	}
	if star >= 0 {
		return star, true
	}
	return 0, false
}

// zstdMaxWindow bounds the memory a zstd stream may ask us for.
const zstdMaxWindow = 8 << 20

var errTooLarge = errors.New("decoded body larger than max_rewrite_size")

// contentCoding maps a Content-Encoding header to a coding we handle.
// ok is false for codings we cannot decode (including stacked codings).
func contentCoding(h []string) (coding string, ok bool) {
	var v string
	switch len(h) {
	case 0:
		return codingIdentity, true
	case 1:
		v = h[0]
	default:
		return "", false
	}
	v = strings.ToLower(strings.TrimSpace(v))
	switch v {
	case "", "identity":
		return codingIdentity, true
	case "gzip", "x-gzip":
		return codingGzip, true
	case "deflate":
		return codingDeflate, true
	case "br":
		return codingBr, true
	case "zstd":
		return codingZstd, true
	}
	return "", false
}

// decodeError marks a failure of the upstream's compressed stream (as
// opposed to a failure writing to the client).
type decodeError struct{ err error }

func (e decodeError) Error() string { return "decoding upstream body: " + e.err.Error() }
func (e decodeError) Unwrap() error { return e.err }

var (
	gzipReaders   sync.Pool
	brotliReaders sync.Pool
	zstdReaders   sync.Pool
	flateReaders  sync.Pool
)

// decoder is a pooled decompressor reading from src.
type decoder struct {
	io.Reader
	release func()
	// rawDeflate records that a "deflate" body was raw DEFLATE (RFC 1951)
	// rather than zlib (RFC 1950), so we re-encode it the same way.
	rawDeflate bool
}

// newDecoder returns a decoder for coding reading src. Errors (a bad
// header) are decodeErrors.
func newDecoder(coding string, src io.Reader) (*decoder, error) {
	switch coding {
	case codingGzip:
		if zr, ok := gzipReaders.Get().(*gzip.Reader); ok {
			if err := zr.Reset(src); err != nil {
				gzipReaders.Put(zr)
				return nil, decodeError{err}
			}
			return &decoder{Reader: zr, release: func() { gzipReaders.Put(zr) }}, nil
		}
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, decodeError{err}
		}
		return &decoder{Reader: zr, release: func() { gzipReaders.Put(zr) }}, nil
	case codingDeflate:
		// Servers send either zlib (what the RFC says) or raw deflate:
		// tell them apart by the zlib header.
		var hdr [2]byte
		n, err := io.ReadFull(src, hdr[:])
		if err != nil {
			return nil, decodeError{err}
		}
		src = io.MultiReader(bytes.NewReader(hdr[:n]), src)
		if hdr[0]&0x0f == 8 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 {
			zr, err := zlib.NewReader(src)
			if err != nil {
				return nil, decodeError{err}
			}
			return &decoder{Reader: zr, release: func() {}}, nil
		}
		if fr, ok := flateReaders.Get().(io.ReadCloser); ok {
			if err := fr.(flate.Resetter).Reset(src, nil); err == nil {
				return &decoder{Reader: fr, release: func() { flateReaders.Put(fr) }, rawDeflate: true}, nil
			}
		}
		fr := flate.NewReader(src)
		return &decoder{Reader: fr, release: func() { flateReaders.Put(fr) }, rawDeflate: true}, nil
	case codingBr:
		br, ok := brotliReaders.Get().(*brotli.Reader)
		if ok {
			_ = br.Reset(src)
		} else {
			br = brotli.NewReader(src)
		}
		return &decoder{Reader: br, release: func() { brotliReaders.Put(br) }}, nil
	case codingZstd:
		zd, ok := zstdReaders.Get().(*zstd.Decoder)
		if ok {
			if err := zd.Reset(src); err != nil {
				zstdReaders.Put(zd)
				return nil, decodeError{err}
			}
		} else {
			var err error
			zd, err = zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(zstdMaxWindow), zstd.WithDecoderMaxMemory(zstdMaxWindow))
			if err != nil {
				return nil, decodeError{err}
			}
		}
		return &decoder{Reader: zd, release: func() {
			_ = zd.Reset(nil)
			zstdReaders.Put(zd)
		}}, nil
	}
	return nil, fmt.Errorf("unsupported content coding %q", coding)
}

// limitedDecoder reports decode failures as decodeErrors and stops once
// more than max bytes came out (a decompression bomb is cut off there,
// never held in memory).
type limitedDecoder struct {
	r   io.Reader
	n   int64
	max int64
}

func (l *limitedDecoder) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, errTooLarge
	}
	if err != nil && err != io.EOF && !errors.Is(err, errStopped) {
		err = decodeError{err}
	}
	return n, err
}

// encoder re-compresses the rewritten body.
type encoder interface {
	io.Writer
	Flush() error
	Close() error
}

// Encoder pools, one per level (a pooled writer keeps its level on Reset).
var (
	gzipWriters   [numRecompress]sync.Pool
	zlibWriters   [numRecompress]sync.Pool
	flateWriters  [numRecompress]sync.Pool
	brotliWriters [numRecompress]sync.Pool
	zstdWriters   [numRecompress]sync.Pool
	// zstd for bodies the CRM sent in another coding (levels' toZstd)
	zstdFromWriters [numRecompress]sync.Pool
)

// newEncoder returns a pooled encoder for coding at level writing to dst,
// for a body the CRM sent in coding in, and a function returning it to its
// pool once closed.
func newEncoder(in, coding string, rawDeflate bool, level Recompression, dst io.Writer) (encoder, func()) {
	if level < 0 || level >= numRecompress {
		level = RecompressDefault
	}
	lv := levels[level]
	switch coding {
	case codingGzip:
		pool := &gzipWriters[level]
		zw, ok := pool.Get().(*gzip.Writer)
		if ok {
			zw.Reset(dst)
		} else {
			zw, _ = gzip.NewWriterLevel(dst, lv.flate)
		}
		return zw, func() { pool.Put(zw) }
	case codingDeflate:
		if rawDeflate {
			pool := &flateWriters[level]
			fw, ok := pool.Get().(*flate.Writer)
			if ok {
				fw.Reset(dst)
			} else {
				fw, _ = flate.NewWriter(dst, lv.flate)
			}
			return fw, func() { pool.Put(fw) }
		}
		pool := &zlibWriters[level]
		zw, ok := pool.Get().(*zlib.Writer)
		if ok {
			zw.Reset(dst)
		} else {
			zw, _ = zlib.NewWriterLevel(dst, lv.flate)
		}
		return zw, func() { pool.Put(zw) }
	case codingBr:
		pool := &brotliWriters[level]
		bw, ok := pool.Get().(*brotli.Writer)
		if ok {
			bw.Reset(dst)
		} else {
			bw = brotli.NewWriterLevel(dst, lv.brotli)
		}
		return bw, func() { pool.Put(bw) }
	case codingZstd:
		pool, zl := &zstdWriters[level], lv.zstd
		if in != codingZstd {
			pool, zl = &zstdFromWriters[level], lv.toZstd
		}
		zw, ok := pool.Get().(*zstd.Encoder)
		if ok {
			zw.Reset(dst)
		} else {
			zw, _ = zstd.NewWriter(dst, zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true),
				zstd.WithWindowSize(1<<20), zstd.WithEncoderLevel(zl))
		}
		return zw, func() {
			zw.Reset(nil)
			pool.Put(zw)
		}
	}
	panic("injector: newEncoder with unsupported coding " + coding)
}

// decodeAll decodes a whole buffered body, stopping at max bytes.
func decodeAll(coding string, body []byte, max int64) ([]byte, bool, error) {
	if coding == codingIdentity {
		return body, false, nil
	}
	d, err := newDecoder(coding, bytes.NewReader(body))
	if err != nil {
		return nil, false, err
	}
	defer d.release()
	var out bytes.Buffer
	_, err = io.Copy(&out, &limitedDecoder{r: d, max: max})
	if err != nil {
		return nil, false, err
	}
	return out.Bytes(), d.rawDeflate, nil
}

// encodeAll compresses a whole body the CRM sent in coding in.
func encodeAll(in, coding string, rawDeflate bool, level Recompression, body []byte) ([]byte, error) {
	if coding == codingIdentity {
		return body, nil
	}
	var out bytes.Buffer
	enc, release := newEncoder(in, coding, rawDeflate, level, &out)
	if _, err := enc.Write(body); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	release()
	return out.Bytes(), nil
}
