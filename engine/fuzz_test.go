package engine

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzCommands feeds arbitrary command names and argument bytes to Do: it
// never panics and a refused command publishes nothing.
func FuzzCommands(f *testing.F) {
	f.Add(uint8(0), []byte(`{"contactId":"x"}`))
	f.Add(uint8(5), []byte(`{"destination":"agent:a2","callData":"A=1;B"}`))
	f.Add(uint8(12), []byte(`{"contactId":"%s","data":{"k":1.5,"n":null}}`))
	f.Add(uint8(14), []byte(`{"contactId":"%s","mode":"consult","targetType":"agent","target":"a2"}`))
	f.Add(uint8(200), []byte(`null`))
	f.Add(uint8(3), []byte(`{"code":1701}`))
	f.Fuzz(func(t *testing.T, n uint8, args []byte) {
		r := newRig(t, nil)
		r.ready("a1", "a2")
		c := r.create(ContactRequest{Queue: "sales"})
		if c.Agent == "a1" {
			r.must("a1", "CONTACT.Answer", id(c.ID))
		}
		name := "X.Unknown"
		if int(n) < len(Commands) {
			name = Commands[n]
		}
		if json.Valid(args) {
			var m map[string]any
			if json.Unmarshal(args, &m) == nil && m["contactId"] == "%s" {
				m["contactId"] = c.ID
				args, _ = json.Marshal(m)
			}
		}
		before := r.e.broker.Seq("a1") + r.e.broker.Seq("a2")
		_, err := r.e.Do("a1", name, args)
		if err != nil && r.e.broker.Seq("a1")+r.e.broker.Seq("a2") != before {
			t.Fatalf("refused %s %s published events", name, args)
		}
		r.clk.Advance(time.Hour)
		if err := checkInvariants(r); err != nil {
			t.Fatal(err)
		}
	})
}
