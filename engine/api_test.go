package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func call(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any, []any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, req)
	if ct := rw.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: content-type %q", method, path, ct)
	}
	var obj map[string]any
	var arr []any
	b := rw.Body.Bytes()
	if bytes.HasPrefix(b, []byte("[")) {
		_ = json.Unmarshal(b, &arr)
	} else if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatalf("%s %s: %v %s", method, path, err, b)
	}
	return rw.Code, obj, arr
}

func TestAPI(t *testing.T) {
	r := newRig(t, nil)
	h := r.e.APIHandler()
	code, c, _ := call(t, h, "POST", "/contacts", `{"media_type":"telephony","queue":"sales","ani":"+39 333","dnis":"800","call_data":{"customer_id":"42"}}`)
	if code != 201 || c["state"] != CStateQueued || c["call_data"].(map[string]any)["customer_id"] != "42" || c["isACD"] != true {
		t.Fatal(code, c)
	}
	cid := c["id"].(string)
	code, _, arr := call(t, h, "GET", "/contacts", "")
	if code != 200 || len(arr) != 1 {
		t.Fatal(code, arr)
	}
	if code, got, _ := call(t, h, "GET", "/contacts/"+cid, ""); code != 200 || got["id"] != cid {
		t.Fatal(code, got)
	}
	if code, got, _ := call(t, h, "GET", "/contacts/nope", ""); code != 404 || got["code"] != CodeNotFound || got["message"] == "" {
		t.Fatal(code, got)
	}
	if code, got, _ := call(t, h, "PUT", "/agents/a1/state", `{"state":"LOGGEDIN"}`); code != 200 || got["state"] != StateLoggedIn {
		t.Fatal(code, got)
	}
	if code, got, _ := call(t, h, "PUT", "/agents/a1/state", `{"state":"LOGGEDIN"}`); code != 409 || got["code"] != CodeInvalidState {
		t.Fatal(code, got)
	}
	if code, got, _ := call(t, h, "PUT", "/agents/a2/state", `{"state":"PAUSE","code":1701}`); code != 200 || got["state"] != StatePauseSubstate || got["code"] != float64(1701) {
		t.Fatal(code, got)
	}
	if r.state(cid) != CStateOffered {
		t.Fatal("not routed after LOGGEDIN")
	}
	if code, got, _ := call(t, h, "POST", "/events", `{"agent":"a1","contact":"`+cid+`","event":"ESTABLISHED"}`); code != 200 || got["state"] != CStateOnline {
		t.Fatal(code, got)
	}
	if code, got, _ := call(t, h, "POST", "/events", `{"agent":"a2","contact":"`+cid+`","event":"CONNECTIONCLEARED"}`); code != 404 {
		t.Fatal("foreign agent event", code, got)
	}
	if code, got, _ := call(t, h, "POST", "/events", `{"contact":"`+cid+`","event":"CONNECTIONCLEARED","reason":"customer_hangup"}`); code != 200 || got["state"] != CStateOffline {
		t.Fatal(code, got)
	}
	code, _, arr = call(t, h, "GET", "/agents", "")
	if code != 200 || len(arr) != 3 || arr[0].(map[string]any)["id"] != "a1" {
		t.Fatal(arr)
	}
	code, _, arr = call(t, h, "GET", "/queues", "")
	if code != 200 || len(arr) != 2 || arr[0].(map[string]any)["name"] != "sales" {
		t.Fatal(arr)
	}
	for _, tc := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/contacts", `{"queue":`, 400, CodeBadRequest},
		{"POST", "/contacts", `{"queue":"sales","bogus":1}`, 400, CodeBadRequest},
		{"POST", "/contacts", `{"queue":"sales"} {}`, 400, CodeBadRequest},
		{"POST", "/contacts", `{"queue":"nope"}`, 404, CodeNotFound},
		{"POST", "/contacts", `{"queue":"sales","media_type":"fax"}`, 400, CodeBadRequest},
		{"DELETE", "/contacts", ``, 405, "method_not_allowed"},
		{"GET", "/nothing", ``, 404, CodeNotFound},
		{"PUT", "/agents/zz/state", `{"state":"LOGGEDIN"}`, 404, CodeNotFound},
		{"PUT", "/agents/a1/state", `{"state":"DANCING"}`, 400, CodeBadRequest},
		{"POST", "/events", `{"contact":"nope","event":"ESTABLISHED"}`, 404, CodeNotFound},
		{"POST", "/events", `{"contact":"` + cid + `","event":"HELD"}`, 409, CodeInvalidState},
	} {
		code, got, _ := call(t, h, tc.method, tc.path, tc.body)
		if code != tc.status || got["code"] != tc.code {
			t.Errorf("%s %s %s: %d %v, want %d %s", tc.method, tc.path, tc.body, code, got, tc.status, tc.code)
		}
	}
	req := httptest.NewRequest("POST", "/contacts", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "text/plain")
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, req)
	if rw.Code != 415 {
		t.Fatal(rw.Code)
	}
	req = httptest.NewRequest("POST", "/contacts", io.MultiReader(strings.NewReader(`{"ani":"`), strings.NewReader(strings.Repeat("x", 2<<20))))
	rw = httptest.NewRecorder()
	h.ServeHTTP(rw, req)
	if rw.Code != 413 {
		t.Fatal(rw.Code)
	}
}

