package labs

import "strings"

// headingOf reports whether rest (a line without its indentation) is an ATX
// heading, returning its level (1 to 6) and text.
func headingOf(rest string) (level int, text string, ok bool) {
	if rest == "" || rest[0] != '#' {
		return 0, "", false
	}
	n := runLength(rest, 0)
	if n > 6 || (n < len(rest) && rest[n] != ' ' && rest[n] != '\t') {
		return 0, "", false
	}
	text = strings.TrimSpace(rest[n:])
	// Drop an optional closing sequence of #s.
	if trimmed := strings.TrimRight(text, "#"); trimmed != text {
		if trimmed == "" {
			text = ""
		} else if last := trimmed[len(trimmed)-1]; last == ' ' || last == '\t' {
			text = strings.TrimSpace(trimmed)
		}
	}
	return n, text, true
}

// isRule reports whether rest is a thematic break: three or more of the same
// character among -, * and _, possibly separated by spaces.
func isRule(rest string) bool {
	if rest == "" || (rest[0] != '-' && rest[0] != '*' && rest[0] != '_') {
		return false
	}
	n := 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case rest[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// listMarker describes the marker that opens a list item.
type listMarker struct {
	ordered bool
	char    byte   // '-', '*' or '+' for bullets; '.' or ')' for ordered items
	start   int    // number of an ordered item
	content int    // column where the item's content starts
	body    string // the text of the item on the marker's line
}

// sameList reports whether an item with marker m continues the list opened
// by first.
func (m listMarker) sameList(first listMarker) bool {
	return m.ordered == first.ordered && m.char == first.char
}

// listMarkerOf reports whether text opens a list item.
func listMarkerOf(text string) (listMarker, bool) {
	ind, rest := indentOf(text)
	if ind > 3 || rest == "" || isRule(rest) {
		return listMarker{}, false
	}
	var m listMarker
	width := 0
	switch c := rest[0]; {
	case c == '-' || c == '*' || c == '+':
		m.char, width = c, 1
	case c >= '0' && c <= '9':
		for width < len(rest) && width < 10 && rest[width] >= '0' && rest[width] <= '9' {
			m.start = m.start*10 + int(rest[width]-'0')
			width++
		}
		if width > 9 || width == len(rest) || (rest[width] != '.' && rest[width] != ')') {
			return listMarker{}, false
		}
		m.ordered, m.char = true, rest[width]
		width++
	default:
		return listMarker{}, false
	}
	after := rest[width:]
	if after != "" && after[0] != ' ' && after[0] != '\t' {
		return listMarker{}, false
	}
	spaces, body := indentOf(after)
	// indentOf counts tabs from column 0; that is close enough for the
	// spacing after a marker.
	m.body = body
	if body == "" || spaces > 4 {
		spaces = 1
		m.body = stripCols(after, 1)
	}
	m.content = ind + width + spaces
	return m, true
}

// startsBlock reports whether text opens a block other than a paragraph, so
// that it ends the paragraph before it.
func startsBlock(text string) bool {
	ind, rest := indentOf(text)
	if ind > 3 || rest == "" {
		return false
	}
	if _, ok := fenceOpen(text); ok {
		return true
	}
	if _, _, ok := headingOf(rest); ok {
		return true
	}
	if rest[0] == '>' || isRule(rest) {
		return true
	}
	_, ok := listMarkerOf(text)
	return ok
}
