package labs

import (
	"errors"
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// LintScripts parses every check and value script of the lab as POSIX sh,
// the language of the "sh -c" that runs them on a node (dash on the Debian
// node image), without running them, and returns the syntax errors located
// in lab.md. A message names the column of the error in the script's line,
// counted after the indentation of the block is removed. Syntax that only
// bash and its kin understand, such as arrays, is an error: sh would fail
// on it when the check runs.
func (l *Lab) LintScripts() []LintError {
	type script struct {
		line   int // line of the block's opening fence in lab.md
		source string
	}
	var scripts []script
	for _, v := range l.values {
		scripts = append(scripts, script{v.line, v.Script})
	}
	for _, cs := range l.checks {
		for _, c := range cs {
			scripts = append(scripts, script{c.line, c.Script})
		}
	}
	for _, ss := range l.setups {
		for _, s := range ss {
			// A terminal setup is typed into the learner's shell (bash),
			// like a run block, and is not sh's to read.
			if !s.Terminal {
				scripts = append(scripts, script{s.line, s.Script})
			}
		}
	}
	var errs []LintError
	p := problems{file: l.metaFile(), errs: &errs}
	for _, s := range scripts {
		if line, col, msg, bad := shellSyntax(s.source); bad {
			p.add(s.line+line, "shell syntax at column %d: %s", col, msg)
		}
	}
	sortErrors(errs)
	return errs
}

// shellSyntax parses script as POSIX sh. When the script does not parse,
// it returns the 1-based line and column of the first error in the script
// and what is wrong there, and bad is true.
func shellSyntax(script string) (line, col int, msg string, bad bool) {
	parser := syntax.NewParser(syntax.Variant(syntax.LangPOSIX))
	_, err := parser.Parse(strings.NewReader(script), "")
	if err == nil {
		return 0, 0, "", false
	}
	var perr syntax.ParseError
	var lerr syntax.LangError
	switch {
	case errors.As(err, &perr):
		return int(perr.Pos.Line()), int(perr.Pos.Col()), perr.Text, true
	case errors.As(err, &lerr):
		return int(lerr.Pos.Line()), int(lerr.Pos.Col()), langMessage(lerr), true
	}
	// The parser reads from a string, so no other error is expected; the
	// first line is as good a place as any for one.
	return 1, 1, err.Error(), true
}

// langMessage says which feature of another shell a script uses, as in
// "arrays are a bash/mksh/zsh feature; checks and values run with sh, a
// POSIX shell".
func langMessage(e syntax.LangError) string {
	verb := "is a"
	if strings.HasSuffix(e.Feature, "s") {
		verb = "are a"
	}
	langs := make([]string, len(e.Langs))
	for i, lang := range e.Langs {
		langs[i] = lang.String()
	}
	return fmt.Sprintf("%s %s %s feature; checks and values run with sh, a POSIX shell", e.Feature, verb, strings.Join(langs, "/"))
}

// metaFile is the path of the lab's lab.md.
func (l *Lab) metaFile() string {
	if l.dir == "." || l.dir == "" {
		return "lab.md"
	}
	return l.dir + "/lab.md"
}
