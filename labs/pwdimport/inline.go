package pwdimport

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labplay/playground/labs"
)

// linkText matches the text of a link, which may hold one level of
// brackets.
const linkText = `\[((?:[^\[\]]|\[[^\[\]]*\])*)\]`

var (
	codeSpanMark = regexp.MustCompile("\uE000([0-9]+)\n*\uE001")
	htmlComment  = regexp.MustCompile(`<!--.*?-->`)
	htmlImg      = regexp.MustCompile(`(?i)<img\b[^>]*>`)
	htmlLink     = regexp.MustCompile(`(?i)<a\b[^>]*\bhref\s*=\s*("[^"]*"|'[^']*')[^>]*>(.*?)</a\s*>`)
	htmlTag      = regexp.MustCompile(`(?i)</?(a|abbr|b|big|blockquote|br|button|center|code|details|div|em|figcaption|figure|font|h[1-6]|hr|i|iframe|kbd|li|ol|p|pre|script|section|small|source|span|strong|style|sub|summary|sup|table|tbody|td|th|thead|tr|tt|u|ul|video)\b[^>]*>`)
	htmlAttr     = regexp.MustCompile(`(?i)\b(alt|src)\s*=\s*("[^"]*"|'[^']*')`)
	portLinkRe   = regexp.MustCompile(linkText + `\(([^()\s]*)\)((?:[ \t]*\{:[^{}]*\})+)`)
	termAttr     = regexp.MustCompile(`data-term\s*=\s*["']?\.?term([0-9]+)`)
	portAttr     = regexp.MustCompile(`data-port\s*=\s*["']?([0-9]+)`)
	imageRe      = regexp.MustCompile(`!\[([^\[\]]*)\]\(([^()\s]*)(?:\s+(?:"[^"]*"|'[^']*'))?\)`)
	refLinkRe    = regexp.MustCompile(linkText + `\[([^\[\]]*)\]`)
	linkRe       = regexp.MustCompile(linkText + `\(([^()\s]*)(?:\s+(?:"[^"]*"|'[^']*'))?\)`)
	inlineIAL    = regexp.MustCompile(`\{:[^{}]*\}|\{::[^{}]*\}`)
)

// lineNums holds the line of the post of each line of a paragraph.
type lineNums []int

// at returns the line of the post of the k-th line of the paragraph.
func (ln lineNums) at(k int) int {
	if len(ln) == 0 {
		return 0
	}
	return ln[min(k, len(ln)-1)]
}

// inline converts the kramdown and HTML of a paragraph, whose lines come
// from the lines num of the post, to the lab's Markdown. Code spans are
// left as they are, and the text keeps its number of lines, so that every
// note names the line it concerns.
func (c *converter) inline(s string, num lineNums) string {
	var spans []string
	s = maskCode(s, &spans)
	s = replace(htmlComment, s, num, func(_ []string, n int) string {
		c.ns.add(n, "an HTML comment was dropped")
		return ""
	})
	s = replace(htmlImg, s, num, func(m []string, n int) string {
		attrs := map[string]string{}
		for _, a := range htmlAttr.FindAllStringSubmatch(m[0], -1) {
			attrs[strings.ToLower(a[1])] = a[2][1 : len(a[2])-1]
		}
		return c.image(attrs["alt"], attrs["src"], n)
	})
	s = replace(htmlLink, s, num, func(m []string, _ int) string {
		return "[" + m[2] + "](" + m[1][1:len(m[1])-1] + ")"
	})
	s = c.htmlTags(s, num)
	s = replace(portLinkRe, s, num, c.portLink)
	s = replace(imageRe, s, num, func(m []string, n int) string { return c.image(m[1], m[2], n) })
	s = replace(refLinkRe, s, num, func(m []string, _ int) string {
		label := m[2]
		if label == "" {
			label = m[1]
		}
		if u, ok := c.refs[strings.ToLower(label)]; ok {
			return "[" + m[1] + "](" + u + ")"
		}
		return m[0]
	})
	s = replace(linkRe, s, num, c.link)
	s = replace(inlineIAL, s, num, func(m []string, n int) string {
		c.ns.add(n, "the kramdown attributes %s were dropped: a lab has no classes or attributes", quote(m[0]))
		return ""
	})
	return unmaskCode(s, spans)
}

// replace replaces every match of re in s, a paragraph from the lines num
// of the post, by what fn returns for its submatches and its line. Line
// breaks that a replacement drops are put back after it.
func replace(re *regexp.Regexp, s string, num lineNums, fn func(m []string, line int) string) string {
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:loc[0]])
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		out := fn(m, num.at(strings.Count(s[:loc[0]], "\n")))
		b.WriteString(out)
		if lost := strings.Count(m[0], "\n") - strings.Count(out, "\n"); lost > 0 {
			b.WriteString(strings.Repeat("\n", lost))
		}
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// htmlTags replaces the HTML tags of s: bold, italic and code tags by
// their Markdown, the others by nothing. A lab shows HTML as text.
func (c *converter) htmlTags(s string, num lineNums) string {
	return replace(htmlTag, s, num, func(m []string, n int) string {
		switch strings.ToLower(m[1]) {
		case "b", "strong":
			return "**"
		case "i", "em":
			return "*"
		case "code", "kbd", "tt":
			return "`"
		}
		c.ns.add(n, "the HTML %s was dropped: a lab shows no HTML", quote(m[0]))
		return ""
	})
}

