package labs

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits on the timeouts of checks and values.
const (
	DefaultTimeout = 10 * time.Second
	MinTimeout     = time.Second
	MaxTimeout     = 2 * time.Minute
)

var (
	langPattern  = regexp.MustCompile(`^[a-z]{2,3}(-[a-zA-Z0-9]{2,8})?$`)
	nodePattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	imagePattern = regexp.MustCompile(`^[a-z0-9][a-zA-Z0-9._/:@-]*$`)
	valuePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// metaKeys are the front matter keys of lab.md.
var metaKeys = []string{"slug", "title", "languages", "nodes", "images", "level", "minutes"}

// Levels are the values of a lab's level:, from the easiest.
var Levels = []string{"beginner", "intermediate", "advanced"}

// MaxMinutes bounds a lab's minutes: (its estimated time).
const MaxMinutes = 600

// meta is what lab.md holds.
type meta struct {
	slug, title          string
	level                string
	minutes              int
	slugLine, langsLine  int
	langs, nodes, images []string
	checks               []Check
	setups               []Setup
	values               []Value
}

// parseMeta parses the text of lab.md.
func parseMeta(src string, p problems) *meta {
	m := &meta{}
	lines := SplitLines(src)
	fields, body, ok := parseFrontMatter(lines, p, metaKeys)
	if !ok {
		p.add(1, "lab.md must start with a front matter: a line ---, the lines slug:, title:, languages:, nodes: and images:, and a line ---")
		return m
	}
	at := func(key string) int {
		if f, ok := fields[key]; ok {
			return f.line
		}
		return 1
	}
	m.slug, m.slugLine = fields["slug"].value, at("slug")
	if !ValidSlug(m.slug) {
		p.add(at("slug"), "slug must be 1 to 64 characters among a-z, 0-9 and -, as in slug: docker-orchestration")
	}
	m.title = fields["title"].value
	if m.title == "" {
		p.add(at("title"), "title is missing or empty")
	}
	m.langsLine = at("languages")
	m.langs = checkList(p, m.langsLine, "languages", fields["languages"].value, langPattern, "language codes such as en or fr", true)
	m.nodes = checkList(p, at("nodes"), "nodes", fields["nodes"].value, nodePattern, "node names such as node1", true)
	checkNodeCount(p, at("nodes"), m.nodes)
	m.images = checkList(p, at("images"), "images", fields["images"].value, imagePattern, "image references such as alpine:3.20", false)
	m.level = checkLevel(p, at("level"), fields["level"].value)
	m.minutes = checkMinutes(p, at("minutes"), fields["minutes"].value)
	m.parseBody(body, p)
	return m
}

// checkLevel validates the optional level: field, one of Levels.
func checkLevel(p problems, n int, value string) string {
	if value == "" || slices.Contains(Levels, value) {
		return value
	}
	p.add(n, "level: %q is not a level; write one of %s", value, strings.Join(Levels, ", "))
	return ""
}

// checkMinutes validates the optional minutes: field, the time a learner
// needs, a whole number of minutes from 1 to MaxMinutes.
func checkMinutes(p problems, n int, value string) int {
	if value == "" {
		return 0
	}
	m, err := strconv.Atoi(value)
	if err != nil || m < 1 || m > MaxMinutes {
		p.add(n, "minutes: %q must be the lab's estimated time, a whole number of minutes from 1 to %d, as in minutes: 20", value, MaxMinutes)
		return 0
	}
	return m
}

// MaxNodes is the most nodes a lab may declare.
const MaxNodes = 5

// checkNodeCount requires node1 to nodeN in order, N from 1 to MaxNodes:
// a lab's session gets exactly those nodes.
func checkNodeCount(p problems, n int, nodes []string) {
	if len(nodes) == 0 {
		return
	}
	for i, name := range nodes {
		if name != "node"+strconv.Itoa(i+1) || i >= MaxNodes {
			p.add(n, "nodes: list node1 to nodeN in order, N from 1 to %d (the lab's session gets exactly those nodes), as in nodes: node1 node2 node3", MaxNodes)
			return
		}
	}
}

// checkList splits and validates a list-valued front matter field.
func checkList(p problems, n int, key, value string, pattern *regexp.Regexp, what string, required bool) []string {
	items := listValue(value)
	if required && len(items) == 0 {
		p.add(n, "%s is missing or empty: list %s", key, what)
	}
	seen := map[string]bool{}
	for _, item := range items {
		if !pattern.MatchString(item) {
			p.add(n, "%s: %q is not valid; list %s", key, item, what)
		}
		if seen[item] {
			p.add(n, "%s: %q is listed twice", key, item)
		}
		seen[item] = true
	}
	return items
}

// parseBody reads the check and value blocks of lab.md. Text outside fenced
// blocks is for the instructors and is ignored.
func (m *meta) parseBody(lines []Line, p problems) {
	nodes := map[string]bool{}
	for _, n := range m.nodes {
		nodes[n] = true
	}
	seen := map[string]int{}
	for i := 0; i < len(lines); i++ {
		f, ok := fenceOpen(lines[i].Text)
		if !ok {
			continue
		}
		num := lines[i].Num
		script, n, closed := f.read(lines[i+1:])
		i += n
		if !closed {
			p.add(num, "code block is never closed: add a line with %s after it", f.marker)
		}
		words := strings.Fields(f.info)
		kind := ""
		if len(words) > 0 {
			kind = words[0]
		}
		if kind != "check" && kind != "value" && kind != "setup" {
			p.add(num, "lab.md holds only check, value and setup blocks (```check SECTION NODE, ```value NAME NODE or ```setup SECTION NODE), not %q", f.info)
			continue
		}
		if len(words) < 3 {
			if kind == "setup" {
				p.add(num, "a setup block is written ```setup SECTION NODE, optionally followed by timeout=2m, or ```setup SECTION NODE terminal")
				continue
			}
			p.add(num, "a %s block is written ```%s %s NODE, optionally followed by timeout=20s", kind, kind, map[string]string{"check": "SECTION", "value": "NAME"}[kind])
			continue
		}
		if kind == "setup" {
			if s, ok := parseSetup(words, script, num, p); ok {
				if !nodes[s.Node] && len(nodes) > 0 {
					p.add(num, "setup block names node %q, which is not among the lab's nodes (%s)", s.Node, strings.Join(m.nodes, ", "))
				}
				m.setups = append(m.setups, s)
			}
			continue
		}
		timeout := parseOptions(words[3:], num, p)
		if !nodes[words[2]] && len(nodes) > 0 {
			p.add(num, "%s block names node %q, which is not among the lab's nodes (%s)", kind, words[2], strings.Join(m.nodes, ", "))
		}
		if strings.TrimSpace(script) == "" {
			p.add(num, "%s block has an empty script", kind)
		}
		if kind == "check" {
			m.checks = append(m.checks, Check{Section: words[1], Node: words[2], Script: script, Timeout: timeout, line: num})
			continue
		}
		name := words[1]
		if !valuePattern.MatchString(name) {
			p.add(num, "value name %q must start with a-z and hold only a-z, 0-9 and _", name)
		} else if templateWords[name] {
			p.add(num, "value name %q is a word of Go templates ({{%s}} in a command stays the template's); choose another", name, name)
		}
		if first, dup := seen[name]; dup {
			p.add(num, "value %q is already defined on line %d", name, first)
		}
		seen[name] = num
		m.values = append(m.values, Value{Name: name, Node: words[2], Script: script, Timeout: timeout, line: num})
	}
}

// parseOptions reads the options after a check or value header; the only
// option is timeout=DURATION.
func parseOptions(words []string, num int, p problems) time.Duration {
	timeout := DefaultTimeout
	for _, w := range words {
		key, value, _ := strings.Cut(w, "=")
		if key != "timeout" {
			p.add(num, "unknown option %q; the only option is timeout=20s", w)
			continue
		}
		d, err := time.ParseDuration(value)
		if err != nil || d < MinTimeout || d > MaxTimeout {
			p.add(num, "timeout %q must be a duration from %v to %v, such as 20s", value, MinTimeout, MaxTimeout)
			continue
		}
		timeout = d
	}
	return timeout
}

// parseSetup reads a setup block: its header words (setup SECTION NODE and
// options: timeout=DURATION for a hidden setup, or the word terminal) and
// its script.
func parseSetup(words []string, script string, num int, p problems) (Setup, bool) {
	s := Setup{Section: words[1], Node: words[2], Script: script, Timeout: DefaultSetupTimeout, line: num}
	ok := true
	for _, w := range words[3:] {
		key, value, _ := strings.Cut(w, "=")
		switch {
		case w == "terminal":
			s.Terminal = true
		case key == "timeout":
			d, err := time.ParseDuration(value)
			if err != nil || d < MinTimeout || d > MaxSetupTimeout {
				p.add(num, "timeout %q must be a duration from %v to %v, such as 2m", value, MinTimeout, MaxSetupTimeout)
				ok = false
				continue
			}
			s.Timeout = d
		default:
			p.add(num, "unknown option %q; a setup block takes timeout=2m, or the word terminal", w)
			ok = false
		}
	}
	if s.Terminal && s.Timeout != DefaultSetupTimeout {
		p.add(num, "a terminal setup is typed into the learner's terminal and has no timeout; remove timeout=")
		ok = false
	}
	if s.Terminal {
		s.Timeout = 0
	}
	if strings.TrimSpace(script) == "" {
		p.add(num, "setup block has an empty script")
		ok = false
	}
	return s, ok
}
