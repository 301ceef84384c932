package e2e

// Operations on the real binary: a graceful stop (SIGTERM, as systemd and
// `caddy stop` send it) while a page is in flight and an agent is
// connected.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

func TestOpsGracefulStop(t *testing.T) {
	t.Parallel()
	const secret = "ops-stop-secret-0123456789abcdef0123"
	chunk := strings.Repeat("<tr><td>Rossi</td><td>open</td></tr>\n", 200)
	const chunks = 16
	started := make(chan struct{}, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><html><head><title>Report</title></head><body><table>\n")
		for i := range chunks {
			_, _ = io.WriteString(w, chunk)
			http.NewResponseController(w).Flush()
			if i == 0 {
				started <- struct{}{}
			}
			time.Sleep(40 * time.Millisecond)
		}
		_, _ = io.WriteString(w, "</table></body></html>\n")
	}))
	defer up.Close()
	port := caddyrun.FreePort(t)
	caddyfile := func(engineExtra string) string {
		return fmt.Sprintf(`{
	crm_engine {
		secret %q
		%s
	}
}
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
	}
	reverse_proxy %s
}`, secret, engineExtra, port, strings.TrimPrefix(up.URL, "http://"))
	}
	p := caddyrun.Run(t, caddyfile(""), "")
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	tok, err := engine.MintToken([]byte(secret), "agent-stop", "", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://127.0.0.1:%d/__crmframe/ws?token=%s", port, tok), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"op": "hello", "v": 1, "client": map[string]string{"kind": "sdk", "id": "ops"}}); err != nil {
		t.Fatal(err)
	}
	msgs := make(chan map[string]any, 16)
	closed := make(chan error, 1)
	go func() {
		for {
			var m map[string]any
			if err := ws.ReadJSON(&m); err != nil {
				closed <- err
				return
			}
			select {
			case msgs <- m:
			default: // not waited for
			}
		}
	}()
	// next returns the next message with op, or fails when the connection
	// ends first.
	next := func(op string) {
		t.Helper()
		for {
			select {
			case m := <-msgs:
				if m["op"] == op {
					return
				}
			case err := <-closed:
				t.Fatalf("connection ended waiting for %s: %v", op, err)
			case <-time.After(10 * time.Second):
				t.Fatalf("no %s", op)
			}
		}
	}
	next("welcome")
	// A reload that keeps the engine keeps the agent's connection: only a
	// real stop ends it.
	p.Reload(t, caddyfile("acw_timeout 45s"))
	if err := ws.WriteJSON(map[string]any{"op": "cmd", "id": "s1", "name": "AGENT.GetState"}); err != nil {
		t.Fatal(err)
	}
	next("result")

	type page struct {
		status int
		body   []byte
		err    error
	}
	got := make(chan page, 1)
	go func() {
		// Right after the reload: a request the old config drops is resent.
		resp, err := caddyrun.ReloadClient().Get(base + "/report")
		if err != nil {
			got <- page{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- page{resp.StatusCode, b, err}
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the page never started")
	}
	t0 := time.Now()
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// The page in flight completes, with the SDK.
	pg := <-got
	if pg.err != nil || pg.status != 200 {
		t.Fatalf("page in flight at SIGTERM: status %d, %d bytes, err %v", pg.status, len(pg.body), pg.err)
	}
	if !bytes.HasSuffix(pg.body, []byte("</table></body></html>\n")) || bytes.Count(pg.body, []byte("<tr>")) != 200*chunks ||
		!bytes.Contains(pg.body, []byte(`<script src="/__crmframe/sdk.js?v=`)) {
		t.Errorf("page in flight at SIGTERM: %d bytes, not the whole rewritten page", len(pg.body))
	}
	// The agent's connection ends with 1012 (docs/protocol.md): the SDK
	// reconnects and resumes. The process exits right after the engine
	// closes: a close frame not yet written would read as 1006.
	select {
	case err := <-closed:
		if !websocket.IsCloseError(err, engine.CloseServiceRestart) {
			t.Errorf("agent connection after SIGTERM: %v, want close %d", err, engine.CloseServiceRestart)
		}
	case <-time.After(10 * time.Second):
		t.Error("the agent connection stayed open after SIGTERM")
	}
	// And the process exits by itself, cleanly.
	done := make(chan error, 1)
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 0) {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(t0).Round(time.Millisecond))
	if out := p.Output(); strings.Contains(out, `"level":"error"`) {
		t.Errorf("errors logged during a graceful stop:\n%s", out)
	}
}
