package pwdimport

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/labplay/playground/labs"
)

// post holds what the conversion uses of a post's Jekyll front matter.
type post struct {
	title, excerpt, difficulty, time string
	terms                            int // the terminals the post asks for; 0 when it does not say
	termsLine, excerptLine           int
}

// parsePost reads the front matter at the start of lines, a YAML mapping
// between a line --- and a line --- or ..., and returns it with the lines
// after it. A post without a front matter is all body. A front matter that
// is not valid YAML is skipped with a note, as Jekyll skips it.
func parsePost(lines []labs.Line, ns *notes) (post, []labs.Line) {
	var p post
	if len(lines) == 0 || strings.TrimSpace(lines[0].Text) != "---" {
		ns.add(0, "the post has no Jekyll front matter (a block between two lines ---): title and terms are unknown")
		return p, lines
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i].Text); t == "---" || t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		ns.add(lines[0].Num, "the front matter is never closed by a line ---: the whole post was read as text")
		return p, lines
	}
	for _, f := range frontMatter(lines[:end], ns) {
		value, ok := scalar(f.value)
		if !ok {
			switch f.key {
			case "title", "excerpt", "description", "difficulty", "level", "time", "terms":
				ns.add(f.line, "%s: is a list or a mapping, not one value: it was left out", f.key)
			}
			continue
		}
		switch f.key {
		case "title":
			p.title = value
		case "excerpt", "description":
			if p.excerpt == "" {
				p.excerpt, p.excerptLine = value, f.line
			}
		case "difficulty", "level":
			p.difficulty = value
		case "time":
			p.time = value
		case "terms":
			n, err := strconv.Atoi(value)
			if err != nil {
				ns.add(f.line, "terms: %s is not a number of terminals; the nodes are counted from the .termN blocks", quote(value))
				continue
			}
			p.terms, p.termsLine = n, f.line
		}
	}
	return p, lines[end+1:]
}

// yamlField is one key of a front matter and its value.
type yamlField struct {
	key   string
	value *yaml.Node
	line  int // the key's line in the post
}

// yamlErrorLine reads the line that yaml.v3 puts in the text of a syntax
// error; the package has no error type that carries it.
var yamlErrorLine = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// frontMatter parses the front matter lines, from its opening --- to
// before its closing line, and returns the keys of its top-level mapping
// in order (a key written twice is there twice). When the text is not a
// YAML mapping, it notes why and returns no key.
func frontMatter(lines []labs.Line, ns *notes) []yamlField {
	texts := make([]string, len(lines)-1)
	for i, l := range lines[1:] {
		texts[i] = l.Text
	}
	// Line n of the YAML text is the line after the opening one by n.
	first := lines[0].Num
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(texts, "\n")), &doc); err != nil {
		at, msg := first, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlErrorLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			at, msg = first+n, m[2]
		}
		ns.add(at, "the front matter is not valid YAML (%s), so none of it was read, as Jekyll reads none: title and terms are unknown", msg)
		return nil
	}
	if len(doc.Content) == 0 {
		return nil // an empty front matter, or only comments
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		ns.add(first+top.Line, "the front matter is not a mapping of keys to values: title and terms are unknown")
		return nil
	}
	var fields []yamlField
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, value := top.Content[i], top.Content[i+1]
		fields = append(fields, yamlField{key: key.Value, value: value, line: first + key.Line})
	}
	return fields
}

// scalar returns the value of a scalar node, or of the scalar an alias
// names, with quotes and folding resolved by the YAML parser; null is "".
// ok is false for a list or a mapping.
func scalar(n *yaml.Node) (value string, ok bool) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return n.Value, true
}
