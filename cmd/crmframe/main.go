// Command crmframe is Caddy with the crmframe modules plugged in (the xcaddy
// pattern): `crmframe run` serves the Caddyfile in the working directory.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	// Caddy's standard modules.
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	// crmframe's modules register themselves in init().
	_ "github.com/crmframe/crmframe/caddymodule"
)

func main() {
	caddycmd.Main()
}
