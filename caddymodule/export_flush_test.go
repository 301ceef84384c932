package caddymodule

import "time"

// SetFlushDelay changes the flush delay of handlers provisioned from now
// on; the returned function restores it.
func SetFlushDelay(d time.Duration) (restore func()) {
	old := flushDelay
	flushDelay = d
	return func() { flushDelay = old }
}
