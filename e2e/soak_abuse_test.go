package e2e

// The abuse, load and outage cases of the fault and abuse suite (see
// soak_test.go).

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
)

// A learner's root shell throws everything at its nodes (a fork bomb, a
// memory hog, a flood of checks, a terminal flooding a client that never
// reads) while another learner types: the other learner's echo, and the
// server, stay responsive.
func TestSoakAbuseFromANode(t *testing.T) {
	size := soakScale()
	h := newHarness(t)
	ctx := context.Background()
	abuser, victim := learnerClient(h.base, 1), learnerClient(h.base, 2)
	bad, err := abuser.CreateSession(ctx, "docker-orchestration", "en")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { abuser.DeleteSession(context.Background(), bad.ID) })
	good, err := victim.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { victim.DeleteSession(context.Background(), good.ID) })
	vt, err := victim.Terminal(ctx, good.ID, "node1")
	if err != nil {
		t.Fatal(err)
	}
	defer vt.Close()
	if err := vt.WaitReplayed(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	before := echoLatencies(t, vt, size.keys)

	// The abuse.
	abuse := func(node, script string) *pgclient.Terminal {
		tm, err := abuser.Terminal(ctx, bad.ID, node)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tm.Close() })
		tm.Send(script + "\r")
		return tm
	}
	abuse("node1", "f() { f | f & }; f") // fork bomb: the node's pids limit holds it
	// A disk fill in the background (ENOSPC at the node's disk), and a
	// memory hog (killed at the node's limit, again and again): one shell
	// per node, so both in node2's.
	filler := abuse("node2", "(dd if=/dev/zero of=/root/fill bs=1M; sync; echo disk-$((40+2))-filled) & while :; do (head -c 3g /dev/zero; sleep 5) | tail; done")
	// A terminal that floods a client that never reads: a websocket of our
	// own, on which nothing is ever read after the command is sent.
	d := websocket.Dialer{Jar: abuser.HTTP.Jar, HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024}
	flood, _, err := d.DialContext(ctx, "ws"+strings.TrimPrefix(h.base, "http")+"/api/sessions/"+bad.ID+"/nodes/node3/terminal",
		http.Header{"Origin": {h.base}})
	if err != nil {
		t.Fatal(err)
	}
	defer flood.Close()
	flood.WriteMessage(websocket.BinaryMessage, []byte("0yes flood-flood-flood-flood-flood\r"))
	// A flood of checks, all at once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := abuser.Do(ctx, "POST", "/api/sessions/"+bad.ID+"/sections/orchestration/check", nil, nil)
			code := 200
			if ae, ok := err.(*pgclient.APIError); ok {
				code = ae.Status
			} else if err != nil {
				code = -1
			}
			mu.Lock()
			statuses[code]++
			mu.Unlock()
		}()
	}
	// Not a wait: the abuse runs two seconds before the echo is timed
	// under it (a fork bomb and a memory hog have no moment of being done).
	time.Sleep(2 * time.Second)
	during := echoLatencies(t, vt, size.keys)
	var health []time.Duration
	for range 20 {
		start := time.Now()
		res, err := http.Get(h.base + "/healthz")
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("healthz during the abuse: %v", err)
		}
		res.Body.Close()
		health = append(health, time.Since(start))
	}
	wg.Wait()
	if statuses[-1] > 0 || statuses[500] > 0 {
		t.Errorf("the check flood got errors: %v", statuses)
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("100 checks at once were never rate-limited: %v", statuses)
	}
	b50, b99 := percentiles(before)
	d50, d99 := percentiles(during)
	h50, h99 := percentiles(health)
	soakFigure(t, "another learner's keystroke echo, quiet", "p50 %v, p99 %v (%d keys)", b50.Round(10*time.Microsecond), b99.Round(10*time.Microsecond), len(before))
	soakFigure(t, "the same, during a fork bomb, a memory hog, a disk fill, a never-read flood and 100 checks", "p50 %v, p99 %v; checks: %v", d50.Round(10*time.Microsecond), d99.Round(10*time.Microsecond), statuses)
	soakFigure(t, "GET /healthz during the abuse", "p50 %v, p99 %v", h50.Round(10*time.Microsecond), h99.Round(10*time.Microsecond))
	if !strings.Contains(vt.Output(), "k9") {
		t.Errorf("the victim's terminal lost its echo")
	}
	// The disk fill ends at the node's own disk; the victim still writes.
	if err := filler.WaitOutput("disk-42-filled", 3*time.Minute); err != nil || !strings.Contains(filler.Output(), "No space left on device") {
		out := filler.Output()
		t.Errorf("the disk fill did not end at the node's disk (%v):\n%s", err, out[max(0, len(out)-400):])
	}
	vt.Send("head -c 100m /dev/zero > /root/mine && echo wrote-$((6*7))\r")
	if err := vt.WaitOutput("wrote-42", time.Minute); err != nil {
		t.Errorf("the victim cannot write after another learner filled a disk: %v", err)
	}
}

