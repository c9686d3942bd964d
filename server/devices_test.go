package server

// Tests of learners' links to another device (devices.go): Postgres only,
// with sessions seated straight in the store, since no node is touched.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
)

// deviceEnv is a server on a fresh database, behind a trusted proxy (so a
// test picks each browser's address), with an instructor and a classroom.
type deviceEnv struct {
	*env
	classID string
}

func newDeviceEnv(t *testing.T) *deviceEnv {
	t.Helper()
	env := newEnv(t, envConfig{Manager: manager.Config{MaxSessions: 5}, Server: Config{TrustProxy: true}})
	teacher := addInstructor(t, env, "teacher@example.com")
	return &deviceEnv{env: env, classID: createClass(t, teacher, 0).ID}
}

// seat gives a new browser a seat named name and a running session.
func (e *deviceEnv) seat(t *testing.T, name string) (*browser, *sessions.Session) {
	t.Helper()
	b := newBrowser(t, e.ts.URL)
	return b, seatDirectly(t, e.env, b, e.classID, name)
}

// linkAnswer is the answer of GET and POST /api/me/device-link.
type linkAnswer struct {
	Link *deviceLinkView `json:"link"`
}

// makeLink makes the browser's link from session id and returns its token.
func makeLink(t *testing.T, b *browser, id string) string {
	t.Helper()
	var a linkAnswer
	b.must(http.StatusCreated, "POST", "/api/me/device-link", map[string]string{"session_id": id}, &a)
	if a.Link == nil || !strings.Contains(a.Link.URL, continuePrefix) {
		t.Fatalf("made link = %+v, want a URL under %s", a.Link, continuePrefix)
	}
	return a.Link.URL[strings.LastIndex(a.Link.URL, "/")+1:]
}

// refused checks that a token's link opens nothing, peeked or used, with a
// message that says why, and that using it left the browser as it was.
func refused(t *testing.T, b *browser, token, why string) {
	t.Helper()
	before := b.userID()
	for _, path := range []string{"/api/continue", "/api/continue/use"} {
		status, body, _ := b.do("POST", path, tokenRequest{Token: token})
		if status != http.StatusNotFound || !strings.Contains(string(body), why) {
			t.Errorf("POST %s = %d %s, want 404 saying %q", path, status, body, why)
		}
	}
	if after := b.userID(); after != before {
		t.Errorf("a refused link changed the browser's learner from %s to %s", before, after)
	}
}

func TestDeviceLinkContinuesTheSameLearner(t *testing.T) {
	e := newDeviceEnv(t)
	ada, sess := e.seat(t, "Ada")
	token := makeLink(t, ada, sess.ID)
	if len(token) < 43 { // 256 bits in base64url
		t.Fatalf("token %q is shorter than 256 bits", token)
	}

	// Only the hash is kept.
	var hashed, plain int
	sum := sha256.Sum256([]byte(token))
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE token_hash = $1),
		count(*) FILTER (WHERE position(convert_to($2, 'UTF8') in token_hash) > 0) FROM device_links`,
		sum[:], token).Scan(&hashed, &plain); err != nil || hashed != 1 || plain != 0 {
		t.Fatalf("rows with the hash %d, with the token %d, %v; want 1 and 0", hashed, plain, err)
	}

	// Another browser, with its own identity, is told what it opens...
	laptop := newBrowser(t, e.ts.URL)
	laptopOwn := laptop.userID()
	var peek struct {
		Name, Classroom string
		SessionLive     bool `json:"session_live"`
		SameLearner     bool `json:"same_learner"`
	}
	laptop.must(http.StatusOK, "POST", "/api/continue", tokenRequest{Token: token}, &peek)
	if peek.Name != "Ada" || peek.Classroom != "Swarm 101" || !peek.SessionLive || peek.SameLearner {
		t.Fatalf("peek = %+v, want Ada in Swarm 101, live, another learner", peek)
	}
	if laptop.userID() != laptopOwn {
		t.Fatal("looking at a link changed the browser's learner")
	}
	// ...and, asked, becomes Ada, landing on her session.
	var use struct{ To string }
	laptop.must(http.StatusOK, "POST", "/api/continue/use", tokenRequest{Token: token}, &use)
	if use.To != "/s/"+sess.ID {
		t.Fatalf("use lands on %q, want /s/%s", use.To, sess.ID)
	}
	if laptop.userID() != ada.userID() {
		t.Fatalf("the laptop is learner %s, want Ada's %s", laptop.userID(), ada.userID())
	}
	var got sessions.Session
	laptop.must(http.StatusOK, "GET", "/api/sessions/"+sess.ID, nil, &got)
	var list struct{ Sessions []sessions.Session }
	laptop.must(http.StatusOK, "GET", "/api/sessions", nil, &list)
	if len(list.Sessions) != 1 || list.Sessions[0].ID != sess.ID {
		t.Fatalf("the laptop lists %+v, want Ada's one session", list.Sessions)
	}
	// Her seat and progress follow: acknowledging a section from the
	// laptop counts for Ada, and the class still has one learner.
	laptop.must(http.StatusOK, "POST", "/api/sessions/"+sess.ID+"/sections/"+ackSection+"/check", nil, nil)
	var seatCount int
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM classroom_members WHERE classroom_id = $1`,
		e.classID).Scan(&seatCount); err != nil || seatCount != 1 {
		t.Fatalf("the class has %d seats, %v; want Ada's alone", seatCount, err)
	}
	var pr struct{ Sections []sessions.SectionProgress }
	ada.must(http.StatusOK, "GET", "/api/sessions/"+sess.ID+"/progress", nil, &pr)
	done := false
	for _, p := range pr.Sections {
		done = done || (p.Section == ackSection && p.Status == sessions.SectionDone)
	}
	if !done {
		t.Fatalf("Ada's progress after the laptop's acknowledgement = %+v, want %s done", pr.Sections, ackSection)
	}

	// Ada's page knows a link is live, how often it was used, and never
	// shows the token again.
	var mine linkAnswer
	ada.must(http.StatusOK, "GET", "/api/me/device-link", nil, &mine)
	if mine.Link == nil || mine.Link.Uses != 1 || mine.Link.URL != "" || mine.Link.LastUsedAt.IsZero() {
		t.Fatalf("Ada's link = %+v, want live, used once, without its URL", mine.Link)
	}
}

