package caddymodule

// The metrics contract ops teams build on: docs/metrics.md's tables, its
// PromQL and the Grafana dashboard's queries against the collectors the
// code registers (names, types, units, label names). e2e/metrics_test.go
// checks the values on a real scrape.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// recordingRegisterer keeps what the code registers.
type recordingRegisterer struct{ cs []prometheus.Collector }

func (r *recordingRegisterer) Register(c prometheus.Collector) error {
	r.cs = append(r.cs, c)
	return nil
}
func (r *recordingRegisterer) MustRegister(cs ...prometheus.Collector) { r.cs = append(r.cs, cs...) }
func (r *recordingRegisterer) Unregister(prometheus.Collector) bool    { return false }

type metricDef struct {
	typ    string
	labels []string
}

var descRE = regexp.MustCompile(`fqName: "([^"]+)".*variableLabels: \{([^}]*)\}`)

// registeredMetrics describes every collector crm_frame and crm_engine
// register.
func registeredMetrics(t *testing.T) map[string]metricDef {
	rec := &recordingRegisterer{}
	if err := registerProxyMetrics(rec); err != nil {
		t.Fatal(err)
	}
	if err := registerEngineMetrics(rec); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricDef{}
	for _, c := range rec.cs {
		var typ string
		switch c.(type) {
		case *prometheus.CounterVec, prometheus.Counter:
			typ = "counter"
		case *prometheus.GaugeVec, prometheus.Gauge, prometheus.GaugeFunc:
			typ = "gauge"
		case *prometheus.HistogramVec, prometheus.Histogram:
			typ = "histogram"
		default:
			t.Fatalf("collector of unexpected type %T", c)
		}
		ch := make(chan *prometheus.Desc, 4)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			m := descRE.FindStringSubmatch(d.String())
			if m == nil {
				t.Fatalf("cannot read %s", d)
			}
			var labels []string
			for _, l := range strings.Split(m[2], ",") {
				if l = strings.TrimSpace(l); l != "" {
					labels = append(labels, l)
				}
			}
			sort.Strings(labels)
			out[m[1]] = metricDef{typ, labels}
		}
	}
	return out
}

var docRowRE = regexp.MustCompile("^\\| `(crmframe_[a-z_]+)` \\| ([a-z]+) \\|([^|]*)\\|")

