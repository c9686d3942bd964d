package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/gorilla/websocket"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/engine"
)

// ackEvery is how often the bench's terminal acknowledges output, as the
// page does (every 32 KiB that xterm.js has processed).
const ackEvery = 32 << 10

// terminalFigures measures one session's node1: output throughput through
// the server (acknowledging like the page) beside docker exec cat, Ctrl-C
// during a flood, and keystroke echo beside docker exec.
func (b *bench) terminalFigures(ctx context.Context) ([]figure, error) {
	srv, err := b.startServer(ctx, "term", "-pool-size", "0")
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	c := pgclient.New(srv.base)
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		return nil, err
	}
	defer c.DeleteSession(context.WithoutCancel(ctx), s.ID)
	eng := engine.New(b.docker, engine.Config{Instance: srv.instance}, nil)
	nodes, err := eng.Nodes(ctx, s.ID)
	if err != nil || len(nodes) == 0 {
		return nil, fmt.Errorf("the session's nodes: %v", err)
	}
	node1 := nodes[0].ContainerID

	// The output: base64 lines, as a terminal shows them.
	size := int64(b.opts.StreamMiB) << 20
	prep := fmt.Sprintf("head -c %d /dev/urandom | base64 -w 160 > /tmp/bench.out && stat -c %%s /tmp/bench.out", size*3/4)
	out, code, err := eng.Exec(ctx, node1, prep, 2*time.Minute)
	if err != nil || code != 0 {
		return nil, fmt.Errorf("prepare the output: %v %d %s", err, code, out)
	}
	bytesOut, _ := strconv.ParseInt(strings.TrimSpace(out), 10, 64)

	viaServer, ctrlC, err := b.throughServer(ctx, c, s.ID)
	if err != nil {
		return nil, fmt.Errorf("through the server: %w", err)
	}
	viaExec, err := b.throughExec(ctx, node1)
	if err != nil {
		return nil, fmt.Errorf("through docker exec: %w", err)
	}
	echo, err := echoThroughServer(ctx, c, s.ID, b.opts.Keys)
	if err != nil {
		return nil, fmt.Errorf("echo through the server: %w", err)
	}
	echoExec, err := b.echoThroughExec(ctx, node1, b.opts.Keys)
	if err != nil {
		return nil, fmt.Errorf("echo through docker exec: %w", err)
	}
	files, err := b.fileFigures(ctx, c, s.ID, node1, int64(b.opts.StreamMiB)<<20)
	if err != nil {
		return nil, err
	}
	rate := func(d time.Duration) string {
		return strconv.FormatFloat(float64(bytesOut)/(1<<20)/d.Seconds(), 'f', 1, 64) + " MiB/s"
	}
	return append([]figure{
		{name: fmt.Sprintf("cat of %d MiB through the server to a Go client that acknowledges", bytesOut>>20), value: rate(viaServer)},
		{name: "floor: the same cat through docker exec -t on the node", value: rate(viaExec)},
		{name: "Ctrl-C during yes until the shell answers again", runs: ctrlC},
		{name: "keystroke echo through the server (websocket → agent pty)", runs: echo},
		{name: "floor: keystroke echo through docker exec -t on the node", runs: echoExec},
	}, files...), nil
}

// rawTerminal opens node1's terminal websocket and reads past the replay.
func rawTerminal(ctx context.Context, c *pgclient.Client, sessionID string) (*websocket.Conn, error) {
	url := "ws" + strings.TrimPrefix(c.Base, "http") + "/api/sessions/" + sessionID + "/nodes/node1/terminal"
	d := websocket.Dialer{Jar: c.HTTP.Jar, HandshakeTimeout: 30 * time.Second, ReadBufferSize: 64 << 10}
	conn, _, err := d.DialContext(ctx, url, http.Header{"Origin": {c.Base}})
	if err != nil {
		return nil, err
	}
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			conn.Close()
			return nil, err
		}
		if len(msg) > 0 && msg[0] == '2' && bytes.Contains(msg, []byte(`"replay-end"`)) {
			return conn, nil
		}
	}
}

// reader reads a terminal's output, acknowledging as the page does, until
// marker shows.
type reader struct {
	conn  *websocket.Conn
	total int64
	acked int64
	tail  []byte
}

// until reads until the output ends with text containing marker.
func (r *reader) until(marker string, timeout time.Duration) error {
	r.conn.SetReadDeadline(time.Now().Add(timeout))
	for {
		_, msg, err := r.conn.ReadMessage()
		if err != nil {
			return err
		}
		if len(msg) == 0 || msg[0] != '0' {
			continue
		}
		data := msg[1:]
		r.total += int64(len(data))
		r.tail = append(r.tail, data...)
		if len(r.tail) > 4096 {
			r.tail = r.tail[len(r.tail)-4096:]
		}
		if r.total-r.acked >= ackEvery {
			r.acked = r.total
			if err := r.conn.WriteMessage(websocket.BinaryMessage, []byte("3"+strconv.FormatInt(r.total, 10))); err != nil {
				return err
			}
		}
		if bytes.Contains(r.tail, []byte(marker)) {
			r.tail = r.tail[:0]
			return nil
		}
	}
}

