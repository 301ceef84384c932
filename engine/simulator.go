package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Simulator generates demo traffic: inbound calls, chats and emails at the
// configured rates with random customers and call data; customers hang up
// (calls, chats), write chat lines and sometimes abandon while queued.
// Agents still answer themselves (no auto-answer).
type Simulator struct {
	e       *Engine
	cfg     SimulateConfig
	mu      sync.Mutex
	rng     *rand.Rand
	running bool
	gen     int
	created int
}

// NewSimulator prepares a simulator for e; Start runs it.
func NewSimulator(e *Engine, cfg SimulateConfig) *Simulator {
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	if cfg.HangupAfter <= 0 {
		cfg.HangupAfter = 90 * time.Second
	}
	if cfg.AbandonAfter <= 0 {
		cfg.AbandonAfter = 60 * time.Second
	}
	return &Simulator{e: e, cfg: cfg, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Start begins generating traffic (idempotent).
func (s *Simulator) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return
	}
	s.running = true
	s.gen++
	for _, m := range []struct {
		media string
		rate  float64
	}{{MediaTelephony, s.cfg.Calls}, {MediaChat, s.cfg.Chats}, {MediaChannel, s.cfg.Emails}} {
		if m.rate > 0 {
			s.scheduleLocked(m.media, m.rate, s.gen)
		}
	}
}

// Stop ends traffic generation; contacts already created live on.
func (s *Simulator) Stop() {
	s.mu.Lock()
	s.running = false
	s.gen++
	s.mu.Unlock()
}

// Created reports how many contacts the simulator created.
func (s *Simulator) Created() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created
}

func (s *Simulator) alive(gen int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running && s.gen == gen
}

// exp draws an exponentially distributed duration with the given mean.
func (s *Simulator) expLocked(mean time.Duration) time.Duration {
	return time.Duration(-math.Log(1-s.rng.Float64()) * float64(mean))
}

func (s *Simulator) scheduleLocked(media string, perMinute float64, gen int) {
	d := s.expLocked(time.Duration(float64(time.Minute) / perMinute))
	s.e.clock.AfterFunc(d, func() {
		if !s.alive(gen) {
			return
		}
		s.arrive(media, gen)
		s.mu.Lock()
		if s.running && s.gen == gen {
			s.scheduleLocked(media, perMinute, gen)
		}
		s.mu.Unlock()
	})
}

var (
	simNames    = []string{"Giulia Rossi", "Marco Bianchi", "Sofia Esposito", "Luca Romano", "Chiara Colombo", "Matteo Ricci", "Anna Marino", "Paolo Greco", "Elena Bruno", "Davide Gallo"}
	simReasons  = []string{"billing", "delivery", "technical", "contract", "complaint", "information"}
	simSubjects = []string{"Invoice 2024-118 wrong amount", "Where is my order?", "Change of address", "Router keeps rebooting", "Cancel my subscription", "Request for a quote"}
	simChat     = []string{"Hello, I need some help", "Are you still there?", "Thanks, that helps", "Can you check my last invoice?", "OK, perfect"}
)

func (s *Simulator) arrive(media string, gen int) {
	queues := s.e.Queues()
	if len(queues) == 0 {
		return
	}
	s.mu.Lock()
	q := queues[s.rng.IntN(len(queues))]
	cust := 10000 + s.rng.IntN(90000)
	name := simNames[s.rng.IntN(len(simNames))]
	req := ContactRequest{MediaType: media, Queue: q.Name,
		ANI:  fmt.Sprintf("+39 3%02d %07d", s.rng.IntN(100), s.rng.IntN(10000000)),
		DNIS: fmt.Sprintf("+39 02 %07d", 1000000+len(q.Name)*111),
		CallData: map[string]string{"customer_id": fmt.Sprint(cust), "customer_name": name,
			"reason": simReasons[s.rng.IntN(len(simReasons))]},
	}
	if media == MediaChannel {
		req.ContentType = "email"
		req.ContentDescription = simSubjects[s.rng.IntN(len(simSubjects))]
	}
	abandon := s.rng.Float64() < s.cfg.AbandonProbability
	abandonAfter := s.expLocked(s.cfg.AbandonAfter)
	s.created++
	s.mu.Unlock()
	c, err := s.e.CreateContact(req)
	if err != nil {
		return
	}
	if abandon {
		s.e.clock.AfterFunc(abandonAfter, func() {
			if cur, err := s.e.Contact(c.ID); err == nil && (cur.State == CStateQueued || cur.State == CStateOffered) {
				_, _ = s.e.External(ExternalEvent{Contact: c.ID, Event: EvConnectionCleared})
			}
		})
	}
	if media != MediaChannel {
		s.watch(c.ID, gen, false)
	}
}

// watch polls a contact until it is online, then plays the customer.
func (s *Simulator) watch(id string, gen int, talking bool) {
	s.e.clock.AfterFunc(2*time.Second, func() {
		if !s.alive(gen) {
			return
		}
		cur, err := s.e.Contact(id)
		if err != nil || cur.State == CStateFinished || cur.State == CStateOffline {
			return
		}
		if cur.State != CStateOnline {
			s.watch(id, gen, false)
			return
		}
		if talking {
			return
		}
		s.mu.Lock()
		talk := s.expLocked(s.cfg.HangupAfter)
		s.mu.Unlock()
		s.e.clock.AfterFunc(talk, func() {
			if cur, err := s.e.Contact(id); err == nil && cur.State == CStateOnline {
				_, _ = s.e.External(ExternalEvent{Contact: id, Event: EvConnectionCleared})
			}
		})
		if cur.MediaType == MediaChat {
			s.chatter(id, gen, 0)
		}
	})
}

func (s *Simulator) chatter(id string, gen, n int) {
	s.mu.Lock()
	d := time.Second + s.expLocked(15*time.Second)
	line := simChat[s.rng.IntN(len(simChat))]
	if n == 0 {
		line = simChat[0]
		d = time.Second
	}
	s.mu.Unlock()
	s.e.clock.AfterFunc(d, func() {
		if !s.alive(gen) {
			return
		}
		if _, err := s.e.External(ExternalEvent{Contact: id, Event: EvChatMessage, Text: line}); err == nil && n < 20 {
			s.chatter(id, gen, n+1)
		}
	})
}
