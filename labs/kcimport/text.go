package kcimport

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/labplay/playground/labs"
)

var (
	// fenceLine opens or closes a fenced block; a closing line may carry
	// Killercoda's marker: ```{{exec}}, ```{{copy}}.
	fenceLine = regexp.MustCompile("^(\\s{0,3})(`{3,}|~{3,})\\s*([^`]*?)\\s*$")
	// marker is a Killercoda action: {{exec}}, {{execute}}, {{copy}}, with
	// its options (interrupt, T2, HOST2).
	marker = regexp.MustCompile(`^\{\{\s*(exec|execute|copy)\b\s*([^}]*)\}\}$`)
	// inlineMarker is inline code followed by an action.
	inlineMarker = regexp.MustCompile("`([^`\n]+)`\\{\\{\\s*(exec|execute|copy)\\b\\s*([^}]*)\\}\\}")
	// otherAction is inline code followed by an action a lab has no use
	// for, such as Katacoda's {{open}}.
	otherAction = regexp.MustCompile("(`[^`\n]+`)\\{\\{\\s*(open|openFile|select|interrupt)\\b[^}]*\\}\\}")
	// traffic is a link to a host's port.
	traffic  = regexp.MustCompile(`\{\{\s*TRAFFIC_HOST(\d+)_(\d+)\s*\}\}/?`)
	selector = regexp.MustCompile(`\{\{\s*TRAFFIC_SELECTOR\s*\}\}`)
	heading  = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	image    = regexp.MustCompile(`!\[[^\]]*\]\(([^)\s]+)[^)]*\)`)
	htmlTag  = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>`)
	// setextOne underlines a level-1 heading, which would start a section.
	setextOne = regexp.MustCompile(`^ {0,3}=+\s*$`)
)

// converter turns the Markdown of one page into the body of a section.
type converter struct {
	file  string // the page's file, for the notes
	title string // the section's title: a first heading equal to it is dropped
	nodes int
	ns    *notes
	out   []string
}

// convertText converts a Killercoda page to the body of a section.
func convertText(src, file, title string, nodes int, ns *notes) string {
	c := &converter{file: file, title: title, nodes: nodes, ns: ns}
	lines := labs.SplitLines(src)
	first := true
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := fenceLine.FindStringSubmatch(l.Text); m != nil && !strings.HasPrefix(m[3], "{{") {
			i += c.fence(lines[i:], m)
			first = false
			continue
		}
		if first && labs.IsBlank(l.Text) {
			continue
		}
		if h := heading.FindStringSubmatch(l.Text); h != nil {
			text := h[2]
			if first && strings.EqualFold(strings.TrimSpace(text), strings.TrimSpace(title)) {
				first = false
				continue
			}
			c.out = append(c.out, strings.Repeat("#", min(len(h[1])+1, 4))+" "+text)
			first = false
			continue
		}
		first = false
		if labs.IsBlank(l.Text) && len(c.out) > 0 && c.out[len(c.out)-1] == "" {
			continue
		}
		if n := len(c.out); setextOne.MatchString(l.Text) && n > 0 && !labs.IsBlank(c.out[n-1]) {
			// Title over ===, a level-1 heading: a level down, as # is.
			c.out[n-1] = "## " + strings.TrimSpace(c.out[n-1])
			continue
		}
		c.line(l)
	}
	return strings.TrimSpace(strings.Join(c.out, "\n"))
}

// line converts a line of prose: inline actions, links to ports, images.
func (c *converter) line(l labs.Line) {
	text := l.Text
	whole := strings.TrimSpace(text)
	alone := whole != "" && inlineMarker.FindString(whole) == whole
	var runs []string
	text = inlineMarker.ReplaceAllStringFunc(text, func(s string) string {
		m := inlineMarker.FindStringSubmatch(s)
		if m[2] != "copy" {
			runs = append(runs, c.runFence(m[1], c.target(m[3], l.Num)))
		}
		return "`" + m[1] + "`"
	})
	if otherAction.MatchString(text) {
		c.ns.add(c.file, l.Num, "the {{%s}} action is not carried over; its code stays as text", otherAction.FindStringSubmatch(text)[2])
		text = otherAction.ReplaceAllString(text, "$1")
	}
	text = traffic.ReplaceAllStringFunc(text, func(s string) string {
		m := traffic.FindStringSubmatch(s)
		host, _ := strconv.Atoi(m[1])
		if host < 1 || host > c.nodes {
			c.ns.add(c.file, l.Num, "a link to port %s of host %d, which the lab does not have, points to node1", m[2], host)
			host = 1
		}
		return fmt.Sprintf("port:node%d:%s/", host, m[2])
	})
	text = bareTraffic(text)
	if selector.MatchString(text) {
		c.ns.add(c.file, l.Num, "{{TRAFFIC_SELECTOR}} became a sentence: ports open from the links above each terminal")
		text = selector.ReplaceAllString(text, "the ports listed above the terminal")
	}
	for _, m := range image.FindAllStringSubmatch(text, -1) {
		if !strings.HasPrefix(m[1], "http://") && !strings.HasPrefix(m[1], "https://") {
			c.ns.add(c.file, l.Num, "the image %s is not carried over: labs show no images, only a link", m[1])
		}
	}
	if htmlTag.MatchString(stripCode(text)) {
		c.ns.add(c.file, l.Num, "HTML is shown as text in a lab; rewrite it as Markdown")
	}
	if alone && len(runs) == 1 {
		// The line is the action alone: the run block stands for it.
		c.block(runs[0])
		return
	}
	c.out = append(c.out, text)
	for _, r := range runs {
		c.block(r)
	}
}

// block appends a fenced block with one blank line on each side.
func (c *converter) block(fenced string) {
	if n := len(c.out); n > 0 && c.out[n-1] != "" {
		c.out = append(c.out, "")
	}
	c.out = append(c.out, fenced, "")
}

// bareTraffic makes a port address written outside a link a link.
func bareTraffic(text string) string {
	var b strings.Builder
	rest := text
	for {
		i := strings.Index(rest, "port:node")
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		j := i + len("port:node")
		for j < len(rest) && rest[j] != ' ' && rest[j] != ')' && rest[j] != '\t' {
			j++
		}
		if i > 0 && rest[i-1] == '(' {
			b.WriteString(rest[:j])
		} else {
			addr := rest[i:j]
			b.WriteString(rest[:i] + "[" + strings.TrimSuffix(strings.TrimPrefix(addr, "port:"), "/") + "](" + addr + ")")
		}
		rest = rest[j:]
	}
}

// stripCode removes inline code from a line, for the HTML test.
func stripCode(s string) string {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 0 {
			b.WriteString(p)
		}
	}
	return b.String()
}

// fence converts a fenced block that starts at lines[0] (m is its opening
// line's match) and returns how many lines beyond the first it consumed.
func (c *converter) fence(lines []labs.Line, m []string) int {
	open := m[2]
	var body []string
	for i := 1; i < len(lines); i++ {
		cm := fenceLine.FindStringSubmatch(lines[i].Text)
		if cm == nil || cm[2][0] != open[0] || len(cm[2]) < len(open) {
			body = append(body, unindent(lines[i].Text, len(m[1])))
			continue
		}
		action := marker.FindStringSubmatch(cm[3])
		if cm[3] != "" && action == nil {
			body = append(body, unindent(lines[i].Text, len(m[1])))
			continue
		}
		code := strings.Join(body, "\n")
		switch {
		case action == nil || action[1] == "copy":
			c.block(fenceAround(code, m[3]))
		default:
			c.block(c.runFence(code, c.target(action[2], lines[0].Num)))
		}
		return i
	}
	c.ns.add(c.file, lines[0].Num, "a code block is never closed; it was closed at the end of the text")
	c.block(fenceAround(strings.Join(body, "\n"), m[3]))
	return len(lines) - 1
}

// unindent removes up to n leading spaces from a line of a fenced block,
// the indentation of its opening fence (in a list item, say).
func unindent(line string, n int) string {
	i := 0
	for i < n && i < len(line) && line[i] == ' ' {
		i++
	}
	return line[i:]
}

// target reads the options of an exec action: the node it runs on.
func (c *converter) target(opts string, line int) string {
	node := 1
	for _, o := range strings.Fields(opts) {
		lo := strings.ToLower(o)
		switch {
		case lo == "interrupt":
			c.ns.add(c.file, line, "{{exec interrupt}} sends Ctrl-C first in Killercoda; here the command is typed as it is")
		case strings.HasPrefix(lo, "host") || strings.HasPrefix(lo, "t"):
			n, err := strconv.Atoi(strings.TrimLeft(lo, "hostT"))
			if err != nil || n < 1 || n > c.nodes {
				c.ns.add(c.file, line, "the action's option %q names a terminal the lab does not have; it runs on node1", o)
				continue
			}
			node = n
		default:
			c.ns.add(c.file, line, "the action's option %q is not carried over", o)
		}
	}
	return "node" + strconv.Itoa(node)
}

// runFence writes a run block, or a plain code block for a command that a
// run block cannot hold (empty, or with {{name}}, which a lab reads as a
// value).
func (c *converter) runFence(code, node string) string {
	code = strings.TrimRight(code, "\n ")
	if strings.TrimSpace(code) == "" {
		return fenceAround(code, "")
	}
	if names := labs.Placeholders(code); len(names) > 0 {
		c.ns.add(c.file, 0, "a command with {{%s}} is shown as code without a Run button: a lab reads {{...}} in a run block as a value", names[0])
		return fenceAround(code, "")
	}
	return fenceAround(code, "run "+node)
}

// fenceAround writes code in a fenced block with the info string, with a
// fence longer than any run of backticks in the code.
func fenceAround(code, info string) string {
	return fenceFor(code) + info + "\n" + code + "\n" + fenceFor(code)
}

// fenceFor returns a run of backticks longer than any in code, at least 3.
func fenceFor(code string) string {
	n, run := 3, 0
	for _, r := range code {
		if r == '`' {
			run++
			n = max(n, run+1)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", n)
}
