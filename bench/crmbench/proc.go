package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/crmframe/crmframe/internal/binproc"
)

// Proc is a running crmframe process.
type Proc struct {
	cmd   *exec.Cmd
	Admin string
	out   *limitedBuffer
	done  chan struct{}
	err   error // set when done is closed
}

// limitedBuffer keeps the first 64 KiB of the process output (enough for
// any start-up error) without growing with access logs.
type limitedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := 64<<10 - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProc writes the Caddyfile (the admin address and quiet global
// options are added here) and runs the binary until every waitURL answers.
func startProc(bin, dir, globalExtra, sites string, waitURLs ...string) (*Proc, error) {
	ap, err := binproc.FreePort()
	if err != nil {
		return nil, err
	}
	admin := fmt.Sprintf("127.0.0.1:%d", ap)
	cf := fmt.Sprintf("{\n\tadmin %s\n\tauto_https off\n\tpersist_config off\n\tgrace_period 1s\n\tlog {\n\t\tlevel ERROR\n\t}\n%s}\n\n%s", admin, globalExtra, sites)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(cf), 0o644); err != nil {
		return nil, err
	}
	p := &Proc{Admin: admin, out: &limitedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "run", "--config", path, "--adapter", "caddyfile")
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	// A harness stopped with ^C must not leave crmframe running.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	switch err := binproc.WaitReady(append([]string{"http://" + admin + "/config/"}, waitURLs...), p.done, 30*time.Second); {
	case errors.Is(err, binproc.ErrExited):
		return nil, fmt.Errorf("crmframe exited (%v): %s", p.err, errorLine(p.out.String()))
	case err != nil:
		p.Stop()
		return nil, fmt.Errorf("crmframe: %v\n%s", err, firstLines(p.out.String(), 6))
	}
	return p, nil
}

// errorLine picks the message of the last error Caddy logged (JSON log
// lines or plain "Error:" lines), else the last line.
func errorLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		var m struct{ Level, Msg string }
		if json.Unmarshal([]byte(l), &m) == nil && m.Level == "error" && m.Msg != "" {
			return m.Msg
		}
		if strings.HasPrefix(l, "Error:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "Error:"))
		}
	}
	return lines[len(lines)-1]
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// Stop interrupts the process and kills it if it does not leave in 10 s.
func (p *Proc) Stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// procWrites is the process's count of write system calls (syscw in
// /proc/PID/io: write, writev, sendmsg…), or -1 when it cannot be read.
func procWrites(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "syscw: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// resetHWM clears the kernel's high-water mark so a later VmHWM covers
// only what follows (writing 5 to clear_refs; needs to own the process).
func resetHWM(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// sampler tracks the highest VmRSS seen while it runs (a fallback when
// the high-water mark cannot be reset).
type sampler struct {
	cancel context.CancelFunc
	done   chan struct{}
	peak   int64
}

func sampleRSS(pid int, every time.Duration) *sampler {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sampler{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if rss, _, err := binproc.MemStatus(pid); err == nil && rss > s.peak {
				s.peak = rss
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) Stop() int64 { s.cancel(); <-s.done; return s.peak }
