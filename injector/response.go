package injector

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BodyFilter processes a response body on its way to the client. Writes
// arrive as the upstream produces them; Flush is called when the upstream
// flushed (push out what can be); Close when the body is complete.
type BodyFilter interface {
	io.Writer
	Flush() error
	Close() error
}

// BodyPolicy decides, once the header policy ran, how the body of one
// response is handled. It may edit h (Content-Length, ETag, CSP nonce...)
// before the headers are sent. Returning nil streams the body untouched.
// dst writes to the client.
type BodyPolicy func(r *http.Request, status int, h http.Header, dst io.Writer) BodyFilter

// HeaderObserver receives what the header policy changed on each response.
type HeaderObserver func(Changes)

// Config assembles what a proxied response goes through.
type Config struct {
	Policy   HeaderPolicy
	Body     BodyPolicy     // optional
	Observer HeaderObserver // optional
	// FlushDelay, when > 0, is how long a flush that follows body bytes a
	// filter rewrites may wait for more of them, once an earlier flush
	// did. Caddy's reverse_proxy flushes after every read from an
	// upstream that sends no Content-Length (JSP, PHP pages); each flush
	// would otherwise cost a chunk on the wire and, on compressed pages,
	// a deflate sync flush. Output still goes out at most FlushDelay
	// after such a flush. The first flush of the body, a flush with no
	// body bytes since the previous one and an abort send at once.
	FlushDelay time.Duration

	// afterFunc replaces time.AfterFunc in tests.
	afterFunc func(time.Duration, func()) stopper
}

// stopper is the part of *time.Timer the delayed flush uses.
type stopper interface{ Stop() bool }

// ResponseWriter wraps the downstream writer of one proxied response. It
// applies the header policy when the headers are written and routes the
// body through the BodyPolicy's filter.
type ResponseWriter struct {
	http.ResponseWriter
	cfg         *Config
	req         *http.Request
	wroteHeader bool
	filter      BodyFilter
	err         error
	mount       string // path prefix stripped before us ("" for none)
	status      int
	// sniffing: the status is decided but the response has no
	// Content-Type; the first bytes are held to label it (see needsSniff).
	sniffing bool
	sniffBuf []byte
	// held: the final headers are decided but wait for the body's first
	// byte (a filter that buffers the whole body announces its length,
	// or one that may change the content coding sets it: coder).
	held  bool
	coder codingSetter

	// mu serialises the handler's calls with the delayed flush, which runs
	// on a timer's goroutine (see Config.FlushDelay).
	mu           sync.Mutex
	wroteBody    bool // body bytes since the last flush
	flushedBody  bool // a flush already followed body bytes
	flushPending bool
	flushTimer   stopper
}

// sniffLen is how much net/http's DetectContentType looks at.
const sniffLen = 512

// needsSniff reports whether a final response goes out without a
// Content-Type that Go's server would then label itself, from its first
// bytes (http.DetectContentType), on the way to the client: crm_frame must
// handle it as that type (a legacy CGI page labelled text/html there would
// otherwise run without the SDK and with its frame-busting code intact).
func needsSniff(r *http.Request, status int, h http.Header) bool {
	if r.Method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified || status < 200 {
		return false
	}
	return len(headerKeys(h, "Content-Type")) == 0 && len(headerKeys(h, "Content-Encoding")) == 0
}

// Wrap returns the writer to hand to the next handler; call Close when the
// next handler returned.
func (c *Config) Wrap(w http.ResponseWriter, r *http.Request) *ResponseWriter {
	return c.WrapAt(w, r, "")
}

// WrapAt is Wrap for a request whose path a handler before us stripped of
// mount (e.g. "/crm" for a browser path /crm/page that r has as /page):
// upstream URLs and cookie paths are mapped back under it (see
// HeaderPolicy.Apply).
func (c *Config) WrapAt(w http.ResponseWriter, r *http.Request, mount string) *ResponseWriter {
	return &ResponseWriter{ResponseWriter: w, cfg: c, req: r, mount: mount}
}

// WriteHeader applies the policy and sends the headers. 1xx informational
// responses pass through untouched (they are not the final response).
func (w *ResponseWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	if status >= 100 && status < 200 && status != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.wroteHeader, w.status = true, status
	if w.cfg.Body != nil && needsSniff(w.req, status, w.Header()) {
		w.sniffing = true
		return
	}
	w.commit(status)
}

