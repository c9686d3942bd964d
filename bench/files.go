package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	pgclient "github.com/labplay/playground/client"
)

// fileFigures times an upload and a download of size bytes through the
// server's files API, each beside its floor: the same bytes piped through a
// plain docker exec of cat on the node.
func (b *bench) fileFigures(ctx context.Context, c *pgclient.Client, sessionID, node1 string, size int64) ([]figure, error) {
	start := time.Now()
	info, err := c.Upload(ctx, sessionID, "node1", "/root/bench-upload.bin", io.LimitReader(newNoise(), size), size)
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	up := time.Since(start)
	upFloor, err := b.execPipe(ctx, node1, []string{"sh", "-c", "cat > /root/bench-floor.bin"}, io.LimitReader(newNoise(), size))
	if err != nil {
		return nil, fmt.Errorf("upload floor: %w", err)
	}
	start = time.Now()
	n, err := c.Download(ctx, sessionID, "node1", info.Path, io.Discard)
	if err != nil || n != size {
		return nil, fmt.Errorf("download: %d of %d bytes: %v", n, size, err)
	}
	down := time.Since(start)
	downFloor, err := b.execPipe(ctx, node1, []string{"cat", "/root/bench-floor.bin"}, nil)
	if err != nil {
		return nil, fmt.Errorf("download floor: %w", err)
	}
	rate := func(d time.Duration) string {
		return strconv.FormatFloat(float64(size)/(1<<20)/d.Seconds(), 'f', 1, 64) + " MiB/s"
	}
	mibs := size >> 20
	return []figure{
		{name: fmt.Sprintf("upload of %d MiB through the server (PUT .../files)", mibs), value: rate(up)},
		{name: "floor: the same bytes into cat through docker exec on the node", value: rate(upFloor)},
		{name: fmt.Sprintf("download of %d MiB through the server (GET .../files)", mibs), value: rate(down)},
		{name: "floor: cat of the file through docker exec on the node", value: rate(downFloor)},
	}, nil
}

// execPipe runs cmd in a container through a plain exec, feeding it stdin
// when given and discarding its output, and times it.
func (b *bench) execPipe(ctx context.Context, containerID string, cmd []string, stdin io.Reader) (time.Duration, error) {
	ex, err := b.docker.ContainerExecCreate(ctx, containerID, container.ExecOptions{
		Cmd: cmd, AttachStdin: stdin != nil, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return 0, err
	}
	start := time.Now()
	hj, err := b.docker.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return 0, err
	}
	defer hj.Close()
	if stdin != nil {
		go func() {
			io.Copy(hj.Conn, stdin)
			hj.CloseWrite()
		}()
	}
	if _, err := stdcopy.StdCopy(io.Discard, io.Discard, hj.Reader); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// noise is an endless reader of cheap pseudo-random bytes, so that neither
// path gains from compressible data.
type noise struct{ r *rand.ChaCha8 }

func newNoise() *noise { return &noise{r: rand.NewChaCha8([32]byte{1})} }

func (n *noise) Read(p []byte) (int, error) { return n.r.Read(p) }
