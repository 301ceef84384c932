package engine

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/crmframe/crmframe/engine/wire"
	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// WebSocket close codes sent by the hub (docs/protocol.md).
const (
	CloseServiceRestart = 1012 // server shutting down or reloading: reconnect and resume
	ClosePolicy         = 1008 // too many connections for the agent
	CloseTooBig         = 1009 // message larger than max_message_size (sent by gorilla)
	CloseSlowConsumer   = 4000 // send queue overflowed: reconnect and resume
	CloseHelloTimeout   = 4001 // no hello in time
	CloseRateLimited    = 4008 // more messages than command_rate/command_burst allow
)

// TokenCookie and TokenParam are where the hub looks for the agent token.
const (
	TokenCookie = "crmframe_token"
	TokenParam  = "token"
)

// WSOptions configure a WebSocket handler.
type WSOptions struct {
	// CheckOrigin decides whether a request's Origin may connect (required:
	// the caller knows the allowed desktop and CRM origins). nil refuses
	// every request that carries an Origin header.
	CheckOrigin func(r *http.Request) bool
}

// Memory per idle connection (target: 12 KB of process RSS at 10,000
// connections): one goroutine parked on a 2 KiB stack, a 288-byte read
// buffer, no write buffer (shared pool) and no writer goroutine. 288 is the
// smallest size class above gorilla's 256-byte minimum for reading through
// the hijacked reader; client messages are small commands, and gorilla
// reads larger payloads straight into the message.
const readBufferSize = 288

// shared write buffers: idle connections hold none.
var writeBufferPool = &sync.Pool{}

type wsHandler struct {
	e    *Engine
	opts WSOptions
	up   websocket.Upgrader
}

// WebSocketHandler returns the agent WebSocket endpoint. It authenticates
// (token cookie crmframe_token or query parameter token, HS256 JWT), checks
// the Origin with opts.CheckOrigin and refuses with 400/401/403/503 and a
// plain-text reason reported to Observer.Refused. Connections belong to the
// engine, not to the handler: a new handler (config reload) leaves existing
// connections alone; Engine.Close closes them with 1012. The ResponseWriter
// must support hijacking (directly or through Unwrap).
func (e *Engine) WebSocketHandler(opts WSOptions) http.Handler {
	h := &wsHandler{e: e, opts: opts}
	h.up = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// 0: gorilla reads through the hijacked reader, which hijack
		// below replaces with a small one the hub can wait on.
		ReadBufferSize:  0,
		WriteBufferSize: 2048,
		WriteBufferPool: writeBufferPool,
		CheckOrigin:     func(*http.Request) bool { return true }, // checked before Upgrade
		Error:           func(w http.ResponseWriter, r *http.Request, status int, reason error) {},
	}
	return h
}

// hijack gives gorilla a small read buffer of ours instead of the HTTP
// server's 4 KiB one, so that the hub can wait for the next message with
// Peek before entering gorilla's (deeper) read path.
type hijack struct {
	http.ResponseWriter
	br *bufio.Reader
}

// Hijack takes the connection from the innermost writer (net/http's own).
// A recorder in between (Caddy's metrics and access log) would wrap the
// connection to count its bytes, and the connection outlives ServeHTTP: its
// writes would race with the recorder's reading of the count.
func (h *hijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w := h.ResponseWriter
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	if _, ok := w.(http.Hijacker); !ok {
		w = h.ResponseWriter
	}
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Bytes already buffered: gorilla refuses the handshake on its own.
	if brw.Reader.Buffered() == 0 {
		h.br = bufio.NewReaderSize(nc, readBufferSize)
		brw.Reader = h.br
	}
	return nc, brw, nil
}

func (h *hijack) Unwrap() http.ResponseWriter { return h.ResponseWriter }

func (h *wsHandler) refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	h.e.obs.Refused(r, status, reason)
	http.Error(w, reason, status)
}

