package bench

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// floorSubnet is where the floor's nodes go: apart from the servers' pool
// and the test packages' subnets.
var floorSubnet = netip.MustParsePrefix("100.64.254.0/28")

// startFigures times session starts cold, from the warm pool, and the
// floor: the engine package alone making the same nodes (the three of a
// session without a lab, sessions.NodeNames) and waiting for their engines, without the server, the database or HTTP.
func (b *bench) startFigures(ctx context.Context) ([]figure, error) {
	cold, err := b.startServer(ctx, "cold", "-pool-size", "0")
	if err != nil {
		return nil, fmt.Errorf("start a server without a pool: %w", err)
	}
	c := pgclient.New(cold.base)
	coldRuns, err := timeStarts(ctx, c, b.opts.Starts, nil)
	var memory uint64
	if err == nil {
		memory, err = b.idleMemory(ctx, c, cold.instance)
	}
	cold.stop()
	if err != nil {
		return nil, fmt.Errorf("cold starts: %w", err)
	}

	pool, err := b.startServer(ctx, "pool", "-pool-size", "1")
	if err != nil {
		return nil, fmt.Errorf("start a server with a pool: %w", err)
	}
	var poolMemory uint64
	poolRuns, err := timeStarts(ctx, pgclient.New(pool.base), b.opts.Starts, func() error {
		id, err := b.waitPoolReady(ctx, pool.instance)
		if err == nil && poolMemory == 0 {
			poolMemory, err = b.sessionMemory(ctx, pool.instance, id)
		}
		return err
	})
	pool.stop()
	if err != nil {
		return nil, fmt.Errorf("starts from the pool: %w", err)
	}

	floor, err := b.floorStarts(ctx, b.opts.Starts)
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	return []figure{
		{name: "from the warm pool (a ready session handed over)", runs: poolRuns},
		{name: "cold (nodes made, engines started)", runs: coldRuns},
		{name: "floor: the engine package alone makes 3 nodes until their engines answer", runs: floor},
		{name: fmt.Sprintf("idle memory of a session (3 nodes, after %s)", b.opts.Idle), value: mib(memory)},
		{name: "memory a ready pool session holds", value: mib(poolMemory)},
	}, nil
}

// timeStarts starts n sessions one after another, each after ready (when
// given) returns, times each POST /api/sessions, and deletes each.
func timeStarts(ctx context.Context, c *pgclient.Client, n int, ready func() error) ([]time.Duration, error) {
	var out []time.Duration
	for i := 0; i < n; i++ {
		if ready != nil {
			if err := ready(); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		s, err := c.CreateSession(ctx, "", "")
		if err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
		if err := c.DeleteSession(ctx, s.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// waitPoolReady waits until the instance's general pool holds a ready
// session, and returns its id.
func (b *bench) waitPoolReady(ctx context.Context, inst string) (string, error) {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		list, err := b.store.PoolSessions(ctx, inst)
		if err != nil {
			return "", err
		}
		for _, p := range list {
			if p.Pool == sessions.PoolReady && p.WarmFor == "" {
				return p.ID, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no ready pool session after 3 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// idleMemory starts a session, lets it rest and adds up what its nodes use.
func (b *bench) idleMemory(ctx context.Context, c *pgclient.Client, inst string) (uint64, error) {
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		return 0, err
	}
	defer c.DeleteSession(context.WithoutCancel(ctx), s.ID)
	select {
	case <-time.After(b.opts.Idle):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return b.sessionMemory(ctx, inst, s.ID)
}

// sessionMemory adds up the memory a session's nodes use, as docker stats
// counts it.
func (b *bench) sessionMemory(ctx context.Context, inst, id string) (uint64, error) {
	eng := engine.New(b.docker, engine.Config{Instance: inst}, nil)
	stats, err := eng.Stats(ctx, id)
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, st := range stats {
		total += st.Memory
	}
	return total, nil
}

// floorStarts makes n sessions' nodes with the engine package directly,
// one after another, timing each until the three engines answer.
func (b *bench) floorStarts(ctx context.Context, n int) ([]time.Duration, error) {
	eng := engine.New(b.docker, engine.Config{Instance: "bench-floor", Isolation: b.opts.Mode}, nil)
	defer eng.Close(context.WithoutCancel(ctx))
	var out []time.Duration
	for i := 0; i < n; i++ {
		id := sessions.NewID()
		start := time.Now()
		nodes, err := eng.CreateSession(ctx, id, floorSubnet, sessions.NodeNames)
		if err == nil {
			errs := make([]error, len(nodes))
			var wg sync.WaitGroup
			for i, nd := range nodes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = eng.WaitReady(ctx, nd.ContainerID)
				}()
			}
			wg.Wait()
			for _, e := range errs {
				if e != nil {
					err = e
				}
			}
		}
		took := time.Since(start)
		if rerr := eng.RemoveSession(context.WithoutCancel(ctx), id); rerr != nil && err == nil {
			err = rerr
		}
		if err != nil {
			return nil, err
		}
		out = append(out, took)
	}
	return out, nil
}
