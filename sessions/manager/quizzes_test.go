package manager

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// quizLabFS is a one-node lab with a section whose only task is a quiz
// (free text, no check) and a section with a check and a quiz.
var quizLabFS = fstest.MapFS{
	"one-node/lab.md": {Data: []byte("---\nslug: one-node\ntitle: Quiz\nlanguages: en\nnodes: node1\nimages:\n---\n\n" +
		"```check touch node1\ntest -f /tmp/done || { echo 'No /tmp/done yet.'; exit 1; }\n```\n")},
	"one-node/en.md": {Data: []byte("# Think {#think}\n\n```quiz word\nWhich command makes an empty file?\n\n= touch\n~ touch\\s+\\S+\n\n> Its name rhymes with much.\n```\n\n" +
		"# Touch {#touch}\n\n```run node1\ntouch /tmp/done\n```\n\n```quiz where\nWhere is the file?\n\n- [x] /tmp\n- [ ] /root\n```\n")},
}

// A section with quizzes is done when its checks pass and its quizzes are
// answered right, in either order: a section without checks by its last
// right answer, one with checks by the last of the two.
func TestQuizCompletesSections(t *testing.T) {
	env := newTestEnv(t, Config{LabNodes: oneNodeLabs}, engine.Config{})
	ctx := context.Background()
	lab, err := labs.LoadLab(quizLabFS, "one-node")
	if err != nil {
		t.Fatal(err)
	}
	s := env.startOne(t, "ana")
	status := func(section string) string {
		t.Helper()
		p, err := env.m.Progress(ctx, s, lab)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range p {
			if sp.Section == section {
				return sp.Status
			}
		}
		return ""
	}
	text := func(s string) labs.Answer { return labs.Answer{Text: &s} }

	// No check: Mark as done does not finish a section with a quiz left.
	res, err := env.m.Check(ctx, s, lab, "think", false)
	if err != nil || !res.Passed || res.QuizzesLeft != 1 || status("think") != sessions.SectionPending {
		t.Fatalf("acknowledging think before its quiz: %+v %v, %s", res, err, status("think"))
	}
	qr, err := env.m.Answer(ctx, s, lab, "word", text("mkdir"))
	if err != nil || qr.Correct || qr.Feedback != "Its name rhymes with much." || qr.SectionDone {
		t.Fatalf("wrong answer: %+v %v", qr, err)
	}
	qr, err = env.m.Answer(ctx, s, lab, "word", text(" touch   /tmp/x "))
	if err != nil || !qr.Correct || !qr.SectionDone || status("think") != sessions.SectionDone {
		t.Fatalf("right answer: %+v %v, %s", qr, err, status("think"))
	}

	// Quiz first: right, but the check fails, so the section waits; the
	// check that passes later completes it.
	if qr, err = env.m.Answer(ctx, s, lab, "where", labs.Answer{Choices: []int{0}}); err != nil || !qr.Correct || qr.SectionDone {
		t.Fatalf("right answer before the work: %+v %v", qr, err)
	}
	if res, err = env.m.Check(ctx, s, lab, "touch", false); err != nil || res.Passed || res.Output != "No /tmp/done yet." {
		t.Fatalf("check before the work: %+v %v", res, err)
	}
	node := s.Node("node1")
	if _, code, err := env.engine.Exec(ctx, node.ContainerID, "touch /tmp/done", labs.DefaultTimeout); err != nil || code != 0 {
		t.Fatalf("touch: %d %v", code, err)
	}
	if res, err = env.m.Check(ctx, s, lab, "touch", true); err != nil || !res.Passed || res.QuizzesLeft != 0 || status("touch") != sessions.SectionDone {
		t.Fatalf("check after the work: %+v %v, %s", res, err, status("touch"))
	}

	// Work first: the check passes but the section waits for its quiz;
	// the right answer runs the check and completes it.
	if err := env.m.ResetProgress(ctx, s); err != nil {
		t.Fatal(err)
	}
	if res, err = env.m.Check(ctx, s, lab, "touch", false); err != nil || !res.Passed || res.QuizzesLeft != 1 || status("touch") != sessions.SectionPending {
		t.Fatalf("check with the quiz left: %+v %v, %s", res, err, status("touch"))
	}
	if qr, err = env.m.Answer(ctx, s, lab, "where", labs.Answer{Choices: []int{0}}); err != nil || !qr.Correct || !qr.SectionDone ||
		status("touch") != sessions.SectionDone {
		t.Fatalf("right answer after the work: %+v %v, %s", qr, err, status("touch"))
	}
}