func (h *wsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		h.refuse(w, r, http.StatusBadRequest, "websocket upgrade required")
		return
	}
	if r.Header.Get("Origin") != "" && (h.opts.CheckOrigin == nil || !h.opts.CheckOrigin(r)) {
		h.refuse(w, r, http.StatusForbidden, "origin not allowed: "+r.Header.Get("Origin"))
		return
	}
	tok := ""
	if ck, err := r.Cookie(TokenCookie); err == nil {
		tok = ck.Value
	}
	if q := r.URL.Query().Get(TokenParam); q != "" {
		tok = q
	}
	cfg := h.e.Config()
	claims, err := VerifyToken(cfg.Secret, tok, time.Now())
	if err == nil {
		err = h.e.checkRevoked(claims)
	}
	if err != nil {
		h.refuse(w, r, http.StatusUnauthorized, err.Error())
		return
	}
	h.e.mu.Lock()
	closed := h.e.closed
	h.e.mu.Unlock()
	if closed {
		h.refuse(w, r, http.StatusServiceUnavailable, "server shutting down")
		return
	}
	hj := &hijack{ResponseWriter: w}
	ws, err := h.up.Upgrade(hj, r, nil)
	if err != nil {
		return // Upgrade already answered the client
	}
	c := newConn(h.e, ws, claims, cfg)
	c.br = hj.br
	if !h.e.track(c) {
		// Close ran during the upgrade: same code as for every other page.
		c.kill(CloseServiceRestart, "server restarting, reconnect", "shutdown")
		return
	}
	// Read in a fresh goroutine and let the HTTP server's goroutine (deep
	// stack, 4 KiB buffers) go.
	go c.run()
}

// wsLimits are the Config fields a connection uses, as when it opened
// (send_queue is conn.limit, command_rate and _burst are in conn.lim).
type wsLimits struct {
	maxMessageSize int64
	writeTimeout   time.Duration
	pingInterval   time.Duration
	helloTimeout   time.Duration
}

// conn is one agent WebSocket. An idle connection owns one goroutine parked
// in read on a small stack; a writer goroutine runs only while there is
// something to write, and pings come from a timer.
type conn struct {
	e        *Engine
	ws       *websocket.Conn
	br       *bufio.Reader // gorilla's reader (nil: not ours, never peeked)
	agentID  string
	name     string
	session  string
	kind     string
	clientID string
	limit    int
	cfg      wsLimits
	claims   Claims
	// Reader state, handed from one read goroutine to the next.
	lim      *rate.Limiter
	attached bool
	unsub    func()
	// lastReport: when op "report" was last counted (one per ShimReportInterval).
	lastReport time.Time

	mu        sync.Mutex
	live      bool     // hello answered: Deliver queues directly
	pre       []*Entry // delivered before the welcome was queued
	out       []*Entry // waiting for the writer
	inflight  int      // taken by the writer, not written yet
	writing   bool     // a writer goroutine is running
	dead      bool
	closeCode int
	closeMsg  string
	reason    string
	ping      *time.Timer
	closeDone bool            // the writer sent the close frame (or failed to)
	closeWG   *sync.WaitGroup // Engine.Close waiting for that
}

func newConn(e *Engine, ws *websocket.Conn, cl Claims, cfg Config) *conn {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &conn{e: e, ws: ws, agentID: cl.AgentID, name: cl.Name, session: hex.EncodeToString(b[:]),
		kind: "other", limit: cfg.SendQueue, claims: cl,
		cfg: wsLimits{maxMessageSize: cfg.MaxMessageSize, writeTimeout: cfg.WriteTimeout, pingInterval: cfg.PingInterval,
			helloTimeout: cfg.HelloTimeout},
		lim: rate.NewLimiter(rate.Limit(cfg.CommandRate), cfg.CommandBurst)}
}

// wants: a page without a client id is never addressed, not even as "kind:".
func (c *conn) wants(en *Entry) bool {
	return en.To == "" || c.clientID != "" && (en.To == c.clientID || en.To == c.kind+":"+c.clientID)
}

