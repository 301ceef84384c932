// Package sdk holds the JavaScript we inject into CRM pages: the
// frame-busting runtime shim followed by the AGENTDESKTOP SDK, served as one
// bundle so that the shim runs before any CRM script.
package sdk

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed *.js
var files embed.FS

// Bundle is the served sdk.js: shim first, then the SDK.
type Bundle struct {
	Body []byte
	// Hash is a short content hash used in the script URL and as ETag.
	Hash string
}

// order is the concatenation order; missing files are skipped so the
// bundle still builds while a part is being developed.
var order = []string{"shim.js", "sdk.js"}

// Build concatenates the embedded parts.
func Build() Bundle {
	var body []byte
	for _, name := range order {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			continue
		}
		body = append(body, b...)
		if len(b) > 0 && b[len(b)-1] != '\n' {
			body = append(body, '\n')
		}
	}
	sum := sha256.Sum256(body)
	return Bundle{Body: body, Hash: hex.EncodeToString(sum[:6])}
}

// WithPrelude returns a bundle with JavaScript prepended (per-site
// configuration), hashed anew.
func WithPrelude(b Bundle, prelude string) Bundle {
	body := append([]byte(prelude), b.Body...)
	sum := sha256.Sum256(body)
	return Bundle{Body: body, Hash: hex.EncodeToString(sum[:6])}
}
