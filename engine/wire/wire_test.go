package wire

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in  string
		err string
	}{
		{`{"op":"hello","v":1,"resume":{"epoch":"e1","seq":41},"client":{"kind":"widget","id":"crm"}}`, ""},
		{`{"op":"cmd","id":"c7","name":"CONTACT.Hold","args":{"contactId":"x"}}`, ""},
		{`  {"op":"ping"}  `, ""},
		{``, "JSON object"},
		{`[]`, "JSON object"},
		{`{"op":1}`, "bad JSON"},
		{`{}`, "op: required"},
		{`{"op":"hello","v":3}`, "version 3"},
		{`{"op":"cmd","id":"` + strings.Repeat("x", 65) + `"}`, "id: longer"},
		{`{"op":"hello","client":{"kind":"` + strings.Repeat("k", 33) + `"}}`, "client"},
		{"{\"op\":\"x\xff\"}", "UTF-8"},
		{`{"op":"relay","to":"` + strings.Repeat("t", 161) + `"}`, "to: longer"},
	} {
		e, err := Decode([]byte(tc.in))
		if tc.err == "" {
			if err != nil || e == nil {
				t.Errorf("%s: %v", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: got %v, want %q", tc.in, err, tc.err)
		}
	}
	e, _ := Decode([]byte(`{"op":"hello","resume":{"epoch":"e1","seq":41}}`))
	if e.Resume.Epoch != "e1" || e.Resume.Seq != 41 {
		t.Fatal(e.Resume)
	}
}

// FuzzDecode: Decode never panics and whatever it accepts re-encodes to
// JSON that decodes to the same envelope.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"op":"hello","v":1,"resume":{"epoch":"e1","seq":41},"client":{"kind":"widget","id":"crm"}}`,
		`{"op":"cmd","id":"c7","name":"CONTACT.Hold","args":{"contactId":"x"}}`,
		`{"op":"relay","name":"TAB.Open","to":"widget:crm","data":{"a":[1,2,{"b":null}]}}`,
		`{"op":"ping","id":"p"}`,
		`{"op":"hello","resume":{"seq":-1}}`,
		`{"op":"cmd","args":"K=v;K2=v2"}`,
		`{"op":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Decode(b)
		if err != nil {
			return
		}
		if e.Op == "" {
			t.Fatal("accepted empty op")
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := Decode(out)
		if err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		if e2.Op != e.Op || e2.ID != e.ID || e2.Name != e.Name || e2.To != e.To {
			t.Fatalf("round trip changed %+v -> %+v", e, e2)
		}
	})
}
