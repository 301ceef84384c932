package engine

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestRefusedCommands: every refused command returns its typed code and
// changes nothing (no event, identical snapshots).
func TestRefusedCommands(t *testing.T) {
	idle := func(t *testing.T) st { r := newRig(t, nil); return st{r, map[string]string{}} }
	offered := func(t *testing.T) st {
		r := newRig(t, nil)
		r.ready("a1")
		c := r.create(ContactRequest{Queue: "sales"})
		return st{r, map[string]string{"c": c.ID}}
	}
	online := func(t *testing.T) st {
		s := offered(t)
		s.r.must("a1", "CONTACT.Answer", id(s.ids["c"]))
		return s
	}
	onlineChat := func(t *testing.T) st {
		r := newRig(t, nil)
		r.ready("a1")
		c := r.create(ContactRequest{MediaType: MediaChat, Queue: "sales"})
		r.must("a1", "CONTACT.Answer", id(c.ID))
		return st{r, map[string]string{"c": c.ID}}
	}
	acw := func(t *testing.T) st {
		s := online(t)
		s.r.must("a1", "CONTACT.Hangup", nil)
		return s
	}
	manual := func(t *testing.T) st {
		r := newRig(t, nil)
		r.ready("a1")
		c := r.must("a1", "CONTACT.MakeCall", map[string]any{"destination": "123"})
		r.clk.Advance(2 * time.Second)
		return st{r, map[string]string{"c": c["id"].(string)}}
	}
	consulting := func(t *testing.T) st {
		s := online(t)
		s.r.ready("a2")
		s.r.must("a1", "CONTACT.Transfer", map[string]any{"contactId": s.ids["c"], "mode": "consult", "targetType": "agent", "target": "a2"})
		return s
	}
	cases := []struct {
		name, agent, cmd string
		setup            func(*testing.T) st
		args             map[string]any
		code             string
	}{
		{"unknown command", "a1", "CONTACT.Fly", idle, nil, CodeUnknown},
		{"bad args json", "a1", "CONTACT.Answer", idle, map[string]any{"contactId": 5}, CodeBadRequest},
		{"answer no id", "a1", "CONTACT.Answer", idle, nil, CodeBadRequest},
		{"answer unknown", "a1", "CONTACT.Answer", idle, map[string]any{"contactId": "nope"}, CodeNotFound},
		{"answer other agent's", "a2", "CONTACT.Answer", offered, map[string]any{"contactId": "$c"}, CodeNotFound},
		{"hangup other agent's", "a2", "CONTACT.HangupByContactID", online, map[string]any{"contactId": "$c"}, CodeNotFound},
		{"answer online", "a1", "CONTACT.Answer", online, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"reject online", "a1", "CONTACT.Reject", online, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"hangup offered", "a1", "CONTACT.Hangup", offered, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"hangup nothing", "a1", "CONTACT.Hangup", idle, nil, CodeInvalidState},
		{"hangup acw", "a1", "CONTACT.HangupByContactID", acw, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"hold offered", "a1", "CONTACT.Hold", offered, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"hold chat", "a1", "CONTACT.Hold", onlineChat, map[string]any{"contactId": "$c"}, CodeUnsupported},
		{"retrieve not held", "a1", "CONTACT.Retrieve", online, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"explicit hold off when not held", "a1", "CONTACT.Hold", online, map[string]any{"contactId": "$c", "hold": false}, CodeInvalidState},
		{"retrieve during consult", "a1", "CONTACT.Retrieve", consulting, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"setcalldata empty", "a1", "CONTACT.SetCallData", online, map[string]any{"contactId": "$c", "data": ""}, CodeBadRequest},
		{"setcalldata malformed", "a1", "CONTACT.SetCallData", online, map[string]any{"contactId": "$c", "data": "novalue"}, CodeBadRequest},
		{"setcalldata nested", "a1", "CONTACT.SetCallData", online, map[string]any{"contactId": "$c", "data": map[string]any{"a": []int{1}}}, CodeBadRequest},
		{"makecall logged out", "a1", "CONTACT.MakeCall", idle, map[string]any{"destination": "1"}, CodeInvalidState},
		{"makecall busy", "a1", "CONTACT.MakeCall", online, map[string]any{"destination": "1"}, CodeInvalidState},
		{"makecall no destination", "a1", "CONTACT.MakeCall", online, map[string]any{}, CodeBadRequest},
		{"makecall control char", "a1", "CONTACT.MakeCall", idle, map[string]any{"destination": "1\n2"}, CodeBadRequest},
		{"makecall to logged out agent", "a1", "CONTACT.MakeCall", manualFree, map[string]any{"destination": "agent:a3"}, CodeUnavailable},
		{"makecall to unknown agent", "a1", "CONTACT.MakeCall", manualFree, map[string]any{"destination": "agent:zz"}, CodeNotFound},
		{"makecall self", "a1", "CONTACT.MakeCall", manualFree, map[string]any{"destination": "agent:a1"}, CodeBadRequest},
		{"transfer offered", "a1", "CONTACT.Transfer", offered, map[string]any{"contactId": "$c", "mode": "blind", "targetType": "number", "target": "1"}, CodeInvalidState},
		{"transfer bad mode", "a1", "CONTACT.Transfer", online, map[string]any{"contactId": "$c", "mode": "x", "targetType": "number", "target": "1"}, CodeBadRequest},
		{"transfer bad target type", "a1", "CONTACT.Transfer", online, map[string]any{"contactId": "$c", "mode": "blind", "targetType": "moon", "target": "1"}, CodeBadRequest},
		{"transfer unknown queue", "a1", "CONTACT.Transfer", online, map[string]any{"contactId": "$c", "mode": "blind", "targetType": "queue", "target": "zz"}, CodeNotFound},
		{"transfer to logged out agent", "a1", "CONTACT.Transfer", online, map[string]any{"contactId": "$c", "mode": "blind", "targetType": "agent", "target": "a3"}, CodeUnavailable},
		{"consult chat", "a1", "CONTACT.Transfer", onlineChat, map[string]any{"contactId": "$c", "mode": "consult", "targetType": "number", "target": "1"}, CodeUnsupported},
		{"chat to number", "a1", "CONTACT.Transfer", onlineChat, map[string]any{"contactId": "$c", "mode": "blind", "targetType": "number", "target": "1"}, CodeUnsupported},
		{"second consult", "a1", "CONTACT.Transfer", consulting, map[string]any{"contactId": "$c", "mode": "consult", "targetType": "number", "target": "1"}, CodeInvalidState},
		{"complete without consult", "a1", "CONTACT.TransferComplete", online, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"complete unanswered consult", "a1", "CONTACT.TransferComplete", consulting, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"cancel without consult", "a1", "CONTACT.TransferCancel", online, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"conference unanswered", "a1", "CONTACT.Conference", consulting, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"conference without consult", "a1", "CONTACT.Conference", online, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"record offered", "a1", "CONTACT.StartRecording", offered, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"record chat", "a1", "CONTACT.StartRecording", onlineChat, map[string]any{"contactId": "$c"}, CodeUnsupported},
		{"stop recording not started", "a1", "CONTACT.StopRecording", online, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"offline end online", "a1", "CONTACT.OfflineEnd", online, map[string]any{"contactId": "$c"}, CodeInvalidState},
		{"offline enable missing flag", "a1", "CONTACT.OfflineEnable", online, map[string]any{"contactId": "$c"}, CodeBadRequest},
		{"offline enable manual", "a1", "CONTACT.OfflineEnable", manual, map[string]any{"contactId": "$c", "enable": true}, CodeUnsupported},
		{"chat send to call", "a1", "CHAT.Send", online, map[string]any{"contactId": "$c", "text": "x"}, CodeUnsupported},
		{"chat send empty", "a1", "CHAT.Send", onlineChat, map[string]any{"contactId": "$c", "text": " "}, CodeBadRequest},
		{"ready twice", "a1", "AGENT.Ready", offered, nil, CodeInvalidState},
		{"pause unknown code", "a1", "AGENT.Pause", offered, map[string]any{"code": 9}, CodeBadRequest},
		{"logout with contact", "a1", "AGENT.Logout", offered, nil, CodeInvalidState},
		{"logout twice", "a1", "AGENT.Logout", idle, nil, CodeInvalidState},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.setup(t)
			args := map[string]any{}
			for k, v := range tc.args {
				if str, ok := v.(string); ok && len(str) > 1 && str[0] == '$' {
					v = s.ids[str[1:]]
				}
				args[k] = v
			}
			before := snapshots(s.r)
			pending := s.r.clk.Pending()
			raw, _ := json.Marshal(args)
			if tc.args == nil {
				raw = nil
			}
			_, err := s.r.e.Do(tc.agent, tc.cmd, raw)
			if got := ErrorCode(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, err, tc.code)
			}
			if after := snapshots(s.r); !reflect.DeepEqual(before, after) {
				t.Fatalf("state changed:\n%s\n%s", before, after)
			}
			if s.r.clk.Pending() != pending {
				t.Fatal("timers changed")
			}
		})
	}
}

