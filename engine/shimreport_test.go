package engine

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// shimObs records ShimObserver calls on top of countObs.
type shimObs struct {
	*countObs
	smu     sync.Mutex
	actions map[string]uint64
	dropped map[string]int
}

func (o *shimObs) ShimActions(kind string, n uint64) {
	o.smu.Lock()
	o.actions[kind] += n
	o.smu.Unlock()
}

func (o *shimObs) ShimDropped(reason string) {
	o.smu.Lock()
	o.dropped[reason]++
	o.smu.Unlock()
}

func (o *shimObs) snap() (map[string]uint64, map[string]int) {
	o.smu.Lock()
	defer o.smu.Unlock()
	a, d := map[string]uint64{}, map[string]int{}
	for k, v := range o.actions {
		a[k] = v
	}
	for k, v := range o.dropped {
		d[k] = v
	}
	return a, d
}

func newShimRig(t *testing.T) (*wsRig, *shimObs, *FakeClock) {
	t.Helper()
	obs := &shimObs{countObs: &countObs{}, actions: map[string]uint64{}, dropped: map[string]int{}}
	clk := NewFakeClock(time.Now())
	e, err := New(testConfig(), WithClock(clk), WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	h := e.WebSocketHandler(WSOptions{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == deskOrigin }})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { e.Close(); srv.Close() })
	return &wsRig{rig: &rig{t: t, e: e, clk: clk, rec: map[string]*recorder{}}, srv: srv, obs: obs.countObs}, obs, clk
}

// sync waits until everything sent before it was handled (one reader per
// connection: the pong comes after).
func (c *client) sync(id string) {
	c.t.Helper()
	c.send(map[string]any{"op": "ping", "id": id})
	for {
		m := c.read()
		if m["op"] == "pong" && m["id"] == id {
			return
		}
		if m["op"] == "error" {
			c.t.Fatalf("unexpected error before pong %s: %v", id, m)
		}
	}
}

func TestShimReportCounted(t *testing.T) {
	w, obs, clk := newShimRig(t)
	c, _ := w.connect("a1", map[string]any{"client": map[string]any{"kind": "widget", "id": "crm"}})
	c.send(map[string]any{"op": "report", "shim": map[string]any{"top": 3, "blank": 1, "open-held": 0}})
	c.sync("p1")
	a, d := obs.snap()
	if a["top"] != 3 || a["blank"] != 1 || len(a) != 2 || len(d) != 0 {
		t.Fatalf("actions %v dropped %v", a, d)
	}
	// Unknown kinds are dropped one by one, never passed on; big counts are capped.
	clk.Advance(ShimReportInterval)
	c.send(map[string]any{"op": "report", "shim": map[string]any{"top": 2, "dance": 5, "__proto__": 1, "frameElement": 1e6}})
	c.sync("p2")
	a, d = obs.snap()
	if a["top"] != 5 || a["frameElement"] != ShimReportCap || a["dance"] != 0 || a["__proto__"] != 0 {
		t.Fatalf("actions %v", a)
	}
	if d[ShimDropUnknownKind] != 2 || d[ShimDropCapped] != 1 {
		t.Fatalf("dropped %v", d)
	}
	// An integer beyond uint64 is capped too, not refused.
	clk.Advance(ShimReportInterval)
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(`{"op":"report","shim":{"input":123456789012345678901234567890}}`))
	c.sync("p3")
	if a, d = obs.snap(); a["input"] != ShimReportCap || d[ShimDropCapped] != 2 {
		t.Fatalf("huge: actions %v dropped %v", a, d)
	}
}

