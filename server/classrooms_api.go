package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/classroom"
)

// classroomRequest is the body of POST /api/classrooms.
type classroomRequest struct {
	Name           string `json:"name"`
	Lab            string `json:"lab"`
	Lang           string `json:"lang"`
	SessionMinutes int    `json:"session_minutes"`
	Seats          int    `json:"seats"`
}

// joinRequest is the body of POST /api/classrooms/join.
type joinRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// classroomView is a classroom as its instructor sees it.
type classroomView struct {
	ID             string `json:"id"`
	Code           string `json:"code"`
	JoinURL        string `json:"join_url"`
	Name           string `json:"name"`
	Lab            string `json:"lab"`
	LabTitle       string `json:"lab_title"`
	Lang           string `json:"lang"`
	SessionMinutes int    `json:"session_minutes"`
	Seats          int    `json:"seats"`
	Status         string `json:"status"`
	Members        int    `json:"members"`
	// ReadySeats is how many sessions wait, ready, for learners who join;
	// ReadySeatsAsked how many the instructor asked for and are not taken.
	ReadySeats      int       `json:"ready_seats"`
	ReadySeatsAsked int       `json:"ready_seats_asked"`
	CreatedAt       time.Time `json:"created_at"`
	ClosedAt        time.Time `json:"closed_at,omitzero"`
}

// view returns what the instructor sees of a classroom.
func (s *Server) view(r *http.Request, c *sessions.Classroom) classroomView {
	v := classroomView{ID: c.ID, Code: c.Code, JoinURL: s.joinURL(r, c.Code), Name: c.Name, Lab: c.Lab,
		LabTitle: s.labTitle(c.Lab), Lang: c.Lang, SessionMinutes: c.SessionMinutes, Seats: c.Seats,
		Status: c.Status, Members: c.Members, CreatedAt: c.CreatedAt, ClosedAt: c.ClosedAt}
	if c.Open() {
		// A count that cannot be read shows as none ready.
		v.ReadySeatsAsked, v.ReadySeats, _ = s.manager.SeatsReady(r.Context(), c.ID)
	}
	return v
}

// maxReadySeats bounds one classroom's request for ready seats.
const maxReadySeats = 200

// readySeats asks for seats of one of the instructor's classrooms to be
// made ready before its learners join: {"seats": N}.
func (s *Server) readySeats(w http.ResponseWriter, r *http.Request) {
	c, err := s.ownClassroom(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body struct {
		Seats *int `json:"seats"`
	}
	if err := decodeJSON(r, &body, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := min(maxReadySeats, s.manager.Config().MaxSessions)
	if c.Seats > 0 {
		limit = min(limit, max(c.Seats-c.Members, 0))
	}
	switch {
	case body.Seats == nil || *body.Seats < 0:
		s.writeError(w, r, fault.Errorf(fault.EINVALID, "seats must be a whole number, 0 or more."))
		return
	case !c.Open():
		s.writeError(w, r, fault.Errorf(fault.ECONFLICT, "This classroom is closed."))
		return
	case *body.Seats > limit:
		s.writeError(w, r, fault.Errorf(fault.EINVALID, "At most %d seats can be made ready here.", limit))
		return
	}
	if err := s.manager.ReadySeats(r.Context(), c.ID, *body.Seats); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("ready seats asked", "classroom", c.ID, "seats", *body.Seats)
	writeJSON(w, http.StatusOK, s.view(r, c))
}

// labTitle returns a lab's title, or its slug when the catalogue lacks it.
func (s *Server) labTitle(slug string) string {
	if lab, err := s.labs.Get(slug); err == nil {
		return lab.Title
	}
	return slug
}

// joinURL is the link learners open to join a classroom.
func (s *Server) joinURL(r *http.Request, code string) string {
	return s.siteBase(r) + "/join/" + url.PathEscape(code)
}

// createClassroom opens a classroom for the instructor.
func (s *Server) createClassroom(w http.ResponseWriter, r *http.Request) {
	var req classroomRequest
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.classes.Create(r.Context(), instructorOf(r).ID, classroom.NewClassroom{
		Name: req.Name, Lab: req.Lab, Lang: req.Lang, SessionMinutes: req.SessionMinutes, Seats: req.Seats})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.view(r, c))
}

// listClassrooms answers the instructor's own classrooms, newest first.
func (s *Server) listClassrooms(w http.ResponseWriter, r *http.Request) {
	list, err := s.classes.List(r.Context(), instructorOf(r).ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]classroomView, 0, len(list))
	for _, c := range list {
		out = append(out, s.view(r, c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"classrooms": out})
}

// ownClassroom returns the instructor's classroom named in the URL; any
// other answers ENOTFOUND.
func (s *Server) ownClassroom(r *http.Request) (*sessions.Classroom, error) {
	return s.classes.Get(r.Context(), instructorOf(r).ID, chi.URLParam(r, "id"))
}

// getClassroom answers one of the instructor's classrooms.
func (s *Server) getClassroom(w http.ResponseWriter, r *http.Request) {
	c, err := s.ownClassroom(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.view(r, c))
}

// closeClassroom closes one of the instructor's classrooms and ends its
// learners' sessions; their progress stays.
func (s *Server) closeClassroom(w http.ResponseWriter, r *http.Request) {
	c, ended, err := s.classes.Close(r.Context(), instructorOf(r).ID, chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"classroom": s.view(r, c), "sessions_ended": ended})
}