func TestConfigValidation(t *testing.T) {
	ok := testConfig()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Secret = nil }, "secret: required"},
		{func(c *Config) { c.Secret = []byte("short") }, "secret: 5 bytes is too short"},
		{func(c *Config) { c.HistoryLength = -1 }, "history_length"},
		{func(c *Config) { c.NoAnswerTimeout = -time.Second }, "no_answer_timeout: must be positive"},
		{func(c *Config) { c.ACWTimeout = -time.Second }, "acw_timeout"},
		{func(c *Config) { c.LogoutGrace = -time.Second }, "logout_grace"},
		{func(c *Config) { c.PopupOn = "later" }, `popup_on: "later"`},
		{func(c *Config) { c.PauseCodes = append(c.PauseCodes, PauseCode{Code: 1701, Label: "x"}) }, "code 1701 listed twice"},
		{func(c *Config) { c.PauseCodes = []PauseCode{{Code: 5}} }, "code 5 needs a label"},
		{func(c *Config) { c.PauseCodes = []PauseCode{{Code: -5, Label: "x"}} }, "positive"},
		{func(c *Config) { c.Queues = append(c.Queues, QueueConfig{Name: "sales"}) }, `queue "sales" listed twice`},
		{func(c *Config) { c.Queues = append(c.Queues, QueueConfig{Name: "bad name"}) }, "invalid queue name"},
		{func(c *Config) { c.Queues[0].Agents = []string{"a b"} }, "invalid agent id"},
		{func(c *Config) { c.Capacity = map[string]int{MediaTelephony: 2} }, "telephony capacity must be 1"},
		{func(c *Config) { c.Capacity = map[string]int{"fax": 2} }, `unknown media "fax"`},
		{func(c *Config) { c.Agents[0].Capacity = map[string]int{MediaChat: 500} }, "agents a1 capacity: chat capacity 500"},
		{func(c *Config) { c.Simulate = SimulateConfig{Enabled: true} }, "every rate is 0"},
		{func(c *Config) { c.Simulate = SimulateConfig{Enabled: true, Calls: 1, AbandonProbability: 2} }, "abandon_probability"},
		{func(c *Config) { c.MaxMessageSize = 10 }, "max_message_size"},
	} {
		c := testConfig()
		c.Queues = append([]QueueConfig(nil), c.Queues...)
		c.Agents = append([]AgentConfig(nil), c.Agents...)
		tc.mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want %q, got %v", tc.want, err)
		}
		if _, nerr := New(c); nerr == nil {
			t.Errorf("New accepted invalid config (%s)", tc.want)
		}
	}
	dev := Config{Dev: true}
	if err := dev.Validate(); err != nil {
		t.Fatal("dev without secret:", err)
	}
	d := Config{}.Defaults()
	if d.HistoryLength != 4096 || d.PopupOn != PopupOnAccept || d.Capacity[MediaTelephony] != 1 {
		t.Fatal(d)
	}
}

