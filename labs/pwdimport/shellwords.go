package pwdimport

import (
	"errors"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// shellCommands parses a shell script as bash, the shell of a node's
// terminal, and returns its simple commands in the order they are
// written, each a list of words. It finds the commands of pipelines,
// lists, subshells, braces, functions and the bodies of if, case, for and
// while, but not those inside $(...) or `...`. Assignments before a
// command and redirections are not among its words, and the body of a
// here-document is data, not commands.
//
// A plain word, made of literal text, quotes and backslashes, is given as
// the shell passes it to the command: 'b c' gives b c, and f\ g gives f g.
// Any other part of a word is not plain and is kept as the script writes
// it, unexpanded: $x and ${x:-y}, $(...) and `...`, $((...)), <(...),
// $'...' and bash's extended globs. So k $(l m) gives the words k and
// $(l m), and "$HOME/x" gives $HOME/x.
//
// Text that is not shell, such as a command's output pasted after it, is
// skipped a line at a time: the commands before the line where parsing
// fails are kept, and parsing starts again on the next line.
func shellCommands(script string) [][]string {
	var cmds [][]string
	eachStatement(script, func(stmt *syntax.Stmt, src string, _ int) {
		cmds = appendCommands(cmds, stmt, src)
	})
	return cmds
}

// eachStatement parses script as bash and calls visit with each of its
// top-level statements, in order, the text it was parsed from, and the
// number of lines of script before that text. A line that does not parse
// is skipped, as shellCommands says, and parsing starts again on the next
// line, so src is not always the whole script.
func eachStatement(script string, visit func(stmt *syntax.Stmt, src string, skipped int)) {
	skipped := 0
	for script != "" {
		parser := syntax.NewParser(syntax.Variant(syntax.LangBash))
		var err error
		// The sequence is read to its end: in v3.14.1 it may yield again
		// after its loop body has stopped it, which panics.
		for stmt, serr := range parser.StmtsSeq(strings.NewReader(script)) {
			switch {
			case err != nil:
			case serr != nil:
				err = serr
			default:
				visit(stmt, script, skipped)
			}
		}
		var perr syntax.ParseError
		var lerr syntax.LangError
		var bad syntax.Pos
		switch {
		case err == nil:
			return
		case errors.As(err, &perr):
			bad = perr.Pos
		case errors.As(err, &lerr):
			bad = lerr.Pos
		}
		n := max(int(bad.Line()), 1)
		script, skipped = afterLine(script, n), skipped+n
	}
}

// afterLine returns what follows the 1-based line n of s, or "" when s has
// no more lines.
func afterLine(s string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	return s
}

// appendCommands appends the simple commands of the statement s, parsed
// from src, to cmds.
func appendCommands(cmds [][]string, s *syntax.Stmt, src string) [][]string {
	syntax.Walk(s, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CmdSubst, *syntax.ProcSubst:
			return false
		case *syntax.CallExpr:
			if len(n.Args) == 0 {
				return true
			}
			words := make([]string, len(n.Args))
			for i, w := range n.Args {
				words[i] = wordText(w, src)
			}
			cmds = append(cmds, words)
		}
		return true
	})
	return cmds
}

// wordText returns the word w of src with its quotes and backslashes
// removed from its plain parts; every other part is left as src writes it
// (see shellCommands).
func wordText(w *syntax.Word, src string) string {
	var b strings.Builder
	for _, part := range w.Parts {
		switch part := part.(type) {
		case *syntax.Lit:
			b.WriteString(unescape(part.Value, ""))
		case *syntax.SglQuoted:
			if part.Dollar {
				b.WriteString(source(part, src))
			} else {
				b.WriteString(part.Value)
			}
		case *syntax.DblQuoted:
			for _, inner := range part.Parts {
				if lit, ok := inner.(*syntax.Lit); ok {
					b.WriteString(unescape(lit.Value, "$`\"\\"))
				} else {
					b.WriteString(source(inner, src))
				}
			}
		default:
			b.WriteString(source(part, src))
		}
	}
	return b.String()
}

// source returns the text of the node n in src.
func source(n syntax.Node, src string) string {
	return src[n.Pos().Offset():n.End().Offset()]
}

// unescape removes the backslashes of a literal: before any character when
// only is "" (outside quotes), or only before the characters in only
// (inside double quotes, where a backslash escapes $ ` " and \).
func unescape(s, only string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (only == "" || strings.IndexByte(only, s[i+1]) >= 0) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
