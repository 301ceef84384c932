package caddymodule_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmframe/crmframe/caddymodule"
	"github.com/crmframe/crmframe/internal/benchpage"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// flushSites is a crm_frame site and a plain reverse_proxy site in front
// of up.
func flushSites(t *testing.T, up string) (crm, plain string) {
	cp, pp := caddyrun.FreePort(t), caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
	}
	reverse_proxy %s
}
http://127.0.0.1:%d {
	reverse_proxy %s
}`, cp, up, pp, up))
	return fmt.Sprintf("127.0.0.1:%d", cp), fmt.Sprintf("127.0.0.1:%d", pp)
}

// rawChunks fetches path over a raw HTTP/1.1 connection and returns the
// body and the number of chunks it came in (0: not chunked).
func rawChunks(t *testing.T, addr, path string) ([]byte, int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr)
	br := bufio.NewReader(c)
	chunked := false
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: headers: %v", path, err)
		}
		if strings.EqualFold(strings.TrimSpace(l), "Transfer-Encoding: chunked") {
			chunked = true
		}
		if l == "\r\n" {
			break
		}
	}
	if !chunked {
		b, _ := io.ReadAll(br)
		return b, 0
	}
	var body []byte
	for n := 0; ; n++ {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: chunk %d: %v", path, n, err)
		}
		size, err := strconv.ParseInt(strings.TrimSpace(l), 16, 64)
		if err != nil {
			t.Fatalf("%s: chunk size %q", path, l)
		}
		if size == 0 {
			return body, n
		}
		p := make([]byte, size+2)
		if _, err := io.ReadFull(br, p); err != nil {
			t.Fatalf("%s: chunk %d: %v", path, n, err)
		}
		body = append(body, p[:size]...)
	}
}

// A page from an upstream without Content-Length (a JSP flushing every
// 4 KiB): reverse_proxy flushes after each read, and crm_frame no longer
// turns each of those into a chunk of its own. The delay is made long
// here so that no flush is due before the page ends, whatever the
// machine's load: the page must come in crm_frame's 64 KiB pieces, and be
// the same page as when the upstream sends a length.
func TestChunkedUpstreamFlushesCoalesced(t *testing.T) {
	defer caddymodule.SetFlushDelay(time.Hour)()
	page := benchpage.CRMPage(1, 128<<10)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/sized.html" {
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			w.Write(page)
			return
		}
		for p := page; len(p) > 0; {
			n := min(4<<10, len(p))
			w.Write(p[:n])
			http.NewResponseController(w).Flush()
			p = p[n:]
			// Paced, so that reverse_proxy reads (and flushes) each
			// piece on its own, as from a container still rendering.
			time.Sleep(time.Millisecond)
		}
	}))
	defer up.Close()
	crm, plain := flushSites(t, strings.TrimPrefix(up.URL, "http://"))

	sized, _ := rawChunks(t, crm, "/sized.html")
	body, chunks := rawChunks(t, crm, "/page.jsp")
	if !bytes.Contains(body, []byte("/__crmframe/sdk.js")) || !bytes.Equal(body, sized) {
		t.Fatalf("chunked upstream: %d bytes, SDK injected %v; want the %d bytes of the sized page", len(body), bytes.Contains(body, []byte("/__crmframe/sdk.js")), len(sized))
	}
	// The first piece at once, then 131 KB at 64 KiB a write.
	if chunks == 0 || chunks > 4 {
		t.Errorf("crm_frame sent the page in %d chunks; want at most 4 (the upstream flushed %d times)", chunks, (len(page)+4<<10-1)/(4<<10))
	}
	_, plainChunks := rawChunks(t, plain, "/page.jsp")
	t.Logf("chunks: crm_frame %d, plain reverse_proxy %d", chunks, plainChunks)
}

// A slow upstream without Content-Length sends a chunk, flushes and waits
// until the client has it before sending the next: the first goes out at
// once, each later (delayed) flush must go out on its own, with the real
// delay, plain or compressed.
func TestChunkedUpstreamChunksPrompt(t *testing.T) {
	stages := []string{
		`<!DOCTYPE html><html><head><title>Case</title></head><body><h1>Rossi Mario</h1><table>`,
		// Whole tokens: a trailing text run waits for the next tag.
		"<tr><td>first row</td></tr>",
		"<tr><td>second row</td></tr>",
	}
	marks := []string{"<h1>Rossi Mario</h1>", "first row", "second row"} // SDK tag aside, what the client sees of each
	rest := strings.Repeat("<tr><td>row</td></tr>\n", 200) + "</table></body></html>"
	released := make(chan bool, 2*len(stages)) // true: the client saw the stage in time
	seen := make(chan struct{}, 2*len(stages))
	quit := make(chan struct{}) // the test ended: the upstream stops waiting
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var out io.Writer = w
		flush := func() { http.NewResponseController(w).Flush() }
		if r.URL.Query().Get("gzip") != "" {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			defer zw.Close()
			out = zw
			flush = func() { zw.Flush(); http.NewResponseController(w).Flush() }
		}
		for _, s := range stages {
			io.WriteString(out, s)
			flush()
			select {
			case <-seen:
				released <- true
			case <-time.After(20 * time.Second):
				released <- false
			case <-r.Context().Done():
				return
			case <-quit:
				return
			}
		}
		io.WriteString(out, rest)
	}))
	defer up.Close()
	defer close(quit)
	crm, _ := flushSites(t, strings.TrimPrefix(up.URL, "http://"))
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 60 * time.Second}
	for _, q := range []string{"", "?gzip=1"} {
		req, _ := http.NewRequest("GET", "http://"+crm+"/live.jsp"+q, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			if body, err = gzip.NewReader(resp.Body); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		} else if q != "" {
			t.Fatalf("%s: Content-Encoding %q", q, resp.Header.Get("Content-Encoding"))
		}
		var got []byte
		buf := make([]byte, 4096)
		for i, m := range marks {
			for !bytes.Contains(got, []byte(m)) {
				n, err := body.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					t.Fatalf("%s: %v after %q", q, err, got)
				}
			}
			seen <- struct{}{}
			if !<-released {
				t.Fatalf("%s: chunk %d reached the client only after the upstream sent more", q, i+1)
			}
		}
		restGot, err := io.ReadAll(body)
		resp.Body.Close()
		all := string(append(got, restGot...))
		if err != nil || !strings.Contains(all, "/__crmframe/sdk.js") || !strings.HasSuffix(all, rest) {
			t.Errorf("%s: body %d bytes, %v", q, len(all), err)
		}
	}
}
