// Package sdk holds the JavaScript we inject into CRM pages: the
// frame-busting runtime shim followed by the AGENTDESKTOP SDK and a tail
// that removes the injected tag, served as one bundle so that the shim runs
// before any CRM script.
package sdk

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed *.js
var files embed.FS

// Bundle is the served sdk.js: shim first, then the SDK, then the tail
// (removes the injected tag).
type Bundle struct {
	Body []byte
	// Gzip is Body gzip-compressed once, for clients that accept it (a
	// quarter of the size; nil if compression failed).
	Gzip []byte
	// Hash is a short content hash used in the script URL and as ETag.
	Hash string
}

func bundle(body []byte) Bundle {
	sum := sha256.Sum256(body)
	b := Bundle{Body: body, Hash: hex.EncodeToString(sum[:6])}
	var buf bytes.Buffer
	if zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression); err == nil {
		if _, err := zw.Write(body); err == nil && zw.Close() == nil {
			b.Gzip = buf.Bytes()
		}
	}
	return b
}

// order is the concatenation order; missing files are skipped so the
// bundle still builds while a part is being developed.
var order = []string{"shim.js", "sdk.js", "tail.js"}

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
	return bundle(body)
}

// WithPrelude returns a bundle with JavaScript prepended (per-site
// configuration), hashed anew.
func WithPrelude(b Bundle, prelude string) Bundle {
	return bundle(append([]byte(prelude), b.Body...))
}
