package agent

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
)

func TestWaitReady(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "docker.sock")

	// Nobody listens: WaitReady gives up when its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := WaitReady(ctx, sock); fault.ErrorCode(err) != fault.EUNAVAILABLE {
		t.Fatalf("WaitReady without an engine = %v", err)
	}

	// An engine that is still starting: three 503s, then OK.
	var pings atomic.Int32
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/_ping" {
			http.NotFound(w, r)
			return
		}
		if pings.Add(1) <= 3 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("OK"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	ctx, cancel = context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := WaitReady(ctx, sock); err != nil {
		t.Fatalf("WaitReady = %v", err)
	}
	if n := pings.Load(); n != 4 {
		t.Fatalf("WaitReady returned after %d pings, want 4", n)
	}
}