// report is the progress of a whole classroom.
type report struct {
	Classroom classroomView           `json:"classroom"`
	Sections  []classroom.SectionInfo `json:"sections"`
	Learners  []*classroom.Learner    `json:"learners"`
}

// buildReport gathers a classroom's progress.
func (s *Server) buildReport(r *http.Request, c *sessions.Classroom) (*report, error) {
	sections, err := s.classes.Sections(c)
	if err != nil {
		return nil, err
	}
	learners, err := s.classes.Learners(r.Context(), c, nil)
	if err != nil {
		return nil, err
	}
	return &report{Classroom: s.view(r, c), Sections: sections, Learners: learners}, nil
}

// ownReport returns the caller's classroom named in the URL and its report.
func (s *Server) ownReport(r *http.Request) (*sessions.Classroom, *report, error) {
	c, err := s.ownClassroom(r)
	if err != nil {
		return nil, nil, err
	}
	rep, err := s.buildReport(r, c)
	return c, rep, err
}

// classroomProgress answers the progress of every learner of the classroom,
// as JSON; progress.json is the same as a download.
func (s *Server) classroomProgress(w http.ResponseWriter, r *http.Request) {
	c, rep, err := s.ownReport(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if strings.HasSuffix(r.URL.Path, ".json") {
		w.Header().Set("Content-Disposition", attachment(c, "json"))
	}
	writeJSON(w, http.StatusOK, rep)
}

// classroomCSV answers the progress as CSV: one row per learner and section.
func (s *Server) classroomCSV(w http.ResponseWriter, r *http.Request) {
	c, rep, err := s.ownReport(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment(c, "csv"))
	if err := classroom.WriteCSV(w, rep.Sections, rep.Learners); err != nil {
		s.log.Warn("csv export cut short", "classroom", c.ID, "err", err)
	}
}

// attachment names an export file after the classroom's code and the day.
func attachment(c *sessions.Classroom, ext string) string {
	return `attachment; filename="classroom-` + c.Code + "-" + time.Now().UTC().Format("2006-01-02") + "." + ext + `"`
}

// lookupClassroom answers what a learner may know of a classroom before
// joining it: its name and state, and their own seat if they have one.
func (s *Server) lookupClassroom(w http.ResponseWriter, r *http.Request) {
	if err := s.codeLimit(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, m, err := s.classes.Lookup(r.Context(), chi.URLParam(r, "code"), userID(r))
	s.countBadCode(r, err)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := map[string]any{"code": c.Code, "name": c.Name, "lab": c.Lab, "lab_title": s.labTitle(c.Lab), "lang": c.Lang, "status": c.Status,
		"session_minutes": c.SessionMinutes, "full": c.Seats > 0 && c.Members >= c.Seats && m == nil, "member": nil}
	if m != nil {
		out["member"] = map[string]string{"name": m.Name}
	}
	writeJSON(w, http.StatusOK, out)
}

// joinClassroom seats the learner in a classroom and answers their session:
// 201 for a new session, 200 when they go back to the one they have.
func (s *Server) joinClassroom(w http.ResponseWriter, r *http.Request) {
	var req joinRequest
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.codeLimit(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err := s.classes.Join(r.Context(), req.Code, userID(r), req.Name)
	s.countBadCode(r, err)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if j.Created {
		status = http.StatusCreated
	}
	writeJSON(w, status, j.Session)
}

// codeLimit refuses a classroom lookup or join from an address that has
// given too many wrong codes lately; countBadCode charges the address for
// a code that named no classroom. Right codes never count, however many
// arrive at once (a class joining from one router); wrong ones sent all at
// once are all charged, into debt, so guessing stays as slow on average.
func (s *Server) codeLimit(r *http.Request) error {
	if wait := s.badCodes.Wait(r.Context(), addressKey(clientIP(r)), s.now()); wait > 0 {
		return &fault.Error{Code: fault.ERATELIMITED, RetryAfter: wait.Round(time.Second) + time.Second,
			Message: "Too many wrong classroom codes from your network; check the code and try again in a little while."}
	}
	return nil
}

// countBadCode charges the caller's address for a lookup or join whose code
// named no classroom.
func (s *Server) countBadCode(r *http.Request, err error) {
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		s.badCodes.Charge(r.Context(), addressKey(clientIP(r)), s.now())
	}
}

// watchAccess admits the instructor of a classroom to the terminals and
// ports of its learners' sessions, read-only. It returns the session, or
// ENOTFOUND for anyone else.
func (s *Server) watchAccess(r *http.Request) (*sessions.Session, error) {
	in, err := s.instructor(r)
	if err != nil {
		return nil, fault.Errorf(fault.ENOTFOUND, "Session not found.")
	}
	return s.classes.Watch(r.Context(), in.ID, chi.URLParam(r, "id"))
}
