package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
)

// LoadImage copies an image from the engine into the inner engines of the
// given nodes, in parallel: for each node it streams "docker save" of the
// image on the engine into "docker load" in the node. It returns ENOTFOUND
// when the engine does not have the image, so the caller can have the nodes
// pull it instead, and EUNAVAILABLE when a node is not running.
func (e *Engine) LoadImage(ctx context.Context, containerIDs []string, image string) error {
	if image == "" {
		return fault.Errorf(fault.EINVALID, "No image given.")
	}
	if _, err := e.cli.ImageInspect(ctx, image); err != nil {
		if cerrdefs.IsNotFound(err) {
			return fault.Wrap(fault.ENOTFOUND, err, "The image "+image+" is not on the server's Docker engine.")
		}
		return engineError(err, "inspect image "+image)
	}
	errs := make([]error, len(containerIDs))
	var wg sync.WaitGroup
	for i, id := range containerIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.loadInto(ctx, id, image)
		}()
	}
	wg.Wait()
	return firstCoded(errs)
}

// loadInto streams one image into one node's inner engine.
func (e *Engine) loadInto(ctx context.Context, containerID, image string) error {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	archive, err := e.cli.ImageSave(ctx, []string{image})
	if err != nil {
		return engineError(err, "save image "+image)
	}
	out := &cappedBuffer{max: 4 << 10}
	code, err := e.run(ctx, containerID, dockerLoadCmd, archive, out)
	if err != nil {
		return err
	}
	if code != 0 {
		cause := fmt.Errorf("docker load exited with %d: %s", code, nodeText(out.String()))
		return fault.Wrap(fault.EUNAVAILABLE, cause, "Could not load "+image+" into "+e.nodeName(ctx, containerID)+".")
	}
	e.log.Debug("image loaded into node", "container", containerID, "image", image, "output", nodeText(out.String()))
	return nil
}
