package engine

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// BenchmarkFanout: FANOUT_CLIENTS (default 200) in-process WebSocket clients,
// two per agent; each iteration publishes one DATACHANGED event to one agent
// (round robin) through the whole engine path. Reports delivered events/s and
// p50/p99 publish→receive latency at FANOUT_RATE events/s (default 2000).
func BenchmarkFanout(b *testing.B) {
	nClients := 200
	if v, err := strconv.Atoi(os.Getenv("FANOUT_CLIENTS")); err == nil && v >= 2 {
		nClients = v
	}
	rate := 2000.0 // events/s offered; FANOUT_RATE=0 publishes as fast as possible
	if v, err := strconv.ParseFloat(os.Getenv("FANOUT_RATE"), 64); err == nil && v >= 0 {
		rate = v
	}
	nAgents := nClients / 2
	cfg := testConfig()
	cfg.MaxConnsPerAgent = 4
	e, err := New(cfg, WithClock(NewFakeClock(time.Now())))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e.WebSocketHandler(WSOptions{CheckOrigin: func(*http.Request) bool { return true }}))
	defer srv.Close()
	defer e.Close()
	base := "ws" + strings.TrimPrefix(srv.URL, "http") + "/?token="
	agents := make([]string, nAgents)
	contacts := make([]string, nAgents)
	for i := range agents {
		agents[i] = fmt.Sprintf("bench%d", i)
		if _, err := e.Do(agents[i], "AGENT.Ready", nil); err != nil {
			b.Fatal(err)
		}
		res, err := e.Do(agents[i], "CONTACT.MakeCall", json.RawMessage(`{"destination":"555"}`))
		if err != nil {
			b.Fatal(err)
		}
		contacts[i] = res.(*Contact).ID
	}
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	expect := make([]int, nClients)
	done := make(chan struct{})
	var conns []*websocket.Conn
	for i := 0; i < nClients; i++ {
		tok, _ := MintToken(cfg.Secret, agents[i%nAgents], "", time.Hour, time.Now())
		ws, _, err := websocket.DefaultDialer.Dial(base+tok, nil)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, ws)
		_ = ws.WriteJSON(map[string]any{"op": "hello", "v": 1})
		var wel map[string]any
		if err := ws.ReadJSON(&wel); err != nil || wel["op"] != "welcome" {
			b.Fatal(err, wel)
		}
	}
	b.ResetTimer()
	// each client expects its agent's share of b.N events
	for i := 0; i < nClients; i++ {
		a := i % nAgents
		expect[i] = b.N / nAgents
		if a < b.N%nAgents {
			expect[i]++
		}
	}
	for i, ws := range conns {
		wg.Add(1)
		go func(ws *websocket.Conn, want int) {
			defer wg.Done()
			var local []time.Duration
			for n := 0; n < want; {
				_, msg, err := ws.ReadMessage()
				if err != nil {
					b.Error(err)
					return
				}
				var m struct {
					Op   string `json:"op"`
					Data struct {
						CallData map[string]string `json:"call_data"`
					} `json:"data"`
				}
				if json.Unmarshal(msg, &m) != nil || m.Op != "event" {
					continue
				}
				ns, _ := strconv.ParseInt(m.Data.CallData["t"], 10, 64)
				local = append(local, time.Since(time.Unix(0, ns)))
				n++
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}(ws, expect[i])
	}
	go func() { wg.Wait(); close(done) }()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if rate > 0 {
			if d := time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))); d > 0 {
				time.Sleep(d)
			}
		}
		a := i % nAgents
		args := `{"contactId":"` + contacts[a] + `","data":"t=` + strconv.FormatInt(time.Now().UnixNano(), 10) + `"}`
		if _, err := e.Do(agents[a], "CONTACT.SetCallData", json.RawMessage(args)); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		b.Fatal("clients did not receive everything")
	}
	el := time.Since(start)
	b.StopTimer()
	for _, ws := range conns {
		ws.Close()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/el.Seconds(), "deliveries/s")
		b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
		b.ReportMetric(float64(nClients), "clients")
	}
}

// BenchmarkIdleConnections reports the memory an idle agent connection costs
// after hello: bytes/conn is heap + goroutine stacks of server and
// in-process client together (an upper bound for the server side);
// stack_bytes/conn is the server's alone, as the idle clients run no
// goroutine. The process-RSS figure at 10,000 connections comes from
// `go run ./bench/crmbench -ws-clients 10000` against the real binary.
func BenchmarkIdleConnections(b *testing.B) {
	n := 500
	if v, err := strconv.Atoi(os.Getenv("FANOUT_CLIENTS")); err == nil && v >= 1 {
		n = v
	}
	cfg := testConfig()
	cfg.MaxConnsPerAgent = 1 << 20
	e, err := New(cfg, WithClock(NewFakeClock(time.Now())))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e.WebSocketHandler(WSOptions{CheckOrigin: func(*http.Request) bool { return true }}))
	defer srv.Close()
	defer e.Close()
	tok, _ := MintToken(cfg.Secret, "idle", "", time.Hour, time.Now())
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + "/?token=" + tok
	d := websocket.Dialer{ReadBufferSize: 256, WriteBufferSize: 256, WriteBufferPool: &sync.Pool{}}
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		conns := make([]*websocket.Conn, 0, n)
		for j := 0; j < n; j++ {
			ws, _, err := d.Dial(u, nil)
			if err != nil {
				b.Fatal(err)
			}
			_ = ws.WriteJSON(map[string]any{"op": "hello", "v": 1})
			var wel map[string]any
			if err := ws.ReadJSON(&wel); err != nil {
				b.Fatal(err)
			}
			conns = append(conns, ws)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		used := (after.HeapAlloc + after.StackInuse) - (before.HeapAlloc + before.StackInuse)
		b.ReportMetric(float64(used)/float64(n), "bytes/conn")
		b.ReportMetric(float64(after.StackInuse-before.StackInuse)/float64(n), "stack_bytes/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		for _, ws := range conns {
			ws.Close()
		}
	}
}
