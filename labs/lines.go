package labs

import "strings"

// line is one line of a source file, without its line ending.
type line struct {
	text string
	num  int // 1-based line number in the file
}

// splitLines splits data into lines, dropping "\n" and "\r\n" endings.
func splitLines(data string) []line {
	if data == "" {
		return nil
	}
	data = strings.TrimSuffix(data, "\n")
	parts := strings.Split(data, "\n")
	lines := make([]line, len(parts))
	for i, p := range parts {
		lines[i] = line{text: strings.TrimSuffix(p, "\r"), num: i + 1}
	}
	return lines
}

// isBlank reports whether s holds only spaces and tabs.
func isBlank(s string) bool {
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
