package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// Secret returns the named secret shared by every server process using this
// database, creating it with 32 random bytes the first time it is asked for.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var b [32]byte
	rand.Read(b[:]) // it never fails (crypto/rand)
	key := "secret:" + name
	if _, err := s.pool.Exec(ctx,
		"INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
		key, hex.EncodeToString(b[:])); err != nil {
		return nil, unavailable(err)
	}
	var value string
	if err := s.pool.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&value); err != nil {
		return nil, unavailable(err)
	}
	secret, err := hex.DecodeString(value)
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("store: secret %q is malformed", name)
	}
	return secret, nil
}
