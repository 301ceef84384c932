package caddymodule

import (
	"cmp"
	"net/http"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/crmframe/crmframe/injector"
	"github.com/crmframe/crmframe/injector/jsrewrite"
)

// newBodyRewriter builds the HTML/JS body rewriter for this handler.
func (h *Handler) newBodyRewriter() (*injector.BodyRewriter, error) { return h.newBodyRewriterAt("") }

// newBodyRewriterAt builds it for pages under a stripped path prefix
// (see mount): our own URLs carry the prefix, inject URLs are the
// browser's and stay as written.
func (h *Handler) newBodyRewriterAt(prefix string) (*injector.BodyRewriter, error) {
	recompress, _ := injector.ParseRecompression(cmp.Or(h.RecompressLevel, "default")) // validated in Provision
	recoding, _ := injector.ParseRecompressCoding(cmp.Or(h.RecompressCoding, "zstd"))
	opts := injector.BodyOptions{
		Recompress:       recompress,
		RecompressCoding: recoding,
		Scripts:          append([]string{prefix + h.SDKPath()}, h.Inject...),
		SDKAttrs:         h.sdkAttrsAt(prefix),
		ConnectURLs:      []string{prefix + h.PathPrefix + "/ws"},
		MaxRewriteSize:   h.MaxRewriteSize,
		JSCacheSize:      h.jsCacheBytes(),
		OnResult:         h.observeBody,
	}
	if h.CompatSDKPath != "off" {
		opts.KnownSDKPaths = []string{h.CompatSDKPath}
		if prefix != "" {
			opts.KnownSDKPaths = append(opts.KnownSDKPaths, prefix+h.CompatSDKPath)
		}
	}
	switch h.Breakout {
	case "neutralize":
		// A cached JS response replays observe on each hit: the metric
		// tells how often the CRM's code tried, not how many distinct
		// scripts.
		observe := func(res jsrewrite.Result) { observeBreakout(res, "neutralize") }
		// Inline scripts and handlers (thousands per page) take the
		// note-less hook: boxing a Result per call showed in profiles.
		opts.RewriteJS = func(src []byte, k injector.JSKind) ([]byte, bool) {
			out, res := jsrewrite.Rewrite(src, jsrewrite.Kind(k))
			observe(res)
			return out, res.Changed
		}
		opts.RewriteJSNote = func(src []byte, k injector.JSKind) ([]byte, bool, any) {
			out, res := jsrewrite.Rewrite(src, jsrewrite.Kind(k))
			observe(res)
			return out, res.Changed, noteOf(res)
		}
		opts.OnJSCacheHit = func(note any) { observe(note.(jsrewrite.Result)) }
		// Rewrite and Detect report nothing on what Mentions rejects.
		opts.JSMayChange = jsrewrite.Mentions
		opts.GuardServiceWorkers = true
		opts.MarkShadowRoots = true
	case "detect":
		// The log says where the code is (page or script path; never
		// the query, which may hold tokens): the hooks get the request.
		observe := func(r *http.Request, res jsrewrite.Result) {
			observeBreakout(res, "detect")
			if res.Changed {
				if c := h.logger.Check(zapcore.InfoLevel, "frame-busting code detected (breakout detect: left as is)"); c != nil {
					path := ""
					if r != nil {
						path = prefix + r.URL.Path
					}
					c.Write(zap.String("path", path), zap.Any("constructs", res.Counts))
				}
			}
		}
		opts.RewriteJSFor = func(r *http.Request, src []byte, k injector.JSKind, wantNote bool) ([]byte, bool, any) {
			res := jsrewrite.Detect(src, jsrewrite.Kind(k))
			observe(r, res)
			if !wantNote {
				return nil, false, nil
			}
			return nil, false, noteOf(res)
		}
		opts.OnJSCacheHitFor = func(r *http.Request, note any) { observe(r, note.(jsrewrite.Result)) }
		opts.JSMayChange = jsrewrite.Mentions
	}
	return injector.NewBodyRewriter(opts)
}

// noteOf is what a cached JS response replays on a hit: nothing when the
// rewriter found nothing.
func noteOf(res jsrewrite.Result) any {
	if len(res.Counts) == 0 && !res.Changed {
		return nil
	}
	return res
}

func observeBreakout(res jsrewrite.Result, mode string) {
	if len(res.Counts) == 0 {
		return // ranging over an empty map still costs an iterator
	}
	for kind, n := range res.Counts {
		proxyMetrics.breakout.WithLabelValues(kind, mode).Add(float64(n))
	}
}

// observeBody counts what happened to one response body, and logs pages we
// refused to rewrite.
func (h *Handler) observeBody(res injector.Result) {
	m := &proxyMetrics
	m.responses.WithLabelValues(res.Action).Inc()
	if res.Kind == "" {
		return
	}
	if res.JSCache != "" {
		m.jsCache.WithLabelValues(res.JSCache).Inc()
	}
	if res.ScriptsLeft > 0 {
		m.scriptsLeft.Add(float64(res.ScriptsLeft))
	}
	if res.SentCoding != res.Coding {
		m.recoded.WithLabelValues(res.Coding, res.SentCoding).Inc()
	}
	m.rewriteDuration.WithLabelValues(res.Action).Observe(res.Duration.Seconds())
	m.bytesIn.WithLabelValues(res.Action).Add(float64(res.BytesIn))
	m.bytesOut.WithLabelValues(res.Action).Add(float64(res.BytesOut))
	switch res.Action {
	case injector.ActionTooLarge, injector.ActionUndecodable, injector.ActionError:
		lvl := zapcore.WarnLevel
		if res.Reason == injector.ReasonClientGone {
			// An agent who clicked on mid-page: routine, nothing to act on.
			lvl = zapcore.DebugLevel
		}
		if c := h.logger.Check(lvl, "response not rewritten"); c != nil {
			c.Write(zap.String("action", res.Action), zap.String("reason", res.Reason), zap.String("kind", res.Kind), zap.String("coding", res.Coding))
		}
	default:
		if c := h.logger.Check(zapcore.DebugLevel, "response rewritten"); c != nil {
			c.Write(zap.String("action", res.Action), zap.String("kind", res.Kind), zap.Int64("bytes_in", res.BytesIn),
				zap.Int64("bytes_out", res.BytesOut), zap.Duration("duration", res.Duration), zap.Bool("injected", res.Injected), zap.String("coding", res.Coding), zap.String("sent_coding", res.SentCoding),
				zap.Int("js_rewrites", res.JSRewrites))
		}
	}
}