func TestDeviceLinkStoppedReplacedAndExpired(t *testing.T) {
	e := newDeviceEnv(t)
	ada, sess := e.seat(t, "Ada")
	other := newBrowser(t, e.ts.URL)

	first := makeLink(t, ada, sess.ID)
	second := makeLink(t, ada, sess.ID)
	refused(t, other, first, "stopped")
	other.must(http.StatusOK, "POST", "/api/continue", tokenRequest{Token: second}, nil)

	ada.must(http.StatusNoContent, "DELETE", "/api/me/device-link", nil, nil)
	refused(t, other, second, "stopped")
	var mine linkAnswer
	ada.must(http.StatusOK, "GET", "/api/me/device-link", nil, &mine)
	if mine.Link != nil {
		t.Fatalf("after stopping, Ada's link = %+v, want none", mine.Link)
	}
	ada.must(http.StatusNoContent, "DELETE", "/api/me/device-link", nil, nil) // none left: still fine

	third := makeLink(t, ada, sess.ID)
	if _, err := e.store.Pool().Exec(context.Background(), `UPDATE device_links SET expires_at = now() - interval '1 minute'
		WHERE user_id = $1 AND revoked_at IS NULL`, ada.userID()); err != nil {
		t.Fatal(err)
	}
	refused(t, other, third, "expired")
	var uses int
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT coalesce(sum(uses), 0) FROM device_links`).Scan(&uses); err != nil || uses != 0 {
		t.Fatalf("refused links counted %d uses, %v; want 0", uses, err)
	}
	refused(t, other, strings.Repeat("A", 43), "does not open anything")
	refused(t, other, "short", "does not open anything")

	// A learner's record is their latest ten links, the live one first.
	for range 12 {
		third = makeLink(t, ada, sess.ID)
	}
	var kept, live int
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE revoked_at IS NULL)
		FROM device_links WHERE user_id = $1`, ada.userID()).Scan(&kept, &live); err != nil || kept != 10 || live != 1 {
		t.Fatalf("Ada has %d links kept, %d live, %v; want 10 and 1", kept, live, err)
	}
	other.must(http.StatusOK, "POST", "/api/continue", tokenRequest{Token: third}, nil)
}

