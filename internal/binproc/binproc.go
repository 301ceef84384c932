// Package binproc builds and inspects the real crmframe binary for the
// programs and tests that run it as a separate process (benchmarks, soak,
// end-to-end tests).
package binproc

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ModuleRoot is the folder holding go.mod of the current Go module.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	p := strings.TrimSpace(string(out))
	if p == "" || p == os.DevNull {
		return "", errors.New("not inside the crmframe module (go env GOMOD is empty): run from the checkout or pass a binary")
	}
	return filepath.Dir(p), nil
}

// BuildBinary builds ./cmd/crmframe of the module in root into dir.
func BuildBinary(root, dir string) (string, error) {
	bin := filepath.Join(dir, "crmframe")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/crmframe")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/crmframe: %v\n%s", err, out)
	}
	return bin, nil
}

// FreePort returns a TCP port free on 127.0.0.1 right now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// MemStatus reads VmRSS and VmHWM (peak RSS) of a process, in bytes.
func MemStatus(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) < 1 {
			continue
		}
		n, err := strconv.ParseInt(fs[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%d/status %s: %v", pid, k, err)
		}
		if k == "VmRSS" {
			rss = n << 10
		} else {
			hwm = n << 10
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status has no VmRSS", pid)
	}
	return rss, hwm, sc.Err()
}

// ErrExited is WaitReady's answer when the process ended before answering.
var ErrExited = errors.New("crmframe exited")

// WaitReady polls each URL in turn until it answers with any status. It
// gives up when exited is closed (nil: not watched) or after timeout.
func WaitReady(urls []string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: 2 * time.Second}
	for _, u := range urls {
		if u == "" {
			continue
		}
		for {
			resp, err := c.Get(u)
			if err == nil {
				resp.Body.Close()
				break
			}
			select {
			case <-exited:
				return ErrExited
			default:
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s did not answer: %w", u, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}
