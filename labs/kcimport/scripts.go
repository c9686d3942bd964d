package kcimport

import (
	"path"
	"strings"
)

// interpreter returns the program a script's first line names (#!/bin/bash
// gives bash, #!/usr/bin/env python3 gives python3), bash without one, as
// Killercoda runs them, and the script without that line.
func interpreter(script string) (prog, body string) {
	first, rest, _ := strings.Cut(script, "\n")
	if !strings.HasPrefix(first, "#!") {
		return "bash", script
	}
	words := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(words) == 0 {
		return "bash", rest
	}
	prog = words[0]
	if strings.HasSuffix(prog, "/env") && len(words) > 1 {
		prog = words[1]
	}
	prog = path.Base(prog)
	return prog, rest
}

// delimiter returns a here-document delimiter based on want that is no
// line of body.
func delimiter(want, body string) string {
	d := want
	for n := 2; containsLine(body, d); n++ {
		d = want + "_" + strings.Repeat("X", n)
	}
	return d
}

func containsLine(body, line string) bool {
	for _, l := range strings.Split(body, "\n") {
		if strings.TrimRight(l, " \t") == line {
			return true
		}
	}
	return false
}

// wrapped returns POSIX sh (what runs checks and setups) that runs
// script, as written, with the interpreter of its first line, and leaves
// its exit status in $status: the script is written to a temporary file
// from a quoted here-document, which the shell does not read, and run
// from there, so that its standard input stays its own.
func wrapped(script, tag string) string {
	prog, body := interpreter(script)
	body = strings.TrimRight(body, "\n")
	d := delimiter(tag, body)
	return "script=$(mktemp)\n" +
		"cat > \"$script\" <<'" + d + "'\n" + body + "\n" + d + "\n" +
		prog + " \"$script\"; status=$?\n" +
		"rm -f \"$script\""
}

// verifyScript is a step's verify script as a check: it passes when the
// script exits with 0, and otherwise says what to do.
func verifyScript(script, file, title string) string {
	return "# From " + file + ", run as Killercoda runs it.\n" +
		wrapped(script, "VERIFY") + "\n" +
		"[ \"$status\" -eq 0 ] && exit 0\n" +
		"echo " + shellQuote("Not done yet: "+title+". Follow the steps of this section, then check again.") + "\n" +
		"exit 1"
}

// backgroundScript is a background script as a hidden setup.
func backgroundScript(script, file string) string {
	return "# From " + file + ", run as Killercoda runs it.\n" + wrapped(script, "BACKGROUND") + "\nexit \"$status\""
}

// foregroundScript is a foreground script as a terminal setup: typed as it
// is, without its #! line, which the shell would read as a comment anyway.
func foregroundScript(script string) string {
	_, body := interpreter(script)
	if !strings.HasPrefix(script, "#!") {
		body = script
	}
	return strings.Trim(body, "\n")
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
