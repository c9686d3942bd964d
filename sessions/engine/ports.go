package engine

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/docker/docker/api/types"
)

// A node's ports are reached through the Engine API, as its terminals are:
// an exec of "playground node dial PORT" relays one TCP connection to the
// node's loopback over the exec's stdin and stdout, so the server needs no
// route to the session's network and works with a remote engine too.

// portsTimeout bounds the listing of a node's ports.
const portsTimeout = 10 * time.Second

// Ports returns the TCP ports listening in a node (sessions/agent/ports.go).
func (e *Engine) Ports(ctx context.Context, containerID string) ([]int, error) {
	out, code, err := e.Exec(ctx, containerID, "playground node ports", portsTimeout)
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fault.Errorf(fault.EUNAVAILABLE, "The ports of %s could not be listed.", e.nodeName(ctx, containerID))
	}
	var ports []int
	for _, f := range strings.Fields(out) {
		if p, err := strconv.Atoi(f); err == nil && p > 0 && p < 65536 {
			ports = append(ports, p)
		}
	}
	return ports, nil
}

// DialPort connects to a TCP port on a node's loopback and returns the
// connection. ctx bounds only the setup.
func (e *Engine) DialPort(ctx context.Context, containerID string, port int) (net.Conn, error) {
	if port < 1 || port > 65535 {
		return nil, fault.Errorf(fault.EINVALID, "%d is not a TCP port.", port)
	}
	resp, pr, done, err := e.execPipe(ctx, containerID, []string{"playground", "node", "dial", strconv.Itoa(port)}, "port", port)
	if err != nil {
		return nil, err
	}
	return &portConn{resp: resp, pr: pr, done: done}, nil
}

// portConn is a TCP connection to a node's port through an exec: reads
// come from the exec's demultiplexed stdout, writes go to its stdin.
type portConn struct {
	resp      types.HijackedResponse
	pr        *io.PipeReader
	done      chan struct{}
	closeOnce sync.Once
}

func (c *portConn) Read(b []byte) (int, error)  { return c.pr.Read(b) }
func (c *portConn) Write(b []byte) (int, error) { return c.resp.Conn.Write(b) }

// Close ends the relay in the node and waits for the demultiplexer.
func (c *portConn) Close() error {
	c.closeOnce.Do(func() {
		c.resp.Close()
		c.pr.CloseWithError(net.ErrClosed)
		<-c.done
	})
	return nil
}

// CloseWrite ends what is sent to the port, keeping the answer open.
func (c *portConn) CloseWrite() error { return c.resp.CloseWrite() }

func (c *portConn) LocalAddr() net.Addr  { return portAddr{} }
func (c *portConn) RemoteAddr() net.Addr { return portAddr{} }

// SetDeadline and SetWriteDeadline bound writes to the exec; reads end
// with the exec.
func (c *portConn) SetDeadline(t time.Time) error      { return c.resp.Conn.SetWriteDeadline(t) }
func (c *portConn) SetReadDeadline(time.Time) error    { return nil }
func (c *portConn) SetWriteDeadline(t time.Time) error { return c.resp.Conn.SetWriteDeadline(t) }

// portAddr is the address of a node's port, as net.Conn must give one.
type portAddr struct{}

func (portAddr) Network() string { return "exec" }
func (portAddr) String() string  { return "node-port" }
