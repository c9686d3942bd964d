package labs

import (
	"slices"
	"strconv"
	"strings"
)

// Limits of file blocks.
const (
	maxFilePath    = 4096      // bytes in the path of a file block
	maxFileContent = 256 << 10 // bytes in the content of a file block
)

// fileBlock checks a file block, ```file NODE PATH, and returns it: a block
// that writes its content, verbatim, to PATH on NODE. words are the words
// of the fence's info string and raw its lines, each with its line ending.
func (a *analyzer) fileBlock(line int, words []string, raw string) RunBlock {
	b := RunBlock{Command: fileContent(raw)}
	if len(words) != 3 {
		a.p.add(line, "a file block names one node and one path without spaces, as in ```file node1 compose.yaml")
		return b
	}
	b.Node, b.Path = words[1], words[2]
	if a.nodes != nil && !a.nodes[b.Node] {
		a.p.add(line, "file block names node %q, which is not among the lab's nodes", b.Node)
	}
	if msg := checkFilePath(b.Path); msg != "" {
		a.p.add(line, "%s", msg)
	}
	if len(b.Command) > maxFileContent {
		a.p.add(line, "file block holds %d bytes; a file block holds at most %d", len(b.Command), maxFileContent)
	}
	return b
}

// fileContent returns the content of a file block from its lines: the lines
// as they are, without the blank lines at the end, and ending with one line
// break unless the block is empty.
func fileContent(raw string) string {
	lines := strings.SplitAfter(raw, "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	s := strings.Join(lines, "")
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// checkFilePath returns what is wrong with the path of a file block, or ""
// when nothing is. A path is absolute or relative to the node's home, /root.
func checkFilePath(path string) string {
	switch {
	case len(path) > maxFilePath:
		return "the path of a file block is at most " + strconv.Itoa(maxFilePath) + " bytes long"
	case strings.ContainsAny(path, "\x00\r\n"):
		return "the path of a file block cannot hold a NUL byte or a line break"
	case slices.Contains(strings.Split(path, "/"), ".."):
		return "file block path " + strconv.Quote(path) + " has a .. segment: write the path from / or from the node's home, /root"
	case strings.HasPrefix(path, "~"):
		return "file block path " + strconv.Quote(path) + " starts with ~: a relative path already starts from the node's home, /root"
	case strings.HasSuffix(path, "/") || path == ".":
		return "file block path " + strconv.Quote(path) + " names a folder, not a file"
	}
	return ""
}
