package labs

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/labplay/playground/fault"
)

// Limits of quizzes.
const (
	maxChoices     = 10
	maxQuizText    = 2000 // bytes of a question, a choice or a feedback
	MaxAnswerBytes = 1000 // bytes of a free-text answer
)

// Quiz is a question of a section as the page receives it: never its
// answers. Question and Choices are HTML: the text escaped, with its
// `code` spans as <code>.
type Quiz struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Choices  []string `json:"choices,omitempty"`
	// Multiple is set when the learner may pick several choices
	// (checkboxes); otherwise exactly one (radio buttons).
	Multiple bool `json:"multiple,omitempty"`
	// Text is set for a free-text answer: the quiz has no choices.
	Text bool `json:"text,omitempty"`
}

// quizKey is what grades a quiz in one language. It never leaves the
// server.
type quizKey struct {
	right    []int    // the right choices, from 0, in order
	exact    []string // accepted free-text answers, normalized
	patterns []*regexp.Regexp
	feedback string // shown after a wrong answer, as plain text
}

// parsedQuiz is a quiz block of a language file, with its key.
type parsedQuiz struct {
	Quiz
	key  quizKey
	line int
}

// Answer is a learner's answer to a quiz: choices (from 0) or a text.
type Answer struct {
	Choices []int   `json:"choices"`
	Text    *string `json:"text"`
}

// quizChoice matches a choice line: "- [ ] text" or "- [x] text".
var quizChoice = regexp.MustCompile(`^[-*+]\s+\[([ xX])\]\s+(.*)$`)

// parseQuiz reads the body of a ```quiz ID [multiple] block that starts on
// line.
func (a *analyzer) parseQuiz(line int, words []string, raw string) parsedQuiz {
	q := parsedQuiz{line: line}
	if len(words) < 2 || len(words) > 3 || (len(words) == 3 && words[2] != "multiple") {
		a.p.add(line, "a quiz block is written ```quiz ID, or ```quiz ID multiple for checkboxes")
		return q
	}
	q.ID = words[1]
	q.Multiple = len(words) == 3
	if !ValidSlug(q.ID) {
		a.p.add(line, "quiz id %q must be 1 to 64 characters among a-z, 0-9 and -, not starting with -", q.ID)
	}
	var question, feedback []string
	var choices []string
	for i, text := range strings.Split(strings.TrimSuffix(raw, "\n"), "\n") {
		n := line + 1 + i
		text = strings.TrimSpace(text)
		m := quizChoice.FindStringSubmatch(text)
		switch {
		case text == "":
		case m != nil:
			if m[1] != " " {
				q.key.right = append(q.key.right, len(choices))
			}
			choices = append(choices, strings.TrimSpace(m[2]))
			if strings.TrimSpace(m[2]) == "" {
				a.p.add(n, "quiz choice is empty")
			}
		case strings.HasPrefix(text, "= "):
			q.key.exact = append(q.key.exact, normalizeAnswer(text[2:]))
		case strings.HasPrefix(text, "~ "):
			re, err := regexp.Compile(`^(?:` + strings.TrimSpace(text[2:]) + `)$`)
			if err != nil {
				a.p.add(n, "quiz pattern %q is not a valid regular expression (RE2 syntax): %v", text[2:], err)
				continue
			}
			q.key.patterns = append(q.key.patterns, re)
		case text == ">" || strings.HasPrefix(text, "> "):
			feedback = append(feedback, strings.TrimSpace(text[1:]))
		case len(choices) == 0 && len(q.key.exact)+len(q.key.patterns) == 0 && len(feedback) == 0:
			question = append(question, text)
		default:
			a.p.add(n, "a quiz holds its question, then choices (- [ ] wrong, - [x] right) or answers (= exact text, ~ pattern), then feedback (> text); this line is none of them")
		}
	}
	q.Question = inlineHTML(strings.Join(question, " "))
	q.key.feedback = strings.Join(feedback, " ")
	for _, c := range choices {
		q.Choices = append(q.Choices, inlineHTML(c))
	}
	answers := len(q.key.exact) + len(q.key.patterns)
	switch {
	case len(question) == 0:
		a.p.add(line, "quiz %s has no question: write it first in the block", q.ID)
	case len(choices) > 0 && answers > 0:
		a.p.add(line, "quiz %s has both choices and text answers: a quiz is one or the other", q.ID)
	case len(choices) == 0 && answers == 0:
		a.p.add(line, "quiz %s has no answers: list choices (- [x] right, - [ ] wrong) or text answers (= exact text, ~ pattern)", q.ID)
	case len(choices) == 1 || len(choices) > maxChoices:
		a.p.add(line, "quiz %s has %d choices: give 2 to %d", q.ID, len(choices), maxChoices)
	case len(choices) > 0 && len(q.key.right) == 0:
		a.p.add(line, "quiz %s has no right choice: mark the right ones - [x]", q.ID)
	case answers > 0 && q.Multiple:
		a.p.add(line, "quiz %s has text answers: multiple is for choices only", q.ID)
	}
	for _, s := range append(append([]string{q.key.feedback}, question...), choices...) {
		if len(s) > maxQuizText {
			a.p.add(line, "quiz %s: a question, choice or feedback is longer than %d bytes", q.ID, maxQuizText)
			break
		}
	}
	q.Text = len(choices) == 0
	if len(q.key.right) > 1 {
		q.Multiple = true
	}
	return q
}

