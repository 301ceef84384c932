package main

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// streamPath is the slowly streaming page; streamInterval is the pause
// between its chunks.
const (
	streamPath     = "/crm/live.html"
	streamInterval = 200 * time.Millisecond
)

// Upstream is the legacy CRM stand-in both sites proxy to.
type Upstream struct {
	Addr string
	srv  *http.Server
}

func startUpstream(c *Content) (*Upstream, error) {
	mux := http.NewServeMux()
	for _, res := range c.Resources {
		res := res
		mux.HandleFunc("GET "+res.Path, func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", res.ContentType)
			h.Set("Cache-Control", "no-cache")
			if res.HTML {
				// What a hostile legacy CRM sends.
				h.Set("X-Frame-Options", "SAMEORIGIN")
				h.Set("Set-Cookie", "JSESSIONID=8F3A2C9D; Path=/; HttpOnly")
			}
			if res.Gzip {
				h.Set("Vary", "Accept-Encoding")
				if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
					http.Error(w, "this upstream only serves "+res.Path+" gzip-compressed", http.StatusNotAcceptable)
					return
				}
				h.Set("Content-Encoding", "gzip")
			}
			if res.Pieces != nil {
				fl := http.NewResponseController(w)
				for _, p := range res.Pieces {
					if _, err := w.Write(p); err != nil {
						return
					}
					_ = fl.Flush()
				}
				return
			}
			h.Set("Content-Length", strconv.Itoa(len(res.Body)))
			_, _ = w.Write(res.Body)
		})
	}
	mux.HandleFunc("GET "+streamPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fl := http.NewResponseController(w)
		if _, err := w.Write(c.StreamFirst); err != nil {
			return
		}
		_ = fl.Flush()
		for _, ch := range c.StreamRest {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(streamInterval):
			}
			if _, err := w.Write(ch); err != nil {
				return
			}
			_ = fl.Flush()
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u := &Upstream{Addr: l.Addr().String(), srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = u.srv.Serve(l) }()
	return u, nil
}

func (u *Upstream) Close() { _ = u.srv.Close() }