func TestTokens(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	tok, err := MintToken(secret, "agent.7", "Ann", time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := VerifyToken(secret, tok, now.Add(30*time.Second))
	if err != nil || cl.AgentID != "agent.7" || cl.Name != "Ann" || !cl.ExpiresAt.Equal(now.Add(time.Minute)) {
		t.Fatal(cl, err)
	}
	if _, err := VerifyToken(secret, tok, now.Add(2*time.Minute)); err == nil {
		t.Fatal("expired accepted")
	}
	if _, err := VerifyToken([]byte("x"+string(secret[1:])), tok, now); err == nil {
		t.Fatal("wrong secret accepted")
	}
	// alg none and no exp are refused
	none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhMSIsImV4cCI6OTk5OTk5OTk5OX0."
	if _, err := VerifyToken(secret, none, now); err == nil {
		t.Fatal("alg none accepted")
	}
	if _, err := MintToken(secret, "bad id", "", time.Minute, now); err == nil {
		t.Fatal("bad id minted")
	}
	if _, err := VerifyToken(secret, "", now); err == nil || !errors.Is(err, err) || err.Error() != "missing token" {
		t.Fatal(err)
	}
}

func TestSimulator(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.Simulate = SimulateConfig{Enabled: true, Calls: 6, Chats: 3, Emails: 2, AbandonProbability: 0.3, Seed: 42,
			HangupAfter: 20 * time.Second, AbandonAfter: 30 * time.Second}
	})
	r.ready("a1", "a2", "a3")
	r.e.Start()
	answered := 0
	for i := 0; i < 600; i++ { // 10 simulated minutes; agents answer what rings
		r.clk.Advance(time.Second)
		for _, c := range r.e.Contacts(false) {
			switch c.State {
			case CStateOffered:
				if _, err := r.e.Do(c.Agent, "CONTACT.Answer", json.RawMessage(`{"contactId":"`+c.ID+`"}`)); err == nil {
					answered++
				}
			case CStateOnline:
				if c.MediaType == MediaChannel {
					r.e.Do(c.Agent, "CONTACT.Hangup", json.RawMessage(`{"contactId":"`+c.ID+`"}`))
				}
			}
		}
	}
	r.e.sim.Stop()
	all := r.e.Contacts(true)
	created := r.e.sim.Created()
	if created < 60 || created > 160 { // ~110 expected
		t.Fatalf("created %d", created)
	}
	media := map[string]int{}
	hungUp, chatLines := 0, 0
	for _, c := range all {
		media[c.MediaType]++
		if c.Reason == ReasonCustomerHangup {
			hungUp++
		}
		if c.ANI == "" || c.CallData["customer_id"] == "" {
			t.Fatalf("no customer data: %+v", c)
		}
		for _, m := range c.Messages {
			if m.From == "customer" {
				chatLines++
			}
		}
	}
	if media[MediaTelephony] == 0 || media[MediaChat] == 0 || media[MediaChannel] == 0 || hungUp == 0 || answered == 0 || chatLines == 0 {
		t.Fatalf("media %v hung up %d answered %d chat lines %d", media, hungUp, answered, chatLines)
	}
	n := r.e.sim.Created()
	r.clk.Advance(10 * time.Minute)
	if r.e.sim.Created() != n {
		t.Fatal("simulator kept creating after Stop")
	}
}
