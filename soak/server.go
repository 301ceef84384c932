package soak

import (
	"bytes"
	"context"
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
	"time"

	"github.com/crmframe/crmframe/internal/binproc"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// server is the crmframe process under test.
type server struct {
	bin, dir                      string
	admin                         string
	crmPort, apiPort, metricsPort int
	cmd                           *exec.Cmd
	logPath                       string
	logFile                       *os.File
	exited                        chan struct{}
	secret                        string
	agents                        []string
	pingInterval                  time.Duration
	acwBefore, acwAfter, noAnswer time.Duration
	logoutGrace                   time.Duration
	mu                            sync.Mutex
	waitErr                       error
}

// caddyfile renders the config; reloaded adds the vip queue and changes
// acw_timeout, the changes a reload must apply to the running engine.
func (s *server) caddyfile(reloaded bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{\n\tadmin %s\n\tlog {\n\t\tlevel WARN\n\t}\n\tcrm_engine {\n", s.admin)
	fmt.Fprintf(&b, "\t\tsecret %q\n\t\tno_answer_timeout %s\n\t\tlogout_grace %s\n", s.secret, s.noAnswer, s.logoutGrace)
	acw := s.acwBefore
	if reloaded {
		acw = s.acwAfter
	}
	fmt.Fprintf(&b, "\t\tacw_timeout %s\n\t\tpause_code 1701 \"Lunch\"\n\t\tcapacity chat 3\n\t\tcapacity channel 5\n", acw)
	all := strings.Join(s.agents, " ")
	for _, q := range []string{"voice", "chat", "mail"} {
		fmt.Fprintf(&b, "\t\tqueue %s %s\n", q, all)
	}
	if reloaded {
		half := s.agents[:(len(s.agents)+1)/2]
		fmt.Fprintf(&b, "\t\tqueue vip %s {\n\t\t\tservice \"VIP line\"\n\t\t}\n", strings.Join(half, " "))
	}
	fmt.Fprintf(&b, "\t}\n}\n")
	fmt.Fprintf(&b, "http://127.0.0.1:%d {\n\tcrm_frame {\n\t\tframe_ancestors http://desk.example.com\n\t}\n\treverse_proxy 127.0.0.1:9\n}\n", s.crmPort)
	fmt.Fprintf(&b, "http://127.0.0.1:%d {\n\tcrm_engine_api\n}\n", s.apiPort)
	fmt.Fprintf(&b, "http://127.0.0.1:%d {\n\tmetrics\n}\n", s.metricsPort)
	return b.String()
}

// writeConfig adapts the Caddyfile with the binary and sets what the
// Caddyfile cannot express (ping_interval: a half-open socket is cut after
// twice this), then writes config.json.
func (s *server) writeConfig(reloaded bool) (string, error) {
	cf := filepath.Join(s.dir, "Caddyfile")
	if err := os.WriteFile(cf, []byte(s.caddyfile(reloaded)), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command(s.bin, "adapt", "--config", cf, "--adapter", "caddyfile")
	cmd.Dir = s.dir
	cmd.Env = s.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("crmframe adapt: %v: %s", err, stderr.String())
	}
	var cfg map[string]any
	if err := json.Unmarshal(out, &cfg); err != nil {
		return "", fmt.Errorf("crmframe adapt output: %v", err)
	}
	apps, _ := cfg["apps"].(map[string]any)
	eng, _ := apps["crm_engine"].(map[string]any)
	if eng == nil {
		return "", fmt.Errorf("adapted config has no apps.crm_engine")
	}
	eng["ping_interval"] = int64(s.pingInterval)
	js, _ := json.MarshalIndent(cfg, "", "  ")
	path := filepath.Join(s.dir, "config.json")
	return path, os.WriteFile(path, js, 0o644)
}

func (s *server) env() []string {
	return append(os.Environ(), "HOME="+s.dir, "XDG_DATA_HOME="+s.dir, "XDG_CONFIG_HOME="+s.dir)
}

func (s *server) start() error {
	path, err := s.writeConfig(false)
	if err != nil {
		return err
	}
	s.logPath = filepath.Join(s.dir, "crmframe.log")
	if s.logFile, err = os.Create(s.logPath); err != nil {
		return err
	}
	s.cmd = exec.Command(s.bin, "run", "--config", path)
	s.cmd.Dir = s.dir
	s.cmd.Env = s.env()
	s.cmd.Stdout, s.cmd.Stderr = s.logFile, s.logFile
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.exited = make(chan struct{})
	go func() {
		err := s.cmd.Wait()
		s.mu.Lock()
		s.waitErr = err
		s.mu.Unlock()
		close(s.exited)
	}()
	switch err := binproc.WaitReady([]string{"http://" + s.admin + "/config/", s.apiURL() + "/agents", s.metricsURL()}, s.exited, 60*time.Second); {
	case errors.Is(err, binproc.ErrExited):
		return fmt.Errorf("crmframe exited at start: %v\n%s", s.exitErr(), s.logTail(2000))
	case err != nil:
		return fmt.Errorf("crmframe did not come up: %v\n%s", err, s.logTail(2000))
	}
	return nil
}

func (s *server) exitErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waitErr
}

func (s *server) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// reload runs `crmframe reload` with the changed config, as an operator does.
func (s *server) reload() error {
	path, err := s.writeConfig(true)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "reload", "--config", path, "--address", s.admin)
	cmd.Dir = s.dir
	cmd.Env = s.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("crmframe reload: %v: %s", err, out)
	}
	return nil
}

