package agent

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
)

// pipes joins the two ends a relay's caller holds: it writes the relay's
// stdin and reads its stdout.
type pipes struct {
	io.Reader
	io.WriteCloser
}

func TestRelayCarriesATerminal(t *testing.T) {
	cfg := testConfig(t)
	srv := startTestServer(t, cfg)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	done := make(chan error, 1)
	go func() {
		err := Relay(context.Background(), inR, outW, srv.Addr())
		outW.Close()
		done <- err
	}()

	c := &testClient{t: t, conn: pipes{outR, inW}}
	c.sendJSON(FrameAttach, AttachRequest{Term: "main"})
	c.startReading()
	c.replay()
	c.input("echo rel''ayed\r")
	c.waitOutput("relayed")

	// The caller ends stdin: the relay tells the agent and returns.
	inW.Close()
	c.waitClosed()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Relay: %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("Relay did not return after stdin ended")
	}

	// The shell is still there for the next client.
	c2 := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	c2.replay()
	c2.input("echo ag''ain\r")
	c2.waitOutput("again")
}

func TestRelayReturnsWhenTheAgentCloses(t *testing.T) {
	cfg := testConfig(t)
	srv := startTestServer(t, cfg)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	done := make(chan error, 1)
	go func() {
		err := Relay(context.Background(), inR, outW, srv.Addr())
		outW.Close()
		done <- err
	}()
	c := &testClient{t: t, conn: pipes{outR, inW}}
	c.sendJSON(FrameAttach, AttachRequest{Term: "main"})
	c.startReading()
	c.replay()

	srv.Close()
	if e := c.waitError(); !e.Fatal || e.Code != string(fault.EUNAVAILABLE) {
		t.Fatalf("error %+v", e)
	}
	c.waitClosed()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Relay: %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("Relay did not return after the agent closed")
	}
}

func TestRelayWithoutAgent(t *testing.T) {
	err := Relay(context.Background(), nil, io.Discard, filepath.Join(t.TempDir(), "none.sock"))
	if fault.ErrorCode(err) != fault.EUNAVAILABLE {
		t.Fatalf("Relay = %v, want an unavailable error", err)
	}
}
