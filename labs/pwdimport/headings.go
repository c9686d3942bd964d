package pwdimport

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/labplay/playground/labs"
)

// topLevel returns the heading level that splits the post into sections:
// the smallest level that two headings or more use, or the smallest level
// used when none is used twice; 0 when the post has no headings.
func topLevel(lines []labs.Line) int {
	count := [7]int{}
	inFence := ""
	for _, l := range lines {
		if m := fencePattern.FindStringSubmatch(l.Text); m != nil {
			switch {
			case inFence == "":
				inFence = m[2]
			case m[2][0] == inFence[0] && len(m[2]) >= len(inFence) && labs.IsBlank(m[3]):
				inFence = ""
			}
			continue
		}
		if inFence != "" {
			continue
		}
		if m := headingPattern.FindStringSubmatch(l.Text); m != nil {
			count[len(m[1])]++
		}
	}
	lowest := 0
	for level := 1; level <= 6; level++ {
		if count[level] >= 2 {
			return level
		}
		if count[level] > 0 && lowest == 0 {
			lowest = level
		}
	}
	return lowest
}

// setextUnderline is the line under a setext heading: === for level 1,
// --- for level 2.
var setextUnderline = regexp.MustCompile(`^ {0,3}(=+|-{3,})[ \t]*$`)

// atxHeadings rewrites the setext headings of lines, a line of text
// underlined with === or ---, as # and ## headings, so that the rest of
// the conversion knows only one kind. Only a one-line paragraph is taken
// for a heading.
func atxHeadings(lines []labs.Line) []labs.Line {
	out := make([]labs.Line, 0, len(lines))
	fence := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := fencePattern.FindStringSubmatch(l.Text); m != nil {
			switch {
			case fence == "":
				fence = m[2]
			case m[2][0] == fence[0] && len(m[2]) >= len(fence) && labs.IsBlank(m[3]):
				fence = ""
			}
		}
		if fence == "" && i+1 < len(lines) && (i == 0 || labs.IsBlank(lines[i-1].Text)) && plainLine(l.Text) {
			if m := setextUnderline.FindStringSubmatch(lines[i+1].Text); m != nil {
				level := "#"
				if m[1][0] == '-' {
					level = "##"
				}
				out = append(out, labs.Line{Text: level + " " + strings.TrimSpace(l.Text), Num: l.Num})
				i++
				continue
			}
		}
		out = append(out, l)
	}
	return out
}

// plainLine reports whether s could be the text of a setext heading: not
// blank, not indented as code, and not the start of another block.
func plainLine(s string) bool {
	t := strings.TrimLeft(s, " ")
	if t == "" || len(s)-len(t) > 3 || listPattern.MatchString(s) || fencePattern.MatchString(s) {
		return false
	}
	return !strings.ContainsAny(t[:1], "#>|<{\t")
}

// heading converts a heading of the given level: one of the top level
// starts a section, deeper ones become headings ## to ####.
func (c *converter) heading(level int, raw string, num int) {
	c.listOpen = false
	id := ""
	if m := headingID.FindStringSubmatch(raw); m != nil {
		id = slugify(m[1])
		raw = raw[:len(raw)-len(m[0])]
	}
	if m := headingIAL.FindString(raw); m != "" {
		c.ns.add(num, "the kramdown attribute list %s of a heading was dropped", quote(m))
		raw = raw[:len(raw)-len(m)]
	}
	raw = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(raw), "#"))
	text := strings.TrimSpace(c.inline(raw, lineNums{num}))
	if text == "" {
		c.ns.add(num, "an empty heading was dropped")
		return
	}
	switch {
	case level == c.split && len(c.sections) == 1 && strings.EqualFold(plainText(text), c.title):
		c.ns.add(num, "the heading %s repeats the post's title: it was dropped, and the text after it opens the lab", quote(text))
	case level == c.split:
		title := plainText(text)
		if title == "" {
			title = "Section " + strconv.Itoa(len(c.sections)+1)
		}
		if id == "" {
			id = slugify(title)
		}
		if id == "" {
			id = "section"
		}
		c.sections = append(c.sections, &section{title: title, id: c.uniqueID(id)})
	case level < c.split:
		if strings.EqualFold(plainText(text), strings.TrimSpace(c.title)) {
			c.ns.add(num, "the heading %s repeats the post's title and was dropped", quote(text))
			return
		}
		c.emit("## " + text)
	default:
		to := level - c.split + 1
		if to > 4 {
			c.ns.add(num, "a heading %d levels below the sections became a heading #### (a lab has headings ## to #### inside a section)", level-c.split)
			to = 4
		}
		c.emit(strings.Repeat("#", to) + " " + text)
	}
}

// uniqueID returns id, or id-2, id-3... when it is taken.
func (c *converter) uniqueID(id string) string {
	c.ids[id]++
	if n := c.ids[id]; n > 1 {
		suffix := "-" + strconv.Itoa(n)
		if len(id)+len(suffix) > 64 {
			id = strings.TrimRight(id[:64-len(suffix)], "-")
		}
		return c.uniqueID(id + suffix)
	}
	return id
}
