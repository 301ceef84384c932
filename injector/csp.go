package injector

import (
	"strings"
)

// CSP header names we rewrite.
const (
	HeaderCSP           = "Content-Security-Policy"
	HeaderCSPReportOnly = "Content-Security-Policy-Report-Only"
)

// Directive is one directive of a serialized policy, as it appeared in the header.
type Directive struct {
	Name  string // lower-cased directive name
	Value string // the source list, trimmed, original bytes
	raw   string // the original segment including surrounding whitespace
}

// Policy is one serialized CSP policy (a header value may hold several,
// separated by commas). Directives keep their original text so that
// everything we do not edit is emitted byte-for-byte.
type Policy struct {
	Directives []Directive
	// trailingSep records whether the original ended with ';' so
	// re-serialisation keeps it.
	trailingSep bool
	edited      bool
	raw         string
}

// ParsePolicyList splits a CSP header value into its policies (RFC: a
// comma-separated serialized-policy-list; sources cannot contain commas).
func ParsePolicyList(value string) []*Policy {
	parts := strings.Split(value, ",")
	out := make([]*Policy, 0, len(parts))
	for _, p := range parts {
		out = append(out, ParsePolicy(p))
	}
	return out
}

// ParsePolicy parses one serialized policy.
func ParsePolicy(s string) *Policy {
	p := &Policy{raw: s}
	segs := strings.Split(s, ";")
	for i, seg := range segs {
		t := strings.TrimSpace(seg)
		if t == "" {
			if i == len(segs)-1 && i > 0 {
				p.trailingSep = true
			}
			// Keep empty segments verbatim so unedited policies round-trip.
			p.Directives = append(p.Directives, Directive{raw: seg})
			continue
		}
		name, val := t, ""
		if j := strings.IndexAny(t, " \t\n\r\f"); j >= 0 {
			name, val = t[:j], strings.TrimSpace(t[j+1:])
		}
		p.Directives = append(p.Directives, Directive{Name: strings.ToLower(name), Value: val, raw: seg})
	}
	return p
}

// Get returns the first directive with that name (later duplicates are
// ignored by browsers) and whether it exists.
func (p *Policy) Get(name string) (Directive, bool) {
	for _, d := range p.Directives {
		if d.Name == name {
			return d, true
		}
	}
	return Directive{}, false
}

// Has reports whether the policy holds the directive.
func (p *Policy) Has(name string) bool {
	_, ok := p.Get(name)
	return ok
}

// Empty reports whether the policy has no directive at all.
func (p *Policy) Empty() bool {
	for _, d := range p.Directives {
		if d.Name != "" {
			return false
		}
	}
	return true
}

// Set replaces the first directive of that name with value (dropping
// ignored duplicates) or appends it. It reports whether anything changed.
func (p *Policy) Set(name, value string) bool {
	found := false
	changed := false
	out := p.Directives[:0]
	for _, d := range p.Directives {
		if d.Name == name {
			if found {
				changed = true // drop duplicate
				continue
			}
			found = true
			if d.Value != value {
				lead := d.raw[:len(d.raw)-len(strings.TrimLeft(d.raw, " \t\n\r\f"))]
				d = Directive{Name: name, Value: value, raw: lead + name + " " + value}
				changed = true
			}
		}
		out = append(out, d)
	}
	p.Directives = out
	if !found {
		p.append(name, value)
		changed = true
	}
	if changed {
		p.edited = true
	}
	return changed
}

// AppendSource adds src to the directive's source list when it is not
// already there. It reports whether anything changed.
func (p *Policy) AppendSource(name, src string) bool {
	for i, d := range p.Directives {
		if d.Name != name {
			continue
		}
		for _, f := range strings.Fields(d.Value) {
			if f == src {
				return false
			}
		}
		nv := src
		if d.Value != "" {
			nv = d.Value + " " + src
		}
		// Keep the original text and append, so that the rest stays byte-exact.
		trail := d.raw[len(strings.TrimRight(d.raw, " \t\n\r\f")):]
		p.Directives[i] = Directive{Name: d.Name, Value: nv, raw: strings.TrimRight(d.raw, " \t\n\r\f") + " " + src + trail}
		p.edited = true
		return true
	}
	return false
}

func (p *Policy) append(name, value string) {
	d := Directive{Name: name, Value: value, raw: " " + name + " " + value}
	// Insert before the trailing empty segment(s) so "a; b;" becomes "a; b; c;".
	n := len(p.Directives)
	for n > 0 && p.Directives[n-1].Name == "" {
		n--
	}
	if n == 0 {
		d.raw = name + " " + value
		if len(p.Directives) > 0 && strings.TrimSpace(p.Directives[0].raw) == "" {
			// Policy was empty or whitespace: keep its leading whitespace.
			d.raw = p.Directives[0].raw + d.raw
			p.Directives = append([]Directive{d}, p.Directives[1:]...)
			if p.trailingSep {
				p.Directives = append(p.Directives, Directive{raw: ""})
			}
			return
		}
	}
	rest := append([]Directive{d}, p.Directives[n:]...)
	p.Directives = append(p.Directives[:n], rest...)
}

// String serialises the policy; unedited policies come back unchanged.
func (p *Policy) String() string {
	if !p.edited {
		return p.raw
	}
	var b strings.Builder
	for i, d := range p.Directives {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(d.raw)
	}
	return b.String()
}

// JoinPolicies serialises a policy list back into one header value.
func JoinPolicies(ps []*Policy) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.String())
	}
	return b.String()
}
