package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/labplay/playground/internal/waitfor"
)

// quizForm is the selector of a quiz of a section on the lab page.
func quizForm(section, quiz string) string {
	return `.lab-section[data-section="` + section + `"] [data-testid="quiz"][data-quiz="` + quiz + `"]`
}

// answerQuiz picks choice i of a quiz on the page, clicks Answer, and
// returns the feedback the page shows and the quiz's status after it.
func answerQuiz(t testing.TB, ctx context.Context, section, quiz string, i int) (feedback, status string) {
	t.Helper()
	form := quizForm(section, quiz)
	tabEval[bool](t, ctx, `(document.querySelector('`+form+` [data-testid="quiz-feedback"]').textContent = '', true)`)
	tabDo(t, ctx, fmt.Sprintf("answer %s with choice %d", quiz, i),
		chromedp.Click(chromedp.CSS(form+` [data-testid="quiz-choice"][value="`+strconv.Itoa(i)+`"]`)),
		chromedp.Click(chromedp.CSS(form+` [data-testid="quiz-answer"]`)))
	tabWait(t, ctx, "the answer to "+quiz+" graded", `!document.querySelector('`+form+` [data-testid="quiz-answer"]').disabled &&
		document.querySelector('`+form+` [data-testid="quiz-feedback"]').textContent !== ''`)
	feedback = tabEval[string](t, ctx, `document.querySelector('`+form+` [data-testid="quiz-feedback"]').textContent`)
	status = tabEval[string](t, ctx, `document.querySelector('`+form+`').dataset.status`)
	return feedback, status
}

// answerQuizzes answers the choice quizzes of a section on the page as a
// learner who does not know the answers would: one choice after another
// until the page says it is right. The answers never reach the page, so
// there is no other way. A free-text or several-choice quiz fails the test.
func answerQuizzes(t testing.TB, ctx context.Context, section string) {
	t.Helper()
	quizzes := tabEval[[]struct {
		ID       string `json:"id"`
		Choices  int    `json:"choices"`
		Multiple bool   `json:"multiple"`
	}](t, ctx, `[...document.querySelectorAll('.lab-section[data-section="`+section+`"] [data-testid="quiz"]')].map((f) => ({
		id: f.dataset.quiz, choices: f.querySelectorAll('[data-testid="quiz-choice"]').length,
		multiple: !!f.querySelector('input[type="checkbox"]')}))`)
	for _, q := range quizzes {
		if q.Choices == 0 || q.Multiple {
			t.Fatalf("quiz %s of %s is not a one-choice quiz: this helper cannot answer it", q.ID, section)
		}
		right := false
		for i := 0; i < q.Choices && !right; i++ {
			// The Run clicks before, faster than any learner's, may have
			// used the session's allowance of checks and answers up: a
			// refused answer is given again once one comes back (every 2s).
			waitfor.Every(t, 2*time.Second, "an answer to "+q.ID+" graded, not refused for the rate", time.Minute, func() error {
				feedback, status := answerQuiz(t, ctx, section, q.ID, i)
				if strings.Contains(feedback, "Too many checks") {
					return fmt.Errorf("the page says %q", feedback)
				}
				right = status == "done"
				return nil
			})
		}
		if !right {
			t.Fatalf("no choice of quiz %s is right, says the page", q.ID)
		}
	}
}

