package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	pgclient "github.com/labplay/playground/e2e/client"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// crBenchLearners is the size of the simulated class.
const crBenchLearners = 30

// crBenchSection has no check on the nodes: acknowledging it is recorded like
// any check result, without containers.
const crBenchSection = "orchestration"

// BenchmarkDashboardLatency measures the time from a learner's check result
// to the instructor's screen: 30 simulated learners post check results to
// server process A, and the instructor's event stream is read from server
// process B, so every result travels A → Postgres → NOTIFY → B → stream.
// The learners' sessions are rows without nodes (the section checked needs
// none), so only the path of a result is measured. Each op is one check;
// metrics: p50-ms and p99-ms from sending the check to reading the row that
// shows it, check-ms the check request's own median.
//
//	go test ./e2e -run '^$' -bench DashboardLatency -benchtime 600x
func BenchmarkDashboardLatency(b *testing.B) {
	docker := crNeedDocker(b)
	dbURL := storetest.URL(b)
	dep := crDeploy(b, docker, dbURL)
	procA, procB := dep.start("A"), dep.start("B")
	dep.addInstructor(crTeacher)
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)

	teacher := pgclient.New(procB)
	crLogin(b, teacher, crTeacher)
	var class struct {
		ID string `json:"id"`
	}
	if _, err := teacher.Do(ctx, http.MethodPost, "/api/classrooms",
		map[string]any{"name": "Bench", "lab": "docker-orchestration", "session_minutes": 120}, &class); err != nil {
		b.Fatal(err)
	}
	learners := make([]*crBenchLearner, crBenchLearners)
	for i := range learners {
		learners[i] = crSeatBenchLearner(b, st, procA, class.ID, fmt.Sprintf("Learner %02d", i+1))
	}
	stream := crOpenStream(b, teacher, class.ID)
	col := &crBenchCollector{byName: map[string]*crBenchLearner{}}
	for _, l := range learners {
		col.byName[l.name] = l
	}
	go col.run(stream)

	for _, pace := range []time.Duration{0, 200 * time.Millisecond} {
		name := "learners=30/flat-out"
		if pace > 0 {
			name = fmt.Sprintf("learners=30/pause=%s", pace)
		}
		b.Run(name, func(b *testing.B) {
			col.reset()
			var wg sync.WaitGroup
			checks := make([][]time.Duration, len(learners))
			b.ResetTimer()
			for i, l := range learners {
				n := b.N / len(learners)
				if i < b.N%len(learners) {
					n++
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range n {
						d, err := l.check(col)
						if err != nil {
							b.Error(err)
							return
						}
						checks[i] = append(checks[i], d)
						if pace > 0 {
							time.Sleep(pace)
						}
					}
				}()
			}
			wg.Wait()
			if !col.waitAll(60 * time.Second) {
				b.Fatalf("only %d of %d check results reached the dashboard", col.count(), b.N)
			}
			b.StopTimer()
			lat := col.latencies()
			b.ReportMetric(crMs(crPercentile(lat, 50)), "p50-ms")
			b.ReportMetric(crMs(crPercentile(lat, 99)), "p99-ms")
			b.ReportMetric(crMs(crPercentile(slices.Concat(checks...), 50)), "check-ms")
		})
	}
}

// crBenchLearner is a simulated learner: a browser identity on process A, a
// seat, and a session without nodes.
type crBenchLearner struct {
	name    string
	c       *pgclient.Client
	session string

	mu       sync.Mutex
	sent     map[int]time.Time // attempt number → when its check was sent
	attempts int               // attempts sent so far
	shown    int               // attempts the dashboard has shown
}

func crSeatBenchLearner(b *testing.B, st *store.Store, base, classID, name string) *crBenchLearner {
	b.Helper()
	ctx := context.Background()
	c := pgclient.New(base)
	if _, err := c.Do(ctx, http.MethodGet, "/api/labs", nil, nil); err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(base)
	var user string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "playground_learner" {
			user = ck.Value[:strings.LastIndexByte(ck.Value, '.')]
		}
	}
	if user == "" {
		b.Fatal("no learner cookie")
	}
	if err := st.EnsureUser(ctx, user); err != nil {
		b.Fatal(err)
	}
	if err := st.AddMember(ctx, &store.Member{ID: sessions.NewID(), ClassroomID: classID, UserID: user, Name: name}); err != nil {
		b.Fatal(err)
	}
	s := &sessions.Session{ID: sessions.NewID(), UserID: user, Lab: "docker-orchestration", Lang: "en", Scope: classID,
		Status: sessions.StatusRunning, ExpiresAt: time.Now().Add(2 * time.Hour)}
	for _, n := range sessions.NodeNames {
		s.Nodes = append(s.Nodes, sessions.Node{Name: n, Status: sessions.NodeRunning})
	}
	// A pool of its own: these sessions have no network on the engine.
	if err := st.CreateSession(ctx, s, store.Subnets{Pool: netip.MustParsePrefix("100.65.0.0/16"), Bits: 28}, store.Limits{}); err != nil {
		b.Fatal(err)
	}
	if err := st.SetMemberSession(ctx, classID, user, s.ID); err != nil {
		b.Fatal(err)
	}
	return &crBenchLearner{name: name, c: c, session: s.ID, sent: map[int]time.Time{}}
}

// check posts one check result and returns how long the request took.
func (l *crBenchLearner) check(col *crBenchCollector) (time.Duration, error) {
	l.mu.Lock()
	l.attempts++
	start := time.Now()
	l.sent[l.attempts] = start
	l.mu.Unlock()
	col.expect()
	_, err := l.c.Do(context.Background(), http.MethodPost,
		"/api/sessions/"+l.session+"/sections/"+crBenchSection+"/check", nil, nil)
	return time.Since(start), err
}

// crBenchCollector reads the dashboard stream and matches each row it shows
// with the check results it covers.
type crBenchCollector struct {
	byName map[string]*crBenchLearner

	mu       sync.Mutex
	lat      []time.Duration
	expected int
	changed  chan struct{}
}

func (c *crBenchCollector) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lat, c.expected, c.changed = nil, 0, make(chan struct{}, 1)
}

func (c *crBenchCollector) expect() {
	c.mu.Lock()
	c.expected++
	c.mu.Unlock()
}

func (c *crBenchCollector) run(s *crStream) {
	for ev := range s.events {
		for _, row := range ev.rows() {
			l := c.byName[row.Name]
			if l == nil {
				continue
			}
			n := row.attempts(crBenchSection)
			l.mu.Lock()
			var got []time.Duration
			for a := l.shown + 1; a <= n; a++ {
				if t, ok := l.sent[a]; ok {
					got = append(got, ev.At.Sub(t))
					delete(l.sent, a)
				}
			}
			l.shown = max(l.shown, n)
			l.mu.Unlock()
			if len(got) > 0 {
				c.mu.Lock()
				c.lat = append(c.lat, got...)
				ch := c.changed
				c.mu.Unlock()
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
	}
}

// waitAll waits until every expected result was shown, or the timeout.
func (c *crBenchCollector) waitAll(timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		done, ch := len(c.lat) >= c.expected, c.changed
		c.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

func (c *crBenchCollector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lat)
}

func (c *crBenchCollector) latencies() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.lat)
}

// crPercentile returns the p-th percentile (nearest rank) of durations.
func crPercentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (p*len(s) + 99) / 100
	return s[max(i, 1)-1]
}

func crMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
