package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Row is one line of the table. Status is "✓", "✗" or "–" (informative,
// no target, or not available).
type Row struct {
	Section, Measure, Plain, CRM, Result, Target, Status string
}

const (
	pass = "✓"
	fail = "✗"
	info = "–"
)

func judge(ok bool) string {
	if ok {
		return pass
	}
	return fail
}

// Report collects the rows of one run.
type Report struct {
	Rows  []Row
	Notes []string
}

func (r *Report) add(row Row) {
	if row.Status == "" {
		row.Status = info
	}
	for _, f := range []*string{&row.Plain, &row.CRM, &row.Result, &row.Target} {
		if *f == "" {
			*f = info
		}
	}
	r.Rows = append(r.Rows, row)
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Counts returns how many rows passed and failed.
func (r *Report) Counts() (passed, failed int) {
	for _, row := range r.Rows {
		switch row.Status {
		case pass:
			passed++
		case fail:
			failed++
		}
	}
	return
}

// Table renders the rows as a Markdown table (readable in a terminal too).
func (r *Report) Table() string {
	head := []string{"Section", "Measure", "plain reverse_proxy", "crm_frame", "Result", "Target", ""}
	rows := [][]string{head}
	for _, x := range r.Rows {
		rows = append(rows, []string{x.Section, x.Measure, x.Plain, x.CRM, x.Result, x.Target, x.Status})
	}
	w := make([]int, len(head))
	for _, row := range rows {
		for i, c := range row {
			w[i] = max(w[i], runeLen(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			b.WriteString(" " + c + strings.Repeat(" ", w[i]-runeLen(c)) + " |")
		}
		b.WriteString("\n")
	}
	line(rows[0])
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = strings.Repeat("-", w[i])
	}
	line(sep)
	for _, row := range rows[1:] {
		line(row)
	}
	return b.String()
}

func runeLen(s string) int { return len([]rune(s)) }

// machineInfo describes where the figures come from.
func machineInfo(root string) []string {
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	gov := runtime.Version()
	if out, err := exec.Command("go", "version").Output(); err == nil {
		gov = strings.TrimSpace(string(out))
	}
	commit := "unknown"
	cmd := exec.Command("git", "rev-parse", "--short", "HEAD")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		commit = strings.TrimSpace(string(out))
		st := exec.Command("git", "status", "--porcelain")
		st.Dir = root
		if o, err := st.Output(); err == nil && len(strings.TrimSpace(string(o))) > 0 {
			commit += " (with uncommitted changes)"
		}
	}
	return []string{
		"Date: " + time.Now().UTC().Format("2006-01-02 15:04 MST"),
		"CPU: " + cpu,
		fmt.Sprintf("Cores: %d (GOMAXPROCS %d)", runtime.NumCPU(), runtime.GOMAXPROCS(0)),
		"Go: " + gov,
		"OS: " + runtime.GOOS + "/" + runtime.GOARCH,
		"Commit: " + commit,
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func fmtBytes(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var s string
	switch {
	case n >= 1<<20:
		s = fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		s = fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		s = fmt.Sprintf("%d B", n)
	}
	if neg {
		return "-" + s
	}
	return s
}

func fmtMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f", ms)
	}
	return fmt.Sprintf("%.2f", ms)
}
