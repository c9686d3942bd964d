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

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// crBenchLearners is the size of the simulated class.
const crBenchLearners = 30

// crBenchSection has no check on the nodes: marking it done is recorded like
// any check result, without containers.
const crBenchSection = "orchestration"

// BenchmarkDashboardLatency measures the time from a learner's change of
// progress to the instructor's screen: 30 simulated learners change their
// progress on server process A, and the instructor's event stream is read
// from server process B, so every change travels A → Postgres → NOTIFY → B
// → stream. The learners' sessions are rows without nodes (the section needs
// none), so only the path of a change is measured. Each op is one change:
// the learner marks the section done, or starts the lab again, in turn (a
// section already done is not written again), and waits until the
// dashboard shows it before the next. Metrics: p50-ms and p99-ms from
// sending the change to reading the row that shows it, request-ms the
// request's own median. Each session takes 20 changes in a burst, then one
// every 2 s (the per-session gate), and the rows are ended by
// reconciliation within 30 s, so keep runs short:
//
//	go test ./e2e -run '^$' -bench DashboardLatency -benchtime 600x
func BenchmarkDashboardLatency(b *testing.B) {
	h := newHarness(b)
	procA, procB := h.base, h.addServer("B")
	h.addInstructor(crTeacher, crPassword)
	ctx := context.Background()
	st, err := store.Open(ctx, h.dbURL)
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
	stream := crOpenStream(b, teacher, class.ID)
	col := &crBenchCollector{byName: map[string]*crBenchLearner{}}
	go col.run(stream)

	for round, pace := range []time.Duration{0, 200 * time.Millisecond} {
		name := "learners=30/back-to-back"
		if pace > 0 {
			name = fmt.Sprintf("learners=30/pause=%s", pace)
		}
		runs := 0
		b.Run(name, func(b *testing.B) {
			// Learners of their own in each run: the gate's burst is theirs.
			runs++
			learners := make([]*crBenchLearner, crBenchLearners)
			for i := range learners {
				learners[i] = crSeatBenchLearner(b, st, procA, class.ID, fmt.Sprintf("Learner %d.%d-%02d", round+1, runs, i+1))
				col.add(learners[i])
			}
			var wg sync.WaitGroup
			shown := make([][]time.Duration, len(learners))
			reqs := make([][]time.Duration, len(learners))
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
						req, lat, err := l.change()
						if err != nil {
							b.Error(err)
							return
						}
						reqs[i] = append(reqs[i], req)
						shown[i] = append(shown[i], lat)
						if pace > 0 {
							time.Sleep(pace)
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			lat := slices.Concat(shown...)
			b.ReportMetric(crMs(crPercentile(lat, 50)), "p50-ms")
			b.ReportMetric(crMs(crPercentile(lat, 99)), "p99-ms")
			b.ReportMetric(crMs(crPercentile(slices.Concat(reqs...), 50)), "request-ms")
		})
	}
}

// crBenchLearner is a simulated learner: a browser identity on process A, a
// seat, and a session without nodes.
type crBenchLearner struct {
	name    string
	c       *pgclient.Client
	session string
	done    bool // whether the section is done now, as the learner left it

	mu      sync.Mutex
	status  string    // the section's status the dashboard shows last
	at      time.Time // when the stream delivered it
	changed chan struct{}
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
	if err := st.AddMember(ctx, &sessions.Member{ID: sessions.NewID(), ClassroomID: classID, UserID: user, Name: name}); err != nil {
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
	return &crBenchLearner{name: name, c: c, session: s.ID, status: "pending", changed: make(chan struct{}, 1)}
}

// change marks the section done, or starts the lab again, and waits until
// the dashboard shows the new status. It returns how long the request took
// and how long until the dashboard showed it.
func (l *crBenchLearner) change() (request, shown time.Duration, err error) {
	path, want := "/api/sessions/"+l.session+"/sections/"+crBenchSection+"/check", "done"
	if l.done {
		path, want = "/api/sessions/"+l.session+"/progress/reset", "pending"
	}
	start := time.Now()
	if _, err := l.c.Do(context.Background(), http.MethodPost, path, nil, nil); err != nil {
		return 0, 0, err
	}
	request = time.Since(start)
	l.done = !l.done
	deadline := time.After(30 * time.Second)
	for {
		l.mu.Lock()
		status, at := l.status, l.at
		l.mu.Unlock()
		if status == want && at.After(start) {
			return request, at.Sub(start), nil
		}
		select {
		case <-l.changed:
		case <-deadline:
			return 0, 0, fmt.Errorf("%s: the dashboard did not show %s within 30 s", l.name, want)
		}
	}
}

// crBenchCollector reads the dashboard stream and hands each learner the
// rows that show them.
type crBenchCollector struct {
	mu     sync.Mutex
	byName map[string]*crBenchLearner
}

func (c *crBenchCollector) add(l *crBenchLearner) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byName[l.name] = l
}

func (c *crBenchCollector) run(s *crStream) {
	for ev := range s.events {
		for _, row := range ev.rows() {
			c.mu.Lock()
			l := c.byName[row.Name]
			c.mu.Unlock()
			if l == nil {
				continue
			}
			l.mu.Lock()
			l.status, l.at = row.status(crBenchSection), ev.At
			l.mu.Unlock()
			select {
			case l.changed <- struct{}{}:
			default:
			}
		}
	}
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