// endSniff labels a response held by needsSniff as Go's server would, then
// sends its headers and the bytes held.
func (w *ResponseWriter) endSniff() error {
	buf := w.sniffBuf
	w.sniffing, w.sniffBuf = false, nil
	if len(buf) > 0 {
		w.Header().Set("Content-Type", http.DetectContentType(buf))
	}
	w.commit(w.status)
	if len(buf) == 0 {
		return nil
	}
	_, err := w.write(buf)
	return err
}

// commit applies the policy and sends the headers.
func (w *ResponseWriter) commit(status int) {
	h := w.Header()
	client := ClientOrigin(w.req)
	client.Path = w.mount
	sniffed := unlabeledBody(w.req, status, h)
	ch := w.cfg.Policy.apply(h, client, sniffed)
	if sniffed || unrewrittenDocType(h.Get("Content-Type")) {
		keepSandboxCached(w.req, status, h)
	}
	if status >= 300 && status < 400 && framedNavigation(w.req) {
		if o := foreignOrigin(h.Get("Location"), w.req, client); o != "" {
			ch.ForeignRedirect, ch.Path = o, w.req.URL.Path
		}
	}
	if w.cfg.Observer != nil {
		w.cfg.Observer(ch)
	}
	if w.cfg.Body != nil && status != http.StatusSwitchingProtocols {
		w.filter = w.cfg.Body(w.req, status, h, passThrough{w})
	}
	w.coder, _ = w.filter.(codingSetter) // kept: Close clears filter before the last writes
	_, whole := w.filter.(lengthAnnouncer)
	if whole || w.coder != nil && !w.coder.codingDecided() {
		// Nothing reaches the wire before the first body byte anyway
		// (net/http sends the headers with it).
		w.held = true
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

// lengthAnnouncer is a filter that holds the whole body and can say its
// length before the first byte: the response then goes out with a
// Content-Length instead of chunked (net/http writes every chunk over 4 KiB
// with two system calls, the first of 4 KiB).
type lengthAnnouncer interface{ holdsBody() }

// codingSetter is a filter that may send the body in another content
// coding than the CRM's (BodyOptions.RecompressCoding): the headers wait
// until the filter knows which bytes go out first (codingDecided), and
// setCoding fixes Content-Encoding just before they are sent.
type codingSetter interface {
	setCoding(http.Header)
	codingDecided() bool
}

// release sends the held headers.
func (w *ResponseWriter) release() {
	if w.held {
		w.held = false
		if w.coder != nil {
			w.coder.setCoding(w.Header())
		}
		w.ResponseWriter.WriteHeader(w.status)
	}
}

// announceLength sets the Content-Length of a body written whole from
// here on, if the headers are still held.
func (w *ResponseWriter) announceLength(n int) {
	if w.held {
		w.Header().Set("Content-Length", strconv.Itoa(n))
	}
}

// Write routes the body through the filter, if any.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(p) > 0 {
		w.wroteBody = true
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.sniffing {
		w.sniffBuf = append(w.sniffBuf, p...)
		if len(w.sniffBuf) < sniffLen {
			return len(p), nil
		}
		if err := w.endSniff(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return w.write(p)
}

func (w *ResponseWriter) write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.filter == nil {
		return w.ResponseWriter.Write(p)
	}
	n, err := w.filter.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}

// Flush forwards an upstream flush (SSE, long polls, streaming pages).
func (w *ResponseWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.deferFlush() {
		return
	}
	w.flush()
}

// deferFlush arms the delayed flush (Config.FlushDelay) instead of
// flushing now, when a filter rewrites the body, body bytes came since the
// last flush and an earlier flush already sent body bytes (the upstream
// streams: the first chunk goes out at once). A flush with nothing new
// (the headers, Caddy's flush before trailers or before aborting) goes
// out at once, taking what is pending with it.
func (w *ResponseWriter) deferFlush() bool {
	if w.cfg.FlushDelay <= 0 || !w.wroteBody || !w.flushedBody || w.filter == nil || w.sniffing || w.held || w.err != nil {
		return false
	}
	w.wroteBody = false
	if !w.flushPending {
		w.flushPending = true
		after := w.cfg.afterFunc
		if after == nil {
			after = func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }
		}
		w.flushTimer = after(w.cfg.FlushDelay, w.delayedFlush)
	}
	return true
}

// delayedFlush is the flush deferFlush postponed.
func (w *ResponseWriter) delayedFlush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.flushPending { // else Close, Abort or a flush came first
		w.flush()
	}
}

// cancelFlush drops a pending delayed flush.
func (w *ResponseWriter) cancelFlush() {
	if w.flushPending {
		w.flushPending = false
		w.flushTimer.Stop()
		w.flushTimer = nil
	}
}

