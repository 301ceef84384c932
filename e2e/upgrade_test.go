package e2e

import (
	"bufio"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestCRMOwnStreams: a modern CRM's own WebSocket and server-sent events
// go through crm_frame + reverse_proxy untouched: the upgrade is passed
// on, messages flow both ways, and each SSE event reaches the client
// while the stream is still open.
func TestCRMOwnStreams(t *testing.T) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(mt, append([]byte("crm:"), msg...)); err != nil {
				return
			}
		}
	})
	// The upstream sends event 2 only after the client saw event 1, and
	// gives up after 5 s: a proxy that held the stream back delivers event
	// 1 late and event 2 never (buffered: the test never blocks on send).
	next := make(chan struct{}, 2)
	mux.HandleFunc("/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("X-Frame-Options", "DENY")
		for i := 1; i <= 2; i++ {
			fmt.Fprintf(w, "data: update %d\n\n", i)
			http.NewResponseController(w).Flush()
			select {
			case <-next:
			case <-r.Context().Done():
				return
			case <-time.After(5 * time.Second):
				return
			}
		}
	})
	base := startRewriterProxy(t, mux)
	wsBase := "ws" + strings.TrimPrefix(base, "http")

	t.Run("websocket", func(t *testing.T) {
		c, resp, err := websocket.DefaultDialer.Dial(wsBase+"/live", http.Header{"Origin": {"http://localhost"}})
		if err != nil {
			t.Fatalf("dial through crm_frame: %v (response %v)", err, resp)
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for _, m := range []string{"hello", strings.Repeat("x", 70000)} {
			if err := c.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
				t.Fatal(err)
			}
			_, got, err := c.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "crm:"+m {
				t.Fatalf("echo of %d bytes: got %d bytes %.20q", len(m), len(got), got)
			}
		}
	})

	t.Run("server-sent events", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, base+"/events", nil)
		resp, err := rawClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("X-Frame-Options") != "" {
			t.Errorf("X-Frame-Options kept on the stream")
		}
		br := bufio.NewReader(resp.Body)
		for i := 1; i <= 2; i++ {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("data: update %d\n", i); line != want {
				t.Fatalf("event %d: %q, want %q", i, line, want)
			}
			_, _ = br.ReadString('\n') // the blank line ending the event
			next <- struct{}{}         // event i arrived while the upstream waited
		}
	})
}
