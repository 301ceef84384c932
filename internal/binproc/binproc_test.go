package binproc

import (
	"net"
	"strconv"
	"testing"
)

// Ports come from below the ephemeral range (where no outgoing connection
// takes them), are free on every address, and are never handed out twice.
func TestFreePort(t *testing.T) {
	lo := ephemeralLow()
	seen := map[int]bool{}
	for range 100 {
		p, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		if lo > freePortFloor+1000 && (p < freePortFloor || p >= lo) {
			t.Fatalf("port %d not in [%d, %d): an outgoing connection may take it", p, freePortFloor, lo)
		}
		l, err := net.Listen("tcp", ":"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d: %v", p, err)
		}
		l.Close()
	}
}
