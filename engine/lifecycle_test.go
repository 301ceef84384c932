package engine

import (
	"testing"
	"time"
)

func msT(d time.Duration) float64 { return float64(t0.Add(d).UnixMilli()) }

func TestInboundTelephonyFullLifecycle(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1")
	c := r.create(ContactRequest{Queue: "sales", ANI: "+391", DNIS: "800", CallData: map[string]string{"cust": "7"}})
	if c.State != CStateOffered || c.Agent != "a1" {
		t.Fatalf("not offered to a1: %+v", c)
	}
	r.clk.Advance(3 * time.Second)
	r.must("a1", "CONTACT.Answer", id(c.ID))
	r.clk.Advance(time.Second)
	r.must("a1", "CONTACT.Hold", id(c.ID))
	r.must("a1", "CONTACT.Hold", id(c.ID))
	r.must("a1", "CONTACT.SetCallData", map[string]any{"contactId": c.ID, "data": "A=1;B=x=y"})
	r.clk.Advance(10 * time.Second)
	r.must("a1", "CONTACT.Hangup", nil)
	r.clk.Advance(5 * time.Second)
	r.must("a1", "CONTACT.OfflineEnd", id(c.ID))
	eq(t, r.rec["a1"].names(), []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup",
		"POPUP", "ESTABLISHED", "JOBSTARTED:online", "HELD", "RETRIEVED", "DATACHANGED",
		"CONNECTIONCLEARED", "JOBCHANGED:offline", "JOBFINISHED"})
	est := r.rec["a1"].last("ESTABLISHED")
	for k, want := range map[string]any{"id": c.ID, "type": "inbound", "media_type": "telephony", "job_type": "inbound",
		"job_state": "online", "isACD": true, "service": "SalesSvc", "queue": "sales", "ani": "+391", "dnis": "800",
		"startTime": msT(3 * time.Second), "agent": "a1"} {
		if est[k] != want {
			t.Errorf("ESTABLISHED %s = %v, want %v", k, est[k], want)
		}
	}
	if est["uuid"] == "" || est["uuid"] == nil {
		t.Error("uuid missing")
	}
	dc := r.rec["a1"].last("DATACHANGED")
	if cd := dc["call_data"].(map[string]any); cd["A"] != "1" || cd["B"] != "x=y" || cd["cust"] != "7" {
		t.Errorf("call data %v", cd)
	}
	if ch := dc["changed"].([]any); len(ch) != 2 {
		t.Errorf("changed %v", ch)
	}
	cl := r.rec["a1"].last("CONNECTIONCLEARED")
	if cl["endTime"] != msT(14*time.Second) || cl["reason"] != ReasonAgentHangup || cl["job_state"] != "offline" {
		t.Errorf("cleared %v", cl)
	}
	off := r.rec["a1"].last("JOBCHANGED")
	if off["offlineStartTime"] != msT(14*time.Second) {
		t.Errorf("offline %v", off)
	}
	fin := r.rec["a1"].last("JOBFINISHED")
	if fin["offlineEndTime"] != msT(19*time.Second) || fin["startTime"] != msT(3*time.Second) {
		t.Errorf("finished %v", fin)
	}
	if st := r.state(c.ID); st != CStateFinished {
		t.Fatal(st)
	}
	// seqs strictly increasing
	s := r.rec["a1"].seqs
	for i := 1; i < len(s); i++ {
		if s[i] != s[i-1]+1 {
			t.Fatalf("seq gap %v", s)
		}
	}
}