// Deliver implements Subscriber; it never blocks.
func (c *conn) Deliver(en *Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead || !c.wants(en) {
		return
	}
	if !c.live {
		if len(c.pre) >= c.limit {
			c.slowLocked()
			return
		}
		c.pre = append(c.pre, en)
		return
	}
	c.pushLocked(en)
}

// pushLocked queues en; more than limit messages not yet written means the
// client is too slow: it is cut off (it resumes from the log).
func (c *conn) pushLocked(en *Entry) {
	if len(c.out)+c.inflight >= c.limit {
		c.slowLocked()
		return
	}
	c.out = append(c.out, en)
	c.kickLocked()
}

func (c *conn) kickLocked() {
	if !c.writing && c.ws != nil {
		c.writing = true
		go c.flush()
	}
}

func (c *conn) slowLocked() {
	c.e.obs.SlowDisconnect(c.agentID, c.kind)
	c.killLocked(CloseSlowConsumer, "send queue overflow: reconnect and resume", "slow")
}

func (c *conn) killLocked(code int, msg, reason string) {
	if c.dead {
		return
	}
	c.dead = true
	c.closeCode, c.closeMsg, c.reason = code, msg, reason
	c.pre = nil
	if c.ping != nil {
		c.ping.Stop()
	}
	c.kickLocked() // the writer sends the close frame and closes the socket
}

func (c *conn) kill(code int, msg, reason string) {
	c.mu.Lock()
	c.killLocked(code, msg, reason)
	c.mu.Unlock()
}

// shutdown kills the connection and has wg wait for its close frame.
func (c *conn) shutdown(code int, msg string, wg *sync.WaitGroup) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closeDone && c.ws != nil && c.closeWG == nil {
		wg.Add(1)
		c.closeWG = wg
	}
	c.killLocked(code, msg, "shutdown")
}

// abandon closes the socket of a connection whose close frame is not out
// yet, failing the writer's pending write.
func (c *conn) abandon() {
	c.mu.Lock()
	stuck := !c.closeDone && c.ws != nil
	c.mu.Unlock()
	if stuck {
		_ = c.ws.UnderlyingConn().Close()
	}
}

// queue sends a non-event message (result, error, pong).
func (c *conn) queue(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dead {
		c.pushLocked(&Entry{Msg: b})
	}
}

func (c *conn) write(en *Entry) error {
	deadline := time.Now().Add(c.cfg.writeTimeout)
	for _, b := range en.batch {
		_ = c.ws.SetWriteDeadline(deadline)
		if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
			return err
		}
	}
	if en.Msg == nil {
		return nil
	}
	_ = c.ws.SetWriteDeadline(deadline)
	return c.ws.WriteMessage(websocket.TextMessage, en.Msg)
}

// flush writes queued messages until the queue is empty, then exits; on a
// dead connection it flushes (unless slow or broken), sends the close frame
// and closes the socket.
func (c *conn) flush() {
	for {
		c.mu.Lock()
		if c.dead {
			batch, code, msg, reason := c.out, c.closeCode, c.closeMsg, c.reason
			c.out = nil
			c.mu.Unlock()
			if reason != "slow" && reason != "error" && reason != "rate_limited" { // e.g. the error explaining a refusal
				for _, en := range batch {
					if c.write(en) != nil {
						break
					}
				}
			}
			if code != 0 {
				_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, msg), time.Now().Add(time.Second))
			}
			c.closeSocket()
			c.mu.Lock()
			c.closeDone = true
			wg := c.closeWG
			c.closeWG = nil
			c.mu.Unlock()
			if wg != nil {
				wg.Done()
			}
			return // writing stays true: nothing restarts a writer
		}
		if len(c.out) == 0 {
			c.writing = false
			c.mu.Unlock()
			return
		}
		batch := c.out
		c.out = nil
		c.inflight = len(batch)
		c.mu.Unlock()
		var err error
		for _, en := range batch {
			if err = c.write(en); err != nil {
				break
			}
			// Written: no longer counts against the queue bound.
			c.mu.Lock()
			c.inflight--
			c.mu.Unlock()
		}
		c.mu.Lock()
		c.inflight = 0
		if err != nil {
			c.killLocked(websocket.CloseGoingAway, "", "error")
		}
		c.mu.Unlock()
	}
}

