package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	pgclient "github.com/labplay/playground/client"
)

// crStream reads the server-sent events of a classroom's dashboard.
type crStream struct {
	body   io.ReadCloser
	events chan crEvent
	done   chan struct{}
}

// crEvent is one server-sent event, with the time it arrived.
type crEvent struct {
	Name string
	Data json.RawMessage
	At   time.Time
}

// crOpenStream opens the stream with the client's cookies.
func crOpenStream(t testing.TB, c *pgclient.Client, classID string) *crStream {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base+"/api/classrooms/"+classID+"/events", nil)
	res, err := (&http.Client{Jar: c.HTTP.Jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Fatalf("open the stream: %d %s", res.StatusCode, b)
	}
	s := &crStream{body: res.Body, events: make(chan crEvent, 4096), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 4<<20)
		var ev crEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" {
					ev.At = time.Now()
					s.events <- ev
				}
				ev = crEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = json.RawMessage(strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *crStream) close() {
	s.body.Close()
	<-s.done
}

// crRow is a learner's row of the dashboard, as much as the tests read.
type crRow struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Sections []struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
	} `json:"sections"`
}

// rows returns the learner rows an event carries.
func (e crEvent) rows() []crRow {
	switch e.Name {
	case "learner":
		var r crRow
		if json.Unmarshal(e.Data, &r) == nil {
			return []crRow{r}
		}
	case "snapshot":
		var rep struct {
			Learners []crRow `json:"learners"`
		}
		if json.Unmarshal(e.Data, &rep) == nil {
			return rep.Learners
		}
	}
	return nil
}

// status returns the row's status at a section.
func (r crRow) status(section string) string {
	for _, s := range r.Sections {
		if s.ID == section {
			return s.Status
		}
	}
	return ""
}
