package agent

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/labplay/playground/fault"
)

// Poll timing of WaitReady.
const (
	pollInterval = 50 * time.Millisecond
	pingTimeout  = 2 * time.Second
)

// Ping asks the Docker engine listening on the unix socket for GET /_ping
// and returns nil when it answers 200.
func Ping(ctx context.Context, socket string) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		DisableKeepAlives: true,
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("engine ping: %s", resp.Status)
	}
	return nil
}

// WaitReady polls the engine on socket every 50ms until it answers or ctx
// ends; then it returns an EUNAVAILABLE error naming the last failure.
func WaitReady(ctx context.Context, socket string) error {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		err := Ping(ctx, socket)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fault.Wrap(fault.EUNAVAILABLE, err, "The node's Docker engine did not answer in time.")
		case <-ticker.C:
		}
	}
}
