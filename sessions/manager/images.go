package manager

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
)

// imageTimeout bounds loading or pulling one image into a session's nodes.
const imageTimeout = 5 * time.Minute

// loadLabImages starts copying the images of the session's lab into its
// nodes (see loadImages); nodes that have them already are skipped.
func (m *Manager) loadLabImages(s *sessions.Session) {
	if s.Lab == "" || m.cfg.LabImages == nil {
		return
	}
	if images := m.cfg.LabImages(s.Lab); len(images) > 0 {
		m.loadImages(s, images)
	}
}

// loadImages puts the lab's images into every node of s in the background:
// copied from the outer engine when it has them, pulled by the nodes
// otherwise (through the host's registry, their mirror, when there is one).
func (m *Manager) loadImages(s *sessions.Session, images []string) {
	ids := make([]string, len(s.Nodes))
	for i, n := range s.Nodes {
		ids[i] = n.ContainerID
	}
	done := make(chan struct{})
	m.loadingMu.Lock()
	m.loading[s.ID] = done
	m.loadingMu.Unlock()
	m.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, imageTimeout)
		defer cancel()
		defer func() {
			m.loadingMu.Lock()
			if m.loading[s.ID] == done { // a later copy may have taken the slot
				delete(m.loading, s.ID)
			}
			m.loadingMu.Unlock()
			close(done)
		}()
		for _, image := range images {
			lacking := m.lackingImage(ctx, ids, image)
			if len(lacking) == 0 {
				continue
			}
			// A copy from the outer engine is what is fastest here for the
			// labs' small images (README, Figures); the registry serves
			// what the nodes pull themselves.
			err := m.engine.LoadImage(ctx, lacking, image)
			if fault.ErrorCode(err) == fault.ENOTFOUND {
				err = m.pullImage(ctx, lacking, image)
			}
			if err != nil {
				m.log.Warn("image not loaded into nodes", "session", s.ID, "image", image, "err", err)
				continue
			}
			m.log.Info("image loaded into nodes", "session", s.ID, "image", image)
		}
	})
}

// lackingImage returns the nodes whose engine does not have image yet, so
// that loading again (after a restart) copies only what is missing.
func (m *Manager) lackingImage(ctx context.Context, ids []string, image string) []string {
	has := make([]bool, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, code, err := m.engine.Exec(ctx, id, "docker image inspect --format . "+shellQuote(image)+" >/dev/null 2>&1", 30*time.Second)
			has[i] = err == nil && code == 0
		}()
	}
	wg.Wait()
	var lacking []string
	for i, id := range ids {
		if !has[i] {
			lacking = append(lacking, id)
		}
	}
	return lacking
}

// waitImages waits until the lab's images are in the nodes of the session
// (when this process is loading them), so a Run click right after the start
// does not reach a node that lacks them. It gives up when ctx ends.
func (m *Manager) waitImages(ctx context.Context, sessionID string) error {
	m.loadingMu.Lock()
	done := m.loading[sessionID]
	m.loadingMu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fault.Errorf(fault.EUNAVAILABLE, "The lab's images are still being copied into the nodes; try again in a moment.")
	}
}

// pullImage asks each node's engine to pull image itself, all at once.
func (m *Manager) pullImage(ctx context.Context, ids []string, image string) error {
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, code, err := m.engine.Exec(ctx, id, "docker pull -q "+shellQuote(image), imageTimeout)
			if err == nil && code != 0 {
				err = fmt.Errorf("docker pull %s: exit %d: %s", image, code, out)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	out := "'"
	for _, r := range s {
		if r == '\'' {
			out += `'\''`
		} else {
			out += string(r)
		}
	}
	return out + "'"
}
