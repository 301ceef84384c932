package injector

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// countingJS wraps fakeRewriteJS, counting calls and noting the source
// length so cache hits can be told from fresh rewrites.
type countingJS struct {
	calls atomic.Int64
	hits  atomic.Int64
	notes sync.Map // note -> times replayed
}

func (c *countingJS) opts(size int64) BodyOptions {
	return BodyOptions{
		Scripts:     []string{testSDK},
		JSCacheSize: size,
		RewriteJSNote: func(src []byte, k JSKind) ([]byte, bool, any) {
			c.calls.Add(1)
			out, changed := fakeRewriteJS(src, k)
			return out, changed, fmt.Sprintf("len=%d", len(src))
		},
		OnJSCacheHit: func(note any) {
			c.hits.Add(1)
			v, _ := c.notes.LoadOrStore(note, new(atomic.Int64))
			v.(*atomic.Int64).Add(1)
		},
	}
}

func TestJSCacheHitsServeTheSameBytes(t *testing.T) {
	var cj countingJS
	tr := newTestRewriter(t, cj.opts(1<<20))
	src := []byte("if (top.location != self.location) { top.location = self.location; }\n")
	want := bytes.ReplaceAll(src, []byte("top.location"), []byte(`__cf.loc("classic")`))
	other := []byte("var x = top.location; // another script\n")
	plain := []byte("var unchanged = 1;")

	for i := range 3 {
		for _, c := range []struct {
			in, want []byte
		}{{src, want}, {other, bytes.ReplaceAll(other, []byte("top.location"), []byte(`__cf.loc("classic")`))}, {plain, plain}} {
			out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), c.in, 7)
			if err != nil || !bytes.Equal(out, c.want) {
				t.Fatalf("round %d: err=%v out=%q", i, err, out)
			}
			res := tr.last(t)
			wantCache := "miss"
			if i > 0 {
				wantCache = "hit"
			}
			if res.JSCache != wantCache || res.Action != ActionRewrittenJS {
				t.Fatalf("round %d %q: %+v", i, c.in, res)
			}
			if changed := !bytes.Equal(c.in, c.want); (res.JSRewrites == 1) != changed {
				t.Fatalf("round %d: JSRewrites=%d for changed=%v", i, res.JSRewrites, changed)
			}
		}
	}
	if n := cj.calls.Load(); n != 3 {
		t.Errorf("rewriter ran %d times for 3 distinct scripts fetched 3 times each", n)
	}
	if n := cj.hits.Load(); n != 6 {
		t.Errorf("OnJSCacheHit called %d times, want 6", n)
	}
	v, _ := cj.notes.Load(fmt.Sprintf("len=%d", len(src)))
	if v == nil || v.(*atomic.Int64).Load() != 2 {
		t.Errorf("note of the first script replayed %v times, want 2", v)
	}
	st := tr.jsCacheStats()
	if st.Hits != 6 || st.Misses != 3 || st.Entries != 3 {
		t.Errorf("stats %+v", st)
	}
}

// The same bytes under another coding, charset or script kind are other
// entries: what is cached depends on all of them.
func TestJSCacheKey(t *testing.T) {
	var cj countingJS
	tr := newTestRewriter(t, cj.opts(1<<20))
	src := []byte("top.location = '/x';")
	run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), src, 0)
	run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript; charset=windows-1252"), src, 0)
	r := getReq()
	r.Header.Set("Sec-Fetch-Dest", "script")
	r.Header.Set("Sec-Fetch-Mode", "cors")
	out, _, _ := run(t, tr.BodyRewriter, r, 200, htmlHeader("text/javascript"), src, 0)
	if !bytes.Contains(out, []byte(`"module"`)) {
		t.Errorf("module fetch served the classic rewrite: %q", out)
	}
	gz := compress(t, testCodings[0], src)
	h := htmlHeader("text/javascript")
	h.Set("Content-Encoding", "gzip")
	out, _, _ = run(t, tr.BodyRewriter, getReq(), 200, h, gz, 0)
	if got := decompress(t, testCodings[0], out); !bytes.Contains(got, []byte("__cf.loc")) {
		t.Errorf("gzip: %q", got)
	}
	if n := cj.calls.Load(); n != 4 {
		t.Errorf("rewriter ran %d times, want 4 (one per key)", n)
	}
	// And the gzip one hits on its own key, still gzip-encoded.
	h = htmlHeader("text/javascript")
	h.Set("Content-Encoding", "gzip")
	out, _, _ = run(t, tr.BodyRewriter, getReq(), 200, h, gz, 3)
	if got := decompress(t, testCodings[0], out); !bytes.Contains(got, []byte("__cf.loc")) || tr.last(t).JSCache != "hit" {
		t.Errorf("gzip hit: %q %+v", got, tr.last(t))
	}
	// Corrupt bodies are remembered as such and still go out as received.
	bad := append([]byte("xx"), gz...)
	for range 2 {
		out, _, _ = run(t, tr.BodyRewriter, getReq(), 200, h, bad, 0)
		if !bytes.Equal(out, bad) || tr.last(t).Action != ActionUndecodable {
			t.Errorf("corrupt: %+v", tr.last(t))
		}
	}
	if tr.last(t).JSCache != "hit" {
		t.Errorf("corrupt body not cached: %+v", tr.last(t))
	}
}

