package soak

import (
	"encoding/json"
	"sync"
	"time"
)

// truthEv is one event of the ground-truth stream.
type truthEv struct {
	evRec
	Event, ID, Phase, Reason string
}

// truthReader is a never-dropped, fast connection of an agent: the
// reference log its page's stream is compared with.
type truthReader struct {
	id        string
	e         *env
	conns     []*connRec
	events    []truthEv
	epoch     string
	head      uint64 // from AGENT.Snapshot at the end
	headErr   string
	finishErr string // set by finish, not by the reader
	recon     int    // reconnects after an unexpected close

	wmu  sync.Mutex
	cur  *wsConn
	fin  chan struct{}
	done chan struct{}
}

func newTruth(id string, e *env) *truthReader {
	return &truthReader{id: id, e: e, fin: make(chan struct{}), done: make(chan struct{})}
}

// start connects before the agent's page does, so that it sees every event.
func (t *truthReader) start() error {
	c, w, _, err := t.e.dial(t.id, nil, true, "other")
	if err != nil {
		return err
	}
	t.attach(c, w, true, 0)
	go t.run(c)
	return nil
}

func (t *truthReader) attach(c *wsConn, w *inMsg, fresh bool, resume uint64) {
	t.conns = append(t.conns, &connRec{Fresh: fresh, ResumeSeq: resume, Welcome: w.Seq, Snapshot: w.Snapshot, Replayed: w.Replayed, Epoch: w.Epoch})
	t.epoch = w.Epoch
	t.wmu.Lock()
	t.cur = c
	t.wmu.Unlock()
}

func (t *truthReader) last() uint64 {
	if len(t.events) == 0 {
		if len(t.conns) > 0 {
			return t.conns[0].Welcome
		}
		return 0
	}
	return t.events[len(t.events)-1].Seq
}

func (t *truthReader) run(c *wsConn) {
	defer close(t.done)
	for {
		b, ok := <-c.in
		if !ok {
			select {
			case <-t.fin:
				return
			default:
			}
			// not ours: resume, and count it
			rec := t.conns[len(t.conns)-1]
			rec.End, rec.CloseCode = "server", closeCode(c.err)
			t.recon++
			c.ws.Close()
			for {
				nc, w, _, err := t.e.dial(t.id, &resumeArg{Epoch: t.epoch, Seq: t.last()}, false, "other")
				if err == nil {
					t.attach(nc, w, false, t.last())
					c = nc
					break
				}
				select {
				case <-t.fin:
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
			continue
		}
		var m inMsg
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		rec := t.conns[len(t.conns)-1]
		switch m.Op {
		case "event":
			var ev evData
			_ = json.Unmarshal(m.Data, &ev)
			r := evRec{Seq: m.Seq, Hash: hashFrame(b)}
			rec.Events = append(rec.Events, r)
			t.events = append(t.events, truthEv{evRec: r, Event: ev.Event, ID: ev.ID, Phase: ev.Phase, Reason: ev.Reason})
		case "result":
			if m.ID != "truth-final" {
				continue
			}
			var s struct {
				Epoch string `json:"epoch"`
				Seq   uint64 `json:"seq"`
			}
			if !m.OK || json.Unmarshal(m.Data, &s) != nil {
				t.headErr = "AGENT.Snapshot failed: " + string(b)
			} else {
				t.head = s.Seq
				if s.Epoch != t.epoch {
					t.headErr = "epoch changed: " + t.epoch + " -> " + s.Epoch
				}
			}
			rec.End = "leave"
			close(t.fin)
			c.closeNicely()
			return
		}
	}
}

// finish asks for the log's head (events before it arrive first) and
// closes; it waits for the reader.
func (t *truthReader) finish(timeout time.Duration) {
	t.wmu.Lock()
	c := t.cur
	t.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.ws.WriteJSON(map[string]any{"op": "cmd", "id": "truth-final", "name": "AGENT.Snapshot"}); err != nil {
		t.finishErr = "AGENT.Snapshot: " + err.Error()
	}
	select {
	case <-t.done:
	case <-time.After(timeout):
		t.finishErr = "no AGENT.Snapshot result"
		c.ws.Close()
		<-t.done
	}
}
