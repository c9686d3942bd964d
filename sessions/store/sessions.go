package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// Limits bound how many live sessions a deployment holds, in all and per
// learner. Zero means no limit.
type Limits struct {
	MaxLive    int
	MaxPerUser int
	// MaxPerAddress caps the live sessions without a classroom that one
	// client address holds; 0 means no cap.
	MaxPerAddress int
	// PoolSize is the general warm pool's size: a session of the general
	// pool is not made when it has that many, warming or ready, already
	// (pool.go); 0 keeps none. A classroom's ready seats are bounded by
	// what it asked for.
	PoolSize int
}

// retryAfterFull is what a client is told to wait when the host is full.
const retryAfterFull = 30 * time.Second

// CreateSession inserts s with a subnet of its own taken from the pool, and
// one row per node; the learner is recorded too if they are new. It fills s.Subnet. The limits are checked and the row
// inserted under one lock per deployment, so that concurrent requests, from
// this process or another, cannot overshoot them: a full host answers EFULL
// with a retry delay, a learner at their limit ECONFLICT. When every subnet
// of the pool is held by a live session it returns EFULL.
func (s *Store) CreateSession(ctx context.Context, sess *sessions.Session, pool Subnets, limits Limits) error {
	for attempt := 0; attempt < 8; attempt++ {
		subnet, err := s.freeSubnet(ctx, pool)
		if err != nil {
			return err
		}
		sess.Subnet = subnet.String()
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			if err := ensureUser(ctx, tx, sess.UserID); err != nil {
				return err
			}
			if err := checkLimits(ctx, tx, sess, limits, false); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO sessions (id, user_id, lab, lang, scope, instance, subnet, status, expires_at, client_addr, pool, warm_for)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				sess.ID, sess.UserID, sess.Lab, sess.Lang, sess.Scope, instanceOf(sess), sess.Subnet, sess.Status, sess.ExpiresAt, sess.ClientAddr,
				sess.Pool, sess.WarmFor); err != nil {
				return err
			}
			for _, n := range sess.Nodes {
				if _, err := tx.Exec(ctx, `INSERT INTO nodes (session_id, name, address, status) VALUES ($1, $2, $3, $4)`,
					sess.ID, n.Name, nullAddr(n.Address), n.Status); err != nil {
					return err
				}
			}
			return nil
		})
		if isUniqueViolation(err, "sessions_live_subnet") {
			continue // another process took that subnet first
		}
		return unavailable(err)
	}
	return fault.Errorf(fault.EFULL, "No free network for a new session; try again shortly.")
}

