package labs

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// shellLine finds the line number in a shell's syntax error, as dash
// ("sh: 3: Syntax error: ...") and bash ("bash: line 3: syntax error ...")
// print them.
var shellLine = regexp.MustCompile(`^[^:]*: (?:line )?(\d+): (.*)`)

// LintScripts runs every check and value script of the lab through
// "shell -n", which parses a script without running it, and returns the
// syntax errors located in lab.md. shell is a POSIX shell such as "sh".
func (l *Lab) LintScripts(ctx context.Context, shell string) []LintError {
	type script struct {
		line int
		text string
	}
	var scripts []script
	for _, v := range l.values {
		scripts = append(scripts, script{v.line, v.Script})
	}
	for _, cs := range l.checks {
		for _, c := range cs {
			scripts = append(scripts, script{c.line, c.Script})
		}
	}
	var errs []LintError
	p := problems{file: l.metaFile(), errs: &errs}
	for _, s := range scripts {
		cmd := exec.CommandContext(ctx, shell, "-n")
		cmd.Stdin = strings.NewReader(s.text + "\n")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err == nil {
			continue
		} else if out.Len() == 0 {
			p.add(s.line, "%s -n failed: %v", shell, err)
			continue
		}
		first, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
		n, msg := s.line+1, first
		if m := shellLine.FindStringSubmatch(first); m != nil {
			k, _ := strconv.Atoi(m[1])
			n, msg = s.line+k, m[2]
		}
		p.add(n, "shell syntax: %s", msg)
	}
	sortErrors(errs)
	return errs
}

// metaFile is the path of the lab's lab.md.
func (l *Lab) metaFile() string {
	if l.dir == "." || l.dir == "" {
		return "lab.md"
	}
	return l.dir + "/lab.md"
}
