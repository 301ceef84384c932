package engine

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// closeRig serves the engine's WebSocket and keeps the server side of
// every TCP connection, to cut them as a process exit would.
type closeRig struct {
	e     *Engine
	srv   *httptest.Server
	mu    sync.Mutex
	conns []net.Conn
}

func newCloseRig(t *testing.T, mod func(*Config), sndbuf int) *closeRig {
	t.Helper()
	cfg := testConfig()
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &closeRig{e: e}
	r.srv = httptest.NewUnstartedServer(e.WebSocketHandler(WSOptions{}))
	if sndbuf > 0 {
		// Accepted sockets inherit the listener's buffer sizes.
		lc := net.ListenConfig{Control: bufSize(syscall.SO_SNDBUF, sndbuf)}
		ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		r.srv.Listener.Close()
		r.srv.Listener = ln
	}
	r.srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			r.mu.Lock()
			r.conns = append(r.conns, c)
			r.mu.Unlock()
		}
	}
	r.srv.Start()
	t.Cleanup(func() { e.Close(); r.srv.Close() })
	return r
}

func bufSize(opt, n int) func(string, string, syscall.RawConn) error {
	return func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, n) }); cerr != nil {
			return cerr
		}
		return err
	}
}

// dial connects agent and says hello; rcvbuf > 0 shrinks the client's
// receive buffer.
func (r *closeRig) dial(t *testing.T, agent string, rcvbuf int) *websocket.Conn {
	t.Helper()
	tok, err := MintToken(r.e.cfg.Secret, agent, "", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	nd := &net.Dialer{}
	if rcvbuf > 0 {
		// Before connecting: the window is agreed on then.
		nd.Control = bufSize(syscall.SO_RCVBUF, rcvbuf)
	}
	d := websocket.Dialer{NetDialContext: nd.DialContext}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(r.srv.URL, "http")+"/?token="+tok, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(map[string]any{"op": "hello", "v": 1}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := ws.ReadJSON(&m); err != nil || m["op"] != "welcome" {
		t.Fatalf("welcome: %v %v", m, err)
	}
	return ws
}

// TestCloseWritesCloseFrames: when Close returns, every close frame is
// on the wire. Caddy exits right after (SIGTERM): here the server's
// sockets are closed at once, and each agent must still read 1012, not
// 1006.
func TestCloseWritesCloseFrames(t *testing.T) {
	r := newCloseRig(t, nil, 0)
	var clients []*websocket.Conn
	for i := range 24 {
		clients = append(clients, r.dial(t, fmt.Sprintf("agent-%d", i), 0))
	}
	r.e.Close()
	r.mu.Lock()
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	for i, ws := range clients {
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		var err error
		for err == nil {
			_, _, err = ws.ReadMessage()
		}
		if !websocket.IsCloseError(err, CloseServiceRestart) {
			t.Errorf("agent-%d: %v, want close %d", i, err, CloseServiceRestart)
		}
	}
}

// TestCloseStuckPeer: a peer that stopped reading holds its writer (up to
// write_timeout per write); Close still returns after about a second, and
// lets go of that connection.
func TestCloseStuckPeer(t *testing.T) {
	r := newCloseRig(t, func(c *Config) {
		c.WriteTimeout = time.Minute
		c.SendQueue = 4096
	}, 4096)
	good := r.dial(t, "a2", 0)
	_ = r.dial(t, "a1", 4096) // never read again
	// Pause sub-state changes until a1's writer is stuck: messages pile
	// up unwritten.
	pending := func() int {
		r.e.mu.Lock()
		defer r.e.mu.Unlock()
		for c := range r.e.conns {
			if c.agentID == "a1" {
				c.mu.Lock()
				n := len(c.out) + c.inflight
				c.mu.Unlock()
				return n
			}
		}
		return -1
	}
	for i := 0; pending() < 1000; i++ {
		if i == 3000 {
			t.Fatalf("a1's writer never got stuck (%d pending)", pending())
		}
		if _, err := r.e.SetAgentState("a1", StatePause, 1701+i%2); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Now()
	r.e.Close()
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("Close took %v with a stuck peer (write_timeout 1m): want about 1s", d)
	}
	// The healthy agent got its 1012 all the same.
	_ = good.SetReadDeadline(time.Now().Add(5 * time.Second))
	var err error
	for err == nil {
		_, _, err = good.ReadMessage()
	}
	if !websocket.IsCloseError(err, CloseServiceRestart) {
		t.Errorf("healthy agent: %v, want close %d", err, CloseServiceRestart)
	}
	// The stuck connection's socket was closed: its reader ends and the
	// engine lets it go.
	for deadline := time.Now().Add(5 * time.Second); pending() >= 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stuck connection is still attached 5 s after Close")
		}
	}
}
