package pwdimport

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/labplay/playground/labs"
)

// The training posts write a quiz as a kramdown attribute list, a question
// and a list of choices, the right ones marked:
//
//	{:.quiz}
//	Which command lists your Docker images?
//
//	- (x) docker image ls
//	- ( ) docker run
//
// ( ) items are radio buttons and [ ] items checkboxes. Each becomes a
// ```quiz block of the lab, with the same choices right.

// quizItem matches a choice of a quiz: its mark and its text.
var quizItem = regexp.MustCompile(`^[ \t]*[-*+][ \t]+(\([ xX]?\)|\[[ xX]?\])[ \t]+(.*\S)[ \t]*$`)

// maxQuizChoices is the most choices a lab's quiz holds.
const maxQuizChoices = 10

// pendingQuiz is a quiz of the post being read.
type pendingQuiz struct {
	line     int         // the line of {:.quiz}
	lines    []labs.Line // the lines read since, as they are
	question []labs.Line
	choices  []quizChoice
}

// quizChoice is one choice of a quiz, as read.
type quizChoice struct {
	text     string
	right    bool
	checkbox bool
	line     int
}

// isQuizIAL reports whether an attribute list marks a quiz.
func isQuizIAL(ial string) bool {
	for _, f := range strings.Fields(strings.Trim(ial, "{:}")) {
		if f == ".quiz" {
			return true
		}
	}
	return false
}

// quizLine reads line l of a quiz being collected. It returns false when
// the quiz ended before l, which is then the converter's to read.
func (c *converter) quizLine(l labs.Line) bool {
	q := c.quiz
	if m := quizItem.FindStringSubmatch(l.Text); m != nil {
		q.lines = append(q.lines, l)
		q.choices = append(q.choices, quizChoice{text: m[2], right: strings.ContainsAny(m[1], "xX"),
			checkbox: m[1][0] == '[', line: l.Num})
		return true
	}
	if len(q.choices) > 0 {
		c.endQuiz()
		return false
	}
	if labs.IsBlank(l.Text) {
		q.lines = append(q.lines, l)
		return true
	}
	if headingPattern.MatchString(l.Text) || fencePattern.MatchString(l.Text) || ialLine.MatchString(l.Text) {
		c.endQuiz()
		return false
	}
	q.lines = append(q.lines, l)
	q.question = append(q.question, l)
	return true
}

// endQuiz writes the quiz being collected as a quiz block, or, when it
// cannot be one, as the text it was, with a note that says why.
func (c *converter) endQuiz() {
	q := c.quiz
	c.quiz = nil
	if q == nil {
		return
	}
	why := quizProblem(q)
	if why != "" {
		c.ns.add(q.line, "the quiz {:.quiz} was kept as text: %s", why)
		for _, l := range q.lines {
			c.text(l)
		}
		return
	}
	c.quizzes++
	id := fmt.Sprintf("quiz-%d", c.quizzes)
	info := "quiz " + id
	if q.choices[0].checkbox {
		info += " multiple"
	}
	texts := make([]string, len(q.question))
	nums := make(lineNums, len(q.question))
	for i, l := range q.question {
		texts[i], nums[i] = strings.TrimSpace(l.Text), l.Num
	}
	question := strings.Join(strings.Fields(c.inline(strings.Join(texts, "\n"), nums)), " ")
	if question == "" {
		c.ns.add(q.line, "the quiz {:.quiz} was kept as text: its question is empty once converted")
		for _, l := range q.lines {
			c.text(l)
		}
		return
	}
	c.flush()
	sec := c.current()
	if n := len(sec.lines); n > 0 && !labs.IsBlank(sec.lines[n-1]) {
		c.emit("")
	}
	c.emit("```" + info)
	c.emit(question)
	c.emit("")
	for _, ch := range q.choices {
		mark := "[ ]"
		if ch.right {
			mark = "[x]"
		}
		text := strings.Join(strings.Fields(c.inline(ch.text, lineNums{ch.line})), " ")
		c.emit("- " + mark + " " + text)
	}
	c.emit("```")
	c.emit("")
}

// quizProblem says why a quiz of the post cannot be a quiz of the lab, or
// returns "".
func quizProblem(q *pendingQuiz) string {
	right, boxes := 0, 0
	for _, ch := range q.choices {
		if ch.right {
			right++
		}
		if ch.checkbox {
			boxes++
		}
		if strings.Contains(ch.text, "```") || strings.Contains(ch.text, "~~~") {
			return "a choice holds a code fence"
		}
	}
	switch {
	case len(q.question) == 0:
		return "it has no question before its choices"
	case len(q.choices) < 2:
		return fmt.Sprintf("it has %d choice; a quiz needs 2 to %d", len(q.choices), maxQuizChoices)
	case len(q.choices) > maxQuizChoices:
		return fmt.Sprintf("it has %d choices; a quiz holds at most %d", len(q.choices), maxQuizChoices)
	case right == 0:
		return "no choice is marked right, (x) or [x]"
	case boxes != 0 && boxes != len(q.choices):
		return "it mixes ( ) and [ ] choices"
	case right > 1 && boxes == 0:
		return "several ( ) choices are marked right, which radio buttons cannot give"
	}
	for _, l := range q.question {
		if fencePattern.MatchString(l.Text) || strings.HasPrefix(strings.TrimSpace(l.Text), ">") {
			return "its question is more than a paragraph"
		}
	}
	return ""
}
