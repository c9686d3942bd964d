package server

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/labplay/playground/sessions"
)

// Who may reach a session, through every route that names one: its owner,
// and the instructor of its classroom (read-only); to anyone else it is
// exactly as unknown as a session that does not exist. This needs Postgres
// and no Docker: every refusal comes before a node is touched, and the
// session's nodes have no containers.
func TestSessionsAnswerOnlyTheirOwnerAndInstructor(t *testing.T) {
	t.Parallel()
	env := newEnv(t, envConfig{})
	teacher := addInstructor(t, env, "teacher@school.example")
	class := createClass(t, teacher, 0)
	owner := newBrowser(t, env.ts.URL)
	sess := seatDirectly(t, env, owner, class.ID, "Ana")
	stranger := newBrowser(t, env.ts.URL)
	otherTeacher := addInstructor(t, env, "other@school.example")
	createClass(t, otherTeacher, 0)

	routes := func(id string) [][2]string {
		return [][2]string{
			{"GET", "/api/sessions/" + id},
			{"DELETE", "/api/sessions/" + id},
			{"POST", "/api/sessions/" + id + "/extend"},
			{"POST", "/api/sessions/" + id + "/nodes"},
			{"POST", "/api/sessions/" + id + "/nodes/node1/restart"},
			{"DELETE", "/api/sessions/" + id + "/nodes/node3"},
			{"GET", "/api/sessions/" + id + "/nodes/node1/terminal"},
			{"GET", "/api/sessions/" + id + "/nodes/node1/files?path=/etc/hostname"},
			{"GET", "/api/sessions/" + id + "/ports"},
			{"GET", "/api/sessions/" + id + "/nodes/node1/ports/80/open"},
			{"POST", "/api/sessions/" + id + "/nodes/node1/ports/80/share"},
			{"DELETE", "/api/sessions/" + id + "/nodes/node1/ports/80/share"},
			{"GET", "/api/sessions/" + id + "/progress"},
			{"GET", "/ports/" + id + "/node1/80/"},
		}
	}
	unknown := routes(sessions.NewID())
	for i, route := range routes(sess.ID) {
		wantStatus, want, _ := stranger.do(unknown[i][0], unknown[i][1], nil)
		if wantStatus != http.StatusNotFound {
			t.Fatalf("%s %s of an unknown session = %d %s, want 404", unknown[i][0], unknown[i][1], wantStatus, want)
		}
		for name, c := range map[string]*browser{"another learner": stranger, "another classroom's instructor": otherTeacher} {
			status, body, _ := c.do(route[0], route[1], nil)
			if status != wantStatus || !bytes.Equal(body, want) {
				t.Errorf("%s: %s %s = %d %s, want what an unknown session gets: %d %s", name, route[0], route[1], status, body, wantStatus, want)
			}
		}
	}

	// The owner and the classroom's instructor get through.
	owner.must(http.StatusOK, "GET", "/api/sessions/"+sess.ID, nil, nil)
	var ports struct {
		Nodes []nodePorts `json:"nodes"`
	}
	teacher.must(http.StatusOK, "GET", "/api/sessions/"+sess.ID+"/ports", nil, &ports)
	if len(ports.Nodes) != len(sess.Nodes) {
		t.Errorf("the instructor sees the ports of %d nodes, want %d", len(ports.Nodes), len(sess.Nodes))
	}
	// The instructor watches: they cannot change the session.
	if status, body, _ := teacher.do("DELETE", "/api/sessions/"+sess.ID, nil); status != http.StatusNotFound {
		t.Errorf("the instructor deleting a learner's session = %d %s, want 404", status, body)
	}
	if status, body, _ := teacher.do("POST", "/api/sessions/"+sess.ID+"/nodes/node1/ports/80/share", nil); status != http.StatusNotFound {
		t.Errorf("the instructor sharing a learner's port = %d %s, want 404", status, body)
	}
}
