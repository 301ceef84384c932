// Package caddyrun runs crmframe for end-to-end tests: in-process from a
// Caddyfile, or as the real binary.
package caddyrun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crmframe/crmframe/internal/binproc"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile" // the caddyfile adapter
	_ "github.com/caddyserver/caddy/v2/modules/standard"
	"github.com/gorilla/websocket"

	_ "github.com/crmframe/crmframe/caddymodule"
)

// FreePort returns a TCP port free right now (binproc.FreePort).
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := binproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Adapt turns a Caddyfile into Caddy's JSON config.
func Adapt(caddyfile string) ([]byte, error) {
	ad := caddyconfig.GetAdapter("caddyfile")
	js, warns, err := ad.Adapt([]byte(caddyfile), map[string]any{"filename": "Caddyfile"})
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		if !strings.Contains(w.Message, "formatted") {
			return nil, fmt.Errorf("caddyfile warning: %s:%d: %s", w.File, w.Line, w.Message)
		}
	}
	return js, nil
}

var mu sync.Mutex // one in-process Caddy at a time

// inProcessConfig adapts a Caddyfile for an in-process Caddy: admin off,
// nothing persisted, only Caddy's errors logged (readable test output).
func inProcessConfig(t testing.TB, caddyfile string) []byte {
	t.Helper()
	js, err := Adapt(caddyfile)
	if err != nil {
		t.Fatalf("adapt: %v\n%s", err, caddyfile)
	}
	var cfg map[string]any
	if err := json.Unmarshal(js, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["admin"] = map[string]any{"disabled": true, "config": map[string]any{"persist": false}}
	if _, ok := cfg["logging"]; !ok {
		cfg["logging"] = map[string]any{"logs": map[string]any{"default": map[string]any{"level": "ERROR"}}}
	}
	js, _ = json.Marshal(cfg)
	return js
}

// Start loads the Caddyfile into an in-process Caddy (admin off) and stops
// it when the test ends. Every address the config listens on must be
// given explicitly.
func Start(t testing.TB, caddyfile string) {
	t.Helper()
	js := inProcessConfig(t, caddyfile)
	mu.Lock()
	if err := caddy.Load(js, true); err != nil {
		mu.Unlock()
		t.Fatalf("load: %v\n%s", err, js)
	}
	t.Cleanup(func() {
		_ = caddy.Stop()
		mu.Unlock()
	})
}

// Reload loads a new Caddyfile into the in-process Caddy started by Start,
// exactly as `caddy reload` does.
func Reload(t testing.TB, caddyfile string) {
	t.Helper()
	if err := caddy.Load(inProcessConfig(t, caddyfile), false); err != nil {
		t.Fatalf("reload: %v", err)
	}
}

// ReloadClient is an HTTP client without keep-alive for requests right
// after Reload. Caddy binds the new config's listeners with SO_REUSEPORT
// and then shuts the old servers down, which drop what reached them at that
// moment (droppedByReload). Such a request never reached a handler, so it
// is sent again (on a new connection).
func ReloadClient() *http.Client {
	return &http.Client{Transport: reloadRetry{&http.Transport{DisableKeepAlives: true}}}
}

type reloadRetry struct{ next http.RoundTripper }

func (rt reloadRetry) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.Body != nil {
			if req.GetBody == nil {
				return nil, errors.New("caddyrun: request body cannot be sent again")
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := rt.next.RoundTrip(r)
		if err == nil || attempt == 5 || !droppedByReload(err) {
			return resp, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// droppedByReload: the connection ended before any byte of an answer, as
// it does when the request reached the config a reload is replacing. The
// kernel resets what is queued on the closing listener (ECONNRESET), and
// the old net/http server, once shutting down, closes a connection whose
// request it has just read without serving it (EOF, or a reset when the
// request was not read whole).
func droppedByReload(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// DialWS opens a WebSocket right after Reload as the SDK does: a handshake
// the old config dropped (see droppedByReload) never reached the engine,
// and is sent again on a new connection (the SDK reconnects after such a
// failure too). Other failures, refusals included, are returned at once.
func DialWS(url string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	for attempt := 1; ; attempt++ {
		ws, resp, err := websocket.DefaultDialer.Dial(url, hdr)
		if err == nil || attempt == 5 || resp != nil || !droppedByReload(err) {
			return ws, resp, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds cmd/crmframe once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := binproc.ModuleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "crmframe-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath, buildErr = binproc.BuildBinary(root, dir)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// withAdmin sets the admin address in the Caddyfile's global options block,
// adding the block when there is none (comments may come first).
func withAdmin(caddyfile, admin string) string {
	rest := caddyfile
	for {
		t := strings.TrimLeft(rest, " \t\r\n")
		if !strings.HasPrefix(t, "#") {
			rest = t
			break
		}
		if i := strings.IndexByte(t, '\n'); i >= 0 {
			rest = t[i+1:]
		} else {
			rest = ""
		}
	}
	if strings.HasPrefix(rest, "{") {
		i := len(caddyfile) - len(rest)
		return caddyfile[:i+1] + "\n\tadmin " + admin + "\n" + caddyfile[i+1:]
	}
	return "{\n\tadmin " + admin + "\n}\n" + caddyfile
}

// Process is a running crmframe binary.
type Process struct {
	Cmd       *exec.Cmd
	AdminAddr string
	Dir       string
	out       *bytes.Buffer
	mu        *sync.Mutex
}

// Output returns what the process printed so far.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// Run starts the real binary with the Caddyfile (its global options block,
// if any, must not set admin: Run sets it) and waits until the admin
// endpoint answers. waitURL, when not empty, is polled too.
func Run(t testing.TB, caddyfile string, waitURL string) *Process {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	admin := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	cf := withAdmin(caddyfile, admin)
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(cf), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Process{AdminAddr: admin, Dir: dir, out: &bytes.Buffer{}, mu: &sync.Mutex{}}
	cmd := exec.Command(bin, "run", "--config", path, "--adapter", "caddyfile")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	cmd.Stdout = lockedWriter{p.mu, p.out}
	cmd.Stderr = lockedWriter{p.mu, p.out}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.Cmd = cmd
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("crmframe output:\n%s", p.Output())
		}
	})
	if err := binproc.WaitReady([]string{"http://" + admin + "/config/", waitURL}, nil, 30*time.Second); err != nil {
		t.Fatalf("crmframe did not come up: %v\n%s", err, p.Output())
	}
	return p
}

// Reload loads a new Caddyfile into the running process (caddy reload).
func (p *Process) Reload(t testing.TB, caddyfile string) {
	t.Helper()
	cf := withAdmin(caddyfile, p.AdminAddr)
	path := filepath.Join(p.Dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(cf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(Binary(t), "reload", "--config", path, "--adapter", "caddyfile", "--address", p.AdminAddr, "--force").CombinedOutput()
	if err != nil {
		t.Fatalf("reload: %v\n%s", err, out)
	}
}
