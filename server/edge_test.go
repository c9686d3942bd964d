package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
)

// The tests of this file need neither Postgres nor Docker: the server
// stands in front of a fakeManager.

// /readyz names the dependency that does not answer, with its message,
// and answers 503 until both do.
func TestReadyNamesWhatDoesNotAnswer(t *testing.T) {
	t.Parallel()
	down := fault.Errorf(fault.EUNAVAILABLE, "The Docker engine does not answer.")
	for _, tc := range []struct {
		name          string
		db, engine    error
		status        int
		wantDB, wantE string
	}{
		{"both answer", nil, nil, http.StatusOK, "ok", "ok"},
		{"the engine is down", nil, down, http.StatusServiceUnavailable, "ok", "The Docker engine does not answer."},
		{"the database is down", errors.New("dial tcp: refused"), nil, http.StatusServiceUnavailable, "Internal error.", "ok"},
	} {
		ts := newEnv(t, envConfig{Fake: &fakeManager{PingFn: func(context.Context) (error, error) { return tc.db, tc.engine }}}).ts
		res, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Ready  bool              `json:"ready"`
			Checks map[string]string `json:"checks"`
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != tc.status || body.Ready != (tc.status == http.StatusOK) ||
			body.Checks["database"] != tc.wantDB || body.Checks["engine"] != tc.wantE {
			t.Errorf("%s: %d %+v, want %d with database %q and engine %q", tc.name, res.StatusCode, body, tc.status, tc.wantDB, tc.wantE)
		}
	}
}

// Every error code the manager answers with reaches the client as its
// status and the stable JSON shape; an internal error's cause is never
// shown.
func TestManagerErrorsReachTheClient(t *testing.T) {
	t.Parallel()
	for code, status := range statusOf {
		err := fault.Errorf(code, "What went wrong, for %s.", code)
		ts := newEnv(t, envConfig{Fake: &fakeManager{GetFn: func(context.Context, string, string) (*sessions.Session, error) { return nil, err }}}).ts
		res, gerr := http.Get(ts.URL + "/api/sessions/" + sessions.NewID())
		if gerr != nil {
			t.Fatal(gerr)
		}
		var body struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		derr := json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		want := fault.ErrorMessage(err)
		if derr != nil || res.StatusCode != status || body.Error.Code != string(code) || body.Error.Message != want {
			t.Errorf("%s: %d %+v (%v), want %d with code %q and message %q", code, res.StatusCode, body, derr, status, code, want)
		}
	}
	// An error without a code is internal, and its text stays in the log.
	ts := newEnv(t, envConfig{Fake: &fakeManager{GetFn: func(context.Context, string, string) (*sessions.Session, error) {
		return nil, errors.New("pq: password authentication failed for user postgres")
	}}}).ts
	res, err := http.Get(ts.URL + "/api/sessions/" + sessions.NewID())
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError || body.Error.Code != string(fault.EINTERNAL) || body.Error.Message != "Internal error." {
		t.Errorf("an uncoded error = %d %+v, want 500, internal, \"Internal error.\"", res.StatusCode, body)
	}
}
