package caddyrun

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/websocket"
)

// dropping answers nothing to its first n connections, as the config a
// reload replaces does: it reads the request and closes (EOF), or closes
// with the request unread (a reset).
type dropping struct {
	net.Listener
	n int
}

func (l *dropping) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || l.n == 0 {
			return c, err
		}
		l.n--
		if l.n%2 == 0 {
			_, _ = http.ReadRequest(bufio.NewReader(c))
		} else {
			_ = c.(*net.TCPConn).SetLinger(0)
		}
		_ = c.Close()
	}
}

// TestDialWSAfterDroppedHandshake: a handshake the old config dropped is
// sent again (CI: TestEngineRejectedReload's resume dial right after the
// good reload was reset under load); a refusal is not.
func TestDialWSAfterDroppedHandshake(t *testing.T) {
	up := websocket.Upgrader{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != "ok" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err == nil {
			_ = c.WriteMessage(websocket.TextMessage, []byte("welcome"))
			_ = c.Close()
		}
	}))
	l := &dropping{Listener: srv.Listener, n: 3}
	srv.Listener = l
	srv.Start()
	defer srv.Close()
	url := "ws" + srv.URL[len("http"):] + "/ws?token=ok"

	if _, _, err := websocket.DefaultDialer.Dial(url, nil); err == nil || !droppedByReload(err) {
		t.Fatalf("a plain dial to a dropping server: %v, want a dropped connection", err)
	}
	ws, _, err := DialWS(url, nil) // dropped with a reset, then an EOF
	if err != nil {
		t.Fatalf("DialWS: %v", err)
	}
	defer ws.Close()
	if _, m, err := ws.ReadMessage(); err != nil || string(m) != "welcome" {
		t.Fatalf("read: %q %v", m, err)
	}
	if _, resp, err := DialWS(url[:len(url)-2]+"no", nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a refused handshake: %v %v", resp, err)
	}
}
