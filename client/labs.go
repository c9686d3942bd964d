package client

import (
	"context"
	"net/http"
	"net/url"
)

// CheckResult is the answer of a section check.
type CheckResult struct {
	Passed bool   `json:"passed"` // the section's checks pass
	Output string `json:"output"`
	// QuizzesLeft counts the section's quizzes not answered right yet: the
	// section is done when its checks pass and this is 0.
	QuizzesLeft int `json:"quizzes_left"`
}

// LabQuiz is a quiz of a section, without its answers.
type LabQuiz struct {
	ID       string   `json:"id"`
	Question string   `json:"question"` // HTML
	Choices  []string `json:"choices"`  // HTML; none for a free-text quiz
	Multiple bool     `json:"multiple"`
	Text     bool     `json:"text"`
}

// QuizResult is the answer of the server to an answer to a quiz.
type QuizResult struct {
	Correct     bool   `json:"correct"`
	Feedback    string `json:"feedback"`
	SectionDone bool   `json:"section_done"`
}

// Answer sends an answer to a quiz of the session's lab: choices (from 0)
// or, when text is not nil, a free-text answer.
func (c *Client) Answer(ctx context.Context, sessionID, quiz string, choices []int, text *string) (*QuizResult, error) {
	body := map[string]any{"choices": choices}
	if text != nil {
		body = map[string]any{"text": *text}
	}
	var r QuizResult
	_, err := c.Do(ctx, http.MethodPost, "/api/sessions/"+url.PathEscape(sessionID)+
		"/quizzes/"+url.PathEscape(quiz)+"/answer", body, &r)
	return &r, err
}

// Resolved is a run block with the session's live values filled in.
type Resolved struct {
	Node    string `json:"node"`
	Command string `json:"command"`
}

// SectionProgress is one section of a session's progress.
type SectionProgress struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	Output   string `json:"output"`
}

// Progress is the learner's progress through a session's lab.
type Progress struct {
	Lab      string            `json:"lab"`
	Sections []SectionProgress `json:"sections"`
}

// Section returns the progress of the section with the given id, or nil.
func (p *Progress) Section(id string) *SectionProgress {
	for i := range p.Sections {
		if p.Sections[i].ID == id {
			return &p.Sections[i]
		}
	}
	return nil
}

// Check asks the server to check a section of the session's lab; the
// result is recorded in the learner's progress.
func (c *Client) Check(ctx context.Context, sessionID, section string) (*CheckResult, error) {
	var r CheckResult
	_, err := c.Do(ctx, http.MethodPost, "/api/sessions/"+url.PathEscape(sessionID)+
		"/sections/"+url.PathEscape(section)+"/check", nil, &r)
	return &r, err
}

// Resolve returns the command of a run block with its placeholders filled
// in from the session's live nodes, and the node it runs on.
func (c *Client) Resolve(ctx context.Context, sessionID, block string) (*Resolved, error) {
	var r Resolved
	_, err := c.Do(ctx, http.MethodPost, "/api/sessions/"+url.PathEscape(sessionID)+
		"/blocks/"+url.PathEscape(block)+"/resolve", nil, &r)
	return &r, err
}

// SectionStart is what opening a section set off: the commands to type
// into the terminals, and how the hidden setups ended when asked to wait.
type SectionStart struct {
	Terminal []struct {
		Node    string `json:"node"`
		Command string `json:"command"`
	} `json:"terminal"`
	Setups []struct {
		Section string `json:"section"`
		Node    string `json:"node"`
		Passed  bool   `json:"passed"`
	} `json:"setups"`
}

// StartSection opens a section of the session's lab, as the page does when
// the learner reaches it: its setups run the first time. With wait, it
// answers once they have ended.
func (c *Client) StartSection(ctx context.Context, sessionID, section string, wait bool) (*SectionStart, error) {
	var r SectionStart
	_, err := c.Do(ctx, http.MethodPost, "/api/sessions/"+url.PathEscape(sessionID)+
		"/sections/"+url.PathEscape(section)+"/start", map[string]bool{"wait": wait}, &r)
	return &r, err
}

// Progress reads the learner's progress through the session's lab.
func (c *Client) Progress(ctx context.Context, sessionID string) (*Progress, error) {
	var p Progress
	_, err := c.Do(ctx, http.MethodGet, "/api/sessions/"+url.PathEscape(sessionID)+"/progress", nil, &p)
	return &p, err
}

// Lab is a lab in one language as the API gives it: its sections and their
// run and file blocks, never its checks.
type Lab struct {
	Slug     string       `json:"slug"`
	Title    string       `json:"title"`
	Lang     string       `json:"lang"`
	Langs    []string     `json:"langs"` // every language of the lab, the default first
	Sections []LabSection `json:"sections"`
}

// LabSection is one section of a lab.
type LabSection struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	HasCheck bool       `json:"has_check"` // false: the learner marks it done
	HasSetup bool       `json:"has_setup"` // true: open it with StartSection first
	Blocks   []LabBlock `json:"blocks"`
	Quizzes  []LabQuiz  `json:"quizzes"`
}

// LabBlock is a run block (Path empty: Command is typed into Node's
// terminal, once resolved) or a file block (Command is the content of the
// file at Path on Node; a relative Path starts from /root).
type LabBlock struct {
	ID      string `json:"id"`
	Node    string `json:"node"`
	Command string `json:"command"`
	Path    string `json:"path,omitempty"`
}

// Lab reads a lab in lang, or in its default language when lang is empty.
func (c *Client) Lab(ctx context.Context, slug, lang string) (*Lab, error) {
	var l Lab
	path := "/api/labs/" + url.PathEscape(slug)
	if lang != "" {
		path += "?lang=" + url.QueryEscape(lang)
	}
	_, err := c.Do(ctx, http.MethodGet, path, nil, &l)
	return &l, err
}
