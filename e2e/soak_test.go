package e2e

// The fault and abuse suite. make test runs every case at a small size;
// make soak (PLAYGROUND_SOAK=1) runs them at full size. Each case logs its
// figures as lines starting with "soak|", which deploy/soak.sh prints as a
// table. Every request goes to the server on loopback, from loopback source
// addresses of our own (127.0.0.10 and up), so that the per-address limits
// see a class of distinct learners; nodes talk only on their session
// networks.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
)

// soakSize is how big the suite runs.
type soakSize struct {
	sessions int // live sessions when the server is killed
	cycles   int // create and delete cycles with kills among them
	terms    int // terminals streaming at once
	keys     int // keystrokes timed on the victim's terminal
}

func soakScale() soakSize {
	if os.Getenv("PLAYGROUND_SOAK") != "" {
		return soakSize{sessions: 10, cycles: 100, terms: 120, keys: 200}
	}
	return soakSize{sessions: 3, cycles: 6, terms: 12, keys: 30}
}

// soakFigure logs one row of the soak table.
func soakFigure(t *testing.T, name string, format string, args ...any) {
	t.Logf("soak|%s|%s", name, fmt.Sprintf(format, args...))
}

// learnerClient returns a client of the server whose connections come from
// loopback address 127.0.0.(10+i), as learner i would from their own machine.
func learnerClient(base string, i int) *pgclient.Client {
	c := pgclient.New(base)
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(10+i%240))}
	d := &net.Dialer{LocalAddr: local, Timeout: 30 * time.Second}
	c.HTTP.Transport = &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}
	return c
}

// percentiles returns the median and the 99th percentile of durations.
func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(p int) time.Duration { return s[max((p*len(s)+99)/100, 1)-1] }
	return at(50), at(99)
}

// echoLatencies types keys one at a time into a terminal and times each
// echo.
func echoLatencies(t *testing.T, tm *pgclient.Terminal, keys int) []time.Duration {
	t.Helper()
	var out []time.Duration
	for i := range keys {
		mark := fmt.Sprintf("k%d", i%10)
		n := len(tm.Output())
		start := time.Now()
		if err := tm.Send(mark); err != nil {
			t.Fatalf("type into the terminal: %v", err)
		}
		if err := tm.WaitOutputAfter(n, mark, 30*time.Second); err != nil {
			t.Fatalf("echo %d: %v", i, err)
		}
		out = append(out, time.Since(start))
		tm.Send("\x15") // clear the line
	}
	return out
}

