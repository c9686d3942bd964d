package pwdimport

import "strings"

// shellCommands splits a shell script into its simple commands, each a
// list of words with their quotes removed. It knows enough of sh to find
// the docker commands of a lab: quotes, backslashes, comments, line
// continuations, $(...) and `...` kept inside their word, and the
// operators ; & | ( ) and newlines between commands. Words keep their
// expansions unexpanded.
func shellCommands(script string) [][]string {
	var cmds [][]string
	var words []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case c == '\\' && i+1 < len(script):
			i++
			if script[i] != '\n' {
				word.WriteByte(script[i])
				inWord = true
			}
		case c == '\'':
			end := strings.IndexByte(script[i+1:], '\'')
			if end < 0 {
				end = len(script) - i - 1
			}
			word.WriteString(script[i+1 : i+1+end])
			inWord = true
			i += end + 1
		case c == '"':
			i++
			for ; i < len(script) && script[i] != '"'; i++ {
				if script[i] == '\\' && i+1 < len(script) && strings.IndexByte("\"\\$`\n", script[i+1]) >= 0 {
					i++
				}
				word.WriteByte(script[i])
			}
			inWord = true
		case c == '$' && i+1 < len(script) && script[i+1] == '(':
			end := closingParen(script, i+1)
			word.WriteString(script[i:end])
			inWord = true
			i = end - 1
		case c == '`':
			end := strings.IndexByte(script[i+1:], '`')
			if end < 0 {
				end = len(script) - i - 2
			}
			word.WriteString(script[i : i+2+end])
			inWord = true
			i += end + 1
		case c == '#' && !inWord:
			for i < len(script) && script[i] != '\n' {
				i++
			}
			endCmd()
		case c == ' ' || c == '\t':
			endWord()
		case c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')':
			endCmd()
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

// closingParen returns the index just after the parenthesis that closes
// the one at open, or len(s) when none does.
func closingParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}