// portLink converts [text](/path){:data-term=".term1"}{:data-port="80"},
// with the attributes in any order, to [text](port:node1:80/path).
func (c *converter) portLink(sub []string, num int) string {
	m, text, target, attrs := sub[0], sub[1], sub[2], sub[3]
	term, port := termAttr.FindStringSubmatch(attrs), portAttr.FindStringSubmatch(attrs)
	if term == nil || port == nil {
		return "[" + text + "](" + target + ")" + attrs // an ordinary link with attributes
	}
	n, _ := strconv.Atoi(term[1])
	p, _ := strconv.Atoi(port[1])
	if n < 1 || n > labs.MaxNodes || p < 1 || p > 65535 {
		c.ns.add(num, "the port link to port %s of terminal %s cannot be written in a lab (nodes 1 to %d, ports 1 to 65535): only its text was kept", port[1], term[1], labs.MaxNodes)
		return text
	}
	c.maxTerm = max(c.maxTerm, n)
	path := target
	if u, err := url.Parse(target); err == nil && u.IsAbs() {
		path = u.RequestURI()
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if strings.ContainsAny(path, "\"'<>") {
		c.ns.add(num, "the path of the port link %s holds characters a port link cannot: the link opens /", quote(m))
		path = "/"
	}
	return "[" + text + "](port:node" + term[1] + ":" + port[1] + path + ")"
}

// image replaces an image, which a lab cannot show: by a link to it when
// it is on the web, by its alt text otherwise.
func (c *converter) image(alt, src string, num int) string {
	alt = strings.TrimSpace(alt)
	if external(src) {
		c.ns.add(num, "the image %s became a link: a lab shows no images", src)
		if alt == "" {
			alt = "image"
		}
		return "[Image: " + alt + "](" + src + ")"
	}
	if alt == "" {
		c.ns.add(num, "the image %s, on the old site and without alt text, was dropped", src)
		return ""
	}
	c.ns.add(num, "the image %s, on the old site, was replaced by its alt text", src)
	return "*(Image: " + alt + ")*"
}

// link checks the link m: web and mail links and anchors stay (without a
// title, which a lab does not take), port links stay, and links to the old
// site or of other kinds become their text.
func (c *converter) link(sub []string, num int) string {
	text, target := sub[1], sub[2]
	lower := strings.ToLower(target)
	switch {
	case strings.HasPrefix(lower, "port:"), external(target), strings.HasPrefix(lower, "mailto:") && len(target) > 7,
		strings.HasPrefix(target, "#"):
		return "[" + text + "](" + target + ")"
	case target == "":
		return text
	case strings.HasPrefix(target, "//") || strings.Contains(strings.SplitN(target, "/", 2)[0], ":"):
		c.ns.add(num, "the link to %s is not allowed in a lab: only its text was kept", target)
	default:
		c.ns.add(num, "the link to %s pointed into the old site: only its text was kept", target)
	}
	return text
}

// external reports whether u is a web address.
func external(u string) bool {
	lower := strings.ToLower(u)
	return (strings.HasPrefix(lower, "http://") && len(u) > 7) || (strings.HasPrefix(lower, "https://") && len(u) > 8)
}

// maskCode replaces the code spans of s by markers, appending their text
// to spans, so that the conversions of the line leave them alone.
func maskCode(s string, spans *[]string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		ticks := s[i : i+n]
		end := -1
		for j := i + n; j < len(s); {
			k := strings.Index(s[j:], ticks)
			if k < 0 {
				break
			}
			k += j
			m := 0
			for k+m < len(s) && s[k+m] == '`' {
				m++
			}
			if m == n {
				end = k
				break
			}
			j = k + m
		}
		if end < 0 {
			b.WriteString(ticks)
			i += n
			continue
		}
		// The marker keeps the span's line breaks, so that the text keeps
		// its number of lines.
		b.WriteString("\uE000" + strconv.Itoa(len(*spans)) + strings.Repeat("\n", strings.Count(s[i:end+n], "\n")) + "\uE001")
		*spans = append(*spans, s[i:end+n])
		i = end + n
	}
	return b.String()
}

// unmaskCode puts the code spans back in place of their markers.
func unmaskCode(s string, spans []string) string {
	return codeSpanMark.ReplaceAllStringFunc(s, func(m string) string {
		i, _ := strconv.Atoi(codeSpanMark.FindStringSubmatch(m)[1])
		return spans[i]
	})
}

// plainText turns the Markdown of a heading into the plain text of a
// section title: links become their text, and code and emphasis marks go.
func plainText(s string) string {
	s = linkRe.ReplaceAllString(s, "$1")
	s = strings.NewReplacer("`", "", "**", "", "*", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}
