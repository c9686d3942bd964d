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
	codeSpanMark = regexp.MustCompile("\uE000([0-9]+)\uE001")
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

// inline converts the kramdown and HTML of one line of text to the lab's
// Markdown. Code spans are left as they are.
func (c *converter) inline(s string, num int) string {
	var spans []string
	s = maskCode(s, &spans)
	if htmlComment.MatchString(s) {
		c.ns.add(num, "an HTML comment was dropped")
		s = htmlComment.ReplaceAllString(s, "")
	}
	s = htmlImg.ReplaceAllStringFunc(s, func(tag string) string {
		attrs := map[string]string{}
		for _, m := range htmlAttr.FindAllStringSubmatch(tag, -1) {
			attrs[strings.ToLower(m[1])] = m[2][1 : len(m[2])-1]
		}
		return c.image(attrs["alt"], attrs["src"], num)
	})
	s = htmlLink.ReplaceAllStringFunc(s, func(tag string) string {
		m := htmlLink.FindStringSubmatch(tag)
		return "[" + m[2] + "](" + m[1][1:len(m[1])-1] + ")"
	})
	s = c.htmlTags(s, num)
	s = portLinkRe.ReplaceAllStringFunc(s, func(m string) string { return c.portLink(m, num) })
	s = imageRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := imageRe.FindStringSubmatch(m)
		return c.image(sub[1], sub[2], num)
	})
	s = refLinkRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := refLinkRe.FindStringSubmatch(m)
		label := sub[2]
		if label == "" {
			label = sub[1]
		}
		if u, ok := c.refs[strings.ToLower(label)]; ok {
			return "[" + sub[1] + "](" + u + ")"
		}
		return m
	})
	s = linkRe.ReplaceAllStringFunc(s, func(m string) string { return c.link(m, num) })
	if ials := inlineIAL.FindAllString(s, -1); len(ials) > 0 {
		c.ns.add(num, "the kramdown attributes %s were dropped: a lab has no classes or attributes", quote(strings.Join(ials, " ")))
		s = inlineIAL.ReplaceAllString(s, "")
	}
	return unmaskCode(s, spans)
}

// htmlTags replaces the HTML tags of s: bold, italic and code tags by
// their Markdown, the others by nothing. A lab shows HTML as text.
func (c *converter) htmlTags(s string, num int) string {
	var dropped []string
	s = htmlTag.ReplaceAllStringFunc(s, func(tag string) string {
		name := strings.ToLower(htmlTag.FindStringSubmatch(tag)[1])
		switch name {
		case "b", "strong":
			return "**"
		case "i", "em":
			return "*"
		case "code", "kbd", "tt":
			return "`"
		}
		dropped = append(dropped, tag)
		return ""
	})
	if len(dropped) > 0 {
		c.ns.add(num, "the HTML %s was dropped: a lab shows no HTML", quote(strings.Join(dropped, " ")))
	}
	return s
}

// portLink converts [text](/path){:data-term=".term1"}{:data-port="80"},
// with the attributes in any order, to [text](port:node1:80/path).
func (c *converter) portLink(m string, num int) string {
	sub := portLinkRe.FindStringSubmatch(m)
	text, target, attrs := sub[1], sub[2], sub[3]
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
func (c *converter) link(m string, num int) string {
	sub := linkRe.FindStringSubmatch(m)
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
		b.WriteString("\uE000" + strconv.Itoa(len(*spans)) + "\uE001")
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
