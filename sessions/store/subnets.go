package store

import (
	"fmt"
	"net/netip"
)

// Subnets cuts a pool into equal subnets for session networks.
type Subnets struct {
	Pool netip.Prefix
	Bits int // prefix length of each subnet, e.g. 28
}

// Count returns how many subnets the pool holds.
func (p Subnets) Count() int {
	if !p.Valid() {
		return 0
	}
	return 1 << (p.Bits - p.Pool.Bits())
}

// Valid reports whether the pool is an IPv4 prefix that can be cut into
// subnets of the given size with room for a gateway and five nodes
// (sessions.MaxNodes): /29 at the smallest.
func (p Subnets) Valid() bool {
	return p.Pool.IsValid() && p.Pool.Addr().Is4() && p.Bits >= p.Pool.Bits() && p.Bits <= 29 && p.Bits-p.Pool.Bits() <= 20
}

// Nth returns the i-th subnet of the pool.
func (p Subnets) Nth(i int) (netip.Prefix, error) {
	if i < 0 || i >= p.Count() {
		return netip.Prefix{}, fmt.Errorf("store: subnet %d out of range", i)
	}
	base := p.Pool.Masked().Addr().As4()
	n := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	n += uint32(i) << (32 - p.Bits)
	addr := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	return netip.PrefixFrom(addr, p.Bits), nil
}