// closeGrace is how long the socket stays open after the close frame and
// a FIN: closing a socket that still holds unread client data (a flood, for
// one) makes the kernel reset the connection, which can destroy the close
// frame before it has left.
const closeGrace = time.Second

func (c *conn) closeSocket() {
	if cw, ok := c.ws.UnderlyingConn().(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		time.AfterFunc(closeGrace, func() { _ = c.ws.Close() })
		return
	}
	_ = c.ws.Close()
}

func (c *conn) sendPing() {
	c.mu.Lock()
	dead := c.dead
	c.mu.Unlock()
	if dead {
		return
	}
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.cfg.writeTimeout)); err != nil {
		c.kill(websocket.CloseGoingAway, "", "error")
		return
	}
	c.mu.Lock()
	if !c.dead {
		c.ping.Reset(c.cfg.pingInterval)
	}
	c.mu.Unlock()
}

// run serves the connection after the upgrade.
func (c *conn) run() {
	c.mu.Lock()
	c.ping = time.AfterFunc(c.cfg.pingInterval, c.sendPing)
	c.mu.Unlock()
	c.ws.SetReadLimit(c.cfg.maxMessageSize)
	_ = c.ws.SetReadDeadline(time.Now().Add(c.cfg.helloTimeout))
	c.ws.SetPongHandler(c.pong)
	c.ws.SetPingHandler(c.pingFrame)
	c.read()
}

// pong keeps an attached connection alive for two more ping intervals.
func (c *conn) pong(string) error {
	if !c.attached {
		return nil
	}
	return c.ws.SetReadDeadline(time.Now().Add(2 * c.cfg.pingInterval))
}

// pingFrame answers a client's WebSocket ping (as gorilla does) within
// command_rate: a ping costs a write, and a flood of them would otherwise
// bypass the limit every other message has.
func (c *conn) pingFrame(data string) error {
	if !c.allow() {
		return errRateLimited
	}
	err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	if _, ok := err.(net.Error); ok || err == websocket.ErrCloseSent {
		return nil // as gorilla's default handler: the next read or write reports it
	}
	return err
}

var errRateLimited = errors.New("rate limited")

// allow spends one message of the connection's allowance; over it, the
// connection is closed with 4008.
func (c *conn) allow() bool {
	if c.lim.Allow() {
		return true
	}
	if o, ok := c.e.obs.(RateLimitObserver); ok {
		o.RateLimited(c.agentID, c.kind)
	}
	c.kill(CloseRateLimited, "too many messages: slow down", "rate_limited")
	return false
}

// read waits for the client's next message and handles it. An idle
// connection is this goroutine parked in wait on a small stack: handling a
// message may grow the stack (JSON, commands), so the next wait runs on a
// fresh goroutine rather than keeping the grown stack while idle.
func (c *conn) read() {
	if err := c.wait(); err != nil {
		c.readFailed(err)
		c.finish()
		return
	}
	if c.next() {
		go c.read()
		return
	}
	c.finish()
}

// wait returns when a message (or a close or an error) is there to read.
// Pongs between messages are consumed here: inside gorilla, a pong would
// leave the goroutine parked in gorilla's deeper read path.
func (c *conn) wait() error {
	if c.br == nil {
		return nil
	}
	for {
		if c.br.Buffered() == 0 {
			if _, err := c.br.Peek(1); err != nil {
				return err
			}
		}
		if n := clientPongLen(c.br); n > 0 {
			_, _ = c.br.Discard(n)
			_ = c.pong("")
			continue
		}
		return nil
	}
}

