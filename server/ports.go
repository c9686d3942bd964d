package server

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/sessions"
)

// Ports of the nodes in the learner's browser. The server reaches a port
// through the Engine API (sessions/engine/ports.go), never a route to the
// session's network, and answers in two forms:
//
//   - path-based, on the main origin: /ports/{session}/{node}/{port}/...,
//     for the session's owner and its classroom's instructor. The app sees
//     paths without the prefix (and X-Forwarded-Prefix), so apps that link
//     to absolute paths break here. Its pages are sandboxed (an opaque
//     origin), so their scripts cannot act on the playground in the
//     viewer's name.
//   - host-based, when PLAYGROUND_PORTS_DOMAIN is set: <node>-<port>-<key>
//     .<domain>, a site of its own for each port, where absolute paths
//     work. The key is the session id in hex (hostnames ignore case). The
//     page opens it through /api/sessions/{id}/nodes/{node}/ports/{port}/open,
//     which checks the viewer and hands that one host a short signed token;
//     the host trades it for a cookie of its own. Without that cookie a
//     port host answers 404.
//
// The playground's own cookies never reach the app.

// Names and limits of the ports' proxy.
const (
	portsPrefix     = "/ports/"
	portAuthPath    = "/__playground/auth"
	portCookie      = "playground_port"
	portTokenAge    = time.Minute
	portCookieAge   = 12 * time.Hour
	portIdleTimeout = 30 * time.Second
	portIdlePerHost = 8
)

// portTarget is one node's port behind the proxy.
type portTarget struct {
	session *sessions.Session
	node    *sessions.Node
	port    int
}

// portsProxy forwards requests to nodes' ports. Connections are pooled per
// node and port; each is one exec relay in the node.
type portsProxy struct {
	s         *Server
	transport *http.Transport
}

// proxy returns the server's ports proxy, made on first use.
func (s *Server) proxy() *portsProxy {
	s.portsOnce.Do(func() {
		p := &portsProxy{s: s}
		p.transport = &http.Transport{
			DialContext:         p.dial,
			MaxIdleConnsPerHost: portIdlePerHost,
			IdleConnTimeout:     portIdleTimeout,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
		}
		s.ports = p
	})
	return s.ports
}

// dial connects to the target named by a pool address "<container>.<port>:80".
func (p *portsProxy) dial(ctx context.Context, _, addr string) (net.Conn, error) {
	host, _, _ := net.SplitHostPort(addr)
	containerID, portText, ok := strings.Cut(host, ".")
	port, err := strconv.Atoi(strings.TrimSuffix(portText, ".node"))
	if !ok || err != nil {
		return nil, fmt.Errorf("ports: bad target %q", addr)
	}
	return p.s.manager.Engine().DialPort(ctx, containerID, port)
}

// serve forwards r to the target. prefix is what the path form strips.
func (p *portsProxy) serve(w http.ResponseWriter, r *http.Request, t portTarget, prefix string) {
	rp := &httputil.ReverseProxy{
		Transport: p.transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = t.node.ContainerID + "." + strconv.Itoa(t.port) + ".node"
			if prefix != "" {
				pr.Out.URL.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(pr.In.URL.Path, prefix), "/")
				pr.Out.URL.RawPath = ""
				pr.Out.Header.Set("X-Forwarded-Prefix", prefix)
				pr.Out.Host = "localhost:" + strconv.Itoa(t.port)
			} else {
				pr.Out.Host = pr.In.Host
			}
			pr.SetXForwarded()
			stripPlaygroundCookies(pr.Out)
		},
		ModifyResponse: func(res *http.Response) error {
			if prefix != "" {
				// An opaque origin: the app's scripts cannot reach the
				// playground's API with the viewer's cookies.
				res.Header.Set("Content-Security-Policy", "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads")
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.s.log.Info("port unreachable", "session", t.session.ID, "node", t.node.Name, "port", t.port, "err", err)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "Nothing answers on port %d of %s yet.\nStart something there (docker run -p %d:..., for example) and reload this page.\n", t.port, t.node.Name, t.port)
		},
		FlushInterval: -1, // stream as it comes: large downloads, server-sent events
	}
	rp.ServeHTTP(w, r)
}

