package server

import (
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The host-based form of the ports: each port a site of its own (ports.go).

// openPort sends the viewer to a port: to its host of its own when a ports
// domain is set, with a token for that host; else to the path form.
func (s *Server) openPort(w http.ResponseWriter, r *http.Request) {
	t, err := s.portTargetOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	next := r.URL.Query().Get("path")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/"
	}
	if s.cfg.PortsDomain == "" {
		http.Redirect(w, r, portsPrefix+t.Session.ID+"/"+t.Node.Name+"/"+strconv.Itoa(t.Number)+next, http.StatusFound)
		return
	}
	label := portLabel(t.Session.ID, t.Node.Name, t.Number)
	token := s.signer.sign("port-open", label+"|"+strconv.FormatInt(time.Now().Add(portTokenAge).Unix(), 10))
	u := s.portOrigin(r, label) + portAuthPath + "?" + url.Values{"t": {token}, "next": {next}}.Encode()
	http.Redirect(w, r, u, http.StatusFound)
}

// portLabel is the first label of a port's host: node-port-key, where the
// key is the session id in lower case (host names ignore case; ids are
// base32, sessions.NewID, whose letters mean the same in either case).
func portLabel(sessionID, node string, port int) string {
	return node + "-" + strconv.Itoa(port) + "-" + strings.ToLower(sessionID)
}

// parsePortLabel splits a port host's first label.
func parsePortLabel(label string) (sessionID, node, port string, ok bool) {
	i := strings.LastIndexByte(label, '-')
	if i < 0 {
		return "", "", "", false
	}
	key := label[i+1:]
	rest := label[:i]
	j := strings.LastIndexByte(rest, '-')
	if j < 0 {
		return "", "", "", false
	}
	if key == "" {
		return "", "", "", false
	}
	// A session started before ids were base32 has a base64 id, whose
	// label carried its bytes in hex (48 digits; a base32 id has 26).
	if b, err := hex.DecodeString(key); err == nil && len(b) == 24 {
		return base64.RawURLEncoding.EncodeToString(b), rest[:j], rest[j+1:], true
	}
	return strings.ToUpper(key), rest[:j], rest[j+1:], true
}

// portOrigin is the scheme, host and port where a port's host answers.
func (s *Server) portOrigin(r *http.Request, label string) string {
	scheme, port := "http", ""
	if s.isHTTPS(r) {
		scheme = "https"
	}
	hostport := r.Host
	if s.cfg.PublicURL != "" {
		if u, err := url.Parse(s.cfg.PublicURL); err == nil {
			hostport = u.Host
		}
	}
	if _, p, err := net.SplitHostPort(hostport); err == nil {
		port = ":" + p
	}
	return scheme + "://" + label + "." + s.cfg.PortsDomain + port
}

// portHost returns the first label of a request for a port's host, or "".
func (s *Server) portHost(r *http.Request) string {
	if s.cfg.PortsDomain == "" {
		return ""
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	label, ok := strings.CutSuffix(host, "."+strings.ToLower(s.cfg.PortsDomain))
	if !ok || label == "" || strings.Contains(label, ".") {
		return ""
	}
	return label
}

// hostPort serves a request to a port's host: the token hand-over, then
// the app for a viewer holding this host's cookie. Anyone else gets 404.
func (s *Server) hostPort(w http.ResponseWriter, r *http.Request, label string) {
	notFound := func() {
		http.Error(w, "404 page not found", http.StatusNotFound)
	}
	if r.URL.Path == portAuthPath {
		value, ok := s.signer.verify("port-open", r.URL.Query().Get("t"))
		forLabel, expiry, _ := strings.Cut(value, "|")
		until, err := strconv.ParseInt(expiry, 10, 64)
		if !ok || forLabel != label || err != nil || time.Now().Unix() > until {
			notFound()
			return
		}
		cookie := s.signer.sign("port", label+"|"+strconv.FormatInt(time.Now().Add(portCookieAge).Unix(), 10))
		s.setCookie(w, r, portCookie, cookie, portCookieAge)
		next := r.URL.Query().Get("next")
		if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
			next = "/"
		}
		http.Redirect(w, r, next, http.StatusFound)
		return
	}
	c, err := r.Cookie(portCookie)
	if err != nil {
		notFound()
		return
	}
	value, ok := s.signer.verify("port", c.Value)
	forLabel, expiry, _ := strings.Cut(value, "|")
	until, err := strconv.ParseInt(expiry, 10, 64)
	if !ok || forLabel != label || err != nil || time.Now().Unix() > until {
		notFound()
		return
	}
	sessionID, node, port, ok := parsePortLabel(label)
	if !ok {
		notFound()
		return
	}
	t, err := s.manager.PortOf(r.Context(), sessionID, node, port)
	if err != nil {
		notFound()
		return
	}
	s.proxy().serve(w, r, t, "")
}

// portsHosts routes requests for ports' hosts before anything else.
func (s *Server) portsHosts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		label := s.portHost(r)
		switch {
		case label == "":
			next.ServeHTTP(w, r)
		case strings.HasPrefix(label, shareLabelPrefix):
			s.sharedPort(w, r, strings.TrimPrefix(label, shareLabelPrefix), "")
		default:
			s.hostPort(w, r, label)
		}
	})
}
