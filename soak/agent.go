package soak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
)

// inMsg is any server message (docs/protocol.md).
type inMsg struct {
	Op       string          `json:"op"`
	ID       string          `json:"id"`
	Seq      uint64          `json:"seq"`
	Epoch    string          `json:"epoch"`
	Snapshot bool            `json:"snapshot"`
	Replayed int             `json:"replayed"`
	OK       bool            `json:"ok"`
	Data     json.RawMessage `json:"data"`
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Agent    *struct{ State string } `json:"agent"`
	Contacts []snapContact           `json:"contacts"`
}

type snapContact struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	MediaType string `json:"media_type"`
}

// evData is the part of an event the soak looks at (docs/events.md).
type evData struct {
	Event     string `json:"event"`
	ID        string `json:"id"`
	Phase     string `json:"phase"`
	State     string `json:"state"`
	MediaType string `json:"media_type"`
	Reason    string `json:"reason"`
}

// evRec is one processed event: its seq and a hash of the exact frame.
type evRec struct {
	Seq  uint64
	Hash uint64
}

// connRec is what one connection delivered to the page that owned it.
type connRec struct {
	Fresh     bool   // hello without resume
	ResumeSeq uint64 // the resume seq sent
	Welcome   uint64 // welcome seq
	Snapshot  bool
	Replayed  int
	Epoch     string
	SnapIDs   []string // snapshot: unfinished contact ids
	SnapState string   // snapshot: agent state
	Events    []evRec
	End       string // how it ended: drop kind, "server" (unexpected), "leave"
	CloseCode int    // unexpected: close code received (0: none)
}

func hashFrame(b []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64()
}

// Drop kinds.
const (
	dropClose    = "close-frame" // a close frame: the server sees it at once
	dropReset    = "tcp-reset"   // the client vanishes (RST, no close frame)
	dropHalfOpen = "half-open"   // the socket stays open and stops reading
)

type dropReq struct {
	kind  string
	fresh bool // reconnect without resume (a page that lost its storage)
}

// timings of the simulated agents (scaled down in short mode).
type timings struct {
	answer, talk, chatSend, chatAfter, email, acwEnd, readyAfter, pause [2]time.Duration
	retry                                                               time.Duration // a command with no visible effect is sent again
	pauseEvery                                                          time.Duration // mean time between two pauses of an agent
}

func (t timings) pick(r *rand.Rand, d [2]time.Duration) time.Duration {
	return d[0] + time.Duration(r.Int64N(int64(d[1]-d[0])+1))
}

// env is what agents share.
type env struct {
	wsURL    string
	secret   []byte
	t        timings
	dialer   *websocket.Dialer
	halfWait time.Duration // how long a half-open socket stays silent before we look
	stats    *stats
	halfWG   sync.WaitGroup
}

// stats are counters shared by every agent.
type stats struct {
	mu             sync.Mutex
	drops          map[string]int
	freshDrops     int
	unexpected     map[int]int // unexpected closes by close code
	dialErrors     int
	firstDialErr   string
	cmdOK          int
	cmdErr         map[string]int // by code
	cmdErrByName   map[string]int // name/code
	firstInternal  string
	halfOpenCut    int
	halfOpenStuck  int
	halfOpenGaps   int
	halfOpenEvents int // events delivered to half-open sockets after the page stopped
	resumes        int
	snapshots      int // welcomes with snapshot on a resume
	pauses         int
}

func newStats() *stats {
	return &stats{drops: map[string]int{}, unexpected: map[int]int{}, cmdErr: map[string]int{}, cmdErrByName: map[string]int{}}
}

func (s *stats) add(f func(*stats)) {
	s.mu.Lock()
	f(s)
	s.mu.Unlock()
}

// wsConn is one WebSocket with its reader goroutine.
type wsConn struct {
	ws       *websocket.Conn
	gate     *gateConn
	in       chan []byte
	detached chan struct{}
	done     chan struct{}
	err      error // reader's error, valid after done
}

// gateConn lets a half-open page stop reading at the TCP level: gorilla
// then neither consumes frames nor answers pings, like a frozen tab.
type gateConn struct {
	net.Conn
	stalled atomic.Bool
	unstall chan struct{}
}

