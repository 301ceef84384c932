package engine

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
)

// Entry is one published event: its per-agent sequence number, name and the
// complete wire message ({"op":"event","seq":N,"data":{…}}), encoded once and
// shared by every connection.
type Entry struct {
	Seq  uint64
	Name string
	Msg  []byte
	// To restricts a relay to one client ("kind:id" or id); empty = all.
	To    string
	batch [][]byte // hub-internal: several messages queued as one
}

// Subscriber receives an agent's entries in order. Deliver must not block:
// a subscriber that cannot keep up drops itself (and later resumes).
type Subscriber interface {
	Deliver(e *Entry)
}

// Broker is an agent's ordered event stream with bounded history. The
// in-memory MemoryBroker is the default; a NATS or Redis broker can implement
// the same interface for several crmframe nodes.
type Broker interface {
	// Epoch identifies this history; it changes when history is lost.
	Epoch() string
	// Publish appends data (an event's JSON) to the agent's stream, delivers
	// it to the agent's subscribers and returns its seq.
	Publish(agentID, name string, data []byte) uint64
	// Subscribe atomically registers sub and returns the entries after
	// (epoch, since) plus the current seq. ok is false when history does not
	// cover the request (other epoch, overflow, or a seq from the future):
	// the caller must then send a snapshot. since=0 with the current epoch
	// means "from the beginning".
	Subscribe(agentID string, sub Subscriber, epoch string, since uint64) (missed []*Entry, cur uint64, ok bool, unsubscribe func())
	// Seq is the agent's last published seq.
	Seq(agentID string) uint64
	// Relay sends msg to every subscriber of the agent except from (not
	// logged); to, when set, names the one client meant to receive it.
	Relay(agentID string, msg []byte, to string, from Subscriber)
}

// MemoryBroker keeps each agent's last N entries in a ring.
type MemoryBroker struct {
	mu      sync.Mutex
	epoch   string
	size    int
	streams map[string]*stream
}

type stream struct {
	seq  uint64
	ring []*Entry // ring[(seq-1)%size]
	subs map[Subscriber]struct{}
}

// NewMemoryBroker keeps historyLength entries per agent.
func NewMemoryBroker(historyLength int) *MemoryBroker {
	if historyLength < 1 {
		historyLength = 1
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &MemoryBroker{epoch: hex.EncodeToString(b[:]), size: historyLength, streams: map[string]*stream{}}
}

func (b *MemoryBroker) Epoch() string { return b.epoch }

func (b *MemoryBroker) get(agentID string) *stream {
	s := b.streams[agentID]
	if s == nil {
		s = &stream{subs: map[Subscriber]struct{}{}}
		b.streams[agentID] = s
	}
	return s
}

func (b *MemoryBroker) Publish(agentID, name string, data []byte) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.get(agentID)
	s.seq++
	msg := make([]byte, 0, len(data)+40)
	msg = append(msg, `{"op":"event","seq":`...)
	msg = strconv.AppendUint(msg, s.seq, 10)
	msg = append(msg, `,"data":`...)
	msg = append(msg, data...)
	msg = append(msg, '}')
	e := &Entry{Seq: s.seq, Name: name, Msg: msg}
	if s.ring == nil {
		// Start small: most agents of a large site see few events between
		// reconnects, and append grows the ring up to b.size.
		s.ring = make([]*Entry, 0, min(b.size, 8))
	}
	if len(s.ring) < b.size {
		s.ring = append(s.ring, e)
	} else {
		s.ring[(s.seq-1)%uint64(b.size)] = e
	}
	for sub := range s.subs {
		sub.Deliver(e)
	}
	return s.seq
}

func (b *MemoryBroker) Subscribe(agentID string, sub Subscriber, epoch string, since uint64) ([]*Entry, uint64, bool, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.get(agentID)
	s.subs[sub] = struct{}{}
	unsub := func() {
		b.mu.Lock()
		delete(s.subs, sub)
		b.mu.Unlock()
	}
	if epoch != b.epoch || since > s.seq {
		return nil, s.seq, false, unsub
	}
	n := s.seq - since
	if n > uint64(len(s.ring)) {
		return nil, s.seq, false, unsub
	}
	missed := make([]*Entry, 0, n)
	for q := since + 1; q <= s.seq; q++ {
		missed = append(missed, s.ring[(q-1)%uint64(b.size)])
	}
	return missed, s.seq, true, unsub
}

func (b *MemoryBroker) Seq(agentID string) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.streams[agentID]; s != nil {
		return s.seq
	}
	return 0
}

func (b *MemoryBroker) Relay(agentID string, msg []byte, to string, from Subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.streams[agentID]
	if s == nil {
		return
	}
	e := &Entry{Name: "relay", Msg: msg, To: to}
	for sub := range s.subs {
		if sub != from {
			sub.Deliver(e)
		}
	}
}
