// Package migrations holds the database schema as plain SQL files, embedded
// in the binary and applied in order, each in its own transaction.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed *.sql
var files embed.FS

// lockID is the advisory lock that keeps two server processes from migrating
// the same database at once.
const lockID = 7264_0001

// Apply runs every migration that the database has not seen yet. It is safe
// to call from several processes at once: they take turns under an advisory
// lock, and each file is applied in one transaction with its version row.
func Apply(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrations: acquire: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		return fmt.Errorf("migrations: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockID)

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrations: bookkeeping table: %w", err)
	}
	names, err := Names()
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := applyOne(ctx, conn.Conn(), name); err != nil {
			return err
		}
	}
	return nil
}

// Names lists the migration files in the order they are applied.
func Names() ([]string, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

func applyOne(ctx context.Context, conn *pgx.Conn, name string) error {
	version := strings.TrimSuffix(name, ".sql")
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrations: begin %s: %w", name, err)
	}
	defer tx.Rollback(ctx)
	var seen bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", version).Scan(&seen); err != nil {
		return fmt.Errorf("migrations: check %s: %w", name, err)
	}
	if seen {
		return nil
	}
	body, err := files.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return fmt.Errorf("migrations: apply %s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", version); err != nil {
		return fmt.Errorf("migrations: record %s: %w", name, err)
	}
	return tx.Commit(ctx)
}