func TestPopupOn(t *testing.T) {
	for _, tc := range []struct {
		on   string
		want []string
	}{
		{PopupOnRinging, []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "POPUP", "ESTABLISHED", "JOBSTARTED:online"}},
		{PopupOnAccept, []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "POPUP", "ESTABLISHED", "JOBSTARTED:online"}},
		{PopupOnEstablished, []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "ESTABLISHED", "POPUP", "JOBSTARTED:online"}},
	} {
		t.Run(tc.on, func(t *testing.T) {
			r := newRig(t, func(c *Config) { c.PopupOn = tc.on })
			r.ready("a1")
			c := r.create(ContactRequest{Queue: "sales"})
			n := len(r.rec["a1"].names())
			wantBefore := 4
			if tc.on == PopupOnRinging {
				wantBefore = 5
			}
			if n != wantBefore {
				t.Fatalf("before answer: %v", r.rec["a1"].names())
			}
			r.must("a1", "CONTACT.Answer", id(c.ID))
			eq(t, r.rec["a1"].names(), tc.want)
		})
	}
}

func TestACWTimeoutAndOfflineEnable(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1")
	c := r.create(ContactRequest{Queue: "sales"})
	r.must("a1", "CONTACT.Answer", id(c.ID))
	r.ext(ExternalEvent{Contact: c.ID, Event: EvConnectionCleared})
	if r.state(c.ID) != CStateOffline {
		t.Fatal("not offline")
	}
	// a second call waits while a1 is in ACW
	c2 := r.create(ContactRequest{Queue: "sales"})
	if c2.State != CStateQueued {
		t.Fatal("routed during ACW")
	}
	r.clk.Advance(14 * time.Second)
	if r.state(c.ID) != CStateOffline {
		t.Fatal("ACW ended early")
	}
	r.clk.Advance(time.Second)
	if r.state(c.ID) != CStateFinished {
		t.Fatal("ACW did not time out")
	}
	if cl := r.rec["a1"].last("CONNECTIONCLEARED"); cl["reason"] != ReasonCustomerHangup {
		t.Fatal(cl)
	}
	if r.state(c2.ID) != CStateOffered {
		t.Fatal("second call not routed after ACW")
	}
	// OfflineEnable(true) keeps ACW open past the timeout
	r.must("a1", "CONTACT.Answer", id(c2.ID))
	r.must("a1", "CONTACT.OfflineEnable", map[string]any{"contactId": c2.ID, "enable": true})
	r.must("a1", "CONTACT.Hangup", id(c2.ID))
	r.clk.Advance(time.Hour)
	if r.state(c2.ID) != CStateOffline {
		t.Fatal("extended ACW ended")
	}
	r.must("a1", "CONTACT.OfflineEnable", map[string]any{"contactId": c2.ID, "enable": false})
	if r.state(c2.ID) != CStateFinished {
		t.Fatal("OfflineEnable(false) did not finish")
	}
	// OfflineEnable(false) before hangup: no offline phase at all
	c3 := r.create(ContactRequest{Queue: "sales"})
	r.must("a1", "CONTACT.Answer", id(c3.ID))
	r.must("a1", "CONTACT.OfflineEnable", map[string]any{"contactId": c3.ID, "enable": false})
	r.rec["a1"].reset()
	r.must("a1", "CONTACT.Hangup", id(c3.ID))
	eq(t, r.rec["a1"].names(), []string{"CONNECTIONCLEARED", "JOBFINISHED"})
}

func TestNoAnswerForcedAndRequeued(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1")
	c := r.create(ContactRequest{Queue: "sales"})
	r.ready("a2") // joins later: a1 was offered first
	r.clk.Advance(9 * time.Second)
	if r.state(c.ID) != CStateOffered {
		t.Fatal("timed out early")
	}
	r.clk.Advance(time.Second)
	eq(t, r.rec["a1"].names(), []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup",
		"CONNECTIONCLEARED", "JOBFINISHED", "FORCED"})
	if r.rec["a1"].last("CONNECTIONCLEARED")["reason"] != ReasonNoAnswer {
		t.Fatal("reason")
	}
	if f := r.rec["a1"].last("FORCED"); f["state"] != "FORCED" || f["reason"] != ReasonNoAnswer || f["agent"] != "a1" {
		t.Fatal(f)
	}
	cur, _ := r.e.Contact(c.ID)
	if cur.Agent != "a2" || cur.State != CStateOffered {
		t.Fatalf("not re-offered to a2: %+v", cur)
	}
	eq(t, r.rec["a2"].names(), []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup"})
	// FORCED agent gets nothing until ready again
	c2 := r.create(ContactRequest{Queue: "sales"})
	if c2.State != CStateQueued {
		t.Fatal("FORCED agent was offered")
	}
	r.must("a1", "AGENT.Ready", nil)
	if r.state(c2.ID) != CStateOffered {
		t.Fatal("not routed after ready")
	}
}

