package pwdimport

import (
	"strings"
	"testing"
)

func TestInline(t *testing.T) {
	cases := []struct {
		in, want, note string
	}{
		{`[open](/){:data-term=".term1"}{:data-port="80"}`, "[open](port:node1:80/)", ""},
		{`[open](/hello){:data-port="8080"}{:data-term=".term2"}`, "[open](port:node2:8080/hello)", ""},
		{`[open](/){: data-term=".term3" data-port="5000"}.`, "[open](port:node3:5000/).", ""},
		{`[open](http://localhost/x?y=1){:data-term=".term1"}{:data-port="80"}`, "[open](port:node1:80/x?y=1)", ""},
		{"[`app`](/){:data-term='.term1'}{:data-port='3000'}", "[`app`](port:node1:3000/)", ""},
		{`[open](/){:data-term=".term1"}{:data-port="99999"}`, "open", "cannot be written in a lab"},
		{`[site](https://example.com){:target="_blank"}`, "[site](https://example.com)", `kramdown attributes "{:target=\"_blank\"}"`},
		{`[x](javascript:alert(1))`, `[x](javascript:alert(1))`, ""}, // no link to the lab's parser either
		{`[x](ftp://host/f)`, "x", "is not allowed in a lab"},
		{`[anchor](#top) and [mail](mailto:a@b.c)`, "[anchor](#top) and [mail](mailto:a@b.c)", ""},
		{`![](/images/a.png)`, "", "without alt text, was dropped"},
		{`*emphasis*{: .big}`, "*emphasis*", "kramdown attributes"},
		{"<kbd>Ctrl</kbd> + <code>C</code>", "`Ctrl` + `C`", ""},
		{"keep <your-ip> and a < b", "keep <your-ip> and a < b", ""},
	}
	for _, tc := range cases {
		ns := &notes{}
		c := newConverter(ns, "T")
		got := c.inline(tc.in, lineNums{1})
		var all []string
		for _, n := range ns.list {
			all = append(all, n.Text)
		}
		if got != tc.want || (tc.note == "") != (len(all) == 0) || !strings.Contains(strings.Join(all, "\n"), tc.note) {
			t.Errorf("inline(%q) = %q, notes %q; want %q, a note with %q", tc.in, got, all, tc.want, tc.note)
		}
	}
}
