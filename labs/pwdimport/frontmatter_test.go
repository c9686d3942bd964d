package pwdimport

import (
	"strings"
	"testing"

	"github.com/labplay/playground/labs"
)

func TestParsePost(t *testing.T) {
	src := "---\n" +
		"layout: post\n" +
		"title: \"Volumes: a \\\"first\\\" look\"\n" +
		"description: &d >\n" +
		"  Keep data\n" +
		"  beyond a container\n" +
		"excerpt: second\n" +
		"level: *d\n" +
		"time: ~\n" +
		"tags: [a, b]\n" +
		"terms: 3\n" +
		"...\n" +
		"body\n"
	ns := &notes{}
	p, body := parsePost(labs.SplitLines(src), ns)
	want := post{title: `Volumes: a "first" look`, excerpt: "Keep data beyond a container\n", excerptLine: 4,
		difficulty: "Keep data beyond a container\n", terms: 3, termsLine: 11}
	if p != want {
		t.Errorf("post = %+v\nwant   %+v", p, want)
	}
	if len(body) != 1 || body[0].Text != "body" || body[0].Num != 13 {
		t.Errorf("body = %v", body)
	}
	if len(ns.list) > 0 {
		t.Errorf("notes: %v", ns.list)
	}
}

// A front matter that is not YAML is not read, as Jekyll does not read it;
// the note names its line in the post.
func TestParsePostNotes(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		note      string
	}{
		{"colon in a plain value", "---\nlayout: post\ntitle: Volumes: a first look\n---\n", 3, "not valid YAML (mapping values are not allowed"},
		{"tab indentation", "---\ntitle: T\n\tterms: 2\n---\n", 3, "not valid YAML (found a tab character"},
		{"unterminated quote", "---\ntitle: \"T\nterms: 2\n---\n", 3, "not valid YAML"},
		{"a list", "---\n- title\n- T\n---\n", 2, "not a mapping of keys to values"},
		{"a list for the title", "---\nlayout: post\ntitle: [a, b]\n---\n", 3, "title: is a list or a mapping"},
		{"terms in words", "---\ntitle: T\nterms: two\n---\n", 3, `terms: "two" is not a number`},
	}
	for _, tc := range cases {
		ns := &notes{}
		p, body := parsePost(labs.SplitLines(tc.src+"text\n"), ns)
		if len(ns.list) != 1 || ns.list[0].Line != tc.line || !strings.Contains(ns.list[0].Text, tc.note) {
			t.Errorf("%s: notes %v, want one on line %d with %q", tc.name, ns.list, tc.line, tc.note)
		}
		if len(body) != 1 || body[0].Text != "text" {
			t.Errorf("%s: body %v, want the line after the front matter", tc.name, body)
		}
		if p.terms != 0 || (p.title != "" && p.title != "T") {
			t.Errorf("%s: post %+v", tc.name, p)
		}
	}
}
