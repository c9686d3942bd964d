package store

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
)

// ClaimSetups records that the setups of the given sections start in the
// session, and returns the sections not claimed before, in the order
// given. Of two callers at once, in any process, only one gets a section.
func (s *Store) ClaimSetups(ctx context.Context, sessionID string, sections []string) ([]string, error) {
	if len(sections) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `INSERT INTO section_setups (session_id, section)
		SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING section`, sessionID, sections)
	if err != nil {
		return nil, unavailable(err)
	}
	claimed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, unavailable(err)
	}
	var out []string
	for _, id := range sections {
		if slices.Contains(claimed, id) {
			out = append(out, id)
		}
	}
	return out, nil
}