func TestRejectRequeues(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1", "a2")
	c := r.create(ContactRequest{Queue: "sales"})
	first := r.e.contacts[c.ID].agent.id
	other := map[string]string{"a1": "a2", "a2": "a1"}[first]
	r.must(first, "CONTACT.Reject", id(c.ID))
	cur, _ := r.e.Contact(c.ID)
	if cur.Agent != other {
		t.Fatalf("re-queued to %q, want %q", cur.Agent, other)
	}
	if r.rec[first].last("CONNECTIONCLEARED")["reason"] != ReasonRejected || r.agentState(first) != StateLoggedIn {
		t.Fatal("reject should not force")
	}
	// the only free agent rejects: offered back to the one who rejected first
	r.must(other, "CONTACT.Reject", id(c.ID))
	cur, _ = r.e.Contact(c.ID)
	if cur.Agent != first {
		t.Fatalf("got %q", cur.Agent)
	}
}

func TestAbandon(t *testing.T) {
	r := newRig(t, nil)
	c := r.create(ContactRequest{Queue: "sales"})
	r.clk.Advance(5 * time.Second)
	r.ext(ExternalEvent{Contact: c.ID, Event: EvConnectionCleared})
	cur, _ := r.e.Contact(c.ID)
	if cur.State != CStateFinished || cur.Reason != ReasonAbandoned {
		t.Fatalf("%+v", cur)
	}
	if len(r.rec["a1"].names()) != 0 {
		t.Fatal("agent saw a queued abandon")
	}
	// abandon while ringing
	r.ready("a1")
	c2 := r.create(ContactRequest{Queue: "sales"})
	r.ext(ExternalEvent{Contact: c2.ID, Event: EvConnectionCleared})
	eq(t, r.rec["a1"].names(), []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "CONNECTIONCLEARED", "JOBFINISHED"})
	if r.rec["a1"].last("JOBFINISHED")["reason"] != ReasonAbandoned || r.agentState("a1") != StateLoggedIn {
		t.Fatal("abandon while ringing")
	}
}

func TestManualOutbound(t *testing.T) {
	r := newRig(t, nil)
	r.must("a1", "AGENT.Pause", map[string]any{"code": 1701})
	r.rec["a1"].reset()
	c := r.must("a1", "CONTACT.MakeCall", map[string]any{"destination": "+39021234", "callData": "X=1", "serviceId": 42})
	id1 := c["id"].(string)
	if c["isACD"] != false || c["job_type"] != "manual" || c["type"] != "outbound" || c["state"] != CStateDialing || c["service"] != "42" {
		t.Fatal(c)
	}
	r.clk.Advance(2 * time.Second)
	r.must("a1", "CONTACT.Hangup", id(id1))
	eq(t, r.rec["a1"].names(), []string{"CONNECTIONSTARTED", "DIALING", "POPUP", "ESTABLISHED", "CONNECTIONCLEARED", "JOBFINISHED"})
	if d := r.rec["a1"].last("DIALING"); d["dnis"] != "+39021234" || d["ani"] != "a1" {
		t.Fatal(d)
	}
	// hang up while dialling
	r.rec["a1"].reset()
	c = r.must("a1", "CONTACT.MakeCall", map[string]any{"destination": "555"})
	r.must("a1", "CONTACT.Hangup", nil)
	eq(t, r.rec["a1"].names(), []string{"CONNECTIONSTARTED", "DIALING", "POPUP", "CONNECTIONCLEARED", "JOBFINISHED"})
	if r.rec["a1"].last("CONNECTIONCLEARED")["reason"] != ReasonCancelled {
		t.Fatal("reason")
	}
	// a real CTI answers when automatic answer is off
	r2 := newRig(t, func(c *Config) { c.DialAnswerAfter = -1 })
	r2.must("a1", "AGENT.Ready", nil)
	c = r2.must("a1", "CONTACT.MakeCall", map[string]any{"destination": "555"})
	r2.clk.Advance(time.Minute)
	if r2.state(c["id"].(string)) != CStateDialing {
		t.Fatal("answered without CTI")
	}
	r2.ext(ExternalEvent{Agent: "a1", Contact: c["id"].(string), Event: EvEstablished})
	if r2.state(c["id"].(string)) != CStateOnline {
		t.Fatal("CTI ESTABLISHED ignored")
	}
}

