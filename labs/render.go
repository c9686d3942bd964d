package labs

import "slices"

// Rendered is a lab in one language, ready to be sent to a browser. It holds
// no check or value scripts.
type Rendered struct {
	Slug     string            `json:"slug"`
	Title    string            `json:"title"` // plain text
	Lang     string            `json:"lang"`
	Langs    []string          `json:"langs"` // every language of the lab, the default first
	Sections []RenderedSection `json:"sections"`
	// Version is the lab's Version: a page that shows the lab learns of a
	// new text when it changes.
	Version string `json:"version"`
}

// RenderedSection is one section of a rendered lab.
type RenderedSection struct {
	ID    string `json:"id"`
	Title string `json:"title"` // plain text, not HTML
	// HTML is the body of the section, with every piece of text escaped.
	// Run blocks appear as
	//
	//	<div class="run-block" data-block="ID" data-node="NODE"><div class="run-node">NODE</div><pre><code>COMMAND</code></pre></div>
	//
	// file blocks as
	//
	//	<div class="file-block" data-block="ID" data-node="NODE" data-path="PATH"><div class="file-head"><span class="run-node">NODE</span> <span class="file-path">PATH</span></div><pre><code>CONTENT</code></pre></div>
	//
	// port links as
	//
	//	<a class="port-link" href="#" target="_blank" rel="noopener" data-node="NODE" data-port="PORT" data-path="PATH">TEXT</a>
	//
	// whose href the page sets for the session, and other code blocks as
	// <pre><code>. ID, NODE, PATH and CONTENT are those of the section's
	// Blocks. A quiz appears as <div class="quiz" data-quiz="ID"></div>,
	// ID that of one of Quizzes. Raw HTML in the lab's text never appears
	// as HTML.
	HTML     string     `json:"html"`
	HasCheck bool       `json:"has_check"`
	HasSetup bool       `json:"has_setup,omitempty"` // see Setup
	Blocks   []RunBlock `json:"blocks"`
	// Quizzes are the section's questions, without their answers, which
	// never leave the server.
	Quizzes []Quiz `json:"quizzes"`
}

// clone returns a copy of r that shares nothing mutable with it.
func (r *Rendered) clone() *Rendered {
	c := *r
	c.Langs = slices.Clone(r.Langs)
	c.Sections = slices.Clone(r.Sections)
	for i := range c.Sections {
		c.Sections[i].Blocks = slices.Clone(c.Sections[i].Blocks)
		c.Sections[i].Quizzes = slices.Clone(c.Sections[i].Quizzes)
		for j := range c.Sections[i].Quizzes {
			c.Sections[i].Quizzes[j].Choices = slices.Clone(c.Sections[i].Quizzes[j].Choices)
		}
	}
	return &c
}
