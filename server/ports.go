package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/sessions"
)

// Ports of the nodes in the learner's browser. The server reaches a port
// through the manager (sessions/manager/ports.go), which decides who may
// and goes through the Engine API, never a route to the session's network.
// The server answers in two forms:
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
	return p.s.manager.DialPort(ctx, containerID, port)
}

// serve forwards r to the target. prefix is what the path form strips.
func (p *portsProxy) serve(w http.ResponseWriter, r *http.Request, t sessions.Port, prefix string) {
	rp := &httputil.ReverseProxy{
		Transport: p.transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = t.Node.ContainerID + "." + strconv.Itoa(t.Number) + ".node"
			if prefix != "" {
				pr.Out.URL.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(pr.In.URL.Path, prefix), "/")
				pr.Out.URL.RawPath = ""
				pr.Out.Header.Set("X-Forwarded-Prefix", prefix)
				pr.Out.Host = "localhost:" + strconv.Itoa(t.Number)
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
			// A learner's app changes under their hands (they edit a page,
			// recreate a container): unless it says how to cache, the browser
			// asks again each time rather than show a stale page.
			if res.Header.Get("Cache-Control") == "" && res.Header.Get("Expires") == "" {
				res.Header.Set("Cache-Control", "no-cache")
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.s.log.Info("port unreachable", "session", t.Session.ID, "node", t.Node.Name, "port", t.Number, "err", err)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "Nothing answers on port %d of %s yet.\nStart something there (docker run -p %d:..., for example) and reload this page.\n", t.Number, t.Node.Name, t.Number)
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
func (s *Server) portTargetOf(r *http.Request) (sessions.Port, error) {
	sess, _, err := s.terminalAccess(r)
	if err != nil {
		return sessions.Port{}, err
	}
	return sess.Port(chi.URLParam(r, "node"), chi.URLParam(r, "port"))
}

// pathPort serves the path form, /ports/{id}/{node}/{port}/...
func (s *Server) pathPort(w http.ResponseWriter, r *http.Request) {
	t, err := s.portTargetOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	prefix := portsPrefix + chi.URLParam(r, "id") + "/" + t.Node.Name + "/" + strconv.Itoa(t.Number)
	if r.URL.Path == prefix {
		// Relative links of the app's first page need the slash.
		http.Redirect(w, r, prefix+"/", http.StatusFound)
		return
	}
	s.proxy().serve(w, r, t, prefix)
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
		s.writeError(w, r, fault.Errorf(fault.ENOTFOUND, "This session has ended."))
		return
	}
	shared := map[string]string{}
	if shares, err := s.manager.PortShares(r.Context(), sess); err == nil {
		for _, sh := range shares {
			shared[sh.Node+":"+strconv.Itoa(sh.Port)] = s.shareURL(r, sh.Token)
		}
	}
	nodes := s.manager.Ports(r.Context(), sess)
	out := make([]nodePorts, len(nodes))
	for i, n := range nodes {
		out[i] = nodePorts{Name: n.Node, Ports: []portLink{}}
		if n.Err != nil {
			out[i].Error = fault.ErrorMessage(n.Err)
			continue
		}
		for _, p := range n.Ports {
			out[i].Ports = append(out[i].Ports, portLink{Port: p, URL: openURL(sess.ID, n.Node, p),
				SharedURL: shared[n.Node+":"+strconv.Itoa(p)]})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"nodes":        out,
		"url_template": "/api/sessions/" + sess.ID + "/nodes/{node}/ports/{port}/open",
	})
}

// openURL is the main-origin URL that opens a node's port.
func openURL(sessionID, node string, port int) string {
	return "/api/sessions/" + sessionID + "/nodes/" + node + "/ports/" + strconv.Itoa(port) + "/open"
}
