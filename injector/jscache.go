package injector

import (
	"bytes"
	"container/list"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
)

// jsCache remembers what the rewriter made of JavaScript responses, keyed
// by their exact bytes as received (plus everything else the result
// depends on), so a static bundle is lexed once instead of on every page
// load.
//
// Entries are found by a hash of the key and the body's first jsPrefix
// bytes; the rest of the body is compared with the cached source as it
// arrives, so a hit neither copies nor hashes the whole body (on 2 cores
// with 64 bundles in flight, the per-response copy cost a third of the
// throughput). A hit is only ever the entry whose source equals the whole
// body, byte for byte: a hash collision or a shared prefix can never serve
// another script's rewrite.
type jsCache struct {
	seed maphash.Seed
	max  int64 // budget for sources plus outputs
	// entry bound: one script may not take more than a quarter of the cache
	maxEntry int64

	mu   sync.Mutex
	size int64
	// byKey lists the entries of one prefix hash, most recently used first
	// (at most jsSlot: versions of one bundle share their first bytes).
	byKey map[uint64][]*jsEntry
	lru   list.List // front: most recently used; values are *jsEntry

	hits, misses atomic.Uint64
}

const (
	// jsPrefix is how much of a body selects its candidate entries.
	jsPrefix = 4096
	// jsSlot bounds the entries sharing one prefix hash.
	jsSlot = 4
)

// jsKey is everything besides the body that the cached result depends on.
type jsKey struct {
	coding string
	out    string // the coding a rewritten body is stored in
	cs     string // charset name ("" = UTF-8 / undeclared)
	kind   JSKind
}

type jsEntry struct {
	hash uint64
	key  jsKey
	src  []byte
	// out is the encoded body to send, nil when it goes out unchanged.
	out    []byte
	action string
	reason string
	note   any
	el     *list.Element
}

func newJSCache(max int64) *jsCache {
	if max <= 0 {
		return nil
	}
	return &jsCache{seed: maphash.MakeSeed(), max: max, maxEntry: max / 4, byKey: map[uint64][]*jsEntry{}}
}

// prefixHash is the hash that selects the entries a body under key k may
// equal: k and the body's first jsPrefix bytes (all of a shorter body).
func (c *jsCache) prefixHash(k jsKey, body []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(k.coding)
	h.WriteByte(0)
	h.WriteString(k.out)
	h.WriteByte(0)
	h.WriteString(k.cs)
	h.WriteByte(byte(k.kind))
	h.Write(body[:min(len(body), jsPrefix)])
	return h.Sum64()
}

// candidates appends to dst the entries under prefix hash h and key k.
// Entries never change once stored, so they are compared outside the
// lock (a 700 KB compare under it would serialise every JS response).
func (c *jsCache) candidates(dst []*jsEntry, h uint64, k jsKey) []*jsEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.byKey[h] {
		if e.key == k {
			dst = append(dst, e)
		}
	}
	return dst
}

// hit records that e served a response.
func (c *jsCache) hit(e *jsEntry) {
	c.mu.Lock()
	c.lru.MoveToFront(e.el) // a no-op if evicted meanwhile
	if s := c.byKey[e.hash]; len(s) > 1 {
		if i := slices.Index(s, e); i > 0 { // the slot's order is recency too
			copy(s[1:i+1], s[:i])
			s[0] = e
		}
	}
	c.mu.Unlock()
	c.hits.Add(1)
}

func (c *jsCache) miss() { c.misses.Add(1) }

// put stores a copy of src with its result under prefix hash h, evicting
// the least recently used entries beyond the budget (and beyond jsSlot
// under one hash). out must not be modified afterwards.
func (c *jsCache) put(h uint64, k jsKey, src []byte, out []byte, action, reason string, note any) {
	cost := int64(len(src) + len(out))
	if cost > c.maxEntry {
		return
	}
	e := &jsEntry{hash: h, key: k, src: bytes.Clone(src), out: out, action: action, reason: reason, note: note}
	c.mu.Lock()
	defer c.mu.Unlock()
	slot := c.byKey[h]
	for _, old := range slot {
		if old.key == k && bytes.Equal(old.src, src) {
			return // a concurrent miss stored it first
		}
	}
	if len(slot) >= jsSlot {
		c.evict(slot[len(slot)-1])
		slot = c.byKey[h]
	}
	e.el = c.lru.PushFront(e)
	c.byKey[h] = slices.Insert(slot, 0, e)
	c.size += cost
	for c.size > c.max {
		c.evict(c.lru.Back().Value.(*jsEntry))
	}
}

func (c *jsCache) evict(e *jsEntry) {
	c.lru.Remove(e.el)
	c.size -= int64(len(e.src) + len(e.out))
	s := slices.DeleteFunc(c.byKey[e.hash], func(x *jsEntry) bool { return x == e })
	if len(s) == 0 {
		delete(c.byKey, e.hash)
	} else {
		c.byKey[e.hash] = s
	}
}

// jsMatch follows a body, as it arrives, against the cache entries it may
// equal. Bytes that match are not copied anywhere; once no entry matches,
// the bytes so far are taken back from one of them (they are equal).
type jsMatch struct {
	cands [jsSlot]*jsEntry
	n     int // live candidates in cands[:n]
	off   int // body bytes matched so far (not held by the filter)
}

// start keeps the candidates whose source begins with data.
func (m *jsMatch) start(cands []*jsEntry, data []byte) {
	m.n, m.off = 0, 0
	for _, e := range cands {
		if m.n < jsSlot && len(e.src) >= len(data) && bytes.Equal(e.src[:len(data)], data) {
			m.cands[m.n] = e
			m.n++
		}
	}
	if m.n > 0 {
		m.off = len(data)
	}
}

// next matches p, the body's next bytes. When no candidate is left it
// returns false and the bytes matched before p, which the caller must
// hold from then on.
func (m *jsMatch) next(p []byte) (ok bool, before []byte) {
	first := m.cands[0]
	live := 0
	for _, e := range m.cands[:m.n] {
		if len(e.src)-m.off >= len(p) && bytes.Equal(e.src[m.off:m.off+len(p)], p) {
			m.cands[live] = e
			live++
		}
	}
	clear(m.cands[live:m.n])
	m.n = live
	if live > 0 {
		m.off += len(p)
		return true, nil
	}
	before = first.src[:m.off]
	m.off = 0
	return false, before
}

// drop gives up matching; it returns the bytes matched so far.
func (m *jsMatch) drop() []byte {
	if m.n == 0 {
		return nil
	}
	before := m.cands[0].src[:m.off]
	clear(m.cands[:m.n])
	m.n, m.off = 0, 0
	return before
}

// exact returns the candidate equal to the whole body, or nil.
func (m *jsMatch) exact() *jsEntry {
	for _, e := range m.cands[:m.n] {
		if len(e.src) == m.off {
			return e
		}
	}
	return nil
}

// jsCacheStats reports the rewritten-JavaScript cache's counters.
type jsCacheStats struct {
	Hits, Misses uint64
	Entries      int
	Bytes        int64
}

// jsCacheStats returns the cache's counters (zero when the cache is off).
func (b *BodyRewriter) jsCacheStats() jsCacheStats {
	c := b.jsCache
	if c == nil {
		return jsCacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return jsCacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Entries: c.lru.Len(), Bytes: c.size}
}