// A quiz in the page, in a classroom: its answers absent from the page,
// answered wrong (the lab's feedback shown, the section not done although
// its check passes) and then right (the section done), and the instructor's
// grid and CSV showing it, with the answers it took.
func TestQuizInTheBrowser(t *testing.T) {
	h := newHarness(t)
	h.addInstructor(crTeacher, crPassword)
	teacher := newTab(t)
	learner := newPersonTab(t, teacher)
	start := time.Now()

	tabDo(t, teacher, "log in",
		chromedp.Navigate(h.base+"/instructor"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-email"]`), crTeacher),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-password"]`), crPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="create-form"]`)),
	)
	tabWait(t, teacher, "the labs in the form", `document.querySelector('[data-testid="class-lab"]').options.length > 0`)
	tabEval[bool](t, teacher, `(() => {
		const s = document.querySelector('[data-testid="class-lab"]');
		s.value = 'docker-basics';
		s.dispatchEvent(new Event('change'));
		return s.value === 'docker-basics';
	})()`)
	tabDo(t, teacher, "create a class",
		chromedp.SendKeys(chromedp.CSS(`[data-testid="class-name-input"]`), "Quiz"),
		chromedp.Click(chromedp.CSS(`[data-testid="create-classroom"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="progress-grid"]`)),
	)
	tabWait(t, teacher, "the live dashboard", `window.playgroundDashboard && window.playgroundDashboard.live() &&
		document.querySelector('[data-testid="join-url"]').href.includes('/join/')`)
	joinURL := tabEval[string](t, teacher, `document.querySelector('[data-testid="join-url"]').href`)
	classID := path.Base(tabEval[string](t, teacher, `location.pathname`))

	tabDo(t, learner, "join",
		chromedp.Navigate(joinURL),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="join-name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="join-name"]`), "Ana"),
		chromedp.Click(chromedp.CSS(`[data-testid="join-submit"]`)))
	tabWait(t, learner, "node1 connected", `location.pathname.startsWith('/s/') && !!window.playground && window.playground.connected('node1')`)
	tabWait(t, learner, "the quiz", `document.querySelector('`+quizForm("publish", "publish-port")+`') !== null`)
	tabWait(t, teacher, "Ana in the grid", cell("Ana", "publish")+` === 'pending'`)
	p := &page{t: t, ctx: learner}
	defer p.endSession(path.Base(tabEval[string](t, learner, `location.pathname`)))
	p.waitText("node1", "a prompt", atPrompt)

	// Nothing of the key is in the page: no feedback, no marks.
	for _, secret := range []string{"Not quite", "[x]", "HOST:CONTAINER"} {
		if tabEval[bool](t, learner, `document.documentElement.outerHTML.includes(`+jsString(secret)+`)`) {
			t.Fatalf("the page holds %q before any answer", secret)
		}
	}
	if n := tabEval[int](t, learner, `document.querySelectorAll('`+quizForm("publish", "publish-port")+` input[type="radio"]').length`); n != 3 {
		t.Fatalf("the quiz shows %d radio buttons, want 3", n)
	}

	// The section's work first: its check passes, and the page says the
	// quiz is left.
	p.clickRun(labBlock{Block: "publish-1", Node: "node1"})
	button := `[data-testid="check-section"][data-section="publish"]`
	status := `document.querySelector('[data-testid="section-status"][data-section="publish"]').dataset.status`
	waitfor.Every(t, 2*time.Second, "the check saying the quiz is left", time.Minute, func() error {
		tabWait(t, learner, "the Check button", `!document.querySelector('`+button+`').disabled`)
		tabDo(t, learner, "click Check on publish", chromedp.Click(chromedp.CSS(button)))
		tabWait(t, learner, "the check answered", `!document.querySelector('`+button+`').disabled`)
		said := tabEval[string](t, learner, `document.querySelector('[data-testid="check-output"][data-section="publish"]').textContent`)
		if !strings.Contains(said, "Answer the quiz") {
			return fmt.Errorf("it says %q", said)
		}
		return nil
	})
	if s := tabEval[string](t, learner, status); s == "done" {
		t.Fatal("publish is done before its quiz is answered")
	}

	// Wrong: the lab's feedback, the section still not done, the grid
	// showing the quiz failed after one answer.
	feedback, qs := answerQuiz(t, learner, "publish", "publish-port", 1)
	if qs != "failed" || !strings.Contains(feedback, "Not quite: `-p HOST:CONTAINER`") {
		t.Fatalf("a wrong answer: the quiz is %q, the page says %q", qs, feedback)
	}
	if s := tabEval[string](t, learner, status); s == "done" {
		t.Fatal("publish is done after a wrong answer")
	}
	quizCell := `document.querySelector('[data-testid="cell"][data-learner="Ana"][data-section="publish"] [data-testid="cell-quiz"][data-quiz="publish-port"]')`
	tabWait(t, teacher, "the quiz failed in the grid", quizCell+`?.dataset.status === 'failed' && `+quizCell+`.dataset.attempts === '1'`)

	// Right: the section is done at once.
	feedback, qs = answerQuiz(t, learner, "publish", "publish-port", 0)
	if qs != "done" || !strings.Contains(feedback, "Right") {
		t.Fatalf("the right answer: the quiz is %q, the page says %q", qs, feedback)
	}
	tabWait(t, learner, "publish done", status+` === 'done'`)
	tabWait(t, teacher, "publish and its quiz done in the grid", cell("Ana", "publish")+` === 'done' && `+
		quizCell+`.dataset.status === 'done' && `+quizCell+`.dataset.attempts === '2'`)
	tabShot(t, learner, "quiz")
	tabShot(t, teacher, "quiz-dashboard")

	// The CSV: the quiz's row after its section's.
	text := tabEval[string](t, teacher, `fetch('/api/classrooms/`+classID+`/progress.csv').then((r) => r.text())`)
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, text)
	}
	found := false
	for i, r := range rows {
		if r[len(r)-1] != "publish-port" {
			continue
		}
		found = true
		if r[0] != "Ana" || r[4] != "publish" || r[6] != "done" || r[7] != "2" || rows[i-1][4] != "publish" || rows[i-1][6] != "done" {
			t.Errorf("the quiz's row %v (after %v), want Ana, publish, done after 2 answers", r, rows[i-1])
		}
	}
	if !found {
		t.Fatalf("no row of the quiz in the CSV:\n%s", text)
	}

	// A new page keeps the quiz answered.
	tabDo(t, learner, "reload", chromedp.Reload())
	tabWait(t, learner, "the quiz answered after a reload", `document.querySelector('`+quizForm("publish", "publish-port")+`')?.dataset.status === 'done'`)
	t.Logf("quiz in the browser, with the class: %.1fs", time.Since(start).Seconds())
}