func (g *gateConn) Read(p []byte) (int, error) {
	if g.stalled.Load() {
		<-g.unstall
	}
	n, err := g.Conn.Read(p)
	if g.stalled.Load() { // stalled during the read: hold what came
		<-g.unstall
	}
	return n, err
}

func newDialer() *websocket.Dialer {
	nd := &net.Dialer{Timeout: 10 * time.Second}
	return &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 1024,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &gateConn{Conn: c, unstall: make(chan struct{})}, nil
		}}
}

func (e *env) dial(agentID string, resume *resumeArg, fresh bool, kind string) (*wsConn, *inMsg, []byte, error) {
	tok, err := engine.MintToken(e.secret, agentID, "Soak "+agentID, time.Hour, time.Now())
	if err != nil {
		return nil, nil, nil, err
	}
	ws, resp, err := e.dialer.Dial(e.wsURL+"?token="+url.QueryEscape(tok), nil)
	if err != nil {
		if resp != nil {
			return nil, nil, nil, fmt.Errorf("dial: %v (HTTP %d)", err, resp.StatusCode)
		}
		return nil, nil, nil, fmt.Errorf("dial: %v", err)
	}
	hello := map[string]any{"op": "hello", "v": 1, "client": map[string]string{"kind": kind, "id": kind + "-" + agentID}}
	if resume != nil && !fresh {
		hello["resume"] = resume
	}
	if err := ws.WriteJSON(hello); err != nil {
		ws.Close()
		return nil, nil, nil, err
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, raw, err := ws.ReadMessage()
	if err != nil {
		ws.Close()
		return nil, nil, nil, fmt.Errorf("no welcome: %v", err)
	}
	_ = ws.SetReadDeadline(time.Time{})
	var m inMsg
	if err := json.Unmarshal(raw, &m); err != nil || m.Op != "welcome" {
		ws.Close()
		return nil, nil, nil, fmt.Errorf("want welcome, got %.200s", raw)
	}
	g, _ := ws.NetConn().(*gateConn)
	if g == nil {
		ws.Close()
		return nil, nil, nil, errors.New("dialer without gateConn")
	}
	c := &wsConn{ws: ws, gate: g, in: make(chan []byte, 4096), detached: make(chan struct{}), done: make(chan struct{})}
	go c.read()
	return c, &m, raw, nil
}

// read hands frames to the owner until the socket ends; frames arriving
// after the owner detached are dropped.
func (c *wsConn) read() {
	defer close(c.done)
	defer close(c.in)
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		select {
		case c.in <- b:
		case <-c.detached:
		}
	}
}

func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// localContact is the page's view of one contact.
type localContact struct {
	media  string
	state  string
	action string // next command: answer, reject, chat, hangup, offlineend, or ""
	due    time.Time
}

// agent is one simulated agent page plus its never-dropped truth reader.
type agent struct {
	id    string
	e     *env
	r     *rand.Rand
	drop  chan dropReq
	leave chan struct{}
	left  chan struct{}

	// owned by the agent goroutine
	epoch       string
	lastSeq     uint64
	conns       []*connRec
	contacts    map[string]*localContact
	state       string
	agentAction string
	agentDue    time.Time
	pending     map[string]string // cmd id -> name
	nextCmd     int
	leaving     bool
	dialErrs    int
	connected   atomic.Bool
	idle        atomic.Bool // no contacts and nothing pending

	truth *truthReader
}

func newAgent(id string, e *env, seed uint64) *agent {
	return &agent{id: id, e: e, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), drop: make(chan dropReq, 1),
		leave: make(chan struct{}), left: make(chan struct{}), contacts: map[string]*localContact{}, pending: map[string]string{}}
}

