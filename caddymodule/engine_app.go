package caddymodule

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"

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
	e    *engine.Engine
	mu   sync.Mutex
	conf engine.Config
}

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
}

// CaddyModule returns the Caddy module information.
func (EngineApp) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "crm_engine",
		New: func() caddy.Module { return new(EngineApp) },
	}
}

// Provision validates the configuration and gets the (possibly already
// running) engine.
func (a *EngineApp) Provision(ctx caddy.Context) error {
	a.logger = ctx.Logger()
	cfg := a.Config
	secret := caddy.NewReplacer().ReplaceKnown(a.Secret, "")
	cfg.Secret = []byte(secret)
	a.secret = cfg.Secret
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("crm_engine: %v", err)
	}
	if a.ServiceLevelThreshold > 0 {
		serviceLevelThreshold.Store(int64(a.ServiceLevelThreshold))
	}
	if err := registerEngineMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("crm_engine: metrics: %v", err)
	}
	obs := &engineObserver{logger: a.logger}
	val, loaded, err := enginePool.LoadOrNew(enginePoolKey, func() (caddy.Destructor, error) {
		e, err := engine.New(cfg, engine.WithObserver(obs))
		if err != nil {
			return nil, err
		}
		return &engineHolder{e: e, conf: cfg}, nil
	})
	if err != nil {
		return fmt.Errorf("crm_engine: %v", err)
	}
	h := val.(*engineHolder)
	if loaded {
		h.mu.Lock()
		same := reflect.DeepEqual(h.conf, cfg)
		h.mu.Unlock()
		if !same {
			if err := reconfigure(h.e, cfg); err != nil {
				_, _ = enginePool.Delete(enginePoolKey)
				return fmt.Errorf("crm_engine: reload: %v", err)
			}
			h.mu.Lock()
			h.conf = cfg
			h.mu.Unlock()
		}
	}
	a.eng = h.e
	return nil
}

// Validate re-checks the configuration with the resolved secret (it also
// shadows the embedded engine.Config.Validate, which cannot see the secret).
func (a *EngineApp) Validate() error {
	cfg := a.Config
	cfg.Secret = a.secret
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("crm_engine: %v", err)
	}
	return nil
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

// Start starts the simulator when configured.
func (a *EngineApp) Start() error {
	a.eng.Start()
	return nil
}

// Stop does nothing: the engine outlives reloads (see Cleanup).
func (a *EngineApp) Stop() error { return nil }

// Cleanup releases this config's hold on the engine; the last one closes it
// (connections are told to reconnect).
func (a *EngineApp) Cleanup() error {
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