func TestDeviceLinkIsTheOwnersAlone(t *testing.T) {
	e := newDeviceEnv(t)
	ada, adaSess := e.seat(t, "Ada")
	bob, bobSess := e.seat(t, "Bob")

	// Nobody makes a link from another's session: not a classmate, not
	// the instructor, not a stranger; and an ended session makes none.
	teacher := newBrowser(t, e.ts.URL)
	teacher.must(http.StatusNoContent, "POST", "/api/instructors/login",
		map[string]string{"email": "teacher@example.com", "password": "correct horse battery"}, nil)
	for who, b := range map[string]*browser{"Bob": bob, "the instructor": teacher, "a stranger": newBrowser(t, e.ts.URL)} {
		status, body, _ := b.do("POST", "/api/me/device-link", map[string]string{"session_id": adaSess.ID})
		if status != http.StatusNotFound {
			t.Errorf("%s made a link from Ada's session: %d %s", who, status, body)
		}
	}
	var none linkAnswer
	ada.must(http.StatusOK, "GET", "/api/me/device-link", nil, &none)
	if none.Link != nil {
		t.Fatalf("Ada has a link she never made: %+v", none.Link)
	}

	// Ada's link reaches Ada's sessions, not Bob's.
	token := makeLink(t, ada, adaSess.ID)
	laptop := newBrowser(t, e.ts.URL)
	laptop.must(http.StatusOK, "POST", "/api/continue/use", tokenRequest{Token: token}, nil)
	if status, _, _ := laptop.do("GET", "/api/sessions/"+bobSess.ID, nil); status != http.StatusNotFound {
		t.Fatalf("Ada's link opened Bob's session: %d", status)
	}
	if status, _, _ := laptop.do("POST", "/api/sessions/"+bobSess.ID+"/progress/reset", nil); status != http.StatusNotFound {
		t.Fatalf("Ada's link reset Bob's progress: %d", status)
	}
	// Bob, with a session of his own, is warned what his browser would
	// leave by continuing as Ada.
	var peek struct {
		OwnSessions int  `json:"own_sessions"`
		SameLearner bool `json:"same_learner"`
	}
	bob.must(http.StatusOK, "POST", "/api/continue", tokenRequest{Token: token}, &peek)
	if peek.OwnSessions != 1 || peek.SameLearner {
		t.Fatalf("Bob's peek = %+v, want his 1 session and another learner", peek)
	}
	ada.must(http.StatusOK, "POST", "/api/continue", tokenRequest{Token: token}, &peek)
	if !peek.SameLearner || peek.OwnSessions != 0 {
		t.Fatalf("Ada's own peek = %+v, want the same learner, nothing left behind", peek)
	}
	// Bob stops his own link, never Ada's.
	bob.must(http.StatusNoContent, "DELETE", "/api/me/device-link", nil, nil)
	laptop2 := newBrowser(t, e.ts.URL)
	laptop2.must(http.StatusOK, "POST", "/api/continue", tokenRequest{Token: token}, nil)

	// When the session has ended, the link lands on the home page, which
	// lists the learner's sessions.
	if err := e.store.EndSession(context.Background(), adaSess.ID, "test"); err != nil {
		t.Fatal(err)
	}
	var use struct{ To string }
	laptop2.must(http.StatusOK, "POST", "/api/continue/use", tokenRequest{Token: token}, &use)
	if use.To != "/" || laptop2.userID() != ada.userID() {
		t.Fatalf("after the session ended: lands on %q as %s, want / as Ada", use.To, laptop2.userID())
	}
	if status, _, _ := ada.do("POST", "/api/me/device-link", map[string]string{"session_id": adaSess.ID}); status != http.StatusNotFound {
		t.Fatalf("a link made from an ended session: %d, want 404", status)
	}
}

func TestDeviceLinkOtherSitesAreRefused(t *testing.T) {
	e := newDeviceEnv(t)
	ada, sess := e.seat(t, "Ada")
	token := makeLink(t, ada, sess.ID)
	victim := newBrowser(t, e.ts.URL)
	own := victim.userID()
	send := func(b *browser, method, path string, body any, h map[string]string) int {
		t.Helper()
		j, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(j))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, err := b.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, h := range []map[string]string{{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}} {
		// Another site can neither switch a browser to Ada...
		if status := send(victim, "POST", "/api/continue/use", tokenRequest{Token: token}, h); status != http.StatusForbidden {
			t.Errorf("cross-site use with %v = %d, want 403", h, status)
		}
		// ...nor make or stop Ada's link in her name.
		if status := send(ada, "POST", "/api/me/device-link", map[string]string{"session_id": sess.ID}, h); status != http.StatusForbidden {
			t.Errorf("cross-site make with %v = %d, want 403", h, status)
		}
		if status := send(ada, "DELETE", "/api/me/device-link", nil, h); status != http.StatusForbidden {
			t.Errorf("cross-site stop with %v = %d, want 403", h, status)
		}
	}
	if victim.userID() != own {
		t.Fatal("a cross-site request switched the browser's learner")
	}
	victim.must(http.StatusOK, "POST", "/api/continue", tokenRequest{Token: token}, nil) // the link still works
}

func TestDeviceLinkGuessesAreRateLimited(t *testing.T) {
	e := newDeviceEnv(t)
	ada, sess := e.seat(t, "Ada")
	token := makeLink(t, ada, sess.ID)
	guesser := newBrowser(t, e.ts.URL)
	guesser.ip = "198.51.100.7"
	for i := range badLinkBurst {
		if status, body, _ := guesser.do("POST", "/api/continue", tokenRequest{Token: strings.Repeat("x", 42) + string(rune('a'+i))}); status != http.StatusNotFound {
			t.Fatalf("guess %d = %d %s, want 404", i, status, body)
		}
	}
	status, _, h := guesser.do("POST", "/api/continue/use", tokenRequest{Token: token})
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("after %d wrong links, use = %d (Retry-After %q), want 429 with Retry-After", badLinkBurst, status, h.Get("Retry-After"))
	}
	// A class continuing from one school router is never limited: right
	// links do not count.
	school := newBrowser(t, e.ts.URL)
	school.ip = "203.0.113.9"
	for range 2 * badLinkBurst {
		school.must(http.StatusOK, "POST", "/api/continue", tokenRequest{Token: token}, nil)
	}
}