// run connects, plays the agent, obeys drop requests and reconnects with
// resume until told to leave.
func (a *agent) run() {
	defer close(a.left)
	fresh := true
	for {
		var res *resumeArg
		if a.epoch != "" {
			res = &resumeArg{Epoch: a.epoch, Seq: a.lastSeq}
		}
		c, w, _, err := a.e.dial(a.id, res, fresh, "widget")
		if err != nil {
			a.e.stats.add(func(s *stats) {
				s.dialErrors++
				if s.firstDialErr == "" {
					s.firstDialErr = a.id + ": " + err.Error()
				}
			})
			if a.dialErrs++; a.dialErrs > 50 {
				return // give up: reported as an agent that could not reconnect
			}
			time.Sleep(time.Duration(200+a.r.IntN(300)) * time.Millisecond)
			continue
		}
		rec := &connRec{Fresh: res == nil || fresh, Welcome: w.Seq, Snapshot: w.Snapshot, Replayed: w.Replayed, Epoch: w.Epoch}
		if res != nil && !fresh {
			rec.ResumeSeq = res.Seq
		}
		a.dialErrs = 0
		a.conns = append(a.conns, rec)
		a.pending = map[string]string{} // results of the old connection are gone
		a.welcome(rec, w)
		a.connected.Store(true)
		d, stop := a.session(c, rec)
		a.connected.Store(false)
		if stop {
			return
		}
		fresh = d.fresh
		time.Sleep(time.Duration(100+a.r.IntN(600)) * time.Millisecond)
	}
}

func (a *agent) welcome(rec *connRec, w *inMsg) {
	a.epoch = w.Epoch
	if !w.Snapshot {
		if !rec.Fresh {
			a.e.stats.add(func(s *stats) { s.resumes++ })
		}
		return
	}
	if !rec.Fresh {
		a.e.stats.add(func(s *stats) { s.snapshots++ })
	}
	a.lastSeq = w.Seq
	rec.SnapIDs = make([]string, 0, len(w.Contacts))
	a.contacts = map[string]*localContact{}
	now := time.Now()
	for _, c := range w.Contacts {
		rec.SnapIDs = append(rec.SnapIDs, c.ID)
		lc := &localContact{media: c.MediaType, state: c.State}
		switch c.State {
		case "offered", "preview":
			lc.action, lc.due = "answer", now.Add(a.e.t.pick(a.r, a.e.t.answer))
		case "online":
			lc.action, lc.due = "hangup", now.Add(a.e.t.pick(a.r, a.e.t.email))
		case "offline":
			lc.action, lc.due = "offlineend", now.Add(a.e.t.pick(a.r, a.e.t.acwEnd))
		}
		a.contacts[c.ID] = lc
	}
	if w.Agent != nil {
		rec.SnapState = w.Agent.State
		a.state = w.Agent.State
		if a.state != "LOGGEDIN" {
			a.agentAction, a.agentDue = "ready", now.Add(a.e.t.pick(a.r, a.e.t.readyAfter))
		}
	}
}

// session runs one connection; it returns the drop that ended it, or stop.
func (a *agent) session(c *wsConn, rec *connRec) (dropReq, bool) {
	tick := time.NewTicker(tickEvery)
	defer tick.Stop()
	logoutID := ""
	var logoutDeadline time.Time
	for {
		select {
		case b, ok := <-c.in:
			if !ok {
				// the server closed a connection we did not drop
				rec.End, rec.CloseCode = "server", closeCode(c.err)
				a.e.stats.add(func(s *stats) { s.unexpected[rec.CloseCode]++ })
				c.ws.Close()
				return dropReq{}, false
			}
			if id := a.handle(b, rec); id != "" && id == logoutID {
				rec.End = "leave"
				c.closeNicely()
				return dropReq{}, true
			}
		case <-tick.C:
			now := time.Now()
			if a.leaving {
				if logoutID == "" && len(a.contacts) == 0 {
					id, err := a.sendArgs(c, "AGENT.Logout", nil)
					if err != nil {
						rec.End = "server"
						c.ws.Close()
						return dropReq{}, false
					}
					logoutID, logoutDeadline = id, now.Add(5*time.Second)
				}
				if logoutID != "" && now.After(logoutDeadline) {
					rec.End = "leave"
					c.closeNicely()
					return dropReq{}, true
				}
			}
			if err := a.act(c, now, a.leaving); err != nil {
				rec.End = "server"
				a.e.stats.add(func(s *stats) { s.unexpected[-1]++ })
				c.ws.Close()
				return dropReq{}, false
			}
			a.idle.Store(len(a.contacts) == 0)
		case d := <-a.drop:
			rec.End = d.kind
			a.dropConn(c, d)
			return d, false
		case <-a.leaveCh():
			a.leaving = true
		}
	}
}

