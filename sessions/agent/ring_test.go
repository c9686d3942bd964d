package agent

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestRingKeepsTheLastBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		size   int
		writes []string
		want   string
	}{
		{"empty", 8, nil, ""},
		{"partial", 8, []string{"abc"}, "abc"},
		{"exactly full", 8, []string{"abcd", "efgh"}, "abcdefgh"},
		{"wraps", 8, []string{"abcdef", "ghij"}, "cdefghij"},
		{"wraps twice", 4, []string{"abc", "def", "ghi"}, "fghi"},
		{"one write larger than the ring", 4, []string{"ab", "0123456789"}, "6789"},
		{"write of exactly the size", 4, []string{"xy", "abcd"}, "abcd"},
		{"empty writes", 4, []string{"", "ab", "", "cdef", ""}, "cdef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRing(tt.size)
			for _, w := range tt.writes {
				if n, err := r.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := string(r.Bytes()); got != tt.want {
				t.Fatalf("Bytes() = %q, want %q", got, tt.want)
			}
			if r.Len() != len(tt.want) {
				t.Fatalf("Len() = %d, want %d", r.Len(), len(tt.want))
			}
		})
	}
}

func TestRingMatchesTheTailOfEverythingWritten(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	r := newRing(MinScrollback)
	var all []byte
	for i := 0; i < 2000; i++ {
		p := make([]byte, rng.IntN(3000))
		for j := range p {
			p[j] = 'a' + byte(rng.IntN(26)) // ASCII: no UTF-8 trimming
		}
		r.Write(p)
		all = append(all, p...)
		want := all[max(0, len(all)-MinScrollback):]
		if got := r.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("after %d writes (%d bytes): ring holds %d bytes that differ from the last %d written",
				i+1, len(all), len(got), len(want))
		}
	}
	if len(all) <= MinScrollback {
		t.Fatalf("the test wrote only %d bytes and never wrapped", len(all))
	}
}

func TestRingReplayStartsOnACharacter(t *testing.T) {
	t.Parallel()
	r := newRing(7)
	r.Write([]byte("ab€cdefg")) // € is 3 bytes: the ring keeps its last 2
	got := string(r.Bytes())
	if got != "cdefg" {
		t.Fatalf("Bytes() = %q, want the partial character dropped", got)
	}
	r = newRing(4)
	r.Write([]byte{'x', 0xff, 0xfe, 'y', 'z'}) // invalid UTF-8 is kept as is
	if got := r.Bytes(); !bytes.Equal(got, []byte{0xff, 0xfe, 'y', 'z'}) {
		t.Fatalf("Bytes() = %q", got)
	}
}
