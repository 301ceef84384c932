package injector

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmframe/crmframe/internal/benchpage"
)

// flushRecorder counts what reaches the client's writer.
type flushRecorder struct {
	*httptest.ResponseRecorder
	writes, flushes int
}

func (r *flushRecorder) Write(p []byte) (int, error) {
	r.writes++
	return r.ResponseRecorder.Write(p)
}

func (r *flushRecorder) Flush() {
	r.flushes++
	r.ResponseRecorder.Flush()
}

// fakeTimers stands in for time.AfterFunc: a delayed flush runs only when
// the test fires it.
type fakeTimers struct{ armed []*fakeTimer }

type fakeTimer struct {
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

// fire runs the callback, even after Stop: a real timer's callback may
// already be waiting for the lock when Stop is called.
func (t *fakeTimer) fire() { t.f() }

func (ft *fakeTimers) after(_ time.Duration, f func()) stopper {
	t := &fakeTimer{f: f}
	ft.armed = append(ft.armed, t)
	return t
}

func flushConfig(t testing.TB, delay time.Duration, timers *fakeTimers) *Config {
	t.Helper()
	br, err := NewBodyRewriter(BodyOptions{Scripts: []string{"/__crmframe/sdk.js?v=1"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Policy: HeaderPolicy{FrameAncestors: []string{"https://desk.example"}}, Body: br.Filter, FlushDelay: delay}
	if timers != nil {
		cfg.afterFunc = timers.after
	}
	return cfg
}

// gzipFlushed compresses page as a servlet gzip filter does: a sync flush
// after every piece. It returns the compressed pieces.
func gzipFlushed(pieces [][]byte) [][]byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	var out [][]byte
	for i, p := range pieces {
		start := buf.Len()
		zw.Write(p)
		if i == len(pieces)-1 {
			zw.Close()
		} else {
			zw.Flush()
		}
		out = append(out, bytes.Clone(buf.Bytes()[start:]))
	}
	return out
}

// gunzipPrefix decodes as much of a (possibly unfinished) gzip stream as
// it can.
func gunzipPrefix(b []byte) string {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	out, _ := io.ReadAll(zr)
	return string(out)
}

// crmPagePieces is the bench's 128 KB CRM page cut in pieces of n bytes, as
// a chunked upstream writes it.
func crmPagePieces(n int) [][]byte {
	var pieces [][]byte
	for p := benchpage.CRMPage(1, 128<<10); len(p) > 0; {
		k := min(n, len(p))
		pieces, p = append(pieces, p[:k]), p[k:]
	}
	return pieces
}

// An upstream that sends no Content-Length makes reverse_proxy flush after
// every read. With a FlushDelay those flushes wait for more input: the
// rewritten page goes out in the filter's 64 KiB chunks instead of one
// chunk (and, compressed, one deflate sync flush) per read, and the body
// the client decodes is the same.
func TestFlushDelayCoalescesChunkedUpstream(t *testing.T) {
	pieces := crmPagePieces(8 << 10)
	for _, coding := range []string{"identity", "gzip"} {
		in := pieces
		if coding == "gzip" {
			in = gzipFlushed(pieces)
		}
		type result struct {
			body            string
			wire            int
			writes, flushes int
			timers          *fakeTimers
		}
		run := func(delay time.Duration) result {
			timers := &fakeTimers{}
			rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
			w := flushConfig(t, delay, timers).Wrap(rec, httptest.NewRequest("GET", "http://crm.example/customer.jsp", nil))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if coding == "gzip" {
				w.Header().Set("Content-Encoding", "gzip")
			}
			w.WriteHeader(http.StatusOK)
			for _, p := range in { // what reverse_proxy does, read after read
				if _, err := w.Write(p); err != nil {
					t.Fatal(err)
				}
				w.Flush()
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r := result{body: rec.Body.String(), wire: rec.Body.Len(), writes: rec.writes, flushes: rec.flushes, timers: timers}
			if coding == "gzip" {
				r.body = gunzipPrefix(rec.Body.Bytes())
			}
			return r
		}
		now, coalesced := run(0), run(5*time.Millisecond)
		if !strings.Contains(now.body, "/__crmframe/sdk.js") || now.body != coalesced.body {
			t.Fatalf("%s: the coalesced body (%d bytes) differs from the one flushed at once (%d bytes)", coding, len(coalesced.body), len(now.body))
		}
		if now.flushes != len(in) || now.writes < len(in)-1 {
			t.Errorf("%s: flushed at once: %d writes, %d flushes for %d upstream reads", coding, now.writes, now.flushes, len(in))
		}
		// The first piece at once, then 131 KB of output at 64 KiB a
		// write; the server flushes at the end.
		if coalesced.writes > 4 || coalesced.flushes != 1 {
			t.Errorf("%s: coalesced: %d writes, %d flushes; want at most 4 writes and only the first piece flushed before the end", coding, coalesced.writes, coalesced.flushes)
		}
		if n := len(coalesced.timers.armed); n != 1 || !coalesced.timers.armed[0].stopped {
			t.Errorf("%s: %d delayed flushes armed (want 1, stopped by Close)", coding, n)
		}
		if coding == "gzip" && coalesced.wire >= now.wire {
			t.Errorf("gzip: %d bytes sent coalesced, %d flushed at once: sync flushes should cost bytes", coalesced.wire, now.wire)
		}
		t.Logf("%s: flushed at once %d writes, %d flushes, %d bytes; coalesced %d writes, %d flushes, %d bytes", coding, now.writes, now.flushes, now.wire, coalesced.writes, coalesced.flushes, coalesced.wire)
	}
}

// A slow upstream: a chunk, a flush, then nothing for a while. The first
// chunk goes out at once; later flushes are delayed, not lost: once the
// delay ends without more input the client has the whole chunk,
// rewritten and (compressed pages) decodable.
func TestFlushDelaySendsChunkWhenInputPauses(t *testing.T) {
	stages := []string{
		"<!doctype html><html><head><title>Case</title></head><body><h1>Rossi Mario</h1><table>",
		"<tr><td>42</td></tr>",
		"<tr><td>43</td></tr>",
		"<tr><td>44</td></tr>",
		"</table></body></html>",
	}
	for _, coding := range []string{"identity", "gzip"} {
		in := make([][]byte, len(stages))
		for i, s := range stages {
			in[i] = []byte(s)
		}
		if coding == "gzip" {
			in = gzipFlushed(in)
		}
		timers := &fakeTimers{}
		rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
		w := flushConfig(t, time.Hour, timers).Wrap(rec, httptest.NewRequest("GET", "http://crm.example/live.jsp", nil))
		w.Header().Set("Content-Type", "text/html")
		if coding == "gzip" {
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.WriteHeader(http.StatusOK)
		client := func() string {
			if coding == "gzip" {
				return gunzipPrefix(rec.Body.Bytes())
			}
			return rec.Body.String()
		}
		step := func(i, wantFlushes, wantTimers int) {
			t.Helper()
			w.Write(in[i])
			w.Flush()
			if rec.flushes != wantFlushes || len(timers.armed) != wantTimers {
				t.Fatalf("%s: chunk %d: %d flushes, %d delayed; want %d, %d", coding, i+1, rec.flushes, len(timers.armed), wantFlushes, wantTimers)
			}
		}
		w.Flush() // reverse_proxy's first flush, before any body: the headers go at once
		if rec.flushes != 1 || len(timers.armed) != 0 {
			t.Fatalf("%s: headers: %d flushes, %d timers", coding, rec.flushes, len(timers.armed))
		}
		step(0, 2, 0) // the first chunk: at once
		if got := client(); !strings.Contains(got, "<h1>Rossi Mario</h1>") || !strings.Contains(got, "/__crmframe/sdk.js") {
			t.Fatalf("%s: after the first chunk the client has %q", coding, got)
		}

		step(1, 2, 1)          // delayed
		timers.armed[0].fire() // no more input within the delay
		if got := client(); rec.flushes != 3 || !strings.Contains(got, "<td>42</td>") {
			t.Fatalf("%s: after the delay: %d flushes, client has %q", coding, rec.flushes, got)
		}

		// A flush with nothing new since the last one (reverse_proxy's
		// before trailers or an abort) goes out at once.
		step(2, 3, 2)
		w.Flush()
		if got := client(); rec.flushes != 4 || !timers.armed[1].stopped || !strings.Contains(got, "<td>43</td>") {
			t.Fatalf("%s: a flush with nothing new: %d flushes, timer stopped %v, client has %q", coding, rec.flushes, timers.armed[1].stopped, got)
		}
		timers.armed[1].fire() // late: nothing more to do
		if rec.flushes != 4 {
			t.Errorf("%s: a stopped delayed flush flushed again", coding)
		}

		step(3, 4, 3)
		step(4, 4, 3) // coalesced with the pending one
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		writes := rec.writes
		timers.armed[2].fire() // after the handler returned: must not touch the writer
		if !timers.armed[2].stopped || rec.writes != writes || rec.flushes != 4 {
			t.Errorf("%s: a delayed flush after Close: stopped %v, writes %d → %d, flushes %d", coding, timers.armed[2].stopped, writes, rec.writes, rec.flushes)
		}
		if got := client(); !strings.HasSuffix(got, "<td>44</td></tr></table></body></html>") {
			t.Errorf("%s: final body %q", coding, got)
		}
	}
}

// An abort (the upstream broke) with a delayed flush pending: what that
// flush would have sent still goes out first, as without the delay.
func TestFlushDelayPendingAtAbort(t *testing.T) {
	timers := &fakeTimers{}
	rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
	w := flushConfig(t, time.Hour, timers).Wrap(rec, httptest.NewRequest("GET", "http://crm.example/live.jsp", nil))
	w.Header().Set("Content-Type", "text/html")
	w.Write([]byte("<!doctype html><html><head><title>Case</title></head><body><p>one</p>"))
	w.Flush()
	w.Write([]byte("<p>two</p>"))
	w.Flush()
	if len(timers.armed) != 1 || strings.Contains(rec.Body.String(), "<p>two</p>") {
		t.Fatalf("second chunk: %d delayed, client has %q", len(timers.armed), rec.Body.String())
	}
	w.AbortWith(ReasonUpstreamBroke)
	if !timers.armed[0].stopped || rec.flushes != 2 || !strings.Contains(rec.Body.String(), "<p>two</p>") {
		t.Errorf("abort: timer stopped %v, %d flushes, client has %q", timers.armed[0].stopped, rec.flushes, rec.Body.String())
	}
	n := rec.Body.Len()
	timers.armed[0].fire()
	if rec.Body.Len() != n || rec.flushes != 2 {
		t.Errorf("a delayed flush after the abort wrote to the client")
	}
}

// What the delay must not change: a body no filter touches (server-sent
// events, images) and a JavaScript response held whole are flushed at once.
func TestFlushDelayOnlyForFilteredBodies(t *testing.T) {
	for _, ct := range []string{"text/event-stream", "application/javascript"} {
		timers := &fakeTimers{}
		rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
		w := flushConfig(t, time.Hour, timers).Wrap(rec, httptest.NewRequest("GET", "http://crm.example/x", nil))
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("data: 1\n\n"))
		w.Flush()
		if rec.flushes != 1 || len(timers.armed) != 0 {
			t.Errorf("%s: %d flushes, %d delayed; want flushed at once", ct, rec.flushes, len(timers.armed))
		}
		if ct == "text/event-stream" && rec.Body.String() != "data: 1\n\n" {
			t.Errorf("%s: client has %q after the flush", ct, rec.Body.String())
		}
		w.Close()
	}
}

// The delayed flush runs on a timer's goroutine while the proxy keeps
// writing: run under -race, with a real timer, the body must come out
// whole and in order.
func TestFlushDelayRealTimer(t *testing.T) {
	page := benchpage.CRMPage(7, 64<<10)
	ref := func() string {
		rec := httptest.NewRecorder()
		w := flushConfig(t, 0, nil).Wrap(rec, httptest.NewRequest("GET", "http://crm.example/p", nil))
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
		w.Close()
		return rec.Body.String()
	}()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			w := flushConfig(t, time.Microsecond, nil).Wrap(rec, httptest.NewRequest("GET", "http://crm.example/p", nil))
			w.Header().Set("Content-Type", "text/html")
			for p := page; len(p) > 0; {
				n := min(1<<10, len(p))
				w.Write(p[:n])
				w.Flush()
				p = p[n:]
			}
			if err := w.Close(); err != nil {
				t.Error(err)
			}
			if rec.Body.String() != ref {
				t.Errorf("body differs with a real delayed flush (%d against %d bytes)", rec.Body.Len(), len(ref))
			}
		}()
	}
	wg.Wait()
}