// flush pushes out what the filter holds and flushes the client's writer.
func (w *ResponseWriter) flush() {
	w.cancelFlush()
	w.flushedBody = w.flushedBody || w.wroteBody
	w.wroteBody = false
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.sniffing {
		// Go's server labels a flushed response with what it has.
		if err := w.endSniff(); err != nil {
			w.err = err
			return
		}
	}
	if w.filter != nil && w.err == nil {
		if err := w.filter.Flush(); err != nil {
			w.err = err
			return
		}
	}
	if w.held && w.coder != nil && !w.coder.codingDecided() {
		// The headers wait for the coding of the body's first byte
		// (Caddy flushes them before the body of a chunked response):
		// sent now, they would rule out passing the CRM's bytes on as
		// received. Nothing of the body is held back by this.
		return
	}
	w.release()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// FlushError is Flush for http.ResponseController.
func (w *ResponseWriter) FlushError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.deferFlush() {
		w.flush()
	}
	return w.err
}

// Hijack supports protocol upgrades (WebSocket through the proxy).
func (w *ResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *ResponseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ReadFrom keeps io.Copy from bypassing the filter through a sendfile path.
func (w *ResponseWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.filter == nil && !w.sniffing {
		if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
			return rf.ReadFrom(r)
		}
	}
	return io.Copy(writerOnly{w}, r)
}

// Close completes the body. The next handler must have returned.
func (w *ResponseWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cancelFlush() // what it would send goes out now
	if w.sniffing {
		// A short body: label it with what there is.
		if err := w.endSniff(); err != nil && w.err == nil {
			w.err = err
		}
	}
	if w.filter == nil {
		return w.err
	}
	f := w.filter
	w.filter = nil
	if err := f.Close(); err != nil && w.err == nil {
		w.err = err
	}
	w.release() // an empty body, or a failed one: the headers as before
	return w.err
}

// Written reports whether the final response headers were sent.
func (w *ResponseWriter) Written() bool { return w.wroteHeader }

// Status is the final status sent (0 before).
func (w *ResponseWriter) Status() int { return w.status }

// Abort releases the filter without writing anything more (the response
// is being aborted), but for a delayed flush still pending.
func (w *ResponseWriter) Abort() { w.AbortWith("") }

// AbortWith is Abort with the reason the filter reports (ReasonClientGone,
// ReasonUpstreamBroke; "" for ReasonAborted). A filter whose writes to the
// client already failed reports ReasonClientGone whatever the reason.
func (w *ResponseWriter) AbortWith(reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.flushPending {
		// Without the delay it would have gone out already (the client
		// sees what came before the failure, as Caddy means it to).
		w.flush()
	}
	w.sniffing, w.sniffBuf = false, nil
	f := w.filter
	w.filter = nil
	if a, ok := f.(interface{ abortWith(string) }); ok {
		a.abortWith(reason)
	} else if a, ok := f.(Aborter); ok {
		a.Abort()
	}
	w.release() // the client sees an unfinished chunked body, as before
}

// Err reports the first error the filter returned.
func (w *ResponseWriter) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// ErrAbort tells the caller the response could not be completed safely and
// the connection must be aborted so the client sees an incomplete response
// rather than a silently truncated one.
var ErrAbort = errors.New("crmframe: response aborted")

type writerOnly struct{ io.Writer }

// framedNavigation reports whether r loads a document into a frame.
func framedNavigation(r *http.Request) bool {
	d := strings.ToLower(r.Header.Get("Sec-Fetch-Dest"))
	return d == "iframe" || d == "frame"
}

// foreignOrigin returns the origin of loc (resolved against the request)
// when it is another origin than the client's, else "". Upstream origins
// were already rewritten to the client's by the header policy.
func foreignOrigin(loc string, r *http.Request, client *url.URL) string {
	if loc == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(loc))
	if err != nil {
		return ""
	}
	base := *client
	base.Path = r.URL.Path
	u = base.ResolveReference(u)
	if u.Host == "" || sameOrigin(u, client) {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + u.Host
}

// sameOrigin compares scheme, host and port (a default port may be
// written or not).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && effectivePort(a) == effectivePort(b)
}

// passThrough hides the ReaderFrom/Flusher methods of the downstream
// writer from filters: they write bytes, the wrapper flushes.
type passThrough struct{ w *ResponseWriter }

func (p passThrough) Write(b []byte) (int, error) {
	p.w.release()
	return p.w.ResponseWriter.Write(b)
}

// announceLength: see ResponseWriter.announceLength.
func (p passThrough) announceLength(n int) { p.w.announceLength(n) }