// clientPongLen is the length of the complete pong frame buffered at the
// head of br (FIN, opcode 0xA, masked as client frames must be, payload of
// at most 125 bytes), or 0: anything else is left to gorilla.
func clientPongLen(br *bufio.Reader) int {
	b, _ := br.Peek(min(br.Buffered(), 2))
	if len(b) < 2 || b[0] != 0x80|websocket.PongMessage || b[1]&0x80 == 0 {
		return 0
	}
	n := 2 + 4 + int(b[1]&0x7f)
	if n > 6+125 || br.Buffered() < n {
		return 0
	}
	return n
}

// readFailed closes the connection for a read error: a timeout before the
// hello, or no traffic nor pong for two ping intervals (a dead or half-open
// peer, cut by us and not a client close).
func (c *conn) readFailed(err error) {
	switch {
	case !c.attached && isTimeout(err):
		c.kill(CloseHelloTimeout, "hello expected", "error")
	case isTimeout(err):
		c.kill(websocket.CloseGoingAway, "ping timeout", "timeout")
	}
}

// finish releases the connection once its reader stops.
func (c *conn) finish() {
	c.mu.Lock()
	reason := c.reason
	c.mu.Unlock()
	c.kill(websocket.CloseNormalClosure, "", "client_closed")
	if reason == "" {
		reason = "client_closed"
	}
	if c.unsub != nil {
		c.unsub()
	}
	c.e.detach(c) // also forgets a connection that never sent hello
	if c.attached {
		c.e.obs.ConnClosed(c.kind, reason)
	}
}

// next reads and handles one message; false means the reader stops.
func (c *conn) next() bool {
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		c.readFailed(err)
		return false
	}
	c.mu.Lock()
	dead := c.dead
	c.mu.Unlock()
	if dead {
		return false // closed by us: the socket outlives it by closeGrace
	}
	if !c.allow() {
		return false // a flood costs the engine nothing more: this reader stops here
	}
	if c.attached {
		_ = c.ws.SetReadDeadline(time.Now().Add(2 * c.cfg.pingInterval))
	}
	if mt != websocket.TextMessage {
		c.queue(wire.Error{Op: wire.OpError, Error: wire.Err{Code: CodeBadRequest, Message: "text frames only"}})
		return true
	}
	env, err := wire.Decode(data)
	if err != nil {
		c.queue(wire.Error{Op: wire.OpError, ID: refusedID(data), Error: wire.Err{Code: CodeBadRequest, Message: err.Error()}})
		return true
	}
	switch env.Op {
	case wire.OpHello:
		if c.attached {
			c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: CodeInvalidState, Message: "hello already received"}})
			return true
		}
		var err error
		if c.unsub, err = c.hello(env); err != nil {
			code := ClosePolicy
			if ErrorCode(err) == CodeUnavailable {
				code = CloseServiceRestart
			}
			c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: ErrorCode(err), Message: ErrorMessage(err)}})
			c.kill(code, ErrorMessage(err), "refused")
			return false
		}
		c.attached = true
		_ = c.ws.SetReadDeadline(time.Now().Add(2 * c.cfg.pingInterval))
	case wire.OpPing:
		c.queue(wire.Pong{Op: wire.OpPong, ID: env.ID, Time: time.Now().UnixMilli()})
	case wire.OpCmd:
		if !c.attached {
			c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: CodeInvalidState, Message: "send hello first"}})
			return true
		}
		if env.ID == "" || env.Name == "" {
			c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: CodeBadRequest, Message: "cmd needs id and name"}})
			return true
		}
		res, err := c.e.Do(c.agentID, env.Name, env.Args)
		r := wire.Result{Op: wire.OpResult, ID: env.ID, OK: err == nil, Data: res}
		if err != nil {
			r.Data = nil
			r.Error = &wire.Err{Code: ErrorCode(err), Message: ErrorMessage(err)}
		}
		c.queue(r)
	case wire.OpRelay:
		if !c.attached {
			c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: CodeInvalidState, Message: "send hello first"}})
			return true
		}
		if !relayAllowed(env.Name) {
			c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: CodeForbidden, Message: "relay names must start with TAB., ALERT., UI. or WIDGET."}})
			return true
		}
		b, err := json.Marshal(wire.Relay{Op: wire.OpRelay, Name: env.Name, From: c.kind + ":" + c.clientID, To: env.To, Data: env.Data})
		if err == nil {
			c.e.broker.Relay(c.agentID, b, env.To, c)
		}
	case wire.OpReport:
		if !c.attached {
			if o, ok := c.e.obs.(ShimObserver); ok {
				o.ShimDropped(ShimDropInvalid)
			}
			c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: CodeInvalidState, Message: "send hello first"}})
			return true
		}
		if msg := c.shimReport(env.Shim); msg != "" {
			c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: CodeBadRequest, Message: msg}})
		}
	default:
		c.queue(wire.Error{Op: wire.OpError, ID: env.ID, Error: wire.Err{Code: CodeBadRequest, Message: "unknown op " + strconvQuote(env.Op)}})
	}
	return true
}