// closeNicely sends a close frame, stops the connection's reader and closes it.
func (c *wsConn) closeNicely() {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second))
	close(c.detached)
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
	}
	c.ws.Close()
}

func (a *agent) dropConn(c *wsConn, d dropReq) {
	a.e.stats.add(func(s *stats) {
		s.drops[d.kind]++
		if d.fresh {
			s.freshDrops++
		}
	})
	switch d.kind {
	case dropClose:
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "page left"), time.Now().Add(time.Second))
		close(c.detached)
		c.ws.Close()
	case dropReset:
		if tc, ok := c.gate.Conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		close(c.detached)
		c.ws.Close()
	case dropHalfOpen:
		// not detached: what was already read stays in c.in for the
		// watcher; the socket itself is no longer read
		c.gate.stalled.Store(true)
		a.e.halfWG.Add(1)
		go a.e.watchHalfOpen(c, a.lastSeq)
	}
}

// watchHalfOpen keeps the socket unread for halfWait, then reads what is
// left: the server must have cut it by then (its read deadline is twice
// ping_interval). The events after the last one the page processed must be
// contiguous.
func (e *env) watchHalfOpen(c *wsConn, last uint64) {
	defer e.halfWG.Done()
	time.Sleep(e.halfWait)
	close(c.gate.unstall)
	gaps, n := 0, 0
	cut := false
	timeout := time.After(3 * time.Second)
read:
	for {
		select {
		case b, ok := <-c.in:
			if !ok {
				var ne net.Error
				cut = !(errors.As(c.err, &ne) && ne.Timeout())
				break read
			}
			var m inMsg
			if json.Unmarshal(b, &m) == nil && m.Op == "event" {
				if m.Seq != last+1 {
					gaps++
				}
				last = m.Seq
				n++
			}
		case <-timeout:
			break read
		}
	}
	close(c.detached)
	c.ws.Close()
	<-c.done
	e.stats.add(func(s *stats) {
		if cut {
			s.halfOpenCut++
		} else {
			s.halfOpenStuck++
		}
		s.halfOpenGaps += gaps
		s.halfOpenEvents += n
	})
}

// handle processes one frame; it returns the id of a result.
func (a *agent) handle(b []byte, rec *connRec) string {
	var m inMsg
	if err := json.Unmarshal(b, &m); err != nil {
		return ""
	}
	switch m.Op {
	case "event":
		rec.Events = append(rec.Events, evRec{Seq: m.Seq, Hash: hashFrame(b)})
		a.lastSeq = m.Seq
		var ev evData
		if json.Unmarshal(m.Data, &ev) == nil {
			a.apply(&ev)
		}
	case "result":
		name := a.pending[m.ID]
		delete(a.pending, m.ID)
		a.e.stats.add(func(s *stats) {
			if m.OK {
				s.cmdOK++
				return
			}
			code := "?"
			if m.Error != nil {
				code = m.Error.Code
			}
			s.cmdErr[code]++
			s.cmdErrByName[name+" "+code]++
			if code == engine.CodeInternal && s.firstInternal == "" {
				s.firstInternal = fmt.Sprintf("%s %s: %s", a.id, name, m.Error.Message)
			}
		})
		return m.ID
	}
	return ""
}

