package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// ShimObserver is an optional extension of Observer: the run-time counts of
// the frame-busting shim (window.__crmframe.stats) that SDK pages report
// with op "report" (docs/protocol.md). Same rules as Observer: fast,
// concurrency-safe, no calls back into the engine.
type ShimObserver interface {
	// ShimActions: n more shim actions of kind (one of ShimKinds).
	ShimActions(kind string, n uint64)
	// ShimDropped: what the engine did not count, by reason: a whole
	// report (ShimDropRateLimited, ShimDropInvalid) or one entry of it
	// (ShimDropUnknownKind; ShimDropCapped: counted up to the cap).
	ShimDropped(reason string)
}

// Reasons passed to ShimObserver.ShimDropped.
const (
	ShimDropRateLimited = "rate_limited"
	ShimDropInvalid     = "invalid"
	ShimDropUnknownKind = "unknown_kind"
	ShimDropCapped      = "capped"
)

// Limits of op "report": an entry counts at most ShimReportCap, a report
// has at most ShimReportMaxEntries entries, and a connection has one report
// counted per ShimReportInterval (more are dropped, the connection stays).
const (
	ShimReportCap        = 10000
	ShimReportMaxEntries = 64
	ShimReportInterval   = 10 * time.Second
)

// shimKinds is the allow-list: the keys injector/sdk/shim.js counts. A
// kind outside it never becomes a label value.
var shimKinds = map[string]bool{
	"top": true, "parent": true, "frameElement": true, "target": true, "open": true, "open-held": true,
	"blank": true, "unhide": true, "code": true, "ancestors": true, "adopt": true, "post": true,
	"history": true, "input": true,
}

// ShimKinds returns the kinds op "report" accepts, sorted.
func ShimKinds() []string {
	out := make([]string, 0, len(shimKinds))
	for k := range shimKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type shimEntry struct {
	kind string
	n    uint64
}

// parseShimReport checks a report's "shim" object: every value a
// non-negative integer (or the whole report is refused), at most
// ShimReportMaxEntries entries. Larger integers are capped.
func parseShimReport(raw json.RawMessage) ([]shimEntry, error) {
	var m map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, errors.New("report: shim must be an object of counts")
	}
	if len(m) > ShimReportMaxEntries {
		return nil, fmt.Errorf("report: more than %d kinds", ShimReportMaxEntries)
	}
	out := make([]shimEntry, 0, len(m))
	for k, v := range m {
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil {
			if !isDigits(v) { // a big integer is capped below; anything else is refused
				return nil, fmt.Errorf("report: shim[%s] must be a non-negative integer", strconvQuote(k))
			}
			n = ShimReportCap + 1
		}
		out = append(out, shimEntry{k, n})
	}
	return out, nil
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// shimReport handles op "report". It returns an error message for the
// client ("" when the report was counted or dropped silently).
func (c *conn) shimReport(raw json.RawMessage) string {
	o, _ := c.e.obs.(ShimObserver)
	drop := func(reason string) {
		if o != nil {
			o.ShimDropped(reason)
		}
	}
	now := c.e.now()
	if !c.lastReport.IsZero() && now.Sub(c.lastReport) < ShimReportInterval {
		drop(ShimDropRateLimited) // not an error: a page must not be cut off for it
		return ""
	}
	c.lastReport = now
	entries, err := parseShimReport(raw)
	if err != nil {
		drop(ShimDropInvalid)
		return err.Error()
	}
	for _, x := range entries {
		switch {
		case !shimKinds[x.kind]:
			drop(ShimDropUnknownKind)
			continue
		case x.n > ShimReportCap:
			drop(ShimDropCapped)
			x.n = ShimReportCap
		}
		if x.n > 0 && o != nil {
			o.ShimActions(x.kind, x.n)
		}
	}
	return ""
}
