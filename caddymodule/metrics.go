package caddymodule

import (
	"errors"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/crmframe/crmframe/injector"
)

// Collectors are created once per process and registered into the metrics
// registry of every config load (Caddy makes a new one on reload), so that
// counters survive reloads and appear on Caddy's own /metrics.
var proxyMetrics = struct {
	once            sync.Once
	responses       *prometheus.CounterVec
	headers         *prometheus.CounterVec
	breakout        *prometheus.CounterVec
	rewriteDuration *prometheus.HistogramVec
	bytesIn         *prometheus.CounterVec
	bytesOut        *prometheus.CounterVec
	sdkRequests     *prometheus.CounterVec
	jsCache         *prometheus.CounterVec
	recoded         *prometheus.CounterVec
	scriptsLeft     prometheus.Counter
	foreignRedirect prometheus.Counter
}{}

func initProxyMetrics() {
	proxyMetrics.once.Do(func() {
		const ns = "crmframe"
		proxyMetrics.responses = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "responses_total",
			Help: "Proxied responses by what crm_frame did with the body: rewritten_html, rewritten_js, passed_through, too_large, undecodable, error.",
		}, []string{"action"})
		proxyMetrics.headers = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "headers_rewritten_total",
			Help: "Response headers rewritten by kind: xfo_removed, csp_frame_ancestors, csp_sandbox, cookie, location.",
		}, []string{"kind"})
		proxyMetrics.breakout = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "breakout_constructs_total",
			Help: "Frame-busting constructs neutralised (or, in detect mode, found) by kind.",
		}, []string{"kind", "mode"})
		proxyMetrics.rewriteDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: "proxy", Name: "rewrite_duration_seconds",
			Help:    "Time spent rewriting one response body (decode, rewrite, encode), by action.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"action"})
		proxyMetrics.bytesIn = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "rewrite_bytes_in_total",
			Help: "Body bytes received from the upstream for responses crm_frame processed, by action.",
		}, []string{"action"})
		proxyMetrics.bytesOut = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "rewrite_bytes_out_total",
			Help: "Body bytes sent to the client for responses crm_frame processed, by action.",
		}, []string{"action"})
		proxyMetrics.sdkRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "sdk_requests_total",
			Help: "Requests for crmframe's own assets by asset and status (200, 304).",
		}, []string{"asset", "status"})
		proxyMetrics.jsCache = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "js_cache_total",
			Help: "JavaScript responses looked up in the rewritten-JavaScript cache, by result: hit, miss.",
		}, []string{"result"})
		proxyMetrics.recoded = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "recoded_total",
			Help: "Rewritten responses sent in another content coding than the CRM's (recompress_coding), by the CRM's coding and the one sent.",
		}, []string{"from", "to"})
		// Every pair recompress_coding can produce exists from the start
		// (at 0), so that dashboards and rate() see the series before the
		// first zstd browser.
		for _, from := range []string{"gzip", "deflate", "br"} {
			proxyMetrics.recoded.WithLabelValues(from, "zstd")
		}
		proxyMetrics.scriptsLeft = prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "scripts_left_total",
			Help: "Inline scripts of rewritten pages left exactly as sent because their text could not be decoded for certain (XHTML with an external entity or markup inside a script).",
		})
		proxyMetrics.foreignRedirect = prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Subsystem: "proxy", Name: "foreign_redirects_total",
			Help: "Pages loading in a frame that the CRM redirected to another site (shown only if that site allows framing: a blank frame otherwise).",
		})
	})
}

// registerCollectors registers into reg, tolerating collectors that are
// already there (several crm_frame handlers share one registry).
func registerCollectors(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return err
			}
		}
	}
	return nil
}

func registerProxyMetrics(reg prometheus.Registerer) error {
	initProxyMetrics()
	m := &proxyMetrics
	return registerCollectors(reg, m.responses, m.headers, m.breakout, m.rewriteDuration, m.bytesIn, m.bytesOut, m.sdkRequests, m.jsCache, m.recoded, m.scriptsLeft, m.foreignRedirect)
}

// observeHeaders counts what the header policy changed, and logs a framed
// page sent to another site.
func (h *Handler) observeHeaders(c injector.Changes) {
	m := &proxyMetrics
	if c.ForeignRedirect != "" {
		m.foreignRedirect.Inc()
		if ce := h.logger.Check(zapcore.WarnLevel, "framed page redirected to another site"); ce != nil {
			ce.Write(zap.String("to", c.ForeignRedirect), zap.String("path", c.Path),
				zap.String("hint", "shown only if that site allows framing by the desktop; see Troubleshooting (SSO)"))
		}
	}
	if c.XFORemoved > 0 {
		m.headers.WithLabelValues("xfo_removed").Add(float64(c.XFORemoved))
	}
	if c.CSPFrameAncestors > 0 {
		m.headers.WithLabelValues("csp_frame_ancestors").Add(float64(c.CSPFrameAncestors))
	}
	if c.CookiesRewritten > 0 {
		m.headers.WithLabelValues("cookie").Add(float64(c.CookiesRewritten))
	}
	if c.SandboxApplied > 0 {
		m.headers.WithLabelValues("csp_sandbox").Add(float64(c.SandboxApplied))
	}
	if c.LocationsRewrites > 0 {
		m.headers.WithLabelValues("location").Add(float64(c.LocationsRewrites))
	}
}
