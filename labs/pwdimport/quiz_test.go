package pwdimport

import (
	"strings"
	"testing"

	"github.com/labplay/playground/labs"
)

// The {:.quiz} lists of a post become quizzes, graded by their marks; the
// ones that cannot be quizzes stay as text, each with a note.
func TestQuizImport(t *testing.T) {
	r := convertFile(t, "2017-05-03-images-quiz.md")
	lab := lintResult(t, r)
	if r.Quizzes != 2 {
		t.Errorf("%d quizzes converted, want 2", r.Quizzes)
	}
	if got := lab.Quizzes("pull-an-image"); len(got) != 1 || got[0] != "quiz-1" {
		t.Fatalf("quizzes of pull-an-image: %v", got)
	}
	if got := lab.Quizzes("list-them"); len(got) != 1 || got[0] != "quiz-2" {
		t.Fatalf("quizzes of list-them: %v", got)
	}
	rd, err := lab.Render("")
	if err != nil {
		t.Fatal(err)
	}
	q1, q2 := rd.Sections[1].Quizzes[0], rd.Sections[2].Quizzes[0]
	if q1.Multiple || len(q1.Choices) != 3 || q1.Question != "Where do images get pulled from by default when not found locally?" {
		t.Errorf("quiz-1: %+v", q1)
	}
	if !q2.Multiple || len(q2.Choices) != 3 || q2.Choices[1] != "<code>docker images</code>" {
		t.Errorf("quiz-2: %+v", q2)
	}
	for _, tc := range []struct {
		quiz    string
		choices []int
		right   bool
	}{
		{"quiz-1", []int{1}, true},
		{"quiz-1", []int{0}, false},
		{"quiz-2", []int{0, 1}, true},
		{"quiz-2", []int{0}, false},
	} {
		if right, _, err := lab.Grade("en", tc.quiz, labs.Answer{Choices: tc.choices}); err != nil || right != tc.right {
			t.Errorf("%s %v: %v %v, want %v", tc.quiz, tc.choices, right, err, tc.right)
		}
	}
	en := string(r.Files["en.md"])
	wantLacks(t, "en.md", en, "{:.quiz}", "- (x) Docker Hub")
	// Not quizzes: kept as text, the notes say why.
	wantContains(t, "en.md", en, "Which of these is not an image?\n- ( ) alpine", "- (x) this one\n- (x) that one")
	var notes []string
	for _, n := range r.Notes {
		if strings.Contains(n.Text, "quiz") {
			notes = append(notes, n.String())
		}
	}
	want := []string{
		"line 37: the quiz {:.quiz} was kept as text: no choice is marked right, (x) or [x]",
		"line 42: the quiz {:.quiz} was kept as text: several ( ) choices are marked right, which radio buttons cannot give",
	}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("quiz notes:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
}
