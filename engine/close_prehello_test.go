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
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		r.e.mu.Lock()
		n := len(r.e.pending)
		r.e.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pre-hello connections tracked, want 1", n)
		}
	}
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
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		r.e.mu.Lock()
		n := len(r.e.pending)
		r.e.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pre-hello connections still tracked after Close", n)
		}
	}
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
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		r.e.mu.Lock()
		n, attached := len(r.e.pending), len(r.e.conns)
		r.e.mu.Unlock()
		if n == 0 && attached == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending %d, attached %d: want 0 and 1", n, attached)
		}
	}
}
