package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/labplay/playground/fault"
)

// Exec runs script with "sh -c" as root in a node and returns its combined
// stdout and stderr (the first MaxExecOutput bytes; the engine does not keep
// the relative order of the two streams) and its exit code. When
// timeout passes first, Exec gives up and returns exit code -1, the output
// "timed out after <timeout>" and no error; the node kills the script's
// process group a moment later. A stopped or missing node is EUNAVAILABLE; a
// timeout outside (0, MaxExecTimeout] is EINVALID.
func (e *Engine) Exec(ctx context.Context, containerID, script string, timeout time.Duration) (output string, exitCode int, err error) {
	if timeout <= 0 || timeout > MaxExecTimeout {
		return "", 0, fault.Errorf(fault.EINVALID, "The timeout %s is out of range.", timeout)
	}
	// coreutils' timeout runs the script in a process group of its own and
	// kills the whole group, so an abandoned script does not linger.
	cmd := []string{"timeout", "-k", "1", seconds(timeout + killGrace), "sh", "-c", script}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := &cappedBuffer{max: MaxExecOutput}
	code, err := e.run(runCtx, containerID, cmd, nil, out)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Sprintf("timed out after %s", timeout), -1, nil
		}
		return "", 0, err
	}
	return out.String(), code, nil
}

// WaitReady blocks until the node's inner Docker engine answers, by running
// the agent's "node wait" in it. A node whose engine does not come up, or
// that is not running, is EUNAVAILABLE.
func (e *Engine) WaitReady(ctx context.Context, containerID string) error {
	runCtx, cancel := context.WithTimeout(ctx, waitReadyTimeout)
	defer cancel()
	out := &cappedBuffer{max: 4 << 10}
	code, err := e.run(runCtx, containerID, agentWaitCmd, nil, out)
	switch {
	case err != nil && fault.ErrorCode(err) != fault.EINTERNAL:
		return err
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return fault.Wrap(fault.EUNAVAILABLE, err, e.nodeName(ctx, containerID)+" did not become ready.")
	case code != 0:
		cause := fmt.Errorf("node wait exited with %d: %s", code, nodeText(out.String()))
		return fault.Wrap(fault.EUNAVAILABLE, cause, e.nodeName(ctx, containerID)+" did not become ready.")
	}
	return nil
}

// nodeName returns the node label of a container, for messages, or "The
// node" when it cannot be read.
func (e *Engine) nodeName(ctx context.Context, containerID string) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if info, err := e.cli.ContainerInspect(ctx, containerID); err == nil && info.Config != nil {
		if n := info.Config.Labels[LabelNode]; n != "" {
			return n
		}
	}
	return "The node"
}

// seconds formats d as a number of seconds for coreutils' timeout.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}
