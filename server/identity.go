package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/labplay/playground/sessions"
)

// learnerCookie is the name of the cookie that identifies a learner.
const learnerCookie = "playground_learner"

// learnerCookieAge is how long a learner keeps their identity in a browser.
const learnerCookieAge = 365 * 24 * time.Hour

type ctxKey int

const userKey ctxKey = 1

// signer signs and verifies identity cookies with a secret shared by every
// server process (it lives in the database).
type signer struct{ secret []byte }

// sign returns value followed by its MAC under the given purpose.
func (g signer) sign(purpose, value string) string {
	return value + "." + g.mac(purpose, value)
}

// verify returns the value of a signed string, or false when the MAC does
// not match.
func (g signer) verify(purpose, signed string) (string, bool) {
	i := strings.LastIndexByte(signed, '.')
	if i <= 0 {
		return "", false
	}
	value, mac := signed[:i], signed[i+1:]
	want := g.mac(purpose, value)
	return value, hmac.Equal([]byte(mac), []byte(want))
}

func (g signer) mac(purpose, value string) string {
	h := hmac.New(sha256.New, g.secret)
	h.Write([]byte(purpose + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// identify makes sure every request carries a learner identity: a valid
// signed cookie is read, and a browser without one gets a fresh identity.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(learnerCookie); err == nil {
			if id, ok := s.signer.verify("learner", c.Value); ok && sessions.ValidID(id) {
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, id)))
				return
			}
		}
		id := sessions.NewID()
		s.setCookie(w, r, learnerCookie, s.signer.sign("learner", id), learnerCookieAge)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, id)))
	})
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the site is
// served over https.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, age time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(age.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.isHTTPS(r),
	})
}

// siteBase is the site's own origin, for links learners copy and send:
// PLAYGROUND_PUBLIC_URL when set, else the scheme and host of the request.
func (s *Server) siteBase(r *http.Request) string {
	if base := strings.TrimSuffix(s.cfg.PublicURL, "/"); base != "" {
		return base
	}
	scheme := "http"
	if s.isHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// isHTTPS reports whether the learner reaches the site over https.
func (s *Server) isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.PublicURL, "https://")
}

// userID returns the learner identity of a request.
func userID(r *http.Request) string {
	id, _ := r.Context().Value(userKey).(string)
	return id
}
