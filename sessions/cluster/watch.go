package cluster

import (
	"context"
	"sort"
	"strings"
	"time"
)

// watchEvery is how often Watch reads the swarm's hosts.
const watchEvery = 2 * time.Second

// Watch reads the swarm's hosts every watchEvery until ctx ends, and sends
// on changed (without blocking: give it room for one) each time a host's
// state or availability changes, or a host joins or leaves: a drained or
// lost host's sessions are then ended at once (the manager reconciles)
// rather than at its next tick; then a host that joined or came back is
// checked before it takes a session (CheckNewHosts). It returns when ctx
// ends.
func (c *Cluster) Watch(ctx context.Context, changed chan<- struct{}) {
	last := ""
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	for {
		if hosts, err := c.listHosts(ctx, true); err == nil {
			parts := make([]string, 0, len(hosts))
			for _, h := range hosts {
				parts = append(parts, h.ID+"="+string(h.State)+"/"+string(h.Availability))
			}
			sort.Strings(parts)
			if now := strings.Join(parts, " "); now != last {
				if last != "" {
					c.log.Info("the swarm's hosts changed", "hosts", now)
					// The manager ends a drained or lost host's
					// sessions at once; a host that joined or came
					// back is checked before it takes a session.
					select {
					case changed <- struct{}{}:
					default:
					}
					c.CheckNewHosts(ctx)
				}
				last = now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