// checkLimits takes the deployment's session lock for the rest of the
// transaction and refuses a session over the limits. Open classrooms with a
// seat limit reserve their empty seats: a session outside a classroom may
// not take them, so anonymous traffic can never fill a class's room. Only
// classrooms in use (made, or joined, in the last 12 hours) reserve, so a
// class left open does not keep the host's places for ever.
//
// A pool session is held to the host's limit and, for the general pool, to
// the classrooms' reserved seats, but to no learner's or address's. Taking
// one from the pool (taking) adds no session, so the host's limit is not
// what can refuse it.
func checkLimits(ctx context.Context, tx pgx.Tx, sess *sessions.Session, limits Limits, taking bool) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('playground-sessions:' || $1))", instanceOf(sess)); err != nil {
		return err
	}
	// Paused sessions hold no memory, so they do not count against the
	// host's live sessions; they do count against a learner's and an
	// address's, so that nobody hoards disks by pausing (pause.go).
	var live, mine, fromAddr, reserved int
	if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status <> 'paused'),
			count(*) FILTER (WHERE user_id = $2),
			count(*) FILTER (WHERE scope = '' AND client_addr = $3 AND $3 <> ''),
			(SELECT coalesce(sum(greatest(c.seats - (SELECT count(*) FROM sessions t
				WHERE (t.scope = c.id OR t.warm_for = c.id) AND t.status <> 'ended' AND t.instance = $1), 0)), 0)
			 FROM classrooms c WHERE c.status = 'open' AND c.seats > 0
			   AND (c.created_at > now() - interval '12 hours'
			        OR EXISTS (SELECT 1 FROM sessions u WHERE u.scope = c.id AND u.created_at > now() - interval '12 hours')))
		FROM sessions WHERE status <> 'ended' AND instance = $1`,
		instanceOf(sess), sess.UserID, sess.ClientAddr).Scan(&live, &mine, &fromAddr, &reserved); err != nil {
		return err
	}
	if sess.Scope != "" || sess.WarmFor != "" {
		reserved = 0 // the seat being taken is one of them
	}
	if taking {
		live-- // the pool session is counted already
	}
	if limits.MaxLive > 0 && live+reserved >= limits.MaxLive {
		msg := "The playground is full right now; try again in a moment."
		if live < limits.MaxLive {
			msg = "The playground's free places are kept for a class right now; try again later."
		}
		return &fault.Error{Code: fault.EFULL, RetryAfter: retryAfterFull, Message: msg}
	}
	if sess.Pool != "" {
		return checkPoolRoom(ctx, tx, sess, limits)
	}
	if limits.MaxPerUser > 0 && mine >= limits.MaxPerUser {
		return fault.Errorf(fault.ECONFLICT,
			"You already have %d sessions, running or paused; end one to start another.", mine)
	}
	if sess.Scope == "" && limits.MaxPerAddress > 0 && fromAddr >= limits.MaxPerAddress {
		return fault.Errorf(fault.ECONFLICT,
			"Your network already has %d sessions, running or paused; end one to start another (a class can join through a classroom link instead).", fromAddr)
	}
	return nil
}

// freeSubnet returns a subnet of the pool that no live session holds. It
// starts looking at a random place, so that processes starting sessions at
// once, or a retry after a clash on the engine, rarely pick the same one.
func (s *Store) freeSubnet(ctx context.Context, pool Subnets) (netip.Prefix, error) {
	rows, err := s.pool.Query(ctx, "SELECT subnet::text FROM sessions WHERE status <> 'ended'")
	if err != nil {
		return netip.Prefix{}, unavailable(err)
	}
	used, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return netip.Prefix{}, unavailable(err)
	}
	taken := make(map[netip.Prefix]bool, len(used))
	for _, u := range used {
		if p, err := netip.ParsePrefix(u); err == nil {
			taken[p] = true
		}
	}
	count := pool.Count()
	start := rand.IntN(count)
	for i := 0; i < count; i++ {
		p, _ := pool.Nth((start + i) % count)
		if !taken[p] {
			return p, nil
		}
	}
	return netip.Prefix{}, fault.Errorf(fault.EFULL, "Every session network is in use; try again shortly.")
}

// UpdateNodes records the containers, addresses and statuses of a session's nodes.
func (s *Store) UpdateNodes(ctx context.Context, id string, nodes []sessions.Node) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return updateNodes(ctx, tx, id, nodes) })
}

func updateNodes(ctx context.Context, tx pgx.Tx, id string, nodes []sessions.Node) error {
	for _, n := range nodes {
		if _, err := tx.Exec(ctx, `UPDATE nodes SET container_id = $3, address = $4, status = $5
			WHERE session_id = $1 AND name = $2`, id, n.Name, n.ContainerID, nullAddr(n.Address), n.Status); err != nil {
			return unavailable(err)
		}
	}
	return nil
}

// MarkRunning records that a started session's nodes all answer: their
// final state and the session's status, together. A session that was ended
// meanwhile stays ended, and the answer is ECONFLICT.
func (s *Store) MarkRunning(ctx context.Context, id string, nodes []sessions.Node) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := updateNodes(ctx, tx, id, nodes); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "UPDATE sessions SET status = 'running' WHERE id = $1 AND status <> 'ended'", id)
		if err != nil {
			return unavailable(err)
		}
		if tag.RowsAffected() == 0 {
			return fault.Errorf(fault.ECONFLICT, "This session was ended while it was starting.")
		}
		return nil
	})
}

// EndSession marks a session ended with a reason; its subnet becomes free.
// Ending an ended session changes nothing.
func (s *Store) EndSession(ctx context.Context, id, reason string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE sessions SET status = 'ended', ended_at = now(), end_reason = $2
			WHERE id = $1 AND status <> 'ended'`, id, reason); err != nil {
			return unavailable(err)
		}
		_, err := tx.Exec(ctx, "UPDATE nodes SET status = 'stopped' WHERE session_id = $1", id)
		return unavailable(err)
	})
}