func TestShimReportRateLimited(t *testing.T) {
	w, obs, clk := newShimRig(t)
	c, _ := w.connect("a1", nil)
	c.send(map[string]any{"op": "report", "shim": map[string]any{"top": 1}})
	// Too soon: dropped silently, the connection stays.
	for i := 0; i < 3; i++ {
		c.send(map[string]any{"op": "report", "shim": map[string]any{"top": 100}})
	}
	c.sync("p1")
	a, d := obs.snap()
	if a["top"] != 1 || d[ShimDropRateLimited] != 3 {
		t.Fatalf("actions %v dropped %v", a, d)
	}
	clk.Advance(ShimReportInterval - time.Millisecond)
	c.send(map[string]any{"op": "report", "shim": map[string]any{"top": 100}})
	// read before the clock moves on: it is still too soon
	c.sync("p2")
	clk.Advance(time.Millisecond)
	c.send(map[string]any{"op": "report", "shim": map[string]any{"top": 10}})
	c.sync("p3")
	a, d = obs.snap()
	if a["top"] != 11 || d[ShimDropRateLimited] != 4 {
		t.Fatalf("actions %v dropped %v", a, d)
	}
	// The limit is per connection: another page of the agent reports at once.
	c2, _ := w.connect("a1", nil)
	c2.send(map[string]any{"op": "report", "shim": map[string]any{"top": 5}})
	c2.sync("q1")
	if a, _ = obs.snap(); a["top"] != 16 {
		t.Fatalf("second connection: %v", a)
	}
	if res := c.cmd("g", "AGENT.GetState", nil); res["ok"] != true {
		t.Fatal(res)
	}
}

func TestShimReportMalformed(t *testing.T) {
	w, obs, clk := newShimRig(t)
	other, _ := w.connect("a1", nil)
	c, _, err := w.dial("a1")
	if err != nil {
		t.Fatal(err)
	}
	// Before hello: like cmd and relay.
	c.send(map[string]any{"op": "report", "shim": map[string]any{"top": 1}})
	if m := c.read(); m["op"] != "error" || m["error"].(map[string]any)["code"] != CodeInvalidState {
		t.Fatal("report before hello:", m)
	}
	c.send(map[string]any{"op": "hello", "v": 1})
	if m := c.read(); m["op"] != "welcome" {
		t.Fatal(m)
	}
	many := `{`
	for i := 0; i < ShimReportMaxEntries+1; i++ {
		if i > 0 {
			many += ","
		}
		many += `"k` + strings.Repeat("x", i) + `":1`
	}
	many += `}`
	for _, shim := range []string{``, `,"shim":null`, `,"shim":[1]`, `,"shim":"top"`, `,"shim":{"top":-1}`, `,"shim":{"top":1.5}`,
		`,"shim":{"top":"3"}`, `,"shim":{"top":1e3}`, `,"shim":{"top":true}`, `,"shim":{"blank":1,"top":{}}`, `,"shim":` + many} {
		clk.Advance(ShimReportInterval)
		raw := `{"op":"report","id":"r"` + shim + `}`
		_ = c.ws.WriteMessage(websocket.TextMessage, []byte(raw))
		m := c.read()
		e, _ := m["error"].(map[string]any)
		if m["op"] != "error" || m["id"] != "r" || e["code"] != CodeBadRequest || !strings.HasPrefix(e["message"].(string), "report: ") {
			t.Fatalf("%s -> %v", raw, m)
		}
	}
	a, d := obs.snap()
	if len(a) != 0 || d[ShimDropInvalid] != 12 {
		t.Fatalf("actions %v dropped %v", a, d)
	}
	// Both connections are still served; an unknown op is still bad_request.
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(`{"op":"dance","id":"d"}`))
	if m := c.read(); m["op"] != "error" || m["error"].(map[string]any)["code"] != CodeBadRequest {
		t.Fatal(m)
	}
	for _, x := range []*client{c, other} {
		if res := x.cmd("g", "AGENT.GetState", nil); res["ok"] != true {
			t.Fatal(res)
		}
	}
}

// Without a ShimObserver reports are accepted and ignored.
func TestShimReportNopObserver(t *testing.T) {
	w := newWSRig(t, nil)
	c, _ := w.connect("a1", nil)
	c.send(map[string]any{"op": "report", "shim": map[string]any{"top": 1}})
	c.sync("p")
}

func TestShimKinds(t *testing.T) {
	k := ShimKinds()
	if len(k) != 14 || k[0] != "adopt" {
		t.Fatal(k)
	}
	k[0] = "x"
	if ShimKinds()[0] != "adopt" {
		t.Fatal("ShimKinds shares its slice")
	}
}