func TestInternalCall(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1", "a2")
	c := r.must("a1", "CONTACT.MakeCall", map[string]any{"destination": "agent:a2"})
	callee := r.e.contacts[c["peer"].(string)]
	r.clk.Advance(5 * time.Second) // no automatic answer for internal calls
	r.must("a2", "CONTACT.Answer", id(callee.v.ID))
	r.must("a2", "CONTACT.Hangup", nil)
	eq(t, r.rec["a1"].names(), []string{"CONNECTIONSTARTED", "DIALING", "POPUP", "ESTABLISHED", "CONNECTIONCLEARED", "JOBFINISHED"})
	eq(t, r.rec["a2"].names(), []string{"CONNECTIONSTARTED", "RINGING", "POPUP", "ESTABLISHED", "CONNECTIONCLEARED", "JOBFINISHED"})
	if e := r.rec["a2"].last("RINGING"); e["type"] != "internal" || e["isACD"] != false || e["ani"] != "a1" || e["job_type"] != "manual" {
		t.Fatal(e)
	}
	if r.rec["a1"].last("CONNECTIONCLEARED")["reason"] != ReasonPeerHangup {
		t.Fatal("peer reason")
	}
	// callee does not answer: both clear, callee not forced
	r.rec["a1"].reset()
	r.rec["a2"].reset()
	r.must("a1", "CONTACT.MakeCall", map[string]any{"destination": "a2"})
	r.clk.Advance(10 * time.Second)
	eq(t, r.rec["a2"].names(), []string{"CONNECTIONSTARTED", "RINGING", "CONNECTIONCLEARED", "JOBFINISHED"})
	eq(t, r.rec["a1"].names(), []string{"CONNECTIONSTARTED", "DIALING", "POPUP", "CONNECTIONCLEARED", "JOBFINISHED"})
	if r.agentState("a2") != StateLoggedIn {
		t.Fatal("internal no-answer forced the callee")
	}
}

func TestPreviewAndPredictive(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1")
	c := r.create(ContactRequest{Type: "outbound", JobType: "previewAgent", Agent: "a1", DNIS: "+3902"})
	if c.State != CStatePreview {
		t.Fatal(c.State)
	}
	r.must("a1", "CONTACT.Answer", id(c.ID))
	r.clk.Advance(2 * time.Second)
	r.must("a1", "CONTACT.Hangup", id(c.ID))
	r.must("a1", "CONTACT.OfflineEnd", id(c.ID))
	eq(t, r.rec["a1"].names(), []string{"JOBSCHEDULED", "JOBCHANGED:setup", "POPUP", "CONNECTIONSTARTED", "DIALING",
		"ESTABLISHED", "JOBSTARTED:online", "CONNECTIONCLEARED", "JOBCHANGED:offline", "JOBFINISHED"})
	if e := r.rec["a1"].last("DIALING"); e["job_type"] != "previewAgent" || e["type"] != "outbound" || e["isACD"] != true {
		t.Fatal(e)
	}
	// previewQueue rejected: goes back to the queue
	r.ready("a2")
	q := r.create(ContactRequest{Type: "outbound", JobType: "previewQueue", Queue: "sales"})
	owner := r.e.contacts[q.ID].agent.id
	r.must(owner, "CONTACT.Reject", id(q.ID))
	if cur, _ := r.e.Contact(q.ID); cur.Agent == owner || cur.State != CStatePreview {
		t.Fatalf("%+v", cur)
	}
	// predictive: offered like inbound, type outbound
	r2 := newRig(t, nil)
	r2.ready("a1")
	p := r2.create(ContactRequest{Type: "outbound", Queue: "sales"})
	if p.JobType != "predictive" {
		t.Fatal(p.JobType)
	}
	r2.must("a1", "CONTACT.Answer", id(p.ID))
	eq(t, r2.rec["a1"].names(), []string{"JOBSCHEDULED", "CONNECTIONSTARTED", "RINGING", "JOBCHANGED:setup", "POPUP", "ESTABLISHED", "JOBSTARTED:online"})
}

