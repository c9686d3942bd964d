// Package store keeps users, sessions, nodes and progress in Postgres. Every
// method speaks plain parameterised SQL; errors that reach users carry a code
// from the sessions package.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/labplay/playground/migrations"
)

// Store is the Postgres store. It is safe for concurrent use, and several
// server processes may share one database.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects to the database at url, checks that it answers and applies
// pending migrations.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: database does not answer: %w", err)
	}
	if err := migrations.Apply(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Close closes every connection.
func (s *Store) Close() { s.pool.Close() }

// Pool returns the connection pool, for packages that listen for
// notifications on their own connection.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}

// inTx runs fn in a transaction that is committed when fn returns nil and
// rolled back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}

// unavailable wraps a database failure so handlers answer 503 instead of 500
// when Postgres has gone away. Errors that already carry a code pass through.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	var e *fault.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The database did not answer in time.")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:min(2, len(pgErr.Code))] {
		case "08", "53", "57":
			// Connection trouble, no resources left, or the server shutting
			// down or starting: an outage.
			return fault.Wrap(fault.EUNAVAILABLE, err, "The database is unavailable; try again shortly.")
		}
		// Any other server-side error is a bug in our SQL or data.
		return fault.Wrap(fault.EINTERNAL, err, "database error")
	}
	return fault.Wrap(fault.EUNAVAILABLE, err, "The database is unavailable; try again shortly.")
}

// isUniqueViolation reports whether err is a unique-constraint violation of
// the named constraint or index.
func isUniqueViolation(err error, name string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && (name == "" || pgErr.ConstraintName == name)
}
