package labs

import "strings"

// Line is one line of a source file, without its line ending.
type Line struct {
	// Text is the line's text, without "\n" or "\r\n".
	Text string
	// Num is the 1-based number of the line in its file.
	Num int
}

// SplitLines splits data into numbered lines, dropping "\n" and "\r\n"
// endings. A final line ending does not start another line, so "" and "\n"
// both hold no line.
func SplitLines(data string) []Line {
	data = strings.TrimSuffix(data, "\n")
	if data == "" {
		return nil
	}
	parts := strings.Split(data, "\n")
	lines := make([]Line, len(parts))
	for i, p := range parts {
		lines[i] = Line{Text: strings.TrimSuffix(p, "\r"), Num: i + 1}
	}
	return lines
}

// IsBlank reports whether s holds only spaces and tabs, which makes it a
// blank line in Markdown.
func IsBlank(s string) bool {
	return strings.TrimLeft(s, " \t") == ""
}

// indentOf returns the width in columns of the leading whitespace of s (a tab
// advances to the next multiple of four) and the text after it.
func indentOf(s string) (int, string) {
	cols := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			cols++
		case '\t':
			cols += 4 - cols%4
		default:
			return cols, s[i:]
		}
	}
	return cols, ""
}

// stripCols removes up to n columns of leading whitespace from s. A tab that
// straddles the limit is replaced by the spaces left over.
func stripCols(s string, n int) string {
	cols := 0
	for i := 0; i < len(s); i++ {
		if cols >= n {
			return s[i:]
		}
		switch s[i] {
		case ' ':
			cols++
		case '\t':
			next := cols + 4 - cols%4
			if next > n {
				return strings.Repeat(" ", next-n) + s[i+1:]
			}
			cols = next
		default:
			return s[i:]
		}
	}
	return ""
}