func TestChatAndChannel(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1")
	var chats []*Contact
	for i := 0; i < 4; i++ {
		chats = append(chats, r.create(ContactRequest{MediaType: MediaChat, Queue: "sales"}))
	}
	for i, c := range chats {
		want := CStateOffered
		if i == 3 {
			want = CStateQueued // capacity 3
		}
		if c.State != want {
			t.Fatalf("chat %d: %s", i, c.State)
		}
	}
	// chat capacity does not block a call
	call := r.create(ContactRequest{Queue: "sales"})
	if call.State != CStateOffered {
		t.Fatal("call blocked by chats")
	}
	c := chats[0]
	if c.ChatID == "" {
		t.Fatal("chat_id")
	}
	r.must("a1", "CONTACT.Answer", id(c.ID))
	r.ext(ExternalEvent{Contact: c.ID, Event: EvChatMessage, Text: "hi"})
	r.must("a1", "CHAT.Send", map[string]any{"contactId": c.ID, "text": "hello"})
	m := r.rec["a1"].last("CHATMESSAGE")
	if msg := m["message"].(map[string]any); msg["from"] != "agent" || msg["text"] != "hello" || m["chat_id"] != c.ChatID {
		t.Fatal(m)
	}
	snap, _ := r.e.Snapshot("a1")
	for _, sc := range snap.Contacts {
		if sc.ID == c.ID && len(sc.Messages) != 2 {
			t.Fatal(sc.Messages)
		}
	}
	r.must("a1", "CONTACT.Hangup", id(c.ID))
	r.must("a1", "CONTACT.OfflineEnd", id(c.ID))
	if r.state(chats[3].ID) != CStateOffered {
		t.Fatal("4th chat not routed after a chat finished")
	}
	// channel email
	em := r.create(ContactRequest{MediaType: MediaChannel, Queue: "sales", ContentDescription: "Invoice wrong"})
	r.must("a1", "CONTACT.Answer", id(em.ID))
	e := r.rec["a1"].last("ESTABLISHED")
	if e["media_type"] != "channel" || e["content_type"] != "email" || e["content_description"] != "Invoice wrong" {
		t.Fatal(e)
	}
	obj := r.create(ContactRequest{MediaType: MediaChannel, ContentType: "object", Queue: "sales"})
	if obj.ContentType != "object" {
		t.Fatal(obj)
	}
}

