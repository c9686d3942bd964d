package labs

import (
	"slices"
	"strings"
	"time"

	"github.com/labplay/playground/fault"
)

// Lab is a lab that passed lint: its metadata, its text rendered in every
// language, and the checks and values the server runs on the nodes.
type Lab struct {
	Slug   string   `json:"slug"`
	Title  string   `json:"title"`  // the title in the default language
	Langs  []string `json:"langs"`  // the languages, the default first
	Nodes  []string `json:"nodes"`  // the nodes the lab uses, such as node1
	Images []string `json:"images"` // the images the nodes need
	// Level is beginner, intermediate or advanced (one of Levels), or
	// empty when lab.md does not say.
	Level string `json:"level,omitempty"`
	// Minutes is the estimated time to go through the lab, or 0 when
	// lab.md does not say.
	Minutes int `json:"minutes,omitempty"`

	dir      string
	version  string // a hash of the lab's files, see Version
	sections []Section
	rendered map[string]*Rendered
	checks   map[string][]Check
	setups   map[string][]Setup
	values   map[string]Value
	blocks   map[string]RunBlock
	quizKeys map[string]map[string]parsedQuiz // by language, then quiz id
}

// Section is a section of a lab, independent of the language.
type Section struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"` // in the default language, as plain text
	Blocks   []RunBlock `json:"blocks"`
	HasCheck bool       `json:"has_check"` // false: the learner marks it done
	// HasSetup tells that the section has setups (see Setup): the page
	// opens it through the server before the learner works on it.
	HasSetup bool `json:"has_setup,omitempty"`
	// Quizzes are the ids of the section's quizzes, which the learner
	// answers right for the section to be done.
	Quizzes []string `json:"quizzes,omitempty"`
}

// RunBlock is a block that the learner runs on a node with one click: a
// run block, which types a command into the node's terminal, or a file
// block, which writes a file on the node.
type RunBlock struct {
	// ID is "<section id>-<n>", n counting the run and file blocks of the
	// section together from 1; it is the same in every language.
	ID   string `json:"id"`
	Node string `json:"node"`
	// Command is, for a run block, the text typed into the node's
	// terminal, with its {{name}} placeholders not yet replaced by values.
	// For a file block, it is the exact content of the file: no
	// placeholder is replaced, and it ends with one line break unless it
	// is empty.
	Command string `json:"command"`
	// Path is set for a file block only: the file to write, absolute or
	// relative to the node's home, /root. Lint guarantees that it has no
	// ".." segment, no line break and at most 4096 bytes.
	Path string `json:"path,omitempty"`
}

// Check tells whether a section is done: Script runs with sh on Node, and
// the section is done when it exits with status 0. When it fails, its
// output is the hint shown to the learner. Checks are never sent to clients.
type Check struct {
	Section string
	Node    string
	Script  string
	Timeout time.Duration

	line int // line of the block in lab.md
}

// Value is a value from the live session that run blocks use through a
// {{name}} placeholder: Script runs with sh on Node when a block is clicked,
// and its trimmed standard output replaces the placeholder. A value whose
// script fails or prints nothing cannot be resolved; its output then tells
// the learner why.
type Value struct {
	Name    string
	Node    string
	Script  string
	Timeout time.Duration

	line int // line of the block in lab.md
}

// Version names the lab's text as loaded: a hash of its files, which
// changes whenever one of them does.
func (l *Lab) Version() string {
	return l.version
}

// Lang returns lang if the lab is written in it, or the default language
// when lang is empty. An unknown language is an EINVALID error.
func (l *Lab) Lang(lang string) (string, error) {
	if lang == "" {
		return l.Langs[0], nil
	}
	if _, ok := l.rendered[lang]; !ok {
		return "", fault.Errorf(fault.EINVALID, "The lab %q is not available in %q (languages: %s).",
			l.Slug, lang, strings.Join(l.Langs, ", "))
	}
	return lang, nil
}

// Render returns the lab in lang, or in its default language when lang is
// empty. An unknown language is an EINVALID error.
func (l *Lab) Render(lang string) (*Rendered, error) {
	lang, err := l.Lang(lang)
	if err != nil {
		return nil, err
	}
	return l.rendered[lang].clone(), nil
}

// Sections returns the sections of the lab in order.
func (l *Lab) Sections() []Section {
	out := make([]Section, len(l.sections))
	for i, s := range l.sections {
		s.Blocks = slices.Clone(s.Blocks)
		s.Quizzes = slices.Clone(s.Quizzes)
		out[i] = s
	}
	return out
}

// SectionIDs returns the ids of the sections, in order.
func (l *Lab) SectionIDs() []string {
	ids := make([]string, len(l.sections))
	for i, s := range l.sections {
		ids[i] = s.ID
	}
	return ids
}

// HasSection reports whether the lab has a section with the given id.
func (l *Lab) HasSection(id string) bool {
	_, ok := l.Section(id)
	return ok
}

// SectionTitles maps each section id to its title, as plain text, in lang;
// an empty or unknown lang gives the titles of the default language.
func (l *Lab) SectionTitles(lang string) map[string]string {
	r, ok := l.rendered[lang]
	if !ok {
		r = l.rendered[l.Langs[0]]
	}
	titles := make(map[string]string, len(r.Sections))
	for _, s := range r.Sections {
		titles[s.ID] = s.Title
	}
	return titles
}

// Section returns the section with the given id.
func (l *Lab) Section(id string) (Section, bool) {
	for _, s := range l.sections {
		if s.ID == id {
			s.Blocks = slices.Clone(s.Blocks)
			return s, true
		}
	}
	return Section{}, false
}

// Checks returns the checks of a section, in the order of lab.md. The
// section is done when all of them pass; a section without checks is done
// when the learner says so.
func (l *Lab) Checks(sectionID string) []Check {
	return slices.Clone(l.checks[sectionID])
}

// Check returns the first check of a section. Sections may have several
// checks, on different nodes; use Checks to run them all.
func (l *Lab) Check(sectionID string) (*Check, bool) {
	cs := l.checks[sectionID]
	if len(cs) == 0 {
		return nil, false
	}
	c := cs[0]
	return &c, true
}

// Block returns the run block with the given id.
func (l *Lab) Block(id string) (RunBlock, bool) {
	b, ok := l.blocks[id]
	return b, ok
}

// Value returns the value with the given name.
func (l *Lab) Value(name string) (Value, bool) {
	v, ok := l.values[name]
	return v, ok
}

// Placeholders returns the names of the values that command uses, each
// once, in the order they first appear. Lint guarantees that every name a
// run block uses is a value of the lab; file blocks use none, since their
// content is written as it is.
func (l *Lab) Placeholders(command string) []string {
	return Placeholders(command)
}
