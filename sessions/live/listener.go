package live

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Timings of the listening connection.
const (
	// pingEvery is how long the connection may stay silent before it is
	// pinged, so that a dead link is noticed even without traffic.
	pingEvery = 30 * time.Second
	// connectTimeout bounds connecting and each ping.
	connectTimeout = 10 * time.Second
	minBackoff     = 250 * time.Millisecond
	maxBackoff     = 10 * time.Second
	// stableAfter is how long a connection must last for the backoff to
	// start again from its minimum.
	stableAfter = time.Minute
)

// Listen holds one connection to the database described by cfg, LISTENs to
// Channels on it and publishes every announcement, until ctx ends; then it
// closes the hub and returns. A lost connection is opened again, after a
// backoff; since announcements sent meanwhile are lost, every subscriber is
// asked to reload once the connection is back (and after the first one,
// which covers those who subscribed before it).
func (h *Hub) Listen(ctx context.Context, cfg *pgx.ConnConfig) {
	defer h.Close()
	backoff := minBackoff
	for {
		start := time.Now()
		err := h.listenOnce(ctx, cfg)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > stableAfter {
			backoff = minBackoff
		}
		h.log.Warn("live: lost the database connection; reconnecting", "err", err, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenOnce connects, listens and delivers until the connection fails or
// ctx ends.
func (h *Hub) listenOnce(ctx context.Context, cfg *pgx.ConnConfig) error {
	cfg = cfg.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "playground-live"
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		conn.Close(c)
	}()
	for _, ch := range Channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	h.log.Debug("live: listening", "channels", Channels)
	h.resyncAll()
	h.markReady()
	for {
		wctx, cancel := context.WithTimeout(ctx, pingEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			h.deliver(n.Payload)
			continue
		case ctx.Err() != nil:
			return nil
		case !pgconn.Timeout(err) && !errors.Is(err, context.DeadlineExceeded):
			return err
		}
		pctx, cancel := context.WithTimeout(ctx, connectTimeout)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return err
		}
	}
}
