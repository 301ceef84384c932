package caddymodule

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/crmframe/crmframe/engine"
)

// serviceLevelThreshold is the "answered within" threshold of the service
// level KPI (crm_engine service_level_threshold, default 20 s).
var serviceLevelThreshold atomic.Int64

func init() { serviceLevelThreshold.Store(int64(20 * time.Second)) }

var engineMetrics = struct {
	once            sync.Once
	conns           *prometheus.GaugeVec
	connects        *prometheus.CounterVec
	welcomes        *prometheus.CounterVec
	disconnects     *prometheus.CounterVec
	slow            *prometheus.CounterVec
	refused         *prometheus.CounterVec
	events          *prometheus.CounterVec
	commands        *prometheus.CounterVec
	agents          *prometheus.GaugeVec
	forced          prometheus.Counter
	contacts        *prometheus.GaugeVec
	offered         *prometheus.CounterVec
	answered        *prometheus.CounterVec
	answeredWithin  *prometheus.CounterVec
	abandoned       *prometheus.CounterVec
	wait            *prometheus.HistogramVec
	handleTime      *prometheus.HistogramVec
	acwTime         *prometheus.HistogramVec
	slThresholdSecs prometheus.GaugeFunc
	shimActions     *prometheus.CounterVec
	shimDropped     *prometheus.CounterVec
}{}

func initEngineMetrics() {
	m := &engineMetrics
	m.once.Do(func() {
		const ns = "crmframe"
		cv := func(sub, name, help string, labels ...string) *prometheus.CounterVec {
			return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: name, Help: help}, labels)
		}
		gv := func(sub, name, help string, labels ...string) *prometheus.GaugeVec {
			return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: name, Help: help}, labels)
		}
		hv := func(sub, name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
			return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: name, Help: help, Buckets: buckets}, labels)
		}
		waitBuckets := []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600}
		talkBuckets := []float64{10, 30, 60, 90, 120, 180, 300, 450, 600, 900, 1200, 1800, 3600}
		m.conns = gv("ws", "connections", "Open WebSocket connections by client kind (widget, desktop, sdk, other).", "kind")
		m.connects = cv("ws", "connects_total", "WebSocket connections accepted, by client kind.", "kind")
		m.welcomes = cv("ws", "welcomes_total", "Hello handshakes by client kind and outcome: fresh, resumed (missed events replayed) or snapshot.", "kind", "how")
		m.disconnects = cv("ws", "disconnects_total", "WebSocket connections closed, by client kind and reason.", "kind", "reason")
		m.slow = cv("ws", "slow_disconnects_total", "Connections cut off because their send queue overflowed, by client kind.", "kind")
		// At zero from the start, so an alert on its rate sees the first one.
		for _, kind := range []string{"widget", "desktop", "sdk", "other"} {
			m.slow.WithLabelValues(kind)
		}
		m.refused = cv("ws", "refused_total", "WebSocket upgrades refused, by HTTP status (401 bad token, 403 foreign Origin, ...).", "status")
		m.events = cv("engine", "events_published_total", "Events published to agents' streams, by event name.", "event")
		m.commands = cv("engine", "commands_total", "Commands from the SDK and the API, by command and result code (ok or an error code).", "command", "code")
		m.agents = gv("engine", "agents", "Logged-in agents by state (LOGGEDIN, PAUSE, PAUSESUBSTATE, FORCED, ...); pause_code is set for PAUSESUBSTATE (configured codes only).", "state", "pause_code")
		m.forced = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "engine", Name: "forced_total", Help: "Agents put in FORCED pause after not answering a contact in time."})
		m.contacts = gv("engine", "contacts_active", "Active contacts by media type and phase.", "media", "phase")
		m.offered = cv("queue", "offered_total", "Contacts offered to a queue, by queue and media.", "queue", "media")
		m.answered = cv("queue", "answered_total", "Queued contacts answered by an agent, by queue and media.", "queue", "media")
		m.answeredWithin = cv("queue", "answered_within_threshold_total", "Queued contacts answered within the service-level threshold (see crmframe_queue_service_level_threshold_seconds).", "queue", "media")
		m.abandoned = cv("queue", "abandoned_total", "Contacts abandoned by the customer while queued, by queue and media.", "queue", "media")
		m.wait = hv("queue", "wait_seconds", "Time contacts waited in queue before being answered or abandoned, by queue, media and outcome.", waitBuckets, "queue", "media", "outcome")
		m.handleTime = hv("contact", "handle_seconds", "Talk/handle time (ESTABLISHED to CONNECTIONCLEARED), by media.", talkBuckets, "media")
		m.acwTime = hv("contact", "acw_seconds", "After-call work time (offline phase), by media.", waitBuckets, "media")
		m.slThresholdSecs = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: "queue", Name: "service_level_threshold_seconds", Help: "The service-level threshold used by crmframe_queue_answered_within_threshold_total."},
			func() float64 { return time.Duration(serviceLevelThreshold.Load()).Seconds() })
		m.shimActions = cv("shim", "actions_total", "Frame-busting attempts the shim stopped at run time in agents' browsers, by kind, as the SDK reports them (window.__crmframe.stats).", "kind")
		m.shimDropped = cv("shim", "dropped_total", "Shim reports or entries the engine did not count, by reason: rate_limited, invalid (whole reports), unknown_kind, capped (entries).", "reason")
		// At zero from the start, so a rate over them sees the first one.
		for _, k := range engine.ShimKinds() {
			m.shimActions.WithLabelValues(k)
		}
		for _, r := range []string{engine.ShimDropRateLimited, engine.ShimDropInvalid, engine.ShimDropUnknownKind, engine.ShimDropCapped} {
			m.shimDropped.WithLabelValues(r)
		}
	})
}