func TestJSCacheEviction(t *testing.T) {
	var cj countingJS
	script := func(i int) []byte {
		return fmt.Appendf(nil, "top.location = '/%d';%s", i, bytes.Repeat([]byte(" "), 900))
	}
	// What one entry costs (source plus rewrite), measured.
	probe := newTestRewriter(t, cj.opts(1<<20))
	run(t, probe.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), script(0), 0)
	cost := probe.jsCacheStats().Bytes
	if cost < 1800 {
		t.Fatalf("entry cost %d", cost)
	}
	// Room for 4.5 entries: the fifth evicts the least recently used.
	budget := cost*4 + cost/2
	tr := newTestRewriter(t, cj.opts(budget))
	fetch := func(i int) string {
		out, _, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), script(i), 0)
		if !bytes.Contains(out, fmt.Appendf(nil, "'/%d'", i)) || !bytes.Contains(out, []byte("__cf.loc")) {
			t.Fatalf("script %d: %q", i, out[:40])
		}
		return tr.last(t).JSCache
	}
	for i := range 5 {
		fetch(i)
	}
	if got := fetch(4) + fetch(3) + fetch(2) + fetch(1); got != "hithithithit" {
		t.Errorf("recent entries: %s", got)
	}
	if got := fetch(0); got != "miss" {
		t.Errorf("evicted entry: %s", got)
	}
	if st := tr.jsCacheStats(); st.Bytes > budget || st.Entries != 4 {
		t.Errorf("over budget %d: %+v", budget, st)
	}
	// A script bigger than a quarter of the budget is never cached.
	big := fmt.Appendf(nil, "top.location = 1;%s", bytes.Repeat([]byte(" "), int(budget/4)))
	for range 2 {
		run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), big, 0)
		if c := tr.last(t).JSCache; c != "" {
			t.Errorf("big script looked up: %q", c)
		}
	}
}

// Concurrent fetches of a few scripts each get their own script's rewrite
// (run with -race).
func TestJSCacheConcurrent(t *testing.T) {
	var cj countingJS
	b, err := NewBodyRewriter(cj.opts(1 << 20))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				n := (g + i) % 5
				src := fmt.Appendf(nil, "top.location = '/%d';", n)
				out, err, _ := run(t, b, getReq(), 200, htmlHeader("text/javascript"), src, 4)
				want := fmt.Sprintf(`__cf.loc("classic") = '/%d';`, n)
				if err != nil || string(out) != want {
					t.Errorf("got %q want %q", out, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := cj.calls.Load(); n < 5 || n > 5*8 {
		t.Errorf("rewriter ran %d times for 5 scripts", n)
	}
}

func TestJSCacheOff(t *testing.T) {
	var cj countingJS
	tr := newTestRewriter(t, cj.opts(0))
	src := []byte("top.location = 1;")
	for range 2 {
		run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), src, 0)
		if c := tr.last(t).JSCache; c != "" {
			t.Errorf("cache off but looked up: %q", c)
		}
	}
	if cj.calls.Load() != 2 {
		t.Errorf("calls %d", cj.calls.Load())
	}
	if _, err := NewBodyRewriter(BodyOptions{JSCacheSize: -1}); err == nil {
		t.Error("negative size accepted")
	}
}

