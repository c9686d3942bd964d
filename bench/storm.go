package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/classroom"
)

// stormSpread is how long the class takes to join: one learner after
// another, evenly, as a class clicking a link does.
const stormSpread = 5 * time.Second

// stormFigures joins a class of opts.Class learners to one classroom, cold
// and again with as many ready seats, and times each learner from their
// join until their shell answers, and the whole class until the last one's
// does.
func (b *bench) stormFigures(ctx context.Context) ([]figure, error) {
	n := b.opts.Class
	srv, err := b.startServer(ctx, "storm", "-pool-size", "0", "-max-sessions", strconv.Itoa(n+5),
		"-max-sessions-per-address", "0")
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	teacher, err := b.instructor(ctx, srv.base)
	if err != nil {
		return nil, err
	}
	var rows []figure
	for _, ready := range []bool{false, true} {
		cl, err := teacher.CreateClassroom(ctx, fmt.Sprintf("Storm %v", ready), "docker-orchestration", 0)
		if err != nil {
			return nil, fmt.Errorf("create a classroom: %w", err)
		}
		label := "cold"
		if ready {
			label = fmt.Sprintf("with %d ready seats", n)
			start := time.Now()
			if _, err := teacher.ReadySeats(ctx, cl.ID, n); err != nil {
				return nil, err
			}
			for {
				got, err := teacher.Classroom(ctx, cl.ID)
				if err != nil {
					return nil, err
				}
				if got.ReadySeats >= n {
					break
				}
				if time.Since(start) > 15*time.Minute {
					return nil, fmt.Errorf("%d of %d seats ready after 15 minutes", got.ReadySeats, n)
				}
				time.Sleep(time.Second)
			}
			rows = append(rows, figure{name: fmt.Sprintf("making %d seats ready, one at a time", n), value: time.Since(start).Round(100 * time.Millisecond).String()})
		}
		each, all, err := b.storm(ctx, srv.base, cl.Code, n)
		if err != nil {
			return nil, fmt.Errorf("storm %s: %w", label, err)
		}
		rows = append(rows,
			figure{name: "join until the shell answers, per learner, " + label, runs: each},
			figure{name: "until the last learner's shell answers, " + label, value: all.Round(10 * time.Millisecond).String()})
		if _, err := teacher.Do(ctx, "POST", "/api/classrooms/"+cl.ID+"/close", nil, nil); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// instructor makes an instructor account for the bench and logs in.
func (b *bench) instructor(ctx context.Context, base string) (*pgclient.Client, error) {
	svc := classroom.NewAccounts(b.store)
	email := fmt.Sprintf("bench-%d@bench.example", time.Now().UnixNano())
	const password = "bench-password-long-enough"
	if _, err := svc.AddInstructor(ctx, email, password); err != nil {
		return nil, err
	}
	c := pgclient.New(base)
	return c, c.Login(ctx, email, password)
}

// storm has n learners join, spread over stormSpread, each opening node1's
// terminal and waiting for the shell to answer.
func (b *bench) storm(ctx context.Context, base, code string, n int) ([]time.Duration, time.Duration, error) {
	each := make([]time.Duration, n)
	errs := make([]error, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(stormSpread * time.Duration(i) / time.Duration(n))
			t0 := time.Now()
			c := pgclient.New(base)
			s, err := c.Join(ctx, code, "learner "+strconv.Itoa(i+1))
			if err == nil {
				err = shellAnswers(ctx, c, s.ID)
			}
			each[i], errs[i] = time.Since(t0), err
		}()
	}
	wg.Wait()
	all := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return nil, 0, err
		}
	}
	return each, all, nil
}

// shellAnswers opens node1's terminal and waits for the shell to run a
// command.
func shellAnswers(ctx context.Context, c *pgclient.Client, sessionID string) error {
	t, err := c.Terminal(ctx, sessionID, "node1")
	if err != nil {
		return err
	}
	defer t.Close()
	if err := t.WaitReplayed(time.Minute); err != nil {
		return err
	}
	if err := t.Send("echo up-$((40+2))\r"); err != nil {
		return err
	}
	return t.WaitOutput("up-42", 2*time.Minute)
}
