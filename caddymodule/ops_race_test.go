//go:build race

package caddymodule_test

// The race detector slows the rewriter about tenfold: the byte-heavy ops
// tests run the same paths on smaller bodies (see opsSizes).
const raceEnabled = true