// stripPlaygroundCookies removes the playground's cookies from a request
// going to a node.
func stripPlaygroundCookies(r *http.Request) {
	cookies := r.Cookies()
	r.Header.Del("Cookie")
	for _, c := range cookies {
		if c.Name == learnerCookie || c.Name == instructorCookie || c.Name == portCookie {
			continue
		}
		r.AddCookie(c)
	}
}

// portTargetOf finds the live session, node and port a request names, for
// a viewer the session answers to (terminalAccess).
func (s *Server) portTargetOf(r *http.Request) (portTarget, error) {
	sess, _, err := s.terminalAccess(r)
	if err != nil {
		return portTarget{}, err
	}
	return targetIn(sess, chi.URLParam(r, "node"), chi.URLParam(r, "port"))
}

// targetIn checks the node and port named in sess.
func targetIn(sess *sessions.Session, nodeName, portText string) (portTarget, error) {
	if !sess.Live() {
		return portTarget{}, sessions.Errorf(sessions.ENOTFOUND, "This session has ended.")
	}
	node := sess.Node(nodeName)
	if node == nil || node.ContainerID == "" {
		return portTarget{}, sessions.Errorf(sessions.ENOTFOUND, "This session has no node %q.", nodeName)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 || strconv.Itoa(port) != portText {
		return portTarget{}, sessions.Errorf(sessions.EINVALID, "%q is not a TCP port.", portText)
	}
	return portTarget{session: sess, node: node, port: port}, nil
}

// pathPort serves the path form, /ports/{id}/{node}/{port}/...
func (s *Server) pathPort(w http.ResponseWriter, r *http.Request) {
	t, err := s.portTargetOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	prefix := portsPrefix + chi.URLParam(r, "id") + "/" + t.node.Name + "/" + strconv.Itoa(t.port)
	if r.URL.Path == prefix {
		// Relative links of the app's first page need the slash.
		http.Redirect(w, r, prefix+"/", http.StatusFound)
		return
	}
	s.proxy().serve(w, r, t, prefix)
}

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
		http.Redirect(w, r, portsPrefix+t.session.ID+"/"+t.node.Name+"/"+strconv.Itoa(t.port)+next, http.StatusFound)
		return
	}
	label := portLabel(t.session.ID, t.node.Name, t.port)
	token := s.signer.sign("port-open", label+"|"+strconv.FormatInt(time.Now().Add(portTokenAge).Unix(), 10))
	u := s.portOrigin(r, label) + portAuthPath + "?" + url.Values{"t": {token}, "next": {next}}.Encode()
	http.Redirect(w, r, u, http.StatusFound)
}

// portLabel is the first label of a port's host: node-port-key.
func portLabel(sessionID, node string, port int) string {
	b, _ := base64.RawURLEncoding.DecodeString(sessionID)
	return node + "-" + strconv.Itoa(port) + "-" + hex.EncodeToString(b)
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
	b, err := hex.DecodeString(key)
	if err != nil || len(b) == 0 {
		return "", "", "", false
	}
	return base64.RawURLEncoding.EncodeToString(b), rest[:j], rest[j+1:], true
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
	if !ok || !sessions.ValidID(sessionID) {
		notFound()
		return
	}
	sess, err := s.manager.Store().Session(r.Context(), sessionID)
	if err != nil {
		notFound()
		return
	}
	t, err := targetIn(sess, node, port)
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

// Shared links: a learner may open one of their ports to anyone who has
// the link (a classmate, say), and take it back. The link's token is the
// capability: 128 random bits, revoked by the owner or with the session.
const (
	sharedPrefix     = "/shared/"
	shareLabelPrefix = "share-"
)

// sharedPort serves a shared link: /shared/{token}/... (prefix set, and
// sandboxed like the path form), or the host share-{token}.<domain>.
func (s *Server) sharedPort(w http.ResponseWriter, r *http.Request, token, prefix string) {
	notFound := func() { http.Error(w, "404 page not found", http.StatusNotFound) }
	if len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		notFound()
		return
	}
	sh, err := s.manager.Store().PortShareByToken(r.Context(), token)
	if err != nil {
		notFound()
		return
	}
	sess, err := s.manager.Store().Session(r.Context(), sh.SessionID)
	if err != nil {
		notFound()
		return
	}
	t, err := targetIn(sess, sh.Node, strconv.Itoa(sh.Port))
	if err != nil {
		notFound()
		return
	}
	if prefix != "" && r.URL.Path == prefix {
		http.Redirect(w, r, prefix+"/", http.StatusFound)
		return
	}
	s.proxy().serve(w, r, t, prefix)
}

