package pwdimport

import (
	"fmt"
	"regexp"
	"strings"
)

// Check is a check that the conversion inferred from what a section's
// commands do, written into lab.md as a check block.
type Check struct {
	Section string // the id of the section it checks
	Node    string // the node it runs on, where the command ran
	Line    int    // the line of the post where the command's block opens
	Command string // the command it comes from, its first line as written
	// NotDone is a POSIX sh condition that holds while the section's
	// commands have not run: the check fails when it holds.
	NotDone string
	// Hint is what the check prints when it fails, on one line.
	Hint string
}

// Script returns the check's script, which starts with a comment that
// marks it as inferred and names the command it comes from.
func (c Check) Script() string {
	return fmt.Sprintf("# Inferred by lab import-pwd from the block at line %d of the post:\n#   %s\nif %s; then\n  echo %s\n  exit 1\nfi",
		c.Line, c.Command, c.NotDone, shellQuote(c.Hint))
}

// fact is a piece of state that a command leaves on a node: an object
// that exists, is running or is gone, a count of replicas, a port that
// answers. A later command about the same key replaces it.
type fact struct {
	key     string // what the fact is about, such as "volume notes"
	state   string // what the command made of it, such as "exists"
	notDone string // the shell condition that holds until the fact does
	hint    string // what is missing, in words, for the learner
	// prior is set for a state that is also how things are before anyone
	// does anything (gone, stopped, not in a swarm): a check of it is
	// only written when an earlier section is known to have left the key
	// in another state, else it could pass before its section's commands.
	prior bool
	// from, when set, is the only state before the section from which a
	// check of the fact is written: a container is only known to be
	// stopped by docker stop when it was known to be running.
	from string
}

// pending is a fact of the section being read, with where it comes from.
type pending struct {
	fact
	line    int
	command string
	verb    string // the command's first words, for the hint
}

// nodeState is what inference knows of one node.
type nodeState struct {
	name   string
	known  map[string]string // key → state, as earlier sections left it
	dir    string            // the shell's working folder; "" when unknown
	inside bool              // the shell is in a container's shell
	// ports maps a container or service to the port keys it publishes.
	ports map[string][]string
}

// inferrer infers the checks of a lab's sections, in order.
type inferrer struct {
	nodes map[int]*nodeState
	// section's facts, by node and key, in the order of their first
	// command.
	facts map[int]map[string]*pending
	order []nodeKey
}

// nodeKey names a fact of the section being read.
type nodeKey struct {
	node int
	key  string
}

// inferChecks returns the checks inferred from the run blocks of the
// sections, and the ids of the sections for which none was.
func inferChecks(sections []*section, blocks []codeBlock) (checks []Check, without []string) {
	inf := &inferrer{nodes: map[int]*nodeState{}}
	for _, s := range sections {
		inf.facts, inf.order = map[int]map[string]*pending{}, nil
		for _, b := range blocks {
			if b.sec != s || b.node < 1 {
				continue
			}
			ns := inf.node(b.node)
			for _, c := range blockCommands(b.content) {
				for _, f := range ns.command(c) {
					inf.add(b.node, pending{fact: f, line: b.line, command: c.text, verb: verbOf(c)})
				}
			}
		}
		n := len(checks)
		checks = append(checks, inf.finish(s.id)...)
		if len(checks) == n {
			without = append(without, s.id)
		}
	}
	return checks, without
}

// node returns the state of node n, made on first use: its shell starts in
// /root.
func (inf *inferrer) node(n int) *nodeState {
	ns := inf.nodes[n]
	if ns == nil {
		ns = &nodeState{name: fmt.Sprintf("node%d", n), known: map[string]string{}, dir: "/root", ports: map[string][]string{}}
		inf.nodes[n] = ns
	}
	return ns
}

// add records a fact of the section, replacing an earlier one on the same
// key of the same node.
func (inf *inferrer) add(node int, p pending) {
	m := inf.facts[node]
	if m == nil {
		m = map[string]*pending{}
		inf.facts[node] = m
	}
	if _, ok := m[p.key]; !ok {
		inf.order = append(inf.order, nodeKey{node, p.key})
	}
	m[p.key] = &p
}