// SetRemains records whether an ended session left resources on the engine
// that its teardown could not remove.
func (s *Store) SetRemains(ctx context.Context, id string, remains bool) error {
	_, err := s.pool.Exec(ctx, "UPDATE sessions SET remains = $2 WHERE id = $1", id, remains)
	return unavailable(err)
}

// SessionsWithRemains returns the ids of the instance's sessions that left
// resources on the engine, oldest first.
func (s *Store) SessionsWithRemains(ctx context.Context, instance string) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT id FROM sessions WHERE remains AND instance = $1 ORDER BY ended_at", instance)
	if err != nil {
		return nil, unavailable(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, unavailable(err)
}

// ExpireSession makes a live session expire now, so that the reaper of the
// deployment running it removes it.
func (s *Store) ExpireSession(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `UPDATE sessions SET expires_at = least(expires_at, now()),
		paused_until = CASE WHEN status = 'paused' THEN least(paused_until, now()) END
		WHERE id = $1 AND status <> 'ended'`, id)
	return unavailable(err)
}

// ExtendSession moves a live session's end to until, and never earlier
// than it is. It reports whether the session was live.
func (s *Store) ExtendSession(ctx context.Context, id string, until time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, "UPDATE sessions SET expires_at = greatest(expires_at, $2) WHERE id = $1 AND status <> 'ended'", id, until)
	if err != nil {
		return false, unavailable(err)
	}
	return tag.RowsAffected() == 1, nil
}

// Session returns the session with its nodes. An unknown id answers ENOTFOUND.
func (s *Store) Session(ctx context.Context, id string) (*sessions.Session, error) {
	rows, err := s.pool.Query(ctx, sessionSelect+" WHERE s.id = $1", id)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := s.collect(ctx, rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fault.Errorf(fault.ENOTFOUND, "Session not found.")
	}
	return list[0], nil
}

// UserSessions returns the user's live sessions, newest first.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]*sessions.Session, error) {
	rows, err := s.pool.Query(ctx, sessionSelect+" WHERE s.user_id = $1 AND s.status <> 'ended' ORDER BY s.created_at DESC", userID)
	if err != nil {
		return nil, unavailable(err)
	}
	return s.collect(ctx, rows)
}

// LiveSessions returns every session of the instance that has not ended.
func (s *Store) LiveSessions(ctx context.Context, instance string) ([]*sessions.Session, error) {
	rows, err := s.pool.Query(ctx, sessionSelect+" WHERE s.status <> 'ended' AND s.instance = $1 ORDER BY s.created_at", instance)
	if err != nil {
		return nil, unavailable(err)
	}
	return s.collect(ctx, rows)
}

// ExpiredSessions returns the ids of the instance's sessions, starting or
// running, whose time is up; a paused session's clock stands still, and
// PausedTooLong finds those whose pause is over.
func (s *Store) ExpiredSessions(ctx context.Context, instance string, now time.Time) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT id FROM sessions WHERE status IN ('starting', 'running') AND instance = $1 AND expires_at <= $2", instance, now)
	if err != nil {
		return nil, unavailable(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, unavailable(err)
}

// CountLive returns how many of the instance's sessions have not ended.
func (s *Store) CountLive(ctx context.Context, instance string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, "SELECT count(*) FROM sessions WHERE status <> 'ended' AND instance = $1", instance).Scan(&n)
	return n, unavailable(err)
}