// TestMetricsDocumented: every metric in docs/metrics.md exists with the
// documented type and label names, every registered metric is documented,
// and names carry their unit and type (_seconds, _total only on counters).
func TestMetricsDocumented(t *testing.T) {
	reg := registeredMetrics(t)
	doc, err := os.ReadFile(filepath.Join("..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		m := docRowRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name, typ := m[1], m[2]
		var labels []string
		for _, l := range strings.Split(m[3], ",") {
			if l = strings.Trim(strings.TrimSpace(l), "`"); l != "" && l != "—" {
				labels = append(labels, l)
			}
		}
		sort.Strings(labels)
		documented[name] = true
		def, ok := reg[name]
		if !ok {
			t.Errorf("docs/metrics.md lists %s, which the code does not register", name)
			continue
		}
		if def.typ != typ {
			t.Errorf("%s: docs say %s, code registers a %s", name, typ, def.typ)
		}
		if !slices.Equal(def.labels, labels) {
			t.Errorf("%s: docs list labels %v, code has %v", name, labels, def.labels)
		}
	}
	for name, def := range reg {
		if !documented[name] {
			t.Errorf("%s is registered but not in docs/metrics.md", name)
		}
		if strings.HasSuffix(name, "_total") != (def.typ == "counter") {
			t.Errorf("%s: a %s; only counters end in _total (Prometheus naming)", name, def.typ)
		}
		if strings.Contains(name, "duration") || strings.Contains(name, "wait") || strings.Contains(name, "time") {
			if !strings.HasSuffix(name, "_seconds") {
				t.Errorf("%s: a duration without its unit (_seconds)", name)
			}
		}
	}
}

var (
	metricRE   = regexp.MustCompile(`crmframe_[a-z_]+`)
	selectorRE = regexp.MustCompile(`(crmframe_[a-z_]+)\{([^}]*)\}`)
	matcherRE  = regexp.MustCompile(`([a-zA-Z_]+)\s*(=~|!~|!=|=)\s*"[^"]*"`)
	groupingRE = regexp.MustCompile(`\b(by|without|ignoring|on)\s*\(([^)]*)\)`)
)

// queryProblems checks one PromQL expression against the registered
// metrics: every metric exists (a histogram through _bucket, _sum,
// _count), every label it matches on or groups by is one of the metric's.
func queryProblems(reg map[string]metricDef, q string) []string {
	var probs []string
	family := func(n string) (metricDef, bool, bool) { // def, exists, bucket
		if d, ok := reg[n]; ok {
			return d, d.typ != "histogram", false
		}
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(n, suf); ok {
				if d, ok := reg[b]; ok && d.typ == "histogram" {
					return d, true, suf == "_bucket"
				}
			}
		}
		return metricDef{}, false, false
	}
	hasLabel := func(n, l string) bool {
		d, _, bucket := family(n)
		return slices.Contains(d.labels, l) || (bucket && l == "le")
	}
	for _, n := range metricRE.FindAllString(q, -1) {
		if _, ok, _ := family(n); !ok {
			probs = append(probs, "no metric "+n)
		}
	}
	for _, s := range selectorRE.FindAllStringSubmatch(q, -1) {
		for _, m := range matcherRE.FindAllStringSubmatch(s[2], -1) {
			if !hasLabel(s[1], m[1]) {
				probs = append(probs, s[1]+" has no label "+m[1])
			}
		}
	}
	for _, loc := range groupingRE.FindAllStringSubmatchIndex(q, -1) {
		kw, labels := q[loc[2]:loc[3]], q[loc[4]:loc[5]]
		// The metrics the grouping applies to: an aggregation's argument
		// (the parenthesised group after it), or, for a binary operator's
		// ignoring/on, the whole expression.
		scope := q
		if kw == "by" || kw == "without" {
			rest := q[loc[1]:]
			if i := strings.IndexByte(rest, '('); i >= 0 {
				depth, end := 0, len(rest)
				for j := i; j < len(rest); j++ {
					if rest[j] == '(' {
						depth++
					} else if rest[j] == ')' {
						if depth--; depth == 0 {
							end = j
							break
						}
					}
				}
				scope = rest[i:end]
			}
		}
		for _, l := range strings.Split(labels, ",") {
			if l = strings.TrimSpace(l); l == "" {
				continue
			}
			ok := false
			for _, n := range metricRE.FindAllString(scope, -1) {
				if hasLabel(n, l) {
					ok = true
				} else if kw == "by" || kw == "without" {
					ok = false
					break
				}
			}
			if !ok {
				probs = append(probs, kw+" ("+l+"): not a label of "+strings.Join(metricRE.FindAllString(scope, -1), ", "))
			}
		}
	}
	return probs
}

// TestMetricsQueriesValid runs queryProblems over the Grafana dashboard
// and the PromQL in docs/metrics.md.
func TestMetricsQueriesValid(t *testing.T) {
	reg := registeredMetrics(t)
	// The checker itself catches what it is for.
	for _, bad := range []string{
		`sum by (agent) (rate(crmframe_proxy_responses_total[5m]))`,
		`rate(crmframe_proxy_responses_total{kind="x"}[5m])`,
		`crmframe_proxy_rewrite_duration_seconds`,
		`rate(crmframe_proxy_cache_total[5m])`,
		`sum by (le) (rate(crmframe_proxy_responses_total[5m]))`,
	} {
		if len(queryProblems(reg, bad)) == 0 {
			t.Errorf("checker accepts %s", bad)
		}
	}
	var queries []string
	b, err := os.ReadFile(filepath.Join("..", "examples", "grafana", "crmframe-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels     []json.RawMessage `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	var walk func([]json.RawMessage)
	walk = func(ps []json.RawMessage) {
		for _, raw := range ps {
			var p struct {
				Title   string            `json:"title"`
				Panels  []json.RawMessage `json:"panels"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			for _, tg := range p.Targets {
				queries = append(queries, tg.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(dash.Panels)
	for _, v := range dash.Templating.List {
		// label_values(metric, label)
		if m := regexp.MustCompile(`label_values\((crmframe_[a-z_]+),\s*([a-z_]+)\)`).FindStringSubmatch(v.Definition); m != nil {
			queries = append(queries, "sum by ("+m[2]+") ("+m[1]+")")
		}
	}
	if len(queries) < 30 {
		t.Fatalf("only %d dashboard queries found", len(queries))
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range regexp.MustCompile("(?s)```promql\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		// An indented line continues the query above it.
		for _, line := range strings.Split(block[1], "\n") {
			switch {
			case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
			case strings.HasPrefix(line, " ") && n > 0:
				queries[len(queries)-1] += line
			default:
				queries = append(queries, line)
				n++
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d PromQL queries found in docs/metrics.md", n)
	}
	for _, q := range queries {
		for _, p := range queryProblems(reg, q) {
			t.Errorf("%s\n\t%s", p, q)
		}
	}
}
