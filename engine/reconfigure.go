package engine

// Reconfigure applies a new configuration to a running engine (a config
// reload) and keeps agents, contacts, history and connections. Queues,
// members, agent names and capacities, pause codes, timeouts (for timers
// started from now on), popup_on, WebSocket limits (for new connections),
// the secret (for new connections) and the simulator take effect at once.
// history_length only applies to a new engine. Queued contacts of a queue
// that no longer exists stay queued with its old members.
func (e *Engine) Reconfigure(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg = cfg.Defaults()
	e.mu.Lock()
	cfg.HistoryLength = e.cfg.HistoryLength
	oldSim := e.sim
	e.sim = nil
	e.cfg = cfg
	for _, a := range e.agents {
		a.queues = nil
		a.capacity = map[string]int{}
		for k, v := range cfg.Capacity {
			a.capacity[k] = v
		}
	}
	e.applyStaffingLocked(cfg)
	for _, c := range e.contacts {
		if c.queue != nil {
			if q := e.queues[c.queue.name]; q != nil {
				c.queue = q
			}
		}
	}
	e.route()
	closed := e.closed
	e.mu.Unlock()
	if oldSim != nil {
		oldSim.Stop()
	}
	if cfg.Simulate.Enabled && !closed {
		e.Start()
	}
	return nil
}