const sessionSelect = `SELECT s.id, s.user_id, s.lab, s.lang, s.scope, s.instance, s.subnet::text, s.status,
	s.created_at, s.expires_at, coalesce(s.ended_at, 'epoch'::timestamptz), s.client_addr, s.pool, s.warm_for,
	s.paused_at, s.paused_until, extract(epoch FROM s.paused_total)::float8, coalesce(s.end_reason, '') FROM sessions s`

// collect scans session rows and loads their nodes.
func (s *Store) collect(ctx context.Context, rows pgx.Rows) ([]*sessions.Session, error) {
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*sessions.Session, error) {
		var x sessions.Session
		var pausedTotal float64
		var reason string
		err := row.Scan(&x.ID, &x.UserID, &x.Lab, &x.Lang, &x.Scope, &x.Instance, &x.Subnet, &x.Status, &x.CreatedAt, &x.ExpiresAt, &x.EndedAt, &x.ClientAddr, &x.Pool, &x.WarmFor,
			&x.PausedAt, &x.PausedUntil, &pausedTotal, &reason)
		if x.Status == sessions.StatusEnded {
			x.EndedBecause = sessions.EndedBecause(reason)
		}
		if x.EndedAt.Unix() == 0 {
			x.EndedAt = time.Time{}
		}
		x.PausedTotal = time.Duration(pausedTotal * float64(time.Second))
		if x.Status != sessions.StatusPaused {
			x.PausedAt, x.PausedUntil = nil, nil
		}
		return &x, err
	})
	if err != nil {
		return nil, unavailable(err)
	}
	if len(list) == 0 {
		return list, nil
	}
	byID := make(map[string]*sessions.Session, len(list))
	ids := make([]string, len(list))
	for i, x := range list {
		byID[x.ID] = x
		ids[i] = x.ID
	}
	nrows, err := s.pool.Query(ctx, `SELECT session_id, name, container_id, coalesce(host(address), ''), status
		FROM nodes WHERE session_id = ANY($1) ORDER BY session_id, name`, ids)
	if err != nil {
		return nil, unavailable(err)
	}
	defer nrows.Close()
	for nrows.Next() {
		var sid string
		var n sessions.Node
		if err := nrows.Scan(&sid, &n.Name, &n.ContainerID, &n.Address, &n.Status); err != nil {
			return nil, unavailable(err)
		}
		byID[sid].Nodes = append(byID[sid].Nodes, n)
	}
	if err := nrows.Err(); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, unavailable(err)
	}
	return list, nil
}

// instanceOf returns the session's instance, "default" when unset.
func instanceOf(s *sessions.Session) string {
	if s.Instance == "" {
		return "default"
	}
	return s.Instance
}

// nullAddr turns an empty address into SQL NULL.
func nullAddr(a string) any {
	if a == "" {
		return nil
	}
	return a
}

// SessionCounts returns the instance's live sessions by status (pool
// sessions as "pool") and the number of their nodes, for the metrics.
func (s *Store) SessionCounts(ctx context.Context, instance string) (map[string]int, int, error) {
	rows, err := s.pool.Query(ctx, `SELECT CASE WHEN s.pool <> '' THEN 'pool' ELSE s.status END, count(DISTINCT s.id), count(n.name)
		FROM sessions s LEFT JOIN nodes n ON n.session_id = s.id
		WHERE s.status <> 'ended' AND s.instance = $1 GROUP BY 1`, instance)
	if err != nil {
		return nil, 0, unavailable(err)
	}
	defer rows.Close()
	byState := map[string]int{}
	nodes := 0
	for rows.Next() {
		var status string
		var n, ns int
		if err := rows.Scan(&status, &n, &ns); err != nil {
			return nil, 0, unavailable(err)
		}
		byState[status] = n
		nodes += ns
	}
	return byState, nodes, unavailable(rows.Err())
}