// normalizeAnswer trims a text answer and turns each run of white space
// into one space.
func normalizeAnswer(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// inlineHTML escapes text and renders its `code` spans as <code>.
func inlineHTML(text string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '`')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i+1:], '`')
		if j < 0 {
			break
		}
		b.WriteString(html.EscapeString(text[:i]))
		b.WriteString("<code>" + html.EscapeString(text[i+1:i+1+j]) + "</code>")
		text = text[i+2+j:]
	}
	b.WriteString(html.EscapeString(text))
	return b.String()
}

// grade tells whether a is a right answer to the quiz keyed by k, which has
// n choices (0 for a free-text quiz). An answer of the wrong kind, or a
// choice out of range, is an EINVALID error.
func (k *quizKey) grade(n int, a Answer) (bool, error) {
	if n == 0 {
		if a.Text == nil || a.Choices != nil {
			return false, fault.Errorf(fault.EINVALID, `This quiz takes a text answer: {"text":"..."}.`)
		}
		if len(*a.Text) > MaxAnswerBytes || !utf8.ValidString(*a.Text) {
			return false, fault.Errorf(fault.EINVALID, "The answer is longer than %d bytes or not UTF-8 text.", MaxAnswerBytes)
		}
		text := normalizeAnswer(*a.Text)
		for _, e := range k.exact {
			if strings.EqualFold(e, text) {
				return true, nil
			}
		}
		for _, re := range k.patterns {
			if re.MatchString(text) {
				return true, nil
			}
		}
		return false, nil
	}
	if a.Text != nil {
		return false, fault.Errorf(fault.EINVALID, `This quiz takes choices: {"choices":[0, 2]}.`)
	}
	picked := slices.Clone(a.Choices)
	slices.Sort(picked)
	picked = slices.Compact(picked)
	for _, c := range picked {
		if c < 0 || c >= n {
			return false, fault.Errorf(fault.EINVALID, "Choice %d does not exist: the quiz has choices 0 to %d.", c, n-1)
		}
	}
	return slices.Equal(picked, k.right), nil
}

// Grade grades an answer to quiz id in lang (the default language when
// empty): whether it is right, and the feedback for a wrong one. An
// unknown quiz is an ENOTFOUND error; an answer of the wrong kind an
// EINVALID one.
func (l *Lab) Grade(lang, id string, a Answer) (correct bool, feedback string, err error) {
	keys, ok := l.quizKeys[lang]
	if !ok {
		keys = l.quizKeys[l.Langs[0]]
	}
	q, ok := keys[id]
	if !ok {
		return false, "", fault.Errorf(fault.ENOTFOUND, "The lab has no quiz %q.", id)
	}
	correct, err = q.key.grade(len(q.Choices), a)
	if err != nil || correct {
		return correct, "", err
	}
	return false, q.key.feedback, nil
}

// QuizSection returns the id of the section that holds quiz id.
func (l *Lab) QuizSection(id string) (string, bool) {
	for _, s := range l.sections {
		if slices.Contains(s.Quizzes, id) {
			return s.ID, true
		}
	}
	return "", false
}

// Quizzes returns the ids of the quizzes of a section, in order.
func (l *Lab) Quizzes(section string) []string {
	s, _ := l.Section(section)
	return slices.Clone(s.Quizzes)
}

// compareQuizzes reports where the quizzes of section s in a language
// differ from those of the default language: every language has the same
// quizzes, with the same choices right. Feedback, questions and the texts
// of free-text answers are the language's own.
func compareQuizzes(id string, got, want []parsedQuiz, line int, defFile string, p problems) {
	if len(got) != len(want) {
		p.add(line, "section %q has %d quizzes here but %d in %s", id, len(got), len(want), defFile)
		return
	}
	for i, q := range got {
		d := want[i]
		switch {
		case q.ID != d.ID:
			p.add(q.line, "quiz %d of section %q is %s here but %s in %s: quizzes come in the same order in every language", i+1, id, q.ID, d.ID, defFile)
		case q.Text != d.Text:
			p.add(q.line, "quiz %s takes %s here but not in %s", q.ID, map[bool]string{true: "a text answer", false: "choices"}[q.Text], defFile)
		case len(q.Choices) != len(d.Choices):
			p.add(q.line, "quiz %s has %d choices here but %d in %s", q.ID, len(q.Choices), len(d.Choices), defFile)
		case !slices.Equal(q.key.right, d.key.right) || q.Multiple != d.Multiple:
			p.add(q.line, "quiz %s has other right choices here than in %s: the same choices are right in every language", q.ID, defFile)
		}
	}
}

// indexQuizzes fills the quiz tables of a lab that passed lint.
func (l *Lab) indexQuizzes(texts map[string]*text) {
	l.quizKeys = map[string]map[string]parsedQuiz{}
	for lang, t := range texts {
		keys := map[string]parsedQuiz{}
		for _, s := range t.sections {
			for _, q := range s.quizzes {
				keys[q.ID] = q
			}
		}
		l.quizKeys[lang] = keys
	}
	for i := range l.sections {
		for _, q := range texts[l.Langs[0]].sections[i].quizzes {
			l.sections[i].Quizzes = append(l.sections[i].Quizzes, q.ID)
		}
	}
}