// refusedID is the id of a message Decode refused, when it has a usable one,
// so that a client waiting for that command's result is not left hanging.
func refusedID(data []byte) string {
	var m struct {
		ID string `json:"id"`
	}
	// Not valid UTF-8: the decoder would hand back an id the client never sent.
	if !utf8.Valid(data) || json.Unmarshal(data, &m) != nil || len(m.ID) > 64 {
		return ""
	}
	return m.ID
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func relayAllowed(name string) bool {
	for _, p := range []string{"TAB.", "ALERT.", "UI.", "WIDGET."} {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return true
		}
	}
	return false
}

func isTimeout(err error) bool {
	type timeout interface{ Timeout() bool }
	t, ok := err.(timeout)
	return ok && t.Timeout()
}

func clientKind(k string) string {
	switch k {
	case "widget", "desktop", "sdk":
		return k
	}
	return "other"
}

// hello attaches the connection and queues the welcome, the replayed events
// and anything published meanwhile, in that order, as one batch.
func (c *conn) hello(env *wire.Envelope) (func(), error) {
	if env.Client != nil {
		c.kind = clientKind(env.Client.Kind)
		c.clientID = env.Client.ID
	}
	resume := env.Resume != nil
	var epoch string
	var since uint64
	if resume {
		epoch, since = env.Resume.Epoch, env.Resume.Seq
	}
	missed, cur, snap, unsub, err := c.e.attach(c, epoch, since, resume)
	if err != nil {
		return nil, err
	}
	cfg := c.cfg
	w := wire.Welcome{Op: wire.OpWelcome, V: wire.Version, Session: c.session, AgentID: c.agentID, Epoch: c.e.broker.Epoch(), Seq: cur,
		Replayed: len(missed), Limits: wire.Limits{MaxMessageSize: cfg.maxMessageSize, SendQueue: c.limit, PingInterval: cfg.pingInterval.Milliseconds(),
			CommandRate: float64(c.lim.Limit()), CommandBurst: c.lim.Burst()}}
	how := "resumed"
	if snap != nil {
		w.Snapshot, w.Agent, w.Contacts, w.Seq = true, snap.Agent, snap.Contacts, snap.Seq
		how = "fresh"
		if resume {
			how = "snapshot"
		}
	}
	wb, _ := json.Marshal(w)
	batch := make([][]byte, 0, 1+len(missed))
	batch = append(batch, wb)
	for _, m := range missed {
		batch = append(batch, m.Msg)
	}
	c.e.obs.ConnOpened(c.kind)
	c.e.obs.Welcome(c.kind, how)
	c.mu.Lock()
	for _, p := range c.pre {
		batch = append(batch, p.Msg)
	}
	c.pre = nil
	c.live = true
	if !c.dead {
		c.pushLocked(&Entry{batch: batch})
	}
	c.mu.Unlock()
	return unsub, nil
}
