package engine

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// APIHandler returns the engine API (docs/api.md) with paths relative to
// where it is mounted: POST /contacts, GET /contacts[?all=1],
// GET /contacts/{id}, GET /agents, GET /queues, PUT /agents/{id}/state,
// POST /events. Bodies are JSON (max 1 MiB); errors are {"code","message"}.
// The API has no authentication of its own: mount it on an internal site.
func (e *Engine) APIHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /contacts", func(w http.ResponseWriter, r *http.Request) {
		var req ContactRequest
		if !decodeBody(w, r, &req) {
			return
		}
		c, err := e.CreateContact(req)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, c)
	})
	mux.HandleFunc("GET /contacts", func(w http.ResponseWriter, r *http.Request) {
		all := r.URL.Query().Get("all")
		writeJSON(w, http.StatusOK, e.Contacts(all == "1" || all == "true"))
	})
	mux.HandleFunc("GET /contacts/{id}", func(w http.ResponseWriter, r *http.Request) {
		c, err := e.Contact(r.PathValue("id"))
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, c)
	})
	mux.HandleFunc("GET /agents", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.Agents())
	})
	mux.HandleFunc("GET /queues", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.Queues())
	})
	mux.HandleFunc("PUT /agents/{id}/state", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			State string `json:"state"`
			Code  int    `json:"code"`
		}
		if !decodeBody(w, r, &req) {
			return
		}
		a, err := e.SetAgentState(r.PathValue("id"), req.State, req.Code)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, a)
	})
	mux.HandleFunc("POST /events", func(w http.ResponseWriter, r *http.Request) {
		var req ExternalEvent
		if !decodeBody(w, r, &req) {
			return
		}
		res, err := e.External(req)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			// distinguish a wrong method from an unknown path
			for _, m := range []string{"GET", "POST", "PUT"} {
				r2 := r.Clone(r.Context())
				r2.Method = m
				if _, p := mux.Handler(r2); p != "" {
					w.Header().Set("Allow", m)
					writeErr(w, &Error{Code: "method_not_allowed", Message: r.Method + " not allowed here"})
					return
				}
			}
			writeErr(w, errf(CodeNotFound, "no such endpoint %s %s", r.Method, r.URL.Path))
			return
		}
		mux.ServeHTTP(w, r) // sets the path values
	})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeErr(w, &Error{Code: "unsupported_media_type", Message: "Content-Type must be application/json"})
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeErr(w, &Error{Code: "too_large", Message: "body larger than 1 MiB"})
			return false
		}
		writeErr(w, errf(CodeBadRequest, "body: %v", err))
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		writeErr(w, errf(CodeBadRequest, "body: one JSON object expected"))
		return false
	}
	return true
}

// HTTPStatus maps an error code to an HTTP status.
func HTTPStatus(code string) int {
	switch code {
	case CodeOK:
		return http.StatusOK
	case CodeBadRequest, CodeUnknown:
		return http.StatusBadRequest
	case CodeNotFound:
		return http.StatusNotFound
	case CodeInvalidState, CodeUnavailable:
		return http.StatusConflict
	case CodeForbidden:
		return http.StatusForbidden
	case CodeUnsupported:
		return http.StatusUnprocessableEntity
	case "method_not_allowed":
		return http.StatusMethodNotAllowed
	case "unsupported_media_type":
		return http.StatusUnsupportedMediaType
	case "too_large":
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

func writeErr(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: CodeInternal, Message: err.Error()}
	}
	writeJSON(w, HTTPStatus(e.Code), e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