func registerEngineMetrics(reg prometheus.Registerer) error {
	initEngineMetrics()
	m := &engineMetrics
	return registerCollectors(reg, m.conns, m.connects, m.welcomes, m.disconnects, m.slow, m.refused,
		m.events, m.commands, m.agents, m.forced, m.contacts, m.offered, m.answered, m.answeredWithin,
		m.abandoned, m.wait, m.handleTime, m.acwTime, m.slThresholdSecs, m.shimActions, m.shimDropped)
}

// engineObserver turns engine hooks into metrics and structured logs. The
// agent id only ever reaches logs, never a label.
type engineObserver struct {
	logger *zap.Logger
	mu     sync.Mutex
	// last gauge labels of each agent, so a transition moves it out of the
	// exact series it was counted in (pause sub-states included).
	last map[string][2]string
}

var (
	_ engine.Observer     = (*engineObserver)(nil)
	_ engine.ShimObserver = (*engineObserver)(nil)
)

func (o *engineObserver) ConnOpened(kind string) {
	engineMetrics.conns.WithLabelValues(kind).Inc()
	engineMetrics.connects.WithLabelValues(kind).Inc()
}

func (o *engineObserver) ConnClosed(kind, reason string) {
	engineMetrics.conns.WithLabelValues(kind).Dec()
	engineMetrics.disconnects.WithLabelValues(kind, reason).Inc()
}

func (o *engineObserver) Welcome(kind, how string) {
	engineMetrics.welcomes.WithLabelValues(kind, how).Inc()
}

func (o *engineObserver) SlowDisconnect(agentID, kind string) {
	engineMetrics.slow.WithLabelValues(kind).Inc()
	if c := o.logger.Check(zapcore.WarnLevel, "slow WebSocket client disconnected (it will resume)"); c != nil {
		c.Write(zap.String("agent", agentID), zap.String("client_kind", kind))
	}
}

func (o *engineObserver) Refused(r *http.Request, status int, reason string) {
	engineMetrics.refused.WithLabelValues(strconv.Itoa(status)).Inc()
	if c := o.logger.Check(zapcore.WarnLevel, "WebSocket refused"); c != nil {
		c.Write(zap.Int("status", status), zap.String("reason", reason),
			zap.String("origin", r.Header.Get("Origin")), zap.String("remote_ip", r.RemoteAddr))
	}
}

// RateLimited logs a client cut off for sending too many messages.
func (o *engineObserver) RateLimited(agentID, kind string) {
	if c := o.logger.Check(zapcore.WarnLevel, "WebSocket client cut off: too many messages"); c != nil {
		c.Write(zap.String("agent", agentID), zap.String("client_kind", kind))
	}
}

func (o *engineObserver) EventPublished(name string) {
	engineMetrics.events.WithLabelValues(name).Inc()
}

func (o *engineObserver) Command(name, code string) {
	engineMetrics.commands.WithLabelValues(name, code).Inc()
}

func (o *engineObserver) AgentState(agentID, from, to string, code int) {
	m := &engineMetrics
	pc := ""
	if to == "PAUSESUBSTATE" {
		pc = strconv.Itoa(code)
	}
	o.mu.Lock()
	if o.last == nil {
		o.last = map[string][2]string{}
	}
	if prev, ok := o.last[agentID]; ok {
		m.agents.WithLabelValues(prev[0], prev[1]).Dec()
	} else if from != "" && from != "LOGGEDOUT" {
		m.agents.WithLabelValues(from, "").Dec()
	}
	if to == "LOGGEDOUT" {
		delete(o.last, agentID)
	} else {
		o.last[agentID] = [2]string{to, pc}
		m.agents.WithLabelValues(to, pc).Inc()
	}
	o.mu.Unlock()
	if to == "FORCED" {
		m.forced.Inc()
	}
}

func (o *engineObserver) ContactPhase(media, from, to string) {
	m := &engineMetrics
	if from != "" {
		m.contacts.WithLabelValues(media, from).Dec()
	}
	// A finished contact is no longer active: it leaves the gauge.
	if to != "" && to != engine.CStateFinished {
		m.contacts.WithLabelValues(media, to).Inc()
	}
}

func (o *engineObserver) QueueOffered(queue, media string) {
	engineMetrics.offered.WithLabelValues(queue, media).Inc()
}

func (o *engineObserver) QueueAnswered(queue, media string, wait time.Duration) {
	m := &engineMetrics
	m.answered.WithLabelValues(queue, media).Inc()
	if int64(wait) <= serviceLevelThreshold.Load() {
		m.answeredWithin.WithLabelValues(queue, media).Inc()
	}
	m.wait.WithLabelValues(queue, media, "answered").Observe(wait.Seconds())
}

func (o *engineObserver) QueueAbandoned(queue, media string, wait time.Duration) {
	engineMetrics.abandoned.WithLabelValues(queue, media).Inc()
	engineMetrics.wait.WithLabelValues(queue, media, "abandoned").Observe(wait.Seconds())
}

func (o *engineObserver) HandleTime(media string, d time.Duration) {
	engineMetrics.handleTime.WithLabelValues(media).Observe(d.Seconds())
}

func (o *engineObserver) ACWTime(media string, d time.Duration) {
	engineMetrics.acwTime.WithLabelValues(media).Observe(d.Seconds())
}

// ShimActions counts what the frame-busting shim did in agents' browsers
// (op "report"): run-time busting the proxy's rewriting never saw.
func (o *engineObserver) ShimActions(kind string, n uint64) {
	engineMetrics.shimActions.WithLabelValues(kind).Add(float64(n))
}

func (o *engineObserver) ShimDropped(reason string) {
	engineMetrics.shimDropped.WithLabelValues(reason).Inc()
}
