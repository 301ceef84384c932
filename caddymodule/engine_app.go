package caddymodule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/crmframe/crmframe/engine"
)

func init() {
	caddy.RegisterModule(EngineApp{})
	caddy.RegisterModule(EngineAPI{})
}

// The engine outlives config reloads: it lives in a usage pool, so a reload
// hands the same agents, contacts, history and WebSocket connections to the
// new config; it is closed only when no config uses it any more.
var enginePool = caddy.NewUsagePool()

const enginePoolKey = "crm_engine"

type engineHolder struct {
	e  *engine.Engine
	mu sync.Mutex
	// What the engine runs with, set by the config that started last.
	conf engine.Config
	slt  time.Duration // service_level_threshold
	gen  uint64        // bumped whenever conf/slt change hands
}

// defaultServiceLevelThreshold is service_level_threshold's default.
const defaultServiceLevelThreshold = 20 * time.Second

func (h *engineHolder) Destruct() error {
	h.e.Close()
	return nil
}

// EngineApp is the embedded contact engine (Caddy app "crm_engine"):
// agents, contacts, queues and ACD routing, the AgentDesktop event
// life-cycle and the WebSocket stream served by crm_frame at
// <path_prefix>/ws.
type EngineApp struct {
	// HS256 secret shared with the desktop's back end, which mints agent
	// tokens. Placeholders such as {env.CRMFRAME_SECRET} are replaced.
	Secret string `json:"secret,omitempty"`
	// DemoTokens enables POST <path_prefix>/demo/token on crm_frame sites,
	// which mints a token for any agent to loopback clients only. For demos
	// and tests; never enable it in production.
	DemoTokens bool `json:"demo_tokens,omitempty"`
	// Answered-within threshold of the service-level KPI metric. Default 20s.
	ServiceLevelThreshold caddy.Duration `json:"service_level_threshold,omitempty"`

	engine.Config

	eng    *engine.Engine
	secret []byte
	logger *zap.Logger
	// Provision only takes a reference (held) and keeps the settings
	// pending (cfg): Caddy may still reject this config after that, and
	// the running one must keep its own. Start applies them; prev is what
	// Start replaced, put back by Stop if this config's start is aborted.
	held     *engineHolder
	cfg      engine.Config
	gen      uint64
	prevConf engine.Config
	prevSLT  time.Duration
}

// CaddyModule returns the Caddy module information.
func (EngineApp) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "crm_engine",
		New: func() caddy.Module { return new(EngineApp) },
	}
}

// Provision validates the configuration and takes a reference to the
// (possibly already running) engine. It changes nothing in a running
// engine: Start does.
func (a *EngineApp) Provision(ctx caddy.Context) error {
	a.logger = ctx.Logger()
	if err := a.check(); err != nil {
		return err
	}
	cfg := a.Config
	secret := caddy.NewReplacer().ReplaceKnown(a.Secret, "")
	cfg.Secret = []byte(secret)
	a.secret = cfg.Secret
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("crm_engine: %v", err)
	}
	if err := registerEngineMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("crm_engine: metrics: %v", err)
	}
	obs := &engineObserver{logger: a.logger}
	val, _, err := enginePool.LoadOrNew(enginePoolKey, func() (caddy.Destructor, error) {
		e, err := engine.New(cfg, engine.WithObserver(obs))
		if err != nil {
			return nil, err
		}
		return &engineHolder{e: e, conf: cfg, slt: defaultServiceLevelThreshold}, nil
	})
	if err != nil {
		return fmt.Errorf("crm_engine: %v", err)
	}
	a.held = val.(*engineHolder)
	a.cfg = cfg
	a.eng = a.held.e
	return nil
}

// Validate re-checks the configuration with the resolved secret (it also
// shadows the embedded engine.Config.Validate, which cannot see the secret).
func (a *EngineApp) Validate() error {
	if err := a.check(); err != nil {
		return err
	}
	cfg := a.Config
	cfg.Secret = a.secret
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("crm_engine: %v", err)
	}
	return nil
}

// minDuration: a positive duration below it is a unit mistake (JSON
// durations are nanoseconds: 30 is 30ns, not 30s).
const minDuration = time.Millisecond

