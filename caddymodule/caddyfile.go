package caddymodule

import (
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/dustin/go-humanize"

	"github.com/crmframe/crmframe/injector"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("crm_frame", parseCaddyfile)
	// Users need no `order` line. crm_frame must wrap every handler that
	// may proxy the CRM, including those inside handle/route blocks, and
	// sit inside encode (so it sees the upstream's own coding).
	httpcaddyfile.RegisterDirectiveOrder("crm_frame", httpcaddyfile.Before, "handle")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	var m Handler
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return &m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens. Syntax:
//
//	crm_frame {
//		frame_ancestors <origin...> [insecure]
//		upstream_origin <origin...>
//		cookies same_site|cross_site [partitioned]
//		path_prefix <path>
//		inject <url...>
//		max_rewrite_size <size>
//		js_cache <size>|off
//		recompress_level fastest|default|better
//		recompress_coding zstd|same
//		breakout neutralize|detect|off
//		sandbox on|off
//		screen_pop [telephony|chat|channel] <url-template>
//		widget_id <id>
//		compat_sdk_path <path>|off
//	}
func (m *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if d.NextArg() {
		return d.Errf("crm_frame takes no arguments on its first line, got %q; use a block", d.Val())
	}
	seen := map[string]int{} // subdirective -> line, for duplicates
	lastSub := ""
	for d.NextBlock(0) {
		sub := d.Val()
		if sub == "{" {
			return d.Errf("crm_frame: %s takes no block", lastSub)
		}
		if line, dup := seen[sub]; dup && !repeatable[sub] {
			// Last-one-wins would silently drop a setting the integrator wrote.
			return d.Errf("crm_frame: %s is already set on line %d", sub, line)
		}
		seen[sub], lastSub = d.Line(), sub
		switch sub {
		case "frame_ancestors":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			if args[len(args)-1] == "insecure" {
				m.AllowAnyAncestor = true
				args = args[:len(args)-1]
				if len(args) != 1 || args[0] != "*" {
					return d.Errf("frame_ancestors: 'insecure' is only accepted after a lone '*'")
				}
			}
			for _, a := range args {
				if a == "*" && !m.AllowAnyAncestor {
					return d.Errf("frame_ancestors: '*' would let every site frame the CRM (clickjacking); write 'frame_ancestors * insecure' if you really mean it")
				}
				if a != "*" {
					if err := injector.ValidateOrigin(a); err != nil {
						return d.Errf("crm_frame: frame_ancestors: %v", err)
					}
				}
			}
			m.FrameAncestors = append(m.FrameAncestors, args...)
		case "upstream_origin":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			for _, a := range args {
				if err := validUpstreamOrigin(a); err != nil {
					return d.Errf("crm_frame: upstream_origin: %v", err)
				}
			}
			m.UpstreamOrigins = append(m.UpstreamOrigins, args...)
		case "cookies":
			args := d.RemainingArgs()
			if len(args) < 1 || len(args) > 2 {
				return d.ArgErr()
			}
			if len(args) == 2 {
				if args[1] != "partitioned" {
					return d.Errf("cookies: unknown option %q (want partitioned)", args[1])
				}
				m.Partitioned = true
			}
			if err := validCookies(args[0], m.Partitioned); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			m.Cookies = args[0]
		case "path_prefix":
			if !d.NextArg() {
				return d.ArgErr()
			}
			if err := validPathPrefix(d.Val()); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			m.PathPrefix = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
		case "inject":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return d.ArgErr()
			}
			for _, a := range args {
				if err := validInject(a); err != nil {
					return d.Errf("crm_frame: inject: %v", err)
				}
			}
			m.Inject = append(m.Inject, args...)
		case "max_rewrite_size":
			n, err := sizeArg(d, "max_rewrite_size", "16MiB", false)
			if err != nil {
				return err
			}
			if err := validMaxRewrite(n); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			m.MaxRewriteSize = n
		case "js_cache":
			n, err := sizeArg(d, "js_cache", "32MiB", true)
			if err != nil {
				return err
			}
			m.JSCacheSize = n
		case "recompress_level":
			if !d.NextArg() {
				return d.ArgErr()
			}
			if err := validRecompress(d.Val()); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			m.RecompressLevel = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
		case "recompress_coding":
			if !d.NextArg() {
				return d.ArgErr()
			}
			if err := validRecompressCoding(d.Val()); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			m.RecompressCoding = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
		case "breakout":
			if !d.NextArg() {
				return d.ArgErr()
			}
			if err := validBreakout(d.Val()); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			m.Breakout = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
		case "screen_pop":
			args := d.RemainingArgs()
			media, tpl := "*", ""
			switch len(args) {
			case 1:
				tpl = args[0]
			case 2:
				media, tpl = args[0], args[1]
			default:
				return d.Errf("screen_pop: want [telephony|chat|channel] <url-template>")
			}
			if err := validScreenPop(media, tpl); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			if m.ScreenPop == nil {
				m.ScreenPop = map[string]string{}
			}
			if _, dup := m.ScreenPop[media]; dup {
				return d.Errf("screen_pop: a template for %q is already set", media)
			}
			m.ScreenPop[media] = tpl
		case "widget_id":
			if !d.NextArg() {
				return d.ArgErr()
			}
			m.WidgetID = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
		case "compat_sdk_path":
			if !d.NextArg() {
				return d.ArgErr()
			}
			if err := validCompatPath(d.Val()); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			m.CompatSDKPath = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
		case "sandbox":
			if !d.NextArg() {
				return d.ArgErr()
			}
			if err := validSandbox(d.Val()); err != nil {
				return d.Errf("crm_frame: %v", err)
			}
			m.Sandbox = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
		default:
			return d.Errf("crm_frame: unknown subdirective %q", sub)
		}
	}
	if len(m.FrameAncestors) == 0 {
		return d.Err("crm_frame: frame_ancestors is required (the agent desktop origin(s) allowed to frame the CRM)")
	}
	return m.validate()
}

// repeatable subdirectives add to a list (screen_pop checks its media);
// every other one may appear once.
var repeatable = map[string]bool{"frame_ancestors": true, "upstream_origin": true, "inject": true, "screen_pop": true}

// Interface guard
var _ caddyfile.Unmarshaler = (*Handler)(nil)

// sizeArg reads the single size argument of a subdirective ("16MiB"), or
// "off" (-1) where allowed.
func sizeArg(d *caddyfile.Dispenser, name, example string, offOK bool) (int64, error) {
	if !d.NextArg() {
		return 0, d.ArgErr()
	}
	var n int64 = -1
	if v := d.Val(); !offOK || v != "off" {
		u, err := humanize.ParseBytes(v)
		if err != nil || u == 0 || u > 1<<62 {
			if offOK {
				return 0, d.Errf("%s: %q is not a size (e.g. %s) or 'off'", name, v, example)
			}
			return 0, d.Errf("%s: %q is not a size (e.g. %s)", name, v, example)
		}
		n = int64(u)
	}
	if d.NextArg() {
		return 0, d.ArgErr()
	}
	return n, nil
}
