// Package caddymodule is the Caddy glue of crmframe.
package caddymodule