// send types input.
func (r *reader) send(s string) error {
	return r.conn.WriteMessage(websocket.BinaryMessage, append([]byte{'0'}, s...))
}

// throughServer times the cat through the server, then Ctrl-C during yes,
// five times.
func (b *bench) throughServer(ctx context.Context, c *pgclient.Client, sessionID string) (time.Duration, []time.Duration, error) {
	conn, err := rawTerminal(ctx, c, sessionID)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	r := &reader{conn: conn}
	if err := r.send("stty -echo\r"); err != nil {
		return 0, nil, err
	}
	start := time.Now()
	if err := r.send("cat /tmp/bench.out; echo cat-$((40+2))-done\r"); err != nil {
		return 0, nil, err
	}
	if err := r.until("cat-42-done", 10*time.Minute); err != nil {
		return 0, nil, err
	}
	took := time.Since(start)
	var ctrlC []time.Duration
	for i := 0; i < 5; i++ {
		if err := r.send("yes flood-flood-flood\r"); err != nil {
			return 0, nil, err
		}
		if err := r.until("flood-flood\r\n", 30*time.Second); err != nil {
			return 0, nil, err
		}
		time.Sleep(300 * time.Millisecond) // let it flood
		start := time.Now()
		if err := r.send("\x03echo back-$((40+" + strconv.Itoa(i) + "))\r"); err != nil {
			return 0, nil, err
		}
		if err := r.until("back-"+strconv.Itoa(40+i), time.Minute); err != nil {
			return 0, nil, err
		}
		ctrlC = append(ctrlC, time.Since(start))
	}
	r.send("stty echo\r")
	return took, ctrlC, nil
}

// throughExec times the same cat through docker exec with a tty.
func (b *bench) throughExec(ctx context.Context, node string) (time.Duration, error) {
	ex, err := b.docker.ContainerExecCreate(ctx, node, container.ExecOptions{
		Cmd: []string{"cat", "/tmp/bench.out"}, Tty: true, AttachStdout: true,
	})
	if err != nil {
		return 0, err
	}
	start := time.Now()
	hj, err := b.docker.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{Tty: true})
	if err != nil {
		return 0, err
	}
	defer hj.Close()
	if _, err := io.Copy(io.Discard, hj.Reader); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// echoThroughServer types one key at a time into node1's terminal through
// the server and times each echo.
func echoThroughServer(ctx context.Context, c *pgclient.Client, sessionID string, keys int) ([]time.Duration, error) {
	t, err := c.Terminal(ctx, sessionID, "node1")
	if err != nil {
		return nil, err
	}
	defer t.Close()
	if err := t.WaitReplayed(30 * time.Second); err != nil {
		return nil, err
	}
	if err := t.Send("echo bench-$((40+2))-ready\r"); err != nil {
		return nil, err
	}
	if err := t.WaitOutput("bench-42-ready\r\n", 30*time.Second); err != nil {
		return nil, err
	}
	out := make([]time.Duration, 0, keys)
	for i := 0; i < keys; i++ {
		before := len(t.Output())
		start := time.Now()
		if err := t.Send("x"); err != nil {
			return nil, err
		}
		if err := t.WaitOutputAfter(before, "x", 10*time.Second); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	t.Send("\x15") // ^U clears the typed line
	return out, nil
}

// echoThroughExec does the same with a plain "docker exec -it bash" on the
// same node, straight through the engine.
func (b *bench) echoThroughExec(ctx context.Context, node string, keys int) ([]time.Duration, error) {
	ex, err := b.docker.ContainerExecCreate(ctx, node, container.ExecOptions{
		Cmd: []string{"bash", "--norc", "--noprofile"}, Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return nil, err
	}
	hj, err := b.docker.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{Tty: true})
	if err != nil {
		return nil, err
	}
	defer hj.Close()
	buf := make([]byte, 4096)
	readUntil := func(want string) error {
		var got strings.Builder
		hj.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for !strings.Contains(got.String(), want) {
			n, err := hj.Reader.Read(buf)
			if err != nil {
				return err
			}
			got.Write(buf[:n])
		}
		return nil
	}
	if _, err := hj.Conn.Write([]byte("echo exec-$((40+2))-ready\r")); err != nil {
		return nil, err
	}
	if err := readUntil("exec-42-ready\r\n"); err != nil {
		return nil, err
	}
	out := make([]time.Duration, 0, keys)
	for i := 0; i < keys; i++ {
		start := time.Now()
		if _, err := hj.Conn.Write([]byte("x")); err != nil {
			return nil, err
		}
		if err := readUntil("x"); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	hj.Conn.Write([]byte("\x15exit\r"))
	return out, nil
}