// check refuses what engine.Config.Validate lets through but a crm_engine
// config must not have; JSON reaches here without the Caddyfile parser.
func (a *EngineApp) check() error {
	if a.Dev {
		// It waives the secret's 32-byte minimum: guessable agent tokens.
		return errors.New(`crm_engine: dev is not a crm_engine setting (it lets the engine library's tests use a short secret); remove it and set a secret of at least 32 bytes`)
	}
	c, s := &a.Config, &a.Simulate
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"no_answer_timeout", c.NoAnswerTimeout}, {"acw_timeout", c.ACWTimeout}, {"logout_grace", c.LogoutGrace},
		{"dial_answer_after", c.DialAnswerAfter}, {"write_timeout", c.WriteTimeout}, {"ping_interval", c.PingInterval},
		{"hello_timeout", c.HelloTimeout}, {"service_level_threshold", time.Duration(a.ServiceLevelThreshold)},
		{"simulate: hangup_after", s.HangupAfter}, {"simulate: abandon_after", s.AbandonAfter},
	} {
		if d.v > 0 && d.v < minDuration {
			return fmt.Errorf(`crm_engine: %s: %s is below %s: JSON durations are integers of nanoseconds or strings such as "30s"`, d.name, d.v, minDuration)
		}
	}
	if a.ServiceLevelThreshold < 0 {
		return fmt.Errorf("crm_engine: service_level_threshold: must be positive, got %s", time.Duration(a.ServiceLevelThreshold))
	}
	if !s.Enabled && *s != (engine.SimulateConfig{}) {
		return errors.New(`crm_engine: simulate: settings given but "enabled" is not true: add "enabled": true, or remove simulate`)
	}
	return nil
}

// engineDurations are the crm_engine JSON keys of type time.Duration
// (service_level_threshold is a caddy.Duration, which reads strings itself).
var engineDurations = []string{"no_answer_timeout", "acw_timeout", "logout_grace", "dial_answer_after", "write_timeout", "ping_interval", "hello_timeout"}

// UnmarshalJSON decodes crm_engine's JSON as Caddy decodes modules (an
// unknown key is an error), and takes durations the way Caddy's own do:
// integers of nanoseconds or strings such as "30s" ("off" for
// dial_answer_after, as in the Caddyfile).
func (a *EngineApp) UnmarshalJSON(b []byte) error {
	b, err := durationStrings(b, "", engineDurations)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) == nil && top["simulate"] != nil {
		sim, err := durationStrings(top["simulate"], "simulate: ", []string{"hangup_after", "abandon_after"})
		if err != nil {
			return err
		}
		top["simulate"] = sim
		if b, err = json.Marshal(top); err != nil {
			return err
		}
	}
	type engineApp EngineApp // without this method
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*engineApp)(a))
}

// durationStrings replaces the string values of keys in the JSON object b
// by their nanoseconds. Anything that is not an object is left to the
// decoder, which reports it.
func durationStrings(b []byte, where string, keys []string) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return b, nil
	}
	changed := false
	for _, k := range keys {
		raw, ok := obj[k]
		var str string
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) || json.Unmarshal(raw, &str) != nil {
			continue // absent, null (the default) or a number
		}
		var d time.Duration
		if str == "off" && k == "dial_answer_after" {
			d = -1
		} else {
			var err error
			if d, err = caddy.ParseDuration(str); err != nil {
				return nil, fmt.Errorf(`crm_engine: %s%s: %q is not a duration (e.g. "30s", or an integer of nanoseconds)`, where, k, str)
			}
		}
		obj[k] = json.RawMessage(strconv.FormatInt(int64(d), 10))
		changed = true
	}
	if !changed {
		return b, nil
	}
	return json.Marshal(obj)
}

// reconfigure applies a changed configuration to a running engine, when the
// engine supports it.
func reconfigure(e *engine.Engine, cfg engine.Config) error {
	type reconfigurer interface{ Reconfigure(engine.Config) error }
	if r, ok := any(e).(reconfigurer); ok {
		return r.Reconfigure(cfg)
	}
	return errors.New("this engine cannot change its configuration while running; restart crmframe")
}

