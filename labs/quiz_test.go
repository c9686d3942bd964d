package labs

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labplay/playground/fault"
)

const quizEN = "\n```quiz flag\nWhich flag publishes a port, as in `-p 8080:80`?\n\n- [ ] `-v`\n- [x] `-p`\n- [ ] `--name`\n\n> No: `-p HOST:CONTAINER` publishes.\n```\n\n" +
	"```quiz cmd\nWhich command lists the images?\n\n= docker images\n~ docker\\s+image\\s+(ls|list)\n\n> Try docker images.\n```\n"

const quizFR = "\n```quiz flag\nQuelle option publie un port ?\n\n- [ ] `-v`\n- [x] `-p`\n- [ ] `--name`\n\n> Non : `-p` publie.\n```\n\n" +
	"```quiz cmd\nQuelle commande liste les images ?\n\n= docker images\n~ docker\\s+image\\s+(ls|list)\n```\n"

// quizFixture is the lint fixture with two quizzes in section two.
func quizFixture() fstest.MapFS {
	fsys := fixture()
	fsys["demo/en.md"] = &fstest.MapFile{Data: []byte(fixtureEN + quizEN)}
	fsys["demo/fr.md"] = &fstest.MapFile{Data: []byte(fixtureFR + quizFR)}
	return fsys
}

func TestQuizParseAndGrade(t *testing.T) {
	lab, err := LoadLab(quizFixture(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if got := lab.Quizzes("two"); len(got) != 2 || got[0] != "flag" || got[1] != "cmd" {
		t.Fatalf("quizzes of two: %v", got)
	}
	if sec, ok := lab.QuizSection("cmd"); !ok || sec != "two" {
		t.Fatalf("section of cmd: %q %v", sec, ok)
	}
	r, err := lab.Render("fr")
	if err != nil {
		t.Fatal(err)
	}
	qs := r.Sections[1].Quizzes
	if len(qs) != 2 || qs[0].ID != "flag" || len(qs[0].Choices) != 3 || qs[0].Multiple || qs[0].Text ||
		qs[0].Choices[1] != "<code>-p</code>" || !qs[1].Text || qs[1].Choices != nil {
		t.Fatalf("rendered quizzes: %+v", qs)
	}
	if !strings.Contains(r.Sections[1].HTML, `<div class="quiz" data-quiz="flag"></div>`) {
		t.Fatalf("no quiz element in the HTML: %s", r.Sections[1].HTML)
	}
	// What the page receives holds no answer and no feedback.
	b, _ := json.Marshal(r)
	for _, secret := range []string{"[x]", "Non :", "docker images", `image\\s`, "publie.\""} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the rendered lab holds %q: %s", secret, b)
		}
	}

	text := func(s string) Answer { return Answer{Text: &s} }
	for _, tc := range []struct {
		lang, quiz string
		a          Answer
		right      bool
		feedback   string
	}{
		{"en", "flag", Answer{Choices: []int{1}}, true, ""},
		{"en", "flag", Answer{Choices: []int{0}}, false, "No: `-p HOST:CONTAINER` publishes."},
		{"fr", "flag", Answer{Choices: []int{0, 1}}, false, "Non : `-p` publie."},
		{"fr", "flag", Answer{Choices: []int{1, 1}}, true, ""},
		{"en", "cmd", text("  Docker   IMAGES "), true, ""},
		{"en", "cmd", text("docker image  list"), true, ""},
		{"en", "cmd", text("docker image lsx"), false, "Try docker images."},
		{"fr", "cmd", text("docker ps"), false, ""},
	} {
		right, feedback, err := lab.Grade(tc.lang, tc.quiz, tc.a)
		if err != nil || right != tc.right || feedback != tc.feedback {
			t.Errorf("%s %s %+v: %v %q %v, want %v %q", tc.lang, tc.quiz, tc.a, right, feedback, err, tc.right, tc.feedback)
		}
	}
	for _, tc := range []struct {
		quiz string
		a    Answer
		code fault.Code
	}{
		{"flag", Answer{Choices: []int{3}}, fault.EINVALID},
		{"flag", text("-p"), fault.EINVALID},
		{"cmd", Answer{Choices: []int{0}}, fault.EINVALID},
		{"cmd", text(strings.Repeat("a", MaxAnswerBytes+1)), fault.EINVALID},
		{"nope", Answer{Choices: []int{0}}, fault.ENOTFOUND},
	} {
		_, _, err := lab.Grade("en", tc.quiz, tc.a)
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != tc.code {
			t.Errorf("%s %+v: %v, want %s", tc.quiz, tc.a, err, tc.code)
		}
	}
}

func TestQuizLint(t *testing.T) {
	tests := []struct {
		name     string
		fr       string // replaces quizFR
		en       string // replaces quizEN when set
		wantFile string
		want     string
	}{
		{"fewer quizzes", strings.SplitAfter(quizFR, "```\n\n")[0], "", "fr.md", "has 1 quizzes here but 2"},
		{"other choice right", strings.Replace(strings.Replace(quizFR, "- [ ] `-v`", "- [x] `-v`", 1), "- [x] `-p`", "- [ ] `-p`", 1), "", "fr.md", "other right choices"},
		{"fewer choices", strings.Replace(quizFR, "- [ ] `--name`\n", "", 1), "", "fr.md", "has 2 choices here but 3"},
		{"text against choices", strings.Replace(quizFR, "- [ ] `-v`\n- [x] `-p`\n- [ ] `--name`\n", "= -p\n", 1), "", "fr.md", "takes a text answer here"},
		{"other order", strings.Replace(strings.Replace(quizFR, "quiz flag", "quiz tmp", 1), "quiz cmd", "quiz flag", 1), "", "fr.md", "quizzes come in the same order"},
		{"no right choice", quizFR, strings.Replace(quizEN, "- [x] `-p`", "- [ ] `-p`", 1), "en.md", "no right choice"},
		{"no answer", quizFR, strings.Replace(quizEN, "= docker images\n~ docker\\s+image\\s+(ls|list)\n", "", 1), "en.md", "has no answers"},
		{"bad pattern", quizFR, strings.Replace(quizEN, "(ls|list)", "(ls|list", 1), "en.md", "not a valid regular expression"},
		{"both kinds", quizFR, strings.Replace(quizEN, "= docker images\n", "= docker images\n- [x] yes\n- [ ] no\n", 1), "en.md", "both choices and text answers"},
		{"no question", quizFR, strings.Replace(quizEN, "Which command lists the images?\n", "", 1), "en.md", "has no question"},
		{"stray line", quizFR, strings.Replace(quizEN, "> Try docker images.", "> Try.\nmore words", 1), "en.md", "none of them"},
		{"bad id", quizFR, strings.Replace(quizEN, "quiz cmd", "quiz Cmd!", 1), "en.md", "quiz id"},
		{"twice", quizFR, strings.Replace(quizEN, "quiz cmd", "quiz flag", 1), "en.md", "already used"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := quizFixture()
			en := quizEN
			if tc.en != "" {
				en = tc.en
			}
			fsys["demo/en.md"] = &fstest.MapFile{Data: []byte(fixtureEN + en)}
			fsys["demo/fr.md"] = &fstest.MapFile{Data: []byte(fixtureFR + tc.fr)}
			errs := Lint(fsys, "demo")
			for _, e := range errs {
				if e.File == "demo/"+tc.wantFile && strings.Contains(e.Message, tc.want) {
					return
				}
			}
			t.Fatalf("want %s: ...%s...; got %v", tc.wantFile, tc.want, errs)
		})
	}
}
