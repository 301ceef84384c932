package caddymodule

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/dustin/go-humanize"

	"github.com/crmframe/crmframe/engine"
)

func init() {
	httpcaddyfile.RegisterGlobalOption("crm_engine", parseEngineGlobal)
	httpcaddyfile.RegisterHandlerDirective("crm_engine_api", func(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
		h.Next()
		if h.NextArg() {
			return nil, h.ArgErr()
		}
		return new(EngineAPI), nil
	})
	httpcaddyfile.RegisterDirectiveOrder("crm_engine_api", httpcaddyfile.Before, "file_server")
}

// parseEngineGlobal parses the crm_engine global option. Syntax:
//
//	crm_engine {
//		secret <key>
//		demo_tokens
//		history_length <n>
//		no_answer_timeout <duration>
//		acw_timeout <duration>
//		logout_grace <duration>
//		popup_on accept|ringing|established
//		service_level_threshold <duration>
//		pause_code <code> <label>
//		queue <name> [<agent...>] [{ service <name>; agents <agent...> }]
//		agent <id> [{ name <name>; capacity <media> <n> }]
//		capacity <media> <n>
//		max_message_size <size>
//		send_queue <n>
//		max_conns_per_agent <n>
//		ping_interval <duration>
//		write_timeout <duration>
//		hello_timeout <duration>
//		command_rate <per-second>
//		command_burst <n>
//		simulate { calls_per_minute <n>; chats_per_minute <n>; emails_per_minute <n>;
//		           hangup_after <duration>; abandon_after <duration>;
//		           abandon_probability <0..1>; seed <n> }
//	}
func parseEngineGlobal(d *caddyfile.Dispenser, _ any) (any, error) {
	var a EngineApp
	d.Next() // option name
	if d.NextArg() {
		return nil, d.ArgErr()
	}
	lastSub := ""
	for d.NextBlock(0) {
		if d.Val() == "{" {
			// A block after a subdirective that takes none: name it, not "{".
			return nil, d.Errf("crm_engine: %s takes no block", lastSub)
		}
		lastSub = d.Val()
		if err := a.unmarshalSub(d); err != nil {
			return nil, err
		}
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	return httpcaddyfile.App{Name: "crm_engine", Value: raw}, nil
}

func (a *EngineApp) unmarshalSub(d *caddyfile.Dispenser) error {
	name := d.Val() // the subdirective: errors name it, not its value
	one := func() (string, error) {
		if !d.NextArg() {
			return "", d.ArgErr()
		}
		v := d.Val()
		if d.NextArg() {
			return "", d.ArgErr()
		}
		return v, nil
	}
	dur := func() (time.Duration, error) {
		v, err := one()
		if err != nil {
			return 0, err
		}
		t, err := caddy.ParseDuration(v)
		if err != nil || t <= 0 {
			return 0, d.Errf("%s: %q is not a positive duration (e.g. 30s)", name, v)
		}
		return t, nil
	}
	num := func() (int, error) {
		v, err := one()
		if err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, d.Errf("%q is not a non-negative integer", v)
		}
		return n, nil
	}
	c := &a.Config
	var err error
	switch sub := d.Val(); sub {
	case "secret":
		a.Secret, err = one()
	case "demo_tokens":
		if d.NextArg() {
			return d.ArgErr()
		}
		a.DemoTokens = true
	case "history_length":
		c.HistoryLength, err = num()
	case "no_answer_timeout":
		c.NoAnswerTimeout, err = dur()
	case "acw_timeout":
		c.ACWTimeout, err = dur()
	case "logout_grace":
		c.LogoutGrace, err = dur()
	case "dial_answer_after":
		// off: dialled calls wait for ESTABLISHED from a CTI (POST /events)
		var v string
		if v, err = one(); err == nil && v == "off" {
			c.DialAnswerAfter = -1
		} else if err == nil {
			t, perr := caddy.ParseDuration(v)
			if perr != nil || t <= 0 {
				return d.Errf("%s: %q is not a positive duration (e.g. 3s) or off", name, v)
			}
			c.DialAnswerAfter = t
		}
	case "service_level_threshold":
		var t time.Duration
		t, err = dur()
		a.ServiceLevelThreshold = caddy.Duration(t)
	case "popup_on":
		c.PopupOn, err = one()
		if err == nil && c.PopupOn != "accept" && c.PopupOn != "ringing" && c.PopupOn != "established" {
			return d.Errf("popup_on: %q is not accept, ringing or established", c.PopupOn)
		}
	case "pause_code":
		args := d.RemainingArgs()
		if len(args) != 2 {
			return d.Errf("pause_code: want <code> <label>, e.g. pause_code 1701 \"Lunch\"")
		}
		code, cerr := strconv.Atoi(args[0])
		if cerr != nil || code <= 0 {
			return d.Errf("pause_code: %q is not a positive number", args[0])
		}
		c.PauseCodes = append(c.PauseCodes, engine.PauseCode{Code: code, Label: args[1]})
	case "queue":
		if !d.NextArg() {
			return d.ArgErr()
		}
		q := engine.QueueConfig{Name: d.Val(), Agents: d.RemainingArgs()}
		for nest := d.Nesting(); d.NextBlock(nest); {
			switch d.Val() {
			case "service":
				if q.Service, err = one(); err != nil {
					return err
				}
			case "agents":
				q.Agents = append(q.Agents, d.RemainingArgs()...)
			default:
				return d.Errf("queue %s: unknown subdirective %q (want service or agents)", q.Name, d.Val())
			}
		}
		c.Queues = append(c.Queues, q)
	case "agent":
		if !d.NextArg() {
			return d.ArgErr()
		}
		ag := engine.AgentConfig{ID: d.Val()}
		if d.NextArg() {
			return d.ArgErr()
		}
		for nest := d.Nesting(); d.NextBlock(nest); {
			switch d.Val() {
			case "name":
				if ag.Name, err = one(); err != nil {
					return err
				}
			case "capacity":
				args := d.RemainingArgs()
				if len(args) != 2 {
					return d.Errf("capacity: want <media> <n>")
				}
				n, cerr := strconv.Atoi(args[1])
				if cerr != nil || n < 0 {
					return d.Errf("capacity: %q is not a non-negative integer", args[1])
				}
				if ag.Capacity == nil {
					ag.Capacity = map[string]int{}
				}
				ag.Capacity[args[0]] = n
			default:
				return d.Errf("agent %s: unknown subdirective %q (want name or capacity)", ag.ID, d.Val())
			}
		}
		c.Agents = append(c.Agents, ag)
	case "capacity":
		args := d.RemainingArgs()
		if len(args) != 2 {
			return d.Errf("capacity: want <media> <n>, e.g. capacity chat 3")
		}
		n, cerr := strconv.Atoi(args[1])
		if cerr != nil || n < 0 {
			return d.Errf("capacity: %q is not a non-negative integer", args[1])
		}
		if c.Capacity == nil {
			c.Capacity = map[string]int{}
		}
		c.Capacity[args[0]] = n
	case "max_message_size":
		var v string
		if v, err = one(); err == nil {
			n, perr := humanize.ParseBytes(v)
			if perr != nil || n == 0 {
				return d.Errf("max_message_size: %q is not a size (e.g. 64KiB)", v)
			}
			c.MaxMessageSize = int64(n)
		}
	case "send_queue":
		c.SendQueue, err = num()
	case "max_conns_per_agent":
		c.MaxConnsPerAgent, err = num()
	case "ping_interval":
		c.PingInterval, err = dur()
	case "write_timeout":
		c.WriteTimeout, err = dur()
	case "hello_timeout":
		c.HelloTimeout, err = dur()
	case "command_rate":
		var v string
		if v, err = one(); err == nil {
			r, perr := strconv.ParseFloat(v, 64)
			if perr != nil || r <= 0 {
				return d.Errf("command_rate: %q is not a positive number (messages per second)", v)
			}
			c.CommandRate = r
		}
	case "command_burst":
		c.CommandBurst, err = num()
	case "simulate":
		if d.NextArg() {
			return d.ArgErr()
		}
		s := &c.Simulate
		s.Enabled = true
		for nest := d.Nesting(); d.NextBlock(nest); {
			f := func() (float64, error) {
				v, err := one()
				if err != nil {
					return 0, err
				}
				x, perr := strconv.ParseFloat(v, 64)
				if perr != nil || x < 0 {
					return 0, d.Errf("%q is not a non-negative number", v)
				}
				return x, nil
			}
			switch d.Val() {
			case "calls_per_minute":
				s.Calls, err = f()
			case "chats_per_minute":
				s.Chats, err = f()
			case "emails_per_minute":
				s.Emails, err = f()
			case "hangup_after":
				s.HangupAfter, err = dur()
			case "abandon_after":
				s.AbandonAfter, err = dur()
			case "abandon_probability":
				s.AbandonProbability, err = f()
			case "seed":
				var n int
				n, err = num()
				s.Seed = uint64(n)
			default:
				return d.Errf("simulate: unknown subdirective %q", d.Val())
			}
			if err != nil {
				return err
			}
		}
	default:
		return d.Errf("crm_engine: unknown subdirective %q", sub)
	}
	return err
}