// finish returns the checks of the section's final facts that fail before
// its commands, as far as inference knows, and records the facts as the
// nodes' state for the sections after it.
func (inf *inferrer) finish(sectionID string) []Check {
	var out []Check
	for _, nk := range inf.order {
		p := inf.facts[nk.node][nk.key]
		ns := inf.nodes[nk.node]
		before, known := ns.known[p.key]
		ns.known[p.key] = p.state
		if before == p.state || (p.prior && !known) || (p.from != "" && before != p.from) || covered(p, inf.facts[nk.node]) {
			continue
		}
		out = append(out, Check{
			Section: sectionID, Node: ns.name, Line: p.line, Command: p.command, NotDone: p.notDone,
			Hint: fmt.Sprintf("%s Run %s on %s.", p.hint, p.verb, ns.name),
		})
	}
	return out
}

// verbOf returns the words that name what a command does, such as
// "docker volume create", for a hint.
func verbOf(c simpleCmd) string {
	var words []string
	for len(c.words) > 1 && c.words[0].text == "sudo" {
		c.words = c.words[1:]
	}
	for _, w := range c.words {
		if strings.HasPrefix(w.text, "-") || !w.literal || len(words) == 3 {
			break
		}
		words = append(words, w.text)
		if len(words) == 2 && !dockerGroups[words[1]] {
			break
		}
	}
	if len(words) > 0 && words[0] != "docker" {
		words = words[:1]
	}
	return "the " + strings.Join(words, " ") + " command of this section"
}

// command returns the facts that the simple command c leaves on the node,
// and follows the shell's working folder and whether it is inside a
// container's shell.
func (ns *nodeState) command(c simpleCmd) []fact {
	words := c.words
	for len(words) > 0 && words[0].literal && (words[0].text == "sudo" || words[0].text == "time" || isAssignment(words[0].text)) {
		words = words[1:]
	}
	if len(words) == 0 || !words[0].literal {
		return nil
	}
	if ns.inside {
		if words[0].text == "exit" || words[0].text == "logout" {
			ns.inside = false
		}
		return nil
	}
	var facts []fact
	for _, w := range c.writes {
		facts = append(facts, ns.fileFact(w, false)...)
	}
	switch name := words[0].text; {
	case name == "docker" || strings.HasSuffix(name, "/docker"):
		facts = append(facts, ns.docker(words[1:])...)
	case name == "cd":
		ns.cd(words[1:])
	case name == "touch" || name == "tee":
		for _, w := range words[1:] {
			if !strings.HasPrefix(w.text, "-") {
				facts = append(facts, ns.fileFact(w, false)...)
			}
		}
	case name == "docker-compose":
		facts = append(facts, ns.compose(words[1:])...)
	case name == "git" && len(words) > 1 && words[1].text == "clone":
		facts = append(facts, ns.gitClone(words[2:])...)
	case name == "mkdir":
		for _, w := range words[1:] {
			if !strings.HasPrefix(w.text, "-") {
				facts = append(facts, ns.fileFact(w, true)...)
			}
		}
	case name == "rm" || name == "rmdir":
		for _, w := range words[1:] {
			if !strings.HasPrefix(w.text, "-") {
				facts = append(facts, ns.goneFile(w)...)
			}
		}
	}
	return facts
}

// isAssignment reports whether s is an assignment before a command, X=y.
func isAssignment(s string) bool {
	name, _, ok := strings.Cut(s, "=")
	return ok && name != "" && namePattern.MatchString(name) && !strings.ContainsAny(name, ".-")
}

// shellQuote quotes s for sh, in single quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellWord returns s as a word of sh: as it is when it holds only
// characters that need no quotes, else in single quotes.
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return shellQuote(s)
}

// plainWord matches a word that sh reads as it is.
var plainWord = regexp.MustCompile(`^[A-Za-z0-9_./:@%+,-]+$`)