func (a *agent) apply(ev *evData) {
	now := time.Now()
	t := a.e.t
	switch ev.Event {
	case "LOGGEDIN", "PAUSE", "PAUSESUBSTATE", "LOGGEDOUT":
		a.state = ev.Event
		if ev.Event == "LOGGEDIN" && a.agentAction == "ready" {
			a.agentAction = ""
		}
		return
	case "FORCED":
		a.state = ev.Event
		a.agentAction, a.agentDue = "ready", now.Add(t.pick(a.r, t.readyAfter))
		return
	}
	if ev.ID == "" {
		return
	}
	lc := a.contacts[ev.ID]
	if lc == nil {
		if ev.Event == "JOBFINISHED" {
			return
		}
		lc = &localContact{media: ev.MediaType}
		a.contacts[ev.ID] = lc
	}
	lc.state = ev.State
	switch {
	case ev.Event == "JOBCHANGED" && ev.Phase == "setup":
		switch p := a.r.Float64(); {
		case p < 0.01: // not answered: no_answer_timeout, FORCED
			lc.action = ""
		case p < 0.03:
			lc.action, lc.due = "reject", now.Add(t.pick(a.r, t.answer))
		default:
			lc.action, lc.due = "answer", now.Add(t.pick(a.r, t.answer))
		}
	case ev.Event == "JOBSTARTED":
		switch lc.media {
		case engine.MediaChat:
			lc.action, lc.due = "chat", now.Add(t.pick(a.r, t.chatSend))
		case engine.MediaChannel:
			lc.action, lc.due = "hangup", now.Add(t.pick(a.r, t.email))
		default:
			lc.action, lc.due = "hangup", now.Add(t.pick(a.r, t.talk))
		}
	case ev.Event == "CONNECTIONCLEARED":
		lc.action = ""
	case ev.Event == "JOBCHANGED" && ev.Phase == "offline":
		if a.r.Float64() < 0.8 {
			lc.action, lc.due = "offlineend", now.Add(t.pick(a.r, t.acwEnd))
		} else { // let acw_timeout end it; OfflineEnd only as a safety net
			lc.action, lc.due = "offlineend", now.Add(20*t.retry)
		}
	case ev.Event == "JOBFINISHED":
		delete(a.contacts, ev.ID)
	}
}

// act sends the commands that are due.
func (a *agent) act(c *wsConn, now time.Time, leaving bool) error {
	t := a.e.t
	for id, lc := range a.contacts {
		if lc.action == "" || now.Before(lc.due) {
			continue
		}
		var cmd string
		var args map[string]any
		next, nextDue := lc.action, now.Add(t.retry) // retried if nothing happens
		switch lc.action {
		case "answer":
			cmd = "CONTACT.Answer"
		case "reject":
			cmd = "CONTACT.Reject"
		case "chat":
			cmd, args = "CHAT.Send", map[string]any{"text": "Hello from " + a.id}
			next, nextDue = "hangup", now.Add(t.pick(a.r, t.chatAfter))
		case "hangup":
			cmd = "CONTACT.HangupByContactID"
		case "offlineend":
			cmd = "CONTACT.OfflineEnd"
		}
		if args == nil {
			args = map[string]any{}
		}
		args["contactId"] = id
		if _, err := a.sendArgs(c, cmd, args); err != nil {
			return err
		}
		lc.action, lc.due = next, nextDue
	}
	if !leaving && a.agentAction == "" && a.state == "LOGGEDIN" && a.r.Float64() < float64(tickEvery)/float64(t.pauseEvery) {
		// now and then a short pause, half of them with a pause code
		var args map[string]any
		if a.r.IntN(2) == 0 {
			args = map[string]any{"code": 1701}
		}
		if _, err := a.sendArgs(c, "AGENT.Pause", args); err != nil {
			return err
		}
		a.e.stats.add(func(s *stats) { s.pauses++ })
		a.state = "PAUSE"
		a.agentAction, a.agentDue = "ready", now.Add(t.pick(a.r, t.pause))
	}
	if a.agentAction == "ready" && !now.Before(a.agentDue) && !leaving {
		if a.state == "LOGGEDIN" {
			a.agentAction = ""
		} else {
			if _, err := a.sendArgs(c, "AGENT.Ready", nil); err != nil {
				return err
			}
			a.agentDue = now.Add(t.retry)
		}
	}
	return nil
}

func (a *agent) sendArgs(c *wsConn, name string, args map[string]any) (string, error) {
	a.nextCmd++
	id := a.id + "-" + strconv.Itoa(a.nextCmd)
	msg := map[string]any{"op": "cmd", "id": id, "name": name}
	if args != nil {
		msg["args"] = args
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.ws.WriteJSON(msg); err != nil {
		return "", err
	}
	a.pending[id] = name
	return id, nil
}

// leaveCh is the leave signal until it was seen.
func (a *agent) leaveCh() chan struct{} {
	if a.leaving {
		return nil
	}
	return a.leave
}

const tickEvery = 50 * time.Millisecond

// resumeArg is hello's resume (docs/protocol.md).
type resumeArg struct {
	Epoch string `json:"epoch"`
	Seq   uint64 `json:"seq"`
}