// sharedPath serves /shared/{token}/...
func (s *Server) sharedPath(w http.ResponseWriter, r *http.Request) {
	token := chi.URLParam(r, "token")
	s.sharedPort(w, r, token, sharedPrefix+token)
}

// shareURL is the link of a share, absolute, to copy and send.
func (s *Server) shareURL(r *http.Request, token string) string {
	if s.cfg.PortsDomain != "" {
		return s.portOrigin(r, shareLabelPrefix+token) + "/"
	}
	base := strings.TrimSuffix(s.cfg.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if s.isHTTPS(r) {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + sharedPrefix + token + "/"
}

// ownPortTarget is portTargetOf for the session's owner alone.
func (s *Server) ownPortTarget(r *http.Request) (portTarget, error) {
	sess, err := s.manager.Get(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		return portTarget{}, err
	}
	return targetIn(sess, chi.URLParam(r, "node"), chi.URLParam(r, "port"))
}

// sharePort makes (or returns) the shared link of one of the owner's ports.
func (s *Server) sharePort(w http.ResponseWriter, r *http.Request) {
	t, err := s.ownPortTarget(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sh, err := s.manager.Store().SharePort(r.Context(), t.session.ID, t.node.Name, t.port)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("port shared", "session", t.session.ID, "node", t.node.Name, "port", t.port)
	writeJSON(w, http.StatusOK, map[string]any{"node": t.node.Name, "port": t.port, "url": s.shareURL(r, sh.Token)})
}

// unsharePort takes a shared link back.
func (s *Server) unsharePort(w http.ResponseWriter, r *http.Request) {
	t, err := s.ownPortTarget(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.manager.Store().UnsharePort(r.Context(), t.session.ID, t.node.Name, t.port); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("port share taken back", "session", t.session.ID, "node", t.node.Name, "port", t.port)
	w.WriteHeader(http.StatusNoContent)
}

// nodePorts is one node's listening ports in GET /api/sessions/{id}/ports.
type nodePorts struct {
	Name  string     `json:"name"`
	Ports []portLink `json:"ports"`
	Error string     `json:"error,omitempty"`
}

// portLink is one port, the URL that opens it, and its shared link if the
// owner made one.
type portLink struct {
	Port      int    `json:"port"`
	URL       string `json:"url"`
	SharedURL string `json:"shared_url,omitempty"`
}

// listPorts answers each node's listening ports with the URL that opens
// each, and the template of a URL for any port.
func (s *Server) listPorts(w http.ResponseWriter, r *http.Request) {
	sess, _, err := s.terminalAccess(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !sess.Live() {
		s.writeError(w, r, sessions.Errorf(sessions.ENOTFOUND, "This session has ended."))
		return
	}
	shared := map[string]string{}
	if shares, err := s.manager.Store().PortShares(r.Context(), sess.ID); err == nil {
		for _, sh := range shares {
			shared[sh.Node+":"+strconv.Itoa(sh.Port)] = s.shareURL(r, sh.Token)
		}
	}
	out := make([]nodePorts, len(sess.Nodes))
	var wg sync.WaitGroup
	for i, n := range sess.Nodes {
		out[i] = nodePorts{Name: n.Name, Ports: []portLink{}}
		if n.ContainerID == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ports, err := s.manager.Engine().Ports(r.Context(), n.ContainerID)
			if err != nil {
				out[i].Error = sessions.ErrorMessage(err)
				return
			}
			for _, p := range ports {
				out[i].Ports = append(out[i].Ports, portLink{Port: p, URL: openURL(sess.ID, n.Name, p),
					SharedURL: shared[n.Name+":"+strconv.Itoa(p)]})
			}
		}()
	}
	wg.Wait()
	writeJSON(w, http.StatusOK, map[string]any{
		"nodes":        out,
		"url_template": "/api/sessions/" + sess.ID + "/nodes/{node}/ports/{port}/open",
	})
}

// openURL is the main-origin URL that opens a node's port.
func openURL(sessionID, node string, port int) string {
	return "/api/sessions/" + sessionID + "/nodes/" + node + "/ports/" + strconv.Itoa(port) + "/open"
}