func TestRoutingPriorityFIFOLongestIdle(t *testing.T) {
	r := newRig(t, nil)
	low := r.create(ContactRequest{Queue: "sales"})
	r.clk.Advance(time.Second)
	high := r.create(ContactRequest{Queue: "sales", Priority: 5})
	r.clk.Advance(time.Second)
	low2 := r.create(ContactRequest{Queue: "sales"})
	if qs := r.e.Queues(); qs[0].Name != "sales" || len(qs[0].Waiting) != 3 || qs[0].Waiting[0] != high.ID || qs[0].Waiting[1] != low.ID || qs[0].Waiting[2] != low2.ID {
		t.Fatalf("%+v", qs)
	}
	r.must("a2", "AGENT.Ready", nil) // ready first = idle longest
	r.clk.Advance(time.Second)
	r.must("a1", "AGENT.Ready", nil)
	if cur, _ := r.e.Contact(high.ID); cur.Agent != "a2" {
		t.Fatal("priority contact not first", cur.Agent)
	}
	if cur, _ := r.e.Contact(low.ID); cur.Agent != "a1" {
		t.Fatal("FIFO", cur.Agent)
	}
	// both finish; a1 finishes first so it has been idle longer
	r.must("a2", "CONTACT.Answer", id(high.ID))
	r.must("a1", "CONTACT.Answer", id(low.ID))
	r.must("a1", "CONTACT.OfflineEnable", map[string]any{"contactId": low.ID, "enable": false})
	r.must("a2", "CONTACT.OfflineEnable", map[string]any{"contactId": high.ID, "enable": false})
	r.e.mu.Lock()
	delete(r.e.contacts, low2.ID) // take low2 out of the way for this check
	r.e.mu.Unlock()
	r.must("a1", "CONTACT.Hangup", nil)
	r.clk.Advance(time.Second)
	r.must("a2", "CONTACT.Hangup", nil)
	n := r.create(ContactRequest{Queue: "sales"})
	if n.Agent != "a1" {
		t.Fatalf("longest idle: got %s", n.Agent)
	}
}

