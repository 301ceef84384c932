package injector

import (
	"bytes"
	"container/list"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// jsCache remembers what the rewriter made of JavaScript responses, keyed
// by their exact bytes as received (plus everything else the result
// depends on), so a static bundle is lexed once instead of on every page
// load. The key's source bytes are kept and compared on a hit: a hash
// collision can never serve another script's rewrite.
type jsCache struct {
	seed maphash.Seed
	max  int64 // budget for sources plus outputs
	// entry bound: one script may not take more than a quarter of the cache
	maxEntry int64

	mu    sync.Mutex
	size  int64
	byKey map[uint64][]*list.Element
	lru   list.List // front: most recently used; values are *jsEntry

	hits, misses atomic.Uint64
}

// jsKey is everything besides the body that the cached result depends on.
type jsKey struct {
	coding string
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
}

func newJSCache(max int64) *jsCache {
	if max <= 0 {
		return nil
	}
	return &jsCache{seed: maphash.MakeSeed(), max: max, maxEntry: max / 4, byKey: map[uint64][]*list.Element{}}
}

// newHash starts the hash of a body under key k; the body is written to it
// as it arrives (while it is still in the CPU cache), not in a second pass.
func (c *jsCache) newHash(k jsKey) *maphash.Hash {
	h := new(maphash.Hash)
	h.SetSeed(c.seed)
	h.WriteString(k.coding)
	h.WriteByte(0)
	h.WriteString(k.cs)
	h.WriteByte(byte(k.kind))
	return h
}

// get returns the entry for exactly (k, src), or nil; h is src's hash under
// k (newHash). More than four entries under one 64-bit hash only happen on
// deliberate collisions: the others are not looked at (a miss). The bodies are
// compared outside the lock (entries never change once stored): comparing
// a large bundle under it would serialise every JavaScript response.
func (c *jsCache) get(h uint64, k jsKey, src []byte) *jsEntry {
	var cands [4]*list.Element
	c.mu.Lock()
	n := copy(cands[:], c.byKey[h])
	c.mu.Unlock()
	for _, el := range cands[:n] {
		e := el.Value.(*jsEntry)
		if e.key == k && bytes.Equal(e.src, src) {
			c.mu.Lock()
			c.lru.MoveToFront(el) // a no-op if evicted meanwhile
			c.mu.Unlock()
			c.hits.Add(1)
			return e
		}
	}
	c.misses.Add(1)
	return nil
}

// put stores a copy of src with its result, evicting the least recently
// used entries beyond the budget. out must not be modified afterwards.
func (c *jsCache) put(h uint64, k jsKey, src []byte, out []byte, action, reason string, note any) {
	cost := int64(len(src) + len(out))
	if cost > c.maxEntry {
		return
	}
	e := &jsEntry{hash: h, key: k, src: bytes.Clone(src), out: out, action: action, reason: reason, note: note}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, el := range c.byKey[h] {
		old := el.Value.(*jsEntry)
		if old.key == k && bytes.Equal(old.src, src) {
			return // a concurrent miss stored it first
		}
	}
	c.byKey[h] = append(c.byKey[h], c.lru.PushFront(e))
	c.size += cost
	for c.size > c.max {
		c.evict(c.lru.Back())
	}
}

func (c *jsCache) evict(el *list.Element) {
	e := c.lru.Remove(el).(*jsEntry)
	c.size -= int64(len(e.src) + len(e.out))
	els := c.byKey[e.hash]
	for i, x := range els {
		if x == el {
			els = append(els[:i], els[i+1:]...)
			break
		}
	}
	if len(els) == 0 {
		delete(c.byKey, e.hash)
	} else {
		c.byKey[e.hash] = els
	}
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
