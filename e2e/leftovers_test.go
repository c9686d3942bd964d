package e2e

// What a harness leaves on the engine: every container and network of its
// instance label, looked for when the test ends (and by the soak tests in
// between).

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/labplay/playground/sessions/engine"
)

// onEngine names the containers and networks of the harness's instance on
// the engine, the helper container too when withHelper is set (it lives as
// long as a server does).
func (h *harness) onEngine(ctx context.Context, withHelper bool) ([]string, error) {
	f := filters.NewArgs(filters.Arg("label", engine.LabelInstance+"="+h.instance))
	cs, err := h.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	ns, err := h.docker.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	var names []string
	for _, c := range cs {
		if withHelper || c.Labels[engine.LabelHelper] == "" {
			names = append(names, strings.Join(c.Names, ",")+" ("+c.State+")")
		}
	}
	for _, n := range ns {
		names = append(names, "network "+n.Name)
	}
	return names, nil
}

// leftovers names the containers (but the helper) and networks of the
// harness's instance still on the engine; empty when there are none.
func (h *harness) leftovers() string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	names, err := h.onEngine(ctx, false)
	if err != nil {
		return err.Error()
	}
	return strings.Join(names, "; ")
}

// checkLeftovers fails the test when containers or networks of the
// harness's instance are still on the engine, and removes them, with the
// egress rules and the helper a killed server leaves.
func (h *harness) checkLeftovers() {
	t := h.t
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	names, err := h.onEngine(ctx, true)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	eng := engine.New(h.docker, engine.Config{Instance: h.instance}, nil)
	if len(names) > 0 {
		report := t.Errorf
		if t.Failed() {
			report = t.Logf // the failure that left them is already reported
		}
		report("left on the engine by instance %s: %s", h.instance, strings.Join(names, "; "))
		left, err := eng.List(ctx)
		if err != nil {
			t.Logf("list leftovers: %v", err)
			return
		}
		for id := range left {
			if err := eng.RemoveSession(ctx, id); err != nil {
				t.Logf("remove leftover session %s: %v", id, err)
			}
		}
	}
	if err := eng.RemoveEgress(ctx, netip.MustParsePrefix(harnessSubnetPool)); err != nil {
		t.Logf("remove the egress rules: %v", err)
	}
	if err := eng.Close(ctx); err != nil {
		t.Logf("remove the helper container: %v", err)
	}
}