func TestTransfers(t *testing.T) {
	setup := func(t *testing.T) (*rig, string) {
		r := newRig(t, nil)
		r.ready("a1")
		c := r.create(ContactRequest{Queue: "sales", ANI: "+39555", CallData: map[string]string{"k": "v"}})
		r.must("a1", "CONTACT.Answer", id(c.ID))
		r.ready("a2")
		r.rec["a1"].reset()
		return r, c.ID
	}
	t.Run("blind agent", func(t *testing.T) {
		r, cid := setup(t)
		n := r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "blind", "targetType": "agent", "target": "a2"})
		eq(t, r.rec["a1"].names(), []string{"CONNECTIONCLEARED", "JOBCHANGED:offline"})
		if r.rec["a1"].last("CONNECTIONCLEARED")["reason"] != ReasonTransferred {
			t.Fatal("reason")
		}
		e := r.rec["a2"].last("RINGING")
		if e["transferred_from"] != cid || e["ani"] != "+39555" || e["call_data"].(map[string]any)["k"] != "v" || e["id"] != n["id"] {
			t.Fatal(e)
		}
	})
	t.Run("blind queue", func(t *testing.T) {
		r, cid := setup(t)
		r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "blind", "targetType": "queue", "target": "support"})
		if e := r.rec["a2"].last("JOBSCHEDULED"); e == nil || e["queue"] != "support" {
			t.Fatal(e)
		}
	})
	t.Run("blind number", func(t *testing.T) {
		r, cid := setup(t)
		r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "blind", "targetType": "number", "target": "+3906"})
		if r.state(cid) != CStateOffline {
			t.Fatal(r.state(cid))
		}
	})
	t.Run("consult complete", func(t *testing.T) {
		r, cid := setup(t)
		r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "consult", "targetType": "agent", "target": "a2"})
		if _, err := r.do("a1", "CONTACT.TransferComplete", id(cid)); ErrorCode(err) != CodeInvalidState {
			t.Fatal("complete before answer", err)
		}
		leg := r.rec["a2"].last("RINGING")["id"].(string)
		r.must("a2", "CONTACT.Answer", id(leg))
		r.must("a1", "CONTACT.TransferComplete", id(cid))
		eq(t, r.rec["a1"].names(), []string{"HELD", "PARTYCHANGED", "PARTYCHANGED", "CONNECTIONCLEARED", "JOBCHANGED:offline"})
		// the take-over is a party change; call data did not change
		dc := r.rec["a2"].last("PARTYCHANGED")
		if r.rec["a2"].last("DATACHANGED") != nil || dc["ani"] != "+39555" || dc["transferred_from"] != cid || dc["call_data"].(map[string]any)["k"] != "v" {
			t.Fatal(dc)
		}
		if r.state(leg) != CStateOnline {
			t.Fatal("leg not online")
		}
	})
	t.Run("consult cancel", func(t *testing.T) {
		r, cid := setup(t)
		r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "consult", "targetType": "agent", "target": "a2"})
		leg := r.rec["a2"].last("RINGING")["id"].(string)
		r.must("a1", "CONTACT.TransferCancel", id(cid))
		eq(t, r.rec["a1"].names(), []string{"HELD", "PARTYCHANGED", "PARTYCHANGED", "RETRIEVED"})
		if r.state(leg) != CStateFinished || r.rec["a2"].last("CONNECTIONCLEARED")["reason"] != ReasonCancelled {
			t.Fatal("leg not cancelled")
		}
	})
	t.Run("conference then leave", func(t *testing.T) {
		r, cid := setup(t)
		r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "consult", "targetType": "agent", "target": "a2"})
		leg := r.rec["a2"].last("RINGING")["id"].(string)
		r.must("a2", "CONTACT.Answer", id(leg))
		r.must("a1", "CONTACT.Conference", id(cid))
		if p := r.rec["a1"].last("PARTYCHANGED")["parties"].([]any)[0].(map[string]any); p["state"] != "conference" || p["target"] != "a2" {
			t.Fatal(p)
		}
		if r.rec["a2"].last("PARTYCHANGED") == nil {
			t.Fatal("leg not told")
		}
		r.must("a1", "CONTACT.Hangup", id(cid))
		if r.state(leg) != CStateOnline || r.rec["a2"].last("PARTYCHANGED")["ani"] != "+39555" {
			t.Fatal("leg did not take over")
		}
	})
	t.Run("consult rejected", func(t *testing.T) {
		r, cid := setup(t)
		r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "consult", "targetType": "agent", "target": "a2"})
		leg := r.rec["a2"].last("RINGING")["id"].(string)
		r.must("a2", "CONTACT.Reject", id(leg))
		eq(t, r.rec["a1"].names(), []string{"HELD", "PARTYCHANGED", "PARTYCHANGED"})
		if p := r.rec["a1"].last("PARTYCHANGED")["parties"]; p != nil {
			t.Fatal(p)
		}
		if _, err := r.do("a1", "CONTACT.Transfer", map[string]any{"contactId": leg, "mode": "blind", "targetType": "number", "target": "1"}); ErrorCode(err) != CodeNotFound {
			t.Fatal(err)
		}
		r.must("a1", "CONTACT.Retrieve", id(cid)) // allowed again
		if r.agentState("a2") != StateLoggedIn || r.state(leg) != CStateFinished {
			t.Fatal("leg")
		}
	})
	t.Run("customer hangs up during consult", func(t *testing.T) {
		r, cid := setup(t)
		r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "consult", "targetType": "agent", "target": "a2"})
		leg := r.rec["a2"].last("RINGING")["id"].(string)
		r.must("a2", "CONTACT.Answer", id(leg))
		if _, err := r.do("a2", "CONTACT.Transfer", map[string]any{"contactId": leg, "mode": "blind", "targetType": "number", "target": "1"}); ErrorCode(err) != CodeUnsupported {
			t.Fatal("consult leg transferred:", err)
		}
		r.ext(ExternalEvent{Contact: cid, Event: EvConnectionCleared})
		if r.state(leg) != CStateOnline || r.rec["a2"].last("DATACHANGED") != nil {
			t.Fatal("leg should stay an internal call, not take over a gone customer")
		}
		if cur, _ := r.e.Contact(leg); cur.Type != "internal" {
			t.Fatal(cur.Type)
		}
	})
	t.Run("consult queue", func(t *testing.T) {
		r, cid := setup(t)
		r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": cid, "mode": "consult", "targetType": "queue", "target": "support"})
		leg := r.rec["a2"].last("JOBSCHEDULED")["id"].(string)
		r.must("a2", "CONTACT.Answer", id(leg))
		if p := r.rec["a1"].last("PARTYCHANGED")["parties"].([]any)[0].(map[string]any); p["state"] != "connected" {
			t.Fatal(p)
		}
		r.must("a1", "CONTACT.TransferComplete", id(cid))
	})
}