// Start applies this config's settings to the engine (Caddy starts apps
// only once every module provisioned) and starts the simulator when
// configured.
func (a *EngineApp) Start() error {
	h := a.held
	slt := time.Duration(a.ServiceLevelThreshold)
	if slt <= 0 {
		slt = defaultServiceLevelThreshold
	}
	h.mu.Lock()
	a.prevConf, a.prevSLT = h.conf, h.slt
	if !reflect.DeepEqual(h.conf, a.cfg) {
		if err := reconfigure(h.e, a.cfg); err != nil {
			h.mu.Unlock()
			return fmt.Errorf("crm_engine: reload: %v", err)
		}
		h.conf = a.cfg
	}
	h.slt = slt
	serviceLevelThreshold.Store(int64(slt))
	h.gen++
	a.gen = h.gen
	h.mu.Unlock()
	a.eng.Start()
	return nil
}

// Stop leaves the engine running (it outlives reloads, see Cleanup), with
// one exception: when another app of this config failed to start, Caddy
// stops this one and keeps the previous config, whose settings come back.
func (a *EngineApp) Stop() error {
	h := a.held
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gen != a.gen {
		return nil // a newer config started since: a plain reload
	}
	if refs, _ := enginePool.References(enginePoolKey); refs < 2 {
		return nil // no other config holds the engine: a real stop
	}
	// An aborted start: the config still running holds a reference too.
	if !reflect.DeepEqual(h.conf, a.prevConf) {
		if err := reconfigure(h.e, a.prevConf); err != nil {
			return fmt.Errorf("crm_engine: restoring the running configuration: %v", err)
		}
		h.conf = a.prevConf
	}
	h.slt = a.prevSLT
	serviceLevelThreshold.Store(int64(h.slt))
	h.gen++
	return nil
}

// Cleanup releases this config's hold on the engine; the last one closes it
// (connections are told to reconnect). Caddy also calls it when Provision
// failed: without a reference taken, there is nothing to release (and the
// running config's reference must stay).
func (a *EngineApp) Cleanup() error {
	if a.held == nil {
		return nil
	}
	a.held = nil
	_, err := enginePool.Delete(enginePoolKey)
	return err
}

// Engine returns the running engine.
func (a *EngineApp) Engine() *engine.Engine { return a.eng }

// engineFromContext returns the configured engine app, or nil when the
// config has no crm_engine.
func engineFromContext(ctx caddy.Context) (*EngineApp, error) {
	app, err := ctx.AppIfConfigured("crm_engine")
	if err != nil {
		if errors.Is(err, caddy.ErrNotConfigured) {
			return nil, nil
		}
		return nil, err
	}
	return app.(*EngineApp), nil
}

// EngineAPI serves the engine's HTTP API for operators and real CTIs
// (POST /contacts, GET /agents, ...), relative to where it is mounted.
// Mount it on an internal site only.
type EngineAPI struct {
	h http.Handler
}

// CaddyModule returns the Caddy module information.
func (EngineAPI) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.crm_engine_api",
		New: func() caddy.Module { return new(EngineAPI) },
	}
}

// Provision finds the engine.
func (m *EngineAPI) Provision(ctx caddy.Context) error {
	app, err := engineFromContext(ctx)
	if err != nil {
		return err
	}
	if app == nil {
		return errors.New("crm_engine_api: no crm_engine configured: add a crm_engine { secret ... } global option")
	}
	m.h = app.Engine().APIHandler()
	return nil
}

// ServeHTTP serves the API; it never calls next.
func (m *EngineAPI) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	m.h.ServeHTTP(w, r)
	return nil
}

// Interface guards
var (
	_ caddy.App                   = (*EngineApp)(nil)
	_ caddy.Provisioner           = (*EngineApp)(nil)
	_ caddy.CleanerUpper          = (*EngineApp)(nil)
	_ caddy.Validator             = (*EngineApp)(nil)
	_ caddy.Provisioner           = (*EngineAPI)(nil)
	_ caddyhttp.MiddlewareHandler = (*EngineAPI)(nil)
)
