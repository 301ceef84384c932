// Package binproc builds and inspects the real crmframe binary for the
// programs and tests that run it as a separate process (benchmarks, soak,
// end-to-end tests).
package binproc

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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

// FreePort returns a TCP port free on every address right now. It is drawn
// below the kernel's ephemeral range when it can be: a port from that range
// (what listening on :0 gives) can be taken by any outgoing connection
// before the server that was handed it binds, which failed a test start with
// "address already in use" on a loaded machine. Ports are not handed out
// twice by one process.
func FreePort() (int, error) {
	lo := ephemeralLow()
	portMu.Lock()
	defer portMu.Unlock()
	if lo > freePortFloor+1000 {
		for range 200 {
			p := freePortFloor + rand.IntN(lo-freePortFloor)
			if portGiven[p] {
				continue
			}
			if l, err := net.Listen("tcp", ":"+strconv.Itoa(p)); err == nil {
				l.Close()
				portGiven[p] = true
				return p, nil
			}
		}
	}
	for range 50 {
		l, err := net.Listen("tcp", ":0")
		if err != nil {
			return 0, err
		}
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !portGiven[p] {
			portGiven[p] = true
			return p, nil
		}
	}
	return 0, errors.New("no free TCP port")
}

// freePortFloor: FreePort's ports are at least this (above the ports
// services commonly use).
const freePortFloor = 20000

var (
	portMu    sync.Mutex
	portGiven = map[int]bool{}
)

// ephemeralLow reads the low end of the kernel's ephemeral port range
// (Linux); 0 when unknown, so that FreePort asks the kernel.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
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
