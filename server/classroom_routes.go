package server

import "github.com/go-chi/chi/v5"

// classroomPages registers the pages of classrooms: the instructor's login,
// their classrooms, a classroom's dashboard, and the learners' join page.
func (s *Server) classroomPages(r chi.Router) {
	r.Get("/instructor/login", s.site.InstructorLogin)
	r.Get("/instructor", s.instructorPage(s.site.Instructor))
	r.Get("/instructor/classrooms/{id}", s.instructorPage(s.site.Classroom))
	r.Get("/join/{code}", s.site.Join)
}

// classroomAPI registers the API of classrooms under /api. Everything but
// logging in and joining needs an instructor, and answers only about their
// own classrooms.
func (s *Server) classroomAPI(r chi.Router) {
	r.Post("/instructors/login", s.instructorLogin)
	r.Post("/instructors/logout", s.instructorLogout)
	r.Post("/classrooms/join", s.joinClassroom)
	r.Get("/classrooms/join/{code}", s.lookupClassroom)
	r.Group(func(r chi.Router) {
		r.Use(s.requireInstructor)
		r.Get("/instructors/me", s.instructorMe)
		r.Get("/classrooms", s.listClassrooms)
		r.Post("/classrooms", s.createClassroom)
		r.Get("/classrooms/{id}", s.getClassroom)
		r.Post("/classrooms/{id}/close", s.closeClassroom)
		r.Post("/classrooms/{id}/ready", s.readySeats)
		r.Get("/classrooms/{id}/progress", s.classroomProgress)
		r.Get("/classrooms/{id}/progress.json", s.classroomProgress)
		r.Get("/classrooms/{id}/progress.csv", s.classroomCSV)
		r.Get("/classrooms/{id}/events", s.classroomEvents)
		s.instructorActionsAPI(r) // instructor_actions.go
	})
}
