package web

import "net/http"

// The pages of classrooms, added to pageNames so that New parses them.
func init() {
	pageNames = append(pageNames, "instructor-login", "instructor", "classroom", "join", "continue")
}

// InstructorLogin renders the instructors' login page (/instructor/login).
func (s *Site) InstructorLogin(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "instructor-login", "Instructor login · Lab Playground")
}

// Instructor renders an instructor's classrooms and the form to create one
// (/instructor). The server shows it to logged-in instructors only.
func (s *Site) Instructor(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "instructor", "Your classrooms · Lab Playground")
}

// Classroom renders a classroom's live dashboard
// (/instructor/classrooms/{id}); the script reads the id from the URL.
func (s *Site) Classroom(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "classroom", "Classroom · Lab Playground")
}

// Join renders the page a learner opens from a classroom's link
// (/join/{code}); the script reads the code from the URL.
func (s *Site) Join(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "join", "Join a class · Lab Playground")
}

// Continue renders the page of a link a learner made to continue on
// another browser (/continue/{token}); the script reads the token from the
// URL, says what the link opens and asks before using it.
func (s *Site) Continue(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "continue", "Continue on this device · Lab Playground")
}
