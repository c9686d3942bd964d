package pwdimport

import (
	"path"
	"strings"
)

// cd follows the shell's working folder through cd's arguments. A folder
// that is not literal, or cd -, makes it unknown.
func (ns *nodeState) cd(args []word) {
	var dest []word
	for _, w := range args {
		if !strings.HasPrefix(w.text, "-") || w.text == "-" {
			dest = append(dest, w)
		}
	}
	switch {
	case len(dest) == 0:
		ns.dir = "/root"
	case len(dest) > 1 || dest[0].text == "-":
		ns.dir = ""
	default:
		ns.dir = ns.resolve(dest[0])
	}
}

// resolve returns the absolute path of the file the word w names, from
// the shell's working folder, or "" when that cannot be known: the word
// is not literal, or relative while the folder is unknown.
func (ns *nodeState) resolve(w word) string {
	p := w.text
	if !w.literal || p == "" || strings.ContainsAny(p, "\n\x00") {
		return ""
	}
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		p = "/root" + p[1:]
	case strings.HasPrefix(p, "~"):
		return "" // another user's home
	case !strings.HasPrefix(p, "/"):
		if ns.dir == "" {
			return ""
		}
		p = ns.dir + "/" + p
	}
	return path.Clean(p)
}

// fileFact returns the fact that the file, or the folder when dir is set,
// that w names exists. Device and kernel files (/dev/null) have none.
func (ns *nodeState) fileFact(w word, dir bool) []fact {
	p := ns.resolve(w)
	if p == "" || p == "/" || strings.HasPrefix(p, "/dev/") || strings.HasPrefix(p, "/proc/") || strings.HasPrefix(p, "/sys/") {
		return nil
	}
	if dir {
		return []fact{{key: "path " + p, state: "folder", notDone: "[ ! -d " + shellWord(p) + " ]",
			hint: "The folder " + p + " is not there yet."}}
	}
	return []fact{{key: "path " + p, state: "file", notDone: "[ ! -f " + shellWord(p) + " ]",
		hint: "The file " + p + " is not there yet."}}
}

// cloneFlags are the flags of git clone without a value.
var cloneFlags = flagSet{short: "lsqvn", long: []string{"local", "no-hardlinks", "shared", "quiet", "verbose",
	"progress", "no-checkout", "bare", "mirror", "single-branch", "no-single-branch", "no-tags",
	"recursive", "recurse-submodules", "shallow-submodules", "no-shallow-submodules", "remote-submodules",
	"no-remote-submodules", "sparse", "reject-shallow", "no-reject-shallow", "dissociate", "help"}}

// gitClone returns the fact that git clone's folder exists: the one it
// names, or the repository's name.
func (ns *nodeState) gitClone(in []word) []fact {
	a, _ := parseArgs(in, cloneFlags, false)
	switch len(a.pos) {
	case 1:
		url := a.pos[0]
		name := strings.TrimRight(url.text, "/")
		name = strings.TrimSuffix(name[strings.LastIndexAny(name, "/:")+1:], ".git")
		if name == "" || name == "." || name == ".." {
			return nil
		}
		return ns.fileFact(word{name, url.literal}, true)
	case 2:
		return ns.fileFact(a.pos[1], true)
	}
	return nil
}

// goneFile returns the fact that the file or folder w names is gone.
func (ns *nodeState) goneFile(w word) []fact {
	p := ns.resolve(w)
	if p == "" || p == "/" || p == "/root" {
		return nil
	}
	return []fact{{key: "path " + p, state: "gone", notDone: "[ -e " + shellWord(p) + " ]",
		hint: p + " is still there.", prior: true}}
}

// covered reports whether the fact p is a folder that a file of facts,
// the same node's facts of the section, lies in: the file's check says
// the folder is there too.
func covered(p *pending, facts map[string]*pending) bool {
	dir, ok := strings.CutPrefix(p.key, "path ")
	if !ok || p.state != "folder" {
		return false
	}
	for key, o := range facts {
		if f, ok := strings.CutPrefix(key, "path "); ok && o.state == "file" && strings.HasPrefix(f, dir+"/") {
			return true
		}
	}
	return false
}
