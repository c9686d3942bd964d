package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestClassroomPages(t *testing.T) {
	s := newSite(t, bundle())
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		path    string
		page    string
		markers []string
	}{
		{"login", s.InstructorLogin, "/instructor/login", "instructor-login",
			[]string{`data-testid="login-email"`, `type="password"`, `autocomplete="current-password"`}},
		{"instructor", s.Instructor, "/instructor", "instructor", []string{`data-testid="create-form"`, `data-testid="classroom-list"`}},
		{"classroom", s.Classroom, "/instructor/classrooms/x", "classroom",
			[]string{`data-testid="progress-grid"`, `data-testid="join-code"`, `data-testid="watch-terminals"`, `data-testid="export-csv"`}},
		{"join", s.Join, "/join/ABCDEF", "join", []string{`data-testid="join-name"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, tc.h, tc.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			if !strings.Contains(body, `data-page="`+tc.page+`"`) || !strings.Contains(body, "app.js?v="+s.Version()) {
				t.Fatalf("page %s does not name itself or the bundle:\n%s", tc.page, body)
			}
			for _, m := range tc.markers {
				if !strings.Contains(body, m) {
					t.Errorf("page %s lacks %s", tc.page, m)
				}
			}
		})
	}
}
