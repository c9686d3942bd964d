package store

import (
	"net/netip"
	"testing"
)

func TestSubnetsNth(t *testing.T) {
	t.Parallel()
	p := Subnets{Pool: netip.MustParsePrefix("100.64.0.0/17"), Bits: 28}
	if p.Count() != 2048 {
		t.Fatalf("count = %d", p.Count())
	}
	for i, want := range map[int]string{0: "100.64.0.0/28", 1: "100.64.0.16/28", 16: "100.64.1.0/28", 2047: "100.64.127.240/28"} {
		got, err := p.Nth(i)
		if err != nil || got.String() != want {
			t.Errorf("Nth(%d) = %v, %v; want %s", i, got, err, want)
		}
	}
	if _, err := p.Nth(2048); err == nil {
		t.Error("Nth past the end did not fail")
	}
	if (Subnets{Pool: netip.MustParsePrefix("fd00::/64"), Bits: 28}).Valid() {
		t.Error("an IPv6 pool was accepted")
	}
}
