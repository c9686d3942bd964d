package agent

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labplay/playground/fault"
)

// Ports of a node, for the browser. "playground node ports" lists the TCP
// ports something listens on in the node's network namespace (a process in
// the node, or the inner engine's proxy for a published port); "playground
// node dial PORT" connects to one on the node's loopback and relays it over
// stdin and stdout, which the server reaches through an exec, as it reaches
// terminals.

// procNetFiles are the kernel's tables of TCP sockets.
var procNetFiles = []string{"/proc/net/tcp", "/proc/net/tcp6"}

// tcpListen is the state of a listening socket in /proc/net/tcp.
const tcpListen = "0A"

// ListeningPorts returns the sorted TCP ports that listen on an address the
// node's other hosts or its loopback reach (not ones bound to a single
// address other than loopback, such as an inner container's DNS).
func ListeningPorts() ([]int, error) {
	var ports []int
	for _, f := range procNetFiles {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("ports: %w", err)
		}
		for _, p := range parseListening(string(b)) {
			if !slices.Contains(ports, p) {
				ports = append(ports, p)
			}
		}
	}
	slices.Sort(ports)
	return ports, nil
}

// parseListening returns the ports of the listening sockets in one
// /proc/net/tcp table whose local address is any address or loopback.
func parseListening(table string) []int {
	var out []int
	sc := bufio.NewScanner(strings.NewReader(table))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[3] != tcpListen {
			continue
		}
		addr, portHex, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		port, err := strconv.ParseUint(portHex, 16, 16)
		if err != nil || port == 0 {
			continue
		}
		if reachableAddr(addr) {
			out = append(out, int(port))
		}
	}
	return out
}

// reachableAddr reports whether a hex local address of /proc/net/tcp is
// the any address or loopback: 00000000, 0100007F, or their IPv6 forms.
func reachableAddr(hex string) bool {
	switch hex {
	case "00000000", "0100007F",
		"00000000000000000000000000000000", "00000000000000000000000001000000",
		"0000000000000000FFFF00000100007F":
		return true
	}
	return false
}

// dialTimeout bounds the connection to the port.
const dialTimeout = 5 * time.Second

// DialPort connects to port on the node's loopback (IPv4, then IPv6) and
// copies in to it and it to out until either side ends.
func DialPort(ctx context.Context, port int, in io.Reader, out io.Writer) error {
	if port < 1 || port > 65535 {
		return fault.Errorf(fault.EINVALID, "port %d is not a TCP port", port)
	}
	var conn net.Conn
	var err error
	d := net.Dialer{Timeout: dialTimeout}
	for _, host := range []string{"127.0.0.1", "::1"} {
		if conn, err = d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port))); err == nil {
			break
		}
	}
	if err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, fmt.Sprintf("Nothing answers on port %d.", port))
	}
	defer conn.Close()
	go func() {
		io.Copy(conn, in)
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.CloseWrite() // the request is complete; the answer may go on
		}
	}()
	// The relay ends with the answer: the port closed the connection, or
	// the server went away (writing to out fails).
	copied := make(chan struct{})
	go func() {
		io.Copy(out, conn)
		close(copied)
	}()
	select {
	case <-copied:
	case <-ctx.Done():
	}
	return nil
}