func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	if s.logFile != nil {
		s.logFile.Close()
	}
}

func (s *server) logTail(n int) string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func (s *server) wsURL() string  { return fmt.Sprintf("ws://127.0.0.1:%d/__crmframe/ws", s.crmPort) }
func (s *server) apiURL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.apiPort) }
func (s *server) metricsURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", s.metricsPort)
}

// memStatus returns VmHWM (peak RSS) and VmRSS of the process, in bytes.
func (s *server) memStatus() (hwm, rss int64, err error) {
	rss, hwm, err = binproc.MemStatus(s.cmd.Process.Pid)
	return hwm, rss, err
}

// metrics is one scrape of the metrics site.
type metrics map[string]*dto.MetricFamily

var scrapeClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

func (s *server) scrape(ctx context.Context) (metrics, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.metricsURL(), nil)
	resp, err := scrapeClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("GET /metrics: %d %s", resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mf, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse /metrics: %v", err)
	}
	return metrics(mf), nil
}

// sum adds the values of every series of name whose labels match (k=v pairs).
func (m metrics) sum(name string, match ...string) float64 {
	f := m[name]
	if f == nil {
		return 0
	}
	var t float64
	for _, mt := range f.Metric {
		ok := true
		for i := 0; i+1 < len(match); i += 2 {
			found := false
			for _, l := range mt.Label {
				if l.GetName() == match[i] && l.GetValue() == match[i+1] {
					found = true
				}
			}
			ok = ok && found
		}
		if !ok {
			continue
		}
		switch {
		case mt.Counter != nil:
			t += mt.Counter.GetValue()
		case mt.Gauge != nil:
			t += mt.Gauge.GetValue()
		case mt.Untyped != nil:
			t += mt.Untyped.GetValue()
		}
	}
	return t
}

// byLabel sums name per value of label.
func (m metrics) byLabel(name, label string) map[string]float64 {
	out := map[string]float64{}
	f := m[name]
	if f == nil {
		return out
	}
	for _, mt := range f.Metric {
		k := ""
		for _, l := range mt.Label {
			if l.GetName() == label {
				k = l.GetValue()
			}
		}
		if mt.Counter != nil {
			out[k] += mt.Counter.GetValue()
		} else if mt.Gauge != nil {
			out[k] += mt.Gauge.GetValue()
		}
	}
	return out
}