type st struct {
	r   *rig
	ids map[string]string
}

func manualFree(t *testing.T) st {
	r := newRig(t, nil)
	r.ready("a1")
	return st{r, map[string]string{}}
}

func snapshots(r *rig) string {
	var out []any
	for _, a := range []string{"a1", "a2", "a3"} {
		s, _ := r.e.Snapshot(a)
		out = append(out, s)
	}
	out = append(out, r.e.Contacts(true), r.e.Queues())
	b, _ := json.Marshal(out)
	return string(b)
}

func TestAPIRefusals(t *testing.T) {
	r := newRig(t, nil)
	for _, tc := range []struct {
		req  ContactRequest
		code string
	}{
		{ContactRequest{}, CodeBadRequest},
		{ContactRequest{Queue: "nope"}, CodeNotFound},
		{ContactRequest{Queue: "sales", MediaType: "fax"}, CodeBadRequest},
		{ContactRequest{Queue: "sales", Type: "internal"}, CodeBadRequest},
		{ContactRequest{Queue: "sales", Type: "outbound", JobType: "manual"}, CodeBadRequest},
		{ContactRequest{Queue: "sales", Type: "inbound", JobType: "predictive"}, CodeBadRequest},
		{ContactRequest{Type: "outbound", JobType: "previewAgent"}, CodeNotFound},
		{ContactRequest{Queue: "sales", Agent: "a1"}, CodeBadRequest},
		{ContactRequest{Queue: "sales", ContentType: "email"}, CodeBadRequest},
		{ContactRequest{Queue: "sales", MediaType: MediaChannel, ContentType: "fax"}, CodeBadRequest},
		{ContactRequest{Queue: "sales", ID: "bad id"}, CodeBadRequest},
		{ContactRequest{Queue: "sales", ANI: "1\r\n2"}, CodeBadRequest},
	} {
		if _, err := r.e.CreateContact(tc.req); ErrorCode(err) != tc.code {
			t.Errorf("%+v: %v, want %s", tc.req, err, tc.code)
		}
	}
	if len(r.e.Contacts(true)) != 0 {
		t.Fatal("refused requests created contacts")
	}
	c := r.create(ContactRequest{Queue: "sales", ID: "ext-1"})
	if _, err := r.e.CreateContact(ContactRequest{Queue: "sales", ID: "ext-1"}); ErrorCode(err) != CodeBadRequest {
		t.Fatal("duplicate id accepted")
	}
	for _, x := range []ExternalEvent{
		{Contact: c.ID, Event: "FLY"},
		{Contact: c.ID, Event: EvHeld},
		{Contact: c.ID, Event: EvEstablished},
		{Contact: c.ID, Agent: "a2", Event: EvConnectionCleared},
		{Contact: "zz", Event: EvConnectionCleared},
		{Agent: "zz", Event: StateLoggedIn},
		{Contact: c.ID, Event: EvChatMessage, Text: "x"},
		{Contact: c.ID, Event: EvDataChanged},
	} {
		if _, err := r.e.External(x); err == nil {
			t.Errorf("%+v accepted", x)
		}
	}
	if r.state(c.ID) != CStateQueued {
		t.Fatal("state changed")
	}
}
