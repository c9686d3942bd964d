package labs

import (
	"regexp"
	"strconv"
	"strings"
)

// linkKind says how a link of the text is rendered.
type linkKind int

const (
	linkText linkKind = iota // a refused target: only the link's text is shown
	linkHref                 // an ordinary link
	linkPort                 // a link to a port of the learner's node
)

// linkPlan is how one link, image or autolink is rendered, decided when
// the text is linted.
type linkPlan struct {
	kind linkKind
	href string // linkHref: the target as the browser reads it, not yet HTML-escaped
	// linkPort: the node, the port and the path (never empty) it opens.
	node, port, path string
}

// portLinkPattern is a link to a node's port: port:NODE:PORT, then an
// optional path.
var portLinkPattern = regexp.MustCompile(`^port:(node[1-9]):([0-9]{1,5})(/[^\s"'<>]*)?$`)

// planLink decides how a link is rendered and reports a target that is
// refused. raw is the target as written, href the form of it that an href
// would hold. nodes holds the lab's nodes, or is nil when unknown.
func planLink(raw, href string, line int, p problems, nodes map[string]bool) linkPlan {
	if strings.HasPrefix(strings.ToLower(raw), "port:") {
		return planPortLink(raw, line, p, nodes)
	}
	if !safeURL(href) {
		p.add(line, "link target %q must start with http://, https://, mailto: or #, or be a relative path", raw)
		return linkPlan{kind: linkText}
	}
	return linkPlan{kind: linkHref, href: href}
}

// planPortLink checks [text](port:node1:8080/path), a link that opens a
// port of the learner's node: the page fills in its URL for the session.
func planPortLink(target string, line int, p problems, nodes map[string]bool) linkPlan {
	m := portLinkPattern.FindStringSubmatch(target)
	port := 0
	if m != nil {
		port, _ = strconv.Atoi(m[2])
	}
	if m == nil || port < 1 || port > 65535 {
		p.add(line, "port link %q must be written port:NODE:PORT or port:NODE:PORT/path, as in port:node1:8080/", target)
		return linkPlan{kind: linkText}
	}
	if nodes != nil && !nodes[m[1]] {
		p.add(line, "port link %q names node %q, which is not among the lab's nodes", target, m[1])
		return linkPlan{kind: linkText}
	}
	path := m[3]
	if path == "" {
		path = "/"
	}
	return linkPlan{kind: linkPort, node: m[1], port: m[2], path: path}
}

// safeURL reports whether a link target may appear in an href: a web or
// mail address, an anchor, or a relative path without a scheme.
func safeURL(u string) bool {
	// Read u as a browser does: it drops leading spaces and control
	// characters and every tab and line break, and takes \ for /.
	u = strings.TrimLeftFunc(u, func(r rune) bool { return r <= ' ' })
	u = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(u)
	lower := strings.ToLower(u)
	for _, prefix := range []string{"http://", "https://", "mailto:", "#"} {
		if strings.HasPrefix(lower, prefix) {
			return len(u) > len(prefix) || prefix == "#"
		}
	}
	if strings.HasPrefix(u, "//") {
		return false
	}
	end := strings.IndexAny(u, "/?#")
	if end < 0 {
		end = len(u)
	}
	return !strings.Contains(u[:end], ":")
}

// external reports whether a link target leaves the playground.
func external(u string) bool {
	lower := strings.ToLower(u)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}