// Every shell comes back with its scrollback after the server is killed in
// the middle of a class, no progress is lost, and nothing is left behind.
func TestSoakServerKilledWithLiveSessions(t *testing.T) {
	size := soakScale()
	h := newHarness(t)
	ctx := context.Background()
	type learner struct {
		c *pgclient.Client
		s *pgclient.Session
	}
	learners := make([]learner, size.sessions)
	for i := range learners {
		c := learnerClient(h.base, i)
		s, err := c.CreateSession(ctx, "docker-orchestration", "en")
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		learners[i] = learner{c, s}
		t.Cleanup(func() { c.DeleteSession(context.Background(), s.ID) })
		tm, err := c.Terminal(ctx, s.ID, "node1")
		if err != nil {
			t.Fatal(err)
		}
		tm.Send(fmt.Sprintf("echo before-kill-$((%d*1000+7))\r", i))
		if err := tm.WaitOutput(fmt.Sprintf("before-kill-%d", i*1000+7), 30*time.Second); err != nil {
			t.Fatal(err)
		}
		tm.Close()
		if _, err := c.Do(ctx, "POST", "/api/sessions/"+s.ID+"/sections/orchestration/check", nil, nil); err != nil {
			t.Fatalf("mark a section done: %v", err)
		}
	}
	if err := h.kill(syscall.SIGKILL); err == nil {
		t.Fatal("the server exited cleanly on SIGKILL")
	}
	killed := time.Now()
	h.restart()
	var slowest time.Duration
	for i, l := range learners {
		tm, err := l.c.Terminal(ctx, l.s.ID, "node1")
		if err != nil {
			t.Fatalf("session %d after the kill: %v", i, err)
		}
		if err := tm.WaitOutput(fmt.Sprintf("before-kill-%d", i*1000+7), 30*time.Second); err != nil {
			t.Fatalf("session %d lost its scrollback: %v", i, err)
		}
		slowest = max(slowest, time.Since(killed))
		tm.Send("echo after-$((6*7))\r")
		if err := tm.WaitOutput("after-42", 30*time.Second); err != nil {
			t.Fatalf("session %d's shell after the kill: %v", i, err)
		}
		tm.Close()
		var p struct {
			Sections []struct{ ID, Status string } `json:"sections"`
		}
		if _, err := l.c.Do(ctx, "GET", "/api/sessions/"+l.s.ID+"/progress", nil, &p); err != nil {
			t.Fatal(err)
		}
		for _, sec := range p.Sections {
			if sec.ID == "orchestration" && sec.Status != "done" {
				t.Errorf("session %d lost its progress: %+v", i, sec)
			}
		}
	}
	soakFigure(t, fmt.Sprintf("server SIGKILL with %d live sessions", size.sessions), "every shell back with its scrollback %.1f s after the kill; progress kept", slowest.Seconds())
}

// Sessions started and deleted over and over, with the server killed at
// random moments (also in the middle of a start), leave nothing behind once
// learners delete what their list shows.
func TestSoakStartDeleteWithKills(t *testing.T) {
	size := soakScale()
	h := newHarness(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills := 0
	var clients []*pgclient.Client
	// Every cycle is a new learner: one whose start was cut short deletes
	// what their list shows, once the server is back.
	for i := range size.cycles {
		c := learnerClient(h.base, i)
		clients = append(clients, c)
		if _, err := c.Do(ctx, "GET", "/api/sessions", nil, nil); err != nil { // the learner's cookie
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			s, err := c.CreateSession(ctx, "", "")
			if err == nil {
				err = c.DeleteSession(ctx, s.ID)
			}
			done <- err
		}()
		if rng.IntN(3) == 0 {
			time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond) // a random moment of the cycle
			h.kill(syscall.SIGKILL)
			kills++
			<-done // the request fails with the server, or finished first
			h.restart()
			// The learner reloads and ends what their list shows, as the
			// page lets them.
			deleteListed(t, c)
			continue
		}
		if err := <-done; err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
	}
	// Nothing is left in anyone's list.
	for _, c := range clients {
		deleteListed(t, c)
	}
	// Reconciliation (at each start, then every 30 s) removes what a kill
	// cut short between the database and the engine.
	var left string
	if waitfor.Poll(45*time.Second, func() error {
		if left = h.leftovers(); left != "" {
			return errors.New(left)
		}
		return nil
	}) != nil {
		t.Errorf("after %d cycles and %d kills, left on the engine: %s", size.cycles, kills, left)
	}
	soakFigure(t, fmt.Sprintf("%d start/delete cycles, %d server kills among them", size.cycles, kills), "leaks: %s", map[bool]string{true: "none", false: left}[left == ""])
}

// deleteListed ends every session in a learner's list.
func deleteListed(t *testing.T, c *pgclient.Client) {
	t.Helper()
	var list struct{ Sessions []pgclient.Session }
	if _, err := c.Do(context.Background(), "GET", "/api/sessions", nil, &list); err != nil {
		t.Fatal(err)
	}
	for _, s := range list.Sessions {
		if s.Status == "ended" {
			continue
		}
		if err := c.DeleteSession(context.Background(), s.ID); err != nil {
			t.Errorf("delete %s (%s): %v", s.ID, s.Status, err)
		}
	}
}
