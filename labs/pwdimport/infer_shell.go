package pwdimport

import (
	"regexp"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// word is one word of a command, for inferring checks: its text as the
// command gets it when literal is set, or as the script writes it when
// the word depends on something only the learner's shell knows ($x,
// $(...), a glob).
type word struct {
	text    string
	literal bool
}

// simpleCmd is one simple command of a run block, with what inference
// needs besides its words.
type simpleCmd struct {
	words  []word
	writes []word // the targets of its output redirections (> f, >> f, &> f)
	text   string // the command's first line, as the post writes it
}

// pastePattern matches the <TOKEN> and <IP> of a command that the learner
// is to fill in, which bash would read as redirections.
var pastePattern = regexp.MustCompile(`(^|[\s=:,@/])<([A-Za-z][A-Za-z0-9_.-]*)>`)

// blockCommands returns the simple commands of a run block's script, in
// order, except those inside $(...) or `...`. A <NAME> that the post asks
// the learner to fill in is read as a word that is not literal, and
// prompts ("$ ") at the start of lines are dropped.
func blockCommands(script string) []simpleCmd {
	original := strings.Split(stripPrompts(script), "\n")
	parsed := pastePattern.ReplaceAllString(strings.Join(original, "\n"), `$1"$$PASTE"`)
	var cmds []simpleCmd
	eachStatement(parsed, func(stmt *syntax.Stmt, src string, skipped int) {
		syntax.Walk(stmt, func(n syntax.Node) bool {
			switch n := n.(type) {
			case *syntax.CmdSubst, *syntax.ProcSubst:
				return false
			case *syntax.Stmt:
				call, ok := n.Cmd.(*syntax.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				c := simpleCmd{text: lineOf(original, skipped+int(n.Pos().Line())-1)}
				for _, w := range call.Args {
					c.words = append(c.words, word{text: wordText(w, src), literal: isLiteral(w)})
				}
				for _, r := range n.Redirs {
					switch r.Op {
					case syntax.RdrOut, syntax.AppOut, syntax.RdrClob, syntax.RdrAll, syntax.AppAll:
						c.writes = append(c.writes, word{text: wordText(r.Word, src), literal: isLiteral(r.Word)})
					}
				}
				cmds = append(cmds, c)
			}
			return true
		})
	})
	return cmds
}

// stripPrompts drops the prompt "$ " at the start of the lines of s.
func stripPrompts(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if t := strings.TrimLeft(l, " \t"); strings.HasPrefix(t, "$ ") {
			lines[i] = t[2:]
		}
	}
	return strings.Join(lines, "\n")
}

// lineOf returns the line i of lines, trimmed and shortened to 100
// characters.
func lineOf(lines []string, i int) string {
	if i < 0 || i >= len(lines) {
		return ""
	}
	s := strings.TrimSpace(lines[i])
	if r := []rune(s); len(r) > 100 {
		s = string(r[:97]) + "..."
	}
	return s
}

// isLiteral reports whether the shell gives the word w to its command as
// it is written, quotes and backslashes aside: no expansion, substitution
// or glob.
func isLiteral(w *syntax.Word) bool {
	if w == nil {
		return false
	}
	for _, part := range w.Parts {
		switch part := part.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(strings.ReplaceAll(part.Value, `\`, ""), "*?[") {
				return false
			}
		case *syntax.SglQuoted:
			if part.Dollar {
				return false
			}
		case *syntax.DblQuoted:
			for _, inner := range part.Parts {
				if _, ok := inner.(*syntax.Lit); !ok {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// nameOf returns the text of a word that names a Docker object, or ""
// when the word is not literal or no valid name.
func nameOf(w word) string {
	if !w.literal || !namePattern.MatchString(w.text) {
		return ""
	}
	return w.text
}

// imageOf returns the text of a word that names an image, or "" when the
// word is not literal or no valid reference.
func imageOf(w word) string {
	if !w.literal || !imageRefPattern.MatchString(w.text) {
		return ""
	}
	return w.text
}

// The names that a check may hold without quotes: Docker's names of
// containers, volumes, networks, services and nodes, and image references.
var (
	namePattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
	imageRefPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*(:[0-9]+)?(/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$`)
)
