package engine

import (
	"errors"
	"time"
)

// RateLimitObserver is an optional extension of Observer: RateLimited is
// called when a connection is cut off (close 4008) for sending more
// messages than command_rate and command_burst allow. Same rules as
// Observer: fast, concurrency-safe, no calls back into the engine.
type RateLimitObserver interface {
	RateLimited(agentID, kind string)
}

// errRevoked is the refusal of a token issued before the agent's logout.
var errRevoked = errors.New("token revoked: issued before the agent logged out")

// checkRevoked refuses a token issued before the agent's last explicit
// logout (AGENT.Logout or API LOGGEDOUT), so that a token copied from a
// URL, a log or a history cannot be replayed after the agent left.
func (e *Engine) checkRevoked(cl Claims) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return revoked(e.agents[cl.AgentID], cl)
}

func revoked(a *agent, cl Claims) error {
	if a == nil || a.loggedOutAt.IsZero() {
		return nil
	}
	if cl.IssuedAt.IsZero() {
		return errors.New("token revoked: no iat and the agent logged out")
	}
	// iat has a one-second resolution: a token minted in the second of the
	// logout is accepted (a desktop logging straight back in needs it).
	if cl.IssuedAt.Before(a.loggedOutAt.Truncate(time.Second)) {
		return errRevoked
	}
	return nil
}
