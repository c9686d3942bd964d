// Package labtest runs a lab as a learner would, against a running
// playground and only through its public API (the client package): it
// starts a session for the lab, and for each section in order it runs the
// section's checks, which must fail; types the section's run blocks into
// the right node's terminal as the page's Run button does, waiting for each
// to finish, and writes its file blocks with the files API; then runs the
// checks again, which must pass. The Report says, section by section, what
// happened, and names the first failure with the check's output and the
// end of the terminal concerned.
//
// It is "playground lab test"; the command only parses flags and prints.
package labtest

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labplay/playground/client"
)

// Defaults of the Options.
const (
	DefaultServer       = "http://127.0.0.1:8080"
	DefaultBlockTimeout = 3 * time.Minute
	DefaultCheckWait    = time.Minute
)

// endWait bounds the end of a session, which goes on after an interrupt.
const endWait = 2 * time.Minute

// Options say which lab to test, on which server, and how patiently.
type Options struct {
	Server string   // the playground's base URL; DefaultServer when empty
	Lab    string   // a slug the server serves, or a lab folder whose slug it serves
	Langs  []string // the languages to test, one after the other; empty: every language of the lab
	Keep   bool     // leave each session running, for a look, instead of ending it
	// BlockTimeout bounds each run block: a command that has not given the
	// prompt back by then fails its section. DefaultBlockTimeout when 0.
	BlockTimeout time.Duration
	// CheckWait is how long a section's checks may take to pass after its
	// blocks, tried every two seconds (swarm state converges a moment after
	// a command returns). DefaultCheckWait when 0.
	CheckWait time.Duration
	// Log, when set, receives a line as each session starts and each
	// section ends, for a person watching.
	Log io.Writer
}

// Run tests the lab in each language and returns what it found; the lab
// passed when the report's Failure is nil. The error is for what kept the
// test from running at all (no server, a lab it does not serve, an unknown
// language) or for an interrupt (ctx's error, with the report so far).
// Every session is ended before Run returns, unless Options.Keep is set.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Server == "" {
		opts.Server = DefaultServer
	}
	opts.Server = strings.TrimRight(opts.Server, "/")
	if opts.BlockTimeout <= 0 {
		opts.BlockTimeout = DefaultBlockTimeout
	}
	if opts.CheckWait <= 0 {
		opts.CheckWait = DefaultCheckWait
	}
	t, err := findTarget(opts.Lab)
	if err != nil {
		return nil, err
	}
	rep := &Report{Slug: t.slug, Dir: t.dir}
	served, err := t.served(ctx, client.New(opts.Server), opts.Server)
	if err != nil {
		return nil, err
	}
	if note := t.compare(ctx, client.New(opts.Server)); note != "" {
		rep.Notes = append(rep.Notes, note)
	}
	langs := opts.Langs
	if len(langs) == 0 {
		langs = served.Langs
	}
	for _, lang := range langs {
		if !slices.Contains(served.Langs, lang) {
			return nil, fmt.Errorf("the lab %q is not written in %q (its languages: %s)", t.slug, lang, strings.Join(served.Langs, ", "))
		}
	}
	for _, lang := range langs {
		run := runLang(ctx, &opts, t.slug, lang)
		rep.Runs = append(rep.Runs, run)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	return rep, nil
}

// runLang runs the lab in one language, in a session of its own started by
// a new learner (a client with a cookie jar of its own).
func runLang(ctx context.Context, opts *Options, slug, lang string) *LangRun {
	started := time.Now()
	run := &LangRun{Lang: lang}
	defer func() { run.Total = time.Since(started) }()
	c := client.New(opts.Server)
	logf(opts, "%s in %s: starting a session", slug, lang)
	lab, err := c.Lab(ctx, slug, lang)
	if err != nil {
		run.Failure = &Failure{Lang: lang, Message: "reading the lab: " + err.Error()}
		return run
	}
	s, err := patiently(ctx, func() (*client.Session, error) { return c.CreateSession(ctx, slug, lang) })
	run.Start = time.Since(started)
	if err != nil {
		run.Failure = &Failure{Lang: lang, Message: "starting a session: " + err.Error()}
		return run
	}
	run.SessionID = s.ID
	defer func() {
		if opts.Keep {
			run.URL, run.Cookie = opts.Server+"/s/"+s.ID, cookies(c)
			return
		}
		ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endWait)
		defer cancel()
		if err := c.DeleteSession(ectx, s.ID); err != nil {
			logf(opts, "%s in %s: ending session %s: %v", slug, lang, s.ID, err)
		}
	}()
	logf(opts, "%s in %s: session %s started in %.1f s", slug, lang, s.ID, run.Start.Seconds())
	shells, err := attach(ctx, c, s)
	if err != nil {
		run.Failure = &Failure{Lang: lang, Message: err.Error()}
		return run
	}
	defer closeShells(shells)
	r := &runner{opts: opts, c: c, lang: lang, sid: s.ID, shells: shells}
	for _, sec := range lab.Sections {
		res, goOn := r.section(ctx, sec)
		run.Sections = append(run.Sections, res)
		logf(opts, "%s in %s: %s: checks before %s, blocks %d/%d, checks after %s, %.1f s",
			slug, lang, res.ID, res.Before, res.Blocks, res.Of, res.After, res.Duration.Seconds())
		if !goOn {
			break
		}
	}
	return run
}

// cookies returns the cookies of the client's learner for the server, as a
// Cookie header: a kept session is this learner's, and a browser opens it
// only with them.
func cookies(c *client.Client) string {
	u, err := url.Parse(c.Base)
	if err != nil || c.HTTP.Jar == nil {
		return ""
	}
	var parts []string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; ")
}

// logf writes a line to Options.Log, when there is one.
func logf(opts *Options, format string, args ...any) {
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, format+"\n", args...)
	}
}
