package sessions

// QuizProgress is a learner's state in one quiz of a section: done once
// answered right, failed after a wrong answer, pending before any.
type QuizProgress struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Attempts counts the answers up to the first right one: a quiz
	// answered right at once has 1.
	Attempts int `json:"attempts"`
}

// QuizResult is the outcome of an answer to a quiz.
type QuizResult struct {
	Correct bool `json:"correct"`
	// Feedback is the lab's feedback for a wrong answer, in the session's
	// language ("" when right, or when the lab gives none).
	Feedback string `json:"feedback"`
	// SectionDone is set when the quiz's section is done: this answer
	// completed it (its other quizzes right, its checks passing), or it
	// was done already.
	SectionDone bool `json:"section_done"`
}

// QuizKey returns the progress key of a quiz: its progress row sits beside
// those of the sections, under this name, which no section id can take.
func QuizKey(quiz string) string {
	return "quiz:" + quiz
}

// WithQuizzes returns one entry per section id, in that order, each with
// the state of its quizzes (quizzes maps a section id to its quiz ids),
// from progress rows that hold the sections' rows and the quizzes' (under
// QuizKey).
func WithQuizzes(rows []SectionProgress, sectionIDs []string, quizzes map[string][]string) []SectionProgress {
	out := InSectionOrder(rows, sectionIDs)
	var keys []string
	for _, id := range sectionIDs {
		for _, q := range quizzes[id] {
			keys = append(keys, QuizKey(q))
		}
	}
	byKey := map[string]SectionProgress{}
	for _, p := range InSectionOrder(rows, keys) {
		byKey[p.Section] = p
	}
	for i := range out {
		for _, q := range quizzes[out[i].Section] {
			p := byKey[QuizKey(q)]
			out[i].Quizzes = append(out[i].Quizzes, QuizProgress{ID: q, Status: p.Status, Attempts: p.Attempts})
		}
	}
	return out
}
