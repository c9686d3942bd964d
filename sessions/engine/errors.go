package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/labplay/playground/sessions"
)

// engineError turns an error of the Docker client into one of the project's
// vocabulary: an unreachable or slow engine is EUNAVAILABLE; anything else
// keeps its cause and becomes an internal error. what says what failed, for
// logs.
func engineError(err error, what string) error {
	if err == nil {
		return nil
	}
	var se *fault.Error
	switch {
	case errors.As(err, &se):
		return err
	case client.IsErrConnectionFailed(err):
		return fault.Wrap(fault.EUNAVAILABLE, fmt.Errorf("%s: %w", what, err), "The Docker engine is not reachable.")
	case errors.Is(err, context.DeadlineExceeded), cerrdefs.IsDeadlineExceeded(err):
		return fault.Wrap(fault.EUNAVAILABLE, fmt.Errorf("%s: %w", what, err), "The Docker engine did not answer in time.")
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("engine: %s: %w", what, err)
	case cerrdefs.IsUnavailable(err):
		return fault.Wrap(fault.EUNAVAILABLE, fmt.Errorf("%s: %w", what, err), "The Docker engine is unavailable.")
	}
	return fmt.Errorf("engine: %s: %w", what, err)
}

// nodeDown maps the failure to exec in a node: a missing, stopped or
// restarting container becomes EUNAVAILABLE naming the node ("node1 is not
// running."); anything else goes through engineError.
func (e *Engine) nodeDown(ctx context.Context, containerID string, err error) error {
	if !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
		return engineError(err, "exec in "+containerID)
	}
	return fault.Wrap(fault.EUNAVAILABLE, err, e.nodeName(ctx, containerID)+" is not running.")
}

// removeQuietly force-removes a container with its anonymous volumes under a
// fresh context, so it works after the caller's context has ended. A missing
// container is fine; other failures are logged.
func (e *Engine) removeQuietly(containerID string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := e.removeContainer(ctx, containerID); err != nil {
		e.log.Warn("remove container", "container", containerID, "err", err)
	}
}

// maxNodeText caps what a node printed when it goes into an error or a log
// line.
const maxNodeText = 1024

// nodeText makes what a node printed fit for the server's errors and logs:
// trimmed, valid UTF-8 without NUL bytes, and at most maxNodeText bytes.
// Whatever a learner's root shell writes, a log line stays one short line.
func nodeText(s string) string {
	return sessions.Clip(strings.TrimSpace(s), maxNodeText)
}
