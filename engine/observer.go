package engine

import (
	"net/http"
	"time"
)

// Observer receives metrics and log hooks. It is called from many goroutines
// (often while the engine lock is held): implementations must be safe for
// concurrent use, fast, and must not call back into the engine. Labels passed here are bounded (client kinds, event and command
// names, codes, configured queue names, media types) except agentID, which is
// meant for logs only. Embed NopObserver to implement a subset.
type Observer interface {
	// ConnOpened / ConnClosed: a WebSocket connection of a client kind
	// (widget, desktop, sdk, other) was accepted by hello / went away;
	// reason is client_closed, slow, shutdown or error. Connections refused
	// before or at hello get Refused (HTTP) or no call (hello refused).
	ConnOpened(kind string)
	ConnClosed(kind, reason string)
	// Welcome tells how a hello was answered: fresh, resumed or snapshot.
	Welcome(kind, how string)
	// SlowDisconnect: a connection whose send queue overflowed was cut off.
	SlowDisconnect(agentID, kind string)
	// Refused: a WebSocket upgrade refused with status and reason.
	Refused(r *http.Request, status int, reason string)
	EventPublished(name string)
	Command(name, code string)
	AgentState(agentID, from, to string, code int)
	ContactPhase(media, from, to string)
	QueueOffered(queue, media string)
	QueueAnswered(queue, media string, wait time.Duration)
	QueueAbandoned(queue, media string, wait time.Duration)
	// HandleTime: ESTABLISHED to CONNECTIONCLEARED; ACWTime: offline phase.
	HandleTime(media string, d time.Duration)
	ACWTime(media string, d time.Duration)
}

// NopObserver ignores everything.
type NopObserver struct{}

func (NopObserver) ConnOpened(string)                            {}
func (NopObserver) ConnClosed(string, string)                    {}
func (NopObserver) Welcome(string, string)                       {}
func (NopObserver) SlowDisconnect(string, string)                {}
func (NopObserver) Refused(*http.Request, int, string)           {}
func (NopObserver) EventPublished(string)                        {}
func (NopObserver) Command(string, string)                       {}
func (NopObserver) AgentState(string, string, string, int)       {}
func (NopObserver) ContactPhase(string, string, string)          {}
func (NopObserver) QueueOffered(string, string)                  {}
func (NopObserver) QueueAnswered(string, string, time.Duration)  {}
func (NopObserver) QueueAbandoned(string, string, time.Duration) {}
func (NopObserver) HandleTime(string, time.Duration)             {}
func (NopObserver) ACWTime(string, time.Duration)                {}
