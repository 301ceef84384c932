package caddymodule

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/crmframe/crmframe/engine"
)

func queueNames(e *engine.Engine) []string {
	var names []string
	for _, q := range e.Queues() {
		names = append(names, q.Name)
	}
	slices.Sort(names)
	return names
}

// TestEngineAppLifecycle drives EngineApp as Caddy's run() does on each
// path: first load, a reload whose start is aborted by another app, a
// reload that fails to provision, a good reload, the final stop. Settings
// change only when a config starts, and come back when its start is
// aborted.
func TestEngineAppLifecycle(t *testing.T) {
	if refs, ok := enginePool.References(enginePoolKey); ok {
		t.Fatalf("engine pool already holds %d references", refs)
	}
	// cleanup is what Caddy's cancel of a config calls on the app.
	newApp := func(queue string, slt time.Duration) (*EngineApp, func()) {
		a := &EngineApp{Secret: "0123456789abcdef0123456789abcdef-app", ServiceLevelThreshold: caddy.Duration(slt)}
		a.Queues = []engine.QueueConfig{{Name: queue, Agents: []string{"a1"}}}
		ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
		t.Cleanup(cancel)
		if err := a.Provision(ctx); err != nil {
			t.Fatal(err)
		}
		return a, func() {
			if err := a.Cleanup(); err != nil {
				t.Error(err)
			}
		}
	}
	check := func(step string, e *engine.Engine, queue string, slt time.Duration) {
		t.Helper()
		if got := queueNames(e); !slices.Equal(got, []string{queue}) {
			t.Errorf("%s: queues %v, want [%s]", step, got, queue)
		}
		if got := time.Duration(serviceLevelThreshold.Load()); got != slt {
			t.Errorf("%s: service-level threshold %v, want %v", step, got, slt)
		}
	}

	// A first load aborted after this app started: the engine it built
	// goes with it.
	z, cleanupZ := newApp("sales", 0)
	if err := z.Start(); err != nil || z.Stop() != nil {
		t.Fatal(err)
	}
	cleanupZ()
	if refs, ok := enginePool.References(enginePoolKey); ok {
		t.Fatalf("after an aborted first load: %d references", refs)
	}

	// First load: the engine is built from this config.
	a, cleanupA := newApp("sales", 30*time.Second)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	e := a.Engine()
	check("first load", e, "sales", 30*time.Second)
	if _, err := e.CreateContact(engine.ContactRequest{MediaType: engine.MediaChat, Queue: "sales", ANI: "visitor"}); err != nil {
		t.Fatal(err)
	}

	// Reload whose provisioning succeeds here but which Caddy rejects
	// later: nothing changes, then or after its cleanup.
	b, cleanupB := newApp("vip", 0)
	check("provisioned, not started", e, "sales", 30*time.Second)
	cleanupB()
	check("rejected before start", e, "sales", 30*time.Second)

	// Reload aborted after this app started (another app failed): Caddy
	// stops it and cleans it up; the running config's settings come back.
	b, cleanupB = newApp("vip", 0)
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	check("started", e, "vip", defaultServiceLevelThreshold)
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	cleanupB()
	check("start aborted", e, "sales", 30*time.Second)

	// crm_engine itself fails to provision: Caddy still calls Cleanup,
	// which must not release the running config's reference.
	bad := &EngineApp{Secret: "short"}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	if err := bad.Provision(ctx); err == nil {
		t.Fatal("a short secret was accepted")
	}
	if err := bad.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if refs, _ := enginePool.References(enginePoolKey); refs != 1 {
		t.Fatalf("after a failed provision: %d references, want 1 (the running config's)", refs)
	}

	// Good reload: new settings, same engine and state; stopping the old
	// config changes nothing.
	c, cleanupC := newApp("vip", 0)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	cleanupA()
	if c.Engine() != e {
		t.Fatal("a reload built a new engine")
	}
	check("good reload", e, "vip", defaultServiceLevelThreshold)
	if n := len(e.Contacts(false)); n != 1 {
		t.Errorf("good reload: %d contacts, want the 1 queued before", n)
	}

	// Final stop: settings stay, the engine closes on cleanup.
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	check("final stop", e, "vip", defaultServiceLevelThreshold)
	cleanupC()
	if refs, ok := enginePool.References(enginePoolKey); ok {
		t.Fatalf("after the final stop: %d references", refs)
	}
}