// Versions of one bundle share their first bytes (the lookup prefix) and
// often their length; each fetch, in any chunking, with or without a
// Content-Length, must get exactly its own script's rewrite, and a hit only
// when those exact bytes were seen before.
func TestJSCacheSharedPrefixVersions(t *testing.T) {
	var cj countingJS
	tr := newTestRewriter(t, cj.opts(64<<20))
	head := bytes.Repeat([]byte("/* license header, identical in every version */\n"), 200) // > jsPrefix
	body := func(v int, tail string) []byte {
		b := append(bytes.Clone(head), fmt.Sprintf("var v = %03d; top.location = '/v';", v)...)
		return append(b, tail...)
	}
	versions := [][]byte{
		body(1, ""), body(2, ""), body(3, ""), body(4, ""), body(5, ""), body(6, ""), // same length
		body(1, " // longer"), // one version is a prefix of another
		head[:jsPrefix-1],     // shorter than the prefix
		head[:jsPrefix],       // exactly the prefix
		append(bytes.Clone(head[:jsPrefix]), "top.location = 0"...),
		[]byte("top.location = 1"), // tiny
	}
	seen := map[string]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		src := versions[rng.IntN(len(versions))]
		h := htmlHeader("text/javascript")
		if rng.IntN(2) == 0 {
			h.Set("Content-Length", strconv.Itoa(len(src)))
		}
		chunk := []int{0, 1, 7, 4095, 4096, 4097, 1000}[rng.IntN(7)]
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, h, src, chunk)
		want, changed := fakeRewriteJS(src, JSClassic)
		if !changed {
			want = src
		}
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("fetch %d (len %d, chunk %d): err=%v, got %d bytes, want %d", i, len(src), chunk, err, len(out), len(want))
		}
		res := tr.last(t)
		wantCache := "miss"
		if seen[string(src)] {
			wantCache = "hit"
		}
		// Six same-length versions share one slot of four: the least
		// recently used ones are evicted, so a miss on a seen one is fine.
		if res.JSCache != wantCache && !(wantCache == "hit" && res.JSCache == "miss") {
			t.Fatalf("fetch %d: cache %q, want %q", i, res.JSCache, wantCache)
		}
		seen[string(src)] = true
	}
	st := tr.jsCacheStats()
	if st.Hits < 200 {
		t.Errorf("only %d hits in 400 fetches of %d scripts: %+v", st.Hits, len(versions), st)
	}
	// Repeated fetches of one version always hit once it is cached.
	for range 3 {
		run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), versions[2], 1000)
	}
	if c := tr.last(t).JSCache; c != "hit" {
		t.Errorf("repeated version: %q", c)
	}
}

// A body that outgrows max_rewrite_size while it was matching a cached
// script goes out whole and unchanged.
func TestJSCacheMatchThenTooLarge(t *testing.T) {
	var cj countingJS
	opts := cj.opts(16 << 20)
	opts.MaxRewriteSize = 20000
	tr := newTestRewriter(t, opts)
	src := append([]byte("top.location = 1;"), bytes.Repeat([]byte(" "), 19000)...)
	run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), src, 0) // cached
	big := append(bytes.Clone(src), bytes.Repeat([]byte("x"), 5000)...)
	out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), big, 4096)
	if err != nil || !bytes.Equal(out, big) {
		t.Fatalf("err=%v, %d bytes out of %d", err, len(out), len(big))
	}
	if res := tr.last(t); res.Action != ActionTooLarge {
		t.Errorf("%+v", res)
	}
}

// Concurrent fetches of bundle versions that share their lookup prefix,
// under a budget small enough to evict while others match against the
// evicted entries: each fetch gets its own script's rewrite (run with -race).
func TestJSCacheConcurrentVersions(t *testing.T) {
	var cj countingJS
	head := bytes.Repeat([]byte("/* shared header of every version */\n"), 200)
	script := func(n int) []byte {
		return append(bytes.Clone(head), fmt.Sprintf("top.location = '/%d';", n)...)
	}
	probe := newTestRewriter(t, cj.opts(1<<20))
	run(t, probe.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), script(0), 0)
	cost := probe.jsCacheStats().Bytes
	budget := cost*4 + cost/2 // room for 4 of 6 versions (and one slot holds 4)
	b, err := NewBodyRewriter(cj.opts(budget))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 40 {
				n := (g*7 + i) % 6
				h := htmlHeader("text/javascript")
				if i%2 == 0 {
					h.Set("Content-Length", strconv.Itoa(len(script(n))))
				}
				out, err, _ := run(t, b, getReq(), 200, h, script(n), 1500+g*500)
				if want := fmt.Sprintf(`__cf.loc("classic") = '/%d';`, n); err != nil || !bytes.HasSuffix(out, []byte(want)) || !bytes.HasPrefix(out, head) {
					t.Errorf("version %d: err=%v, got ...%q", n, err, out[max(0, len(out)-40):])
					return
				}
			}
		})
	}
	wg.Wait()
	if st := b.jsCacheStats(); st.Hits == 0 || st.Misses == 0 || st.Bytes > budget {
		t.Errorf("stats %+v (budget %d)", st, budget)
	}
}