func TestRecordingAndHoldExplicit(t *testing.T) {
	r := newRig(t, nil)
	r.ready("a1")
	c := r.create(ContactRequest{Queue: "sales"})
	r.must("a1", "CONTACT.Answer", id(c.ID))
	r.rec["a1"].reset()
	r.must("a1", "CONTACT.StartRecording", map[string]any{"contactId": c.ID, "callData": map[string]any{"rec": "yes"}})
	r.must("a1", "CONTACT.StopRecording", id(c.ID))
	r.must("a1", "CONTACT.Hold", map[string]any{"contactId": c.ID, "hold": true})
	r.must("a1", "CONTACT.Retrieve", id(c.ID))
	eq(t, r.rec["a1"].names(), []string{"RECORDINGSTARTED", "DATACHANGED", "RECORDINGSTOPPED", "HELD", "RETRIEVED"})
}

func TestAgentStates(t *testing.T) {
	r := newRig(t, nil)
	r.must("a1", "AGENT.Ready", nil)
	r.must("a1", "AGENT.Pause", nil)
	r.must("a1", "AGENT.Pause", map[string]any{"code": 1701})
	r.must("a1", "AGENT.Logout", nil)
	eq(t, r.rec["a1"].names(), []string{"LOGGEDIN", "PAUSE", "PAUSESUBSTATE", "LOGGEDOUT"})
	p := r.rec["a1"].last("PAUSESUBSTATE")
	if p["code"] != float64(1701) || p["label"] != "Lunch" || p["name"] != "Alice" || p["time"] != msT(0) {
		t.Fatal(p)
	}
	codes := r.must("a1", "AGENT.GetState", nil)
	if codes["state"] != StateLoggedOut {
		t.Fatal(codes)
	}
	a, err := r.e.SetAgentState("a2", "PAUSE", 1702)
	if err != nil || a.State != StatePauseSubstate || a.Label != "Training" {
		t.Fatal(a, err)
	}
}

func TestLogoutGrace(t *testing.T) {
	r := newRig(t, nil)
	cn := newConn(r.e, nil, Claims{AgentID: "a1"}, r.e.Config())
	if _, _, _, _, err := r.e.attach(cn, "", 0, false); err != nil {
		t.Fatal(err)
	}
	r.ready("a1")
	c := r.create(ContactRequest{Queue: "sales"})
	r.must("a1", "CONTACT.Answer", id(c.ID))
	r.e.detach(cn)
	r.clk.Advance(29 * time.Second)
	if r.agentState("a1") != StateLoggedIn {
		t.Fatal("logged out before grace")
	}
	// reconnecting within the grace keeps everything
	cn2 := newConn(r.e, nil, Claims{AgentID: "a1"}, r.e.Config())
	r.e.attach(cn2, "", 0, false)
	r.clk.Advance(time.Minute)
	if r.agentState("a1") != StateLoggedIn {
		t.Fatal("grace not cancelled by reconnect")
	}
	r.e.detach(cn2)
	r.clk.Advance(30 * time.Second)
	if r.agentState("a1") != StateLoggedOut {
		t.Fatal("not logged out after grace")
	}
	cur, _ := r.e.Contact(c.ID)
	if cur.State != CStateFinished || cur.Reason != ReasonLoggedOut {
		t.Fatalf("%+v", cur)
	}
	if l := r.rec["a1"].last("LOGGEDOUT"); l["reason"] != "disconnected" {
		t.Fatal(l)
	}
}
