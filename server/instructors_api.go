package server

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/classroom"
)

// instructorCookie holds an instructor's login token, signed.
const instructorCookie = "playground_instructor"

const instructorKey ctxKey = 2

// loginWait is how long a login waits for a free password hasher.
const loginWait = 10 * time.Second

// loginRequest is the body of POST /api/instructors/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// instructorLogin checks an instructor's email and password and sets their
// login cookie. Attempts are rate-limited per address and per email, and a
// wrong password answers exactly like an unknown email.
func (s *Server) instructorLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Email == "" || req.Password == "" {
		s.writeError(w, r, fault.Errorf(fault.EINVALID, "Give an email and a password."))
		return
	}
	if err := s.logins.allow(r.Context(), addressKey(clientIP(r)), req.Email); err != nil {
		s.writeError(w, r, err)
		return
	}
	var token string
	var in *sessions.Instructor
	ctx, cancel := context.WithTimeout(r.Context(), loginWait)
	defer cancel()
	err := s.logins.hash(ctx, func() (err error) {
		token, in, err = s.classes.Login(r.Context(), req.Email, req.Password)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("instructor logged in", "instructor", in.ID)
	s.setCookie(w, r, instructorCookie, s.signer.sign("instructor", token), classroom.LoginLifetime)
	w.WriteHeader(http.StatusNoContent)
}

// instructorLogout revokes the caller's login, if any, and clears the cookie.
func (s *Server) instructorLogout(w http.ResponseWriter, r *http.Request) {
	if token, ok := s.instructorToken(r); ok {
		if err := s.classes.Logout(r.Context(), token); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.setCookie(w, r, instructorCookie, "", -time.Second)
	w.WriteHeader(http.StatusNoContent)
}

// instructorMe answers who is logged in.
func (s *Server) instructorMe(w http.ResponseWriter, r *http.Request) {
	in := instructorOf(r)
	writeJSON(w, http.StatusOK, map[string]string{"email": in.Email})
}

// requireInstructor lets through only requests of a logged-in instructor,
// who is then available to handlers through instructorOf. Others get 401.
func (s *Server) requireInstructor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := s.instructor(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), instructorKey, in)))
	})
}

// instructorPage serves a page only to a logged-in instructor, and sends
// anyone else to the login page.
func (s *Server) instructorPage(page http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.instructor(r); err != nil {
			if fault.ErrorCode(err) != fault.EUNAUTHORIZED {
				s.writeError(w, r, err)
				return
			}
			http.Redirect(w, r, "/instructor/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		page(w, r)
	}
}

// instructor returns the instructor logged in on the request, or
// EUNAUTHORIZED.
func (s *Server) instructor(r *http.Request) (*sessions.Instructor, error) {
	token, ok := s.instructorToken(r)
	if !ok {
		return nil, fault.Errorf(fault.EUNAUTHORIZED, "Log in as an instructor first.")
	}
	return s.classes.Authenticate(r.Context(), token)
}

// instructorToken returns the login token of the request's cookie when its
// signature holds.
func (s *Server) instructorToken(r *http.Request) (string, bool) {
	c, err := r.Cookie(instructorCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	return s.signer.verify("instructor", c.Value)
}

// instructorOf returns the instructor that requireInstructor found.
func instructorOf(r *http.Request) *sessions.Instructor {
	in, _ := r.Context().Value(instructorKey).(*sessions.Instructor)
	return in
}

// addressKey is what the per-address limits count by: the address itself
// for IPv4, its /64 for IPv6 (where one subscriber holds a whole /64).
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// clientIP returns the client's address without its port (behind a trusted
// proxy, RealIP has put the proxy's view of it in RemoteAddr).
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
