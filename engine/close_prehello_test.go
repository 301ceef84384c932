package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestClosePreHelloConnection: a page that upgraded but has not sent hello
// yet gets the same 1012 as every other page when the engine closes, at
// once, not when its hello_timeout runs out (it used to survive Close).
func TestClosePreHelloConnection(t *testing.T) {
	r := newCloseRig(t, func(c *Config) { c.HelloTimeout = time.Minute }, 0)
	hello := r.dial(t, "a1", 0)
	tok, err := MintToken(r.e.cfg.Secret, "a2", "", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	silent, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(r.srv.URL, "http")+"/?token="+tok, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	// the upgrade is done when Dial returns, but the handler registers the
	// connection right after it: wait for that
	waitTracked(t, r.e, 1, -1)
	start := time.Now()
	r.e.Close()
	for name, ws := range map[string]*websocket.Conn{"no hello": silent, "hello": hello} {
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		var err error
		for err == nil {
			_, _, err = ws.ReadMessage()
		}
		if !websocket.IsCloseError(err, CloseServiceRestart) {
			t.Errorf("%s: %v, want close %d", name, err, CloseServiceRestart)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("closing took %v", d)
	}
	// the closed connection is forgotten once its reader ends
	waitTracked(t, r.e, 0, -1)
}

// TestPreHelloConnectionForgotten: a page that leaves before hello, or
// sends it, is no longer tracked as pending (no leak per connection).
func TestPreHelloConnectionForgotten(t *testing.T) {
	r := newCloseRig(t, nil, 0)
	tok, err := MintToken(r.e.cfg.Secret, "a2", "", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	gone, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(r.srv.URL, "http")+"/?token="+tok, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = gone.Close()
	_ = r.dial(t, "a1", 0) // says hello
	waitTracked(t, r.e, 0, 1)
}

// waitTracked waits until the engine tracks pending connections without
// hello, and attached ones (-1: any), for at most 5 s.
func waitTracked(t *testing.T, e *Engine, pending, attached int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		e.mu.Lock()
		p, a := len(e.pending), len(e.conns)
		e.mu.Unlock()
		if p == pending && (attached < 0 || a == attached) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending %d, attached %d: want %d and %d (-1: any)", p, a, pending, attached)
		}
	}
}