// Many terminals stream output at once: every one sees its command's end.
func TestSoakManyTerminalsStreaming(t *testing.T) {
	size := soakScale()
	h := newHarness(t)
	ctx := context.Background()
	perSession := 12
	var terms []*pgclient.Terminal
	for i := 0; len(terms) < size.terms; i++ {
		c := learnerClient(h.base, i)
		s, err := c.CreateSession(ctx, "", "")
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		t.Cleanup(func() { c.DeleteSession(context.Background(), s.ID) })
		for j := 0; j < perSession && len(terms) < size.terms; j++ {
			tm, err := c.Terminal(ctx, s.ID, fmt.Sprintf("node%d", j%3+1))
			if err != nil {
				t.Fatalf("terminal %d: %v", len(terms), err)
			}
			t.Cleanup(func() { tm.Close() })
			terms = append(terms, tm)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	times := make([]time.Duration, len(terms))
	errs := make([]error, len(terms))
	for i, tm := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := len(tm.Output())
			tm.Send(fmt.Sprintf("seq 1 20000; echo streamed-$((%d+1000))\r", i))
			errs[i] = tm.WaitOutputAfter(n, fmt.Sprintf("streamed-%d", i+1000), 3*time.Minute)
			times[i] = time.Since(start)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("terminal %d: %v", i, err)
		}
	}
	p50, p99 := percentiles(times)
	soakFigure(t, fmt.Sprintf("%d terminals streaming seq 1 20000 at once", len(terms)), "done in p50 %.2f s, p99 %.2f s, no error", p50.Seconds(), p99.Seconds())
}

// Postgres stops in the middle of a class and comes back: in between the
// API answers 503 with Retry-After, open terminals go on working, and the
// server recovers by itself.
func TestSoakPostgresOutage(t *testing.T) {
	outage := 5 * time.Second
	if os.Getenv("PLAYGROUND_SOAK") != "" {
		outage = 30 * time.Second
	}
	pg := newPrivatePostgres(t)
	h := newHarnessOn(t, pg.URL)
	ctx := context.Background()
	c := learnerClient(h.base, 1)
	s, err := c.CreateSession(ctx, "docker-orchestration", "en")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteSession(context.Background(), s.ID) })
	tm, err := c.Terminal(ctx, s.ID, "node1")
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Close()
	if err := tm.WaitReplayed(30 * time.Second); err != nil {
		t.Fatal(err)
	}

	pg.Stop()
	stopped := time.Now()
	statuses := map[int]int{}
	retryAfter := true
	for i := 0; time.Since(stopped) < outage; i++ {
		res, err := c.HTTP.Get(h.base + "/api/sessions/" + s.ID)
		if err != nil {
			t.Fatalf("the server stopped answering during the outage: %v", err)
		}
		res.Body.Close()
		statuses[res.StatusCode]++
		if res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "" {
			retryAfter = false
		}
		// The learner's open terminal does not need the database.
		n := len(tm.Output())
		tm.Send(fmt.Sprintf("echo during-outage-$((%d+1))\r", i))
		if err := tm.WaitOutputAfter(n, fmt.Sprintf("during-outage-%d", i+1), 30*time.Second); err != nil {
			t.Fatalf("the open terminal during the outage: %v", err)
		}
		time.Sleep(500 * time.Millisecond) // the pace of the learner's requests
	}
	if statuses[http.StatusServiceUnavailable] == 0 || !retryAfter || len(statuses) != 1 {
		t.Errorf("during the outage: %v (Retry-After on every 503: %v), want 503s with Retry-After", statuses, retryAfter)
	}
	pg.Start()
	started := time.Now()
	// Every 100 ms: how soon it answers is the figure this test reports.
	waitfor.Every(t, 100*time.Millisecond, "the API to recover after Postgres came back", time.Minute, func() error {
		res, err := c.HTTP.Get(h.base + "/api/sessions/" + s.ID)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	})
	recovered := time.Since(started)
	if _, err := c.Do(ctx, "POST", "/api/sessions/"+s.ID+"/sections/orchestration/check", nil, nil); err != nil {
		t.Fatalf("progress after the outage: %v", err)
	}
	soakFigure(t, fmt.Sprintf("Postgres stopped for %s", outage), "answers during: %v (with Retry-After); open terminal untouched; API back %.1f s after Postgres", statuses, recovered.Seconds())
}
