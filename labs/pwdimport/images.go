package pwdimport

import (
	"regexp"
	"slices"
	"strings"
)

// imageFinder collects the images that a lab's commands and files need.
type imageFinder struct {
	images  []string // the images to list in lab.md, in order
	built   []string // images that the lab builds itself
	dynamic []string // image words that depend on a variable
	bad     []string // image words that are no valid reference
	opaque  []string // commands that run files the post may not show
}

// flagSet tells which flags of a docker command take no value: every
// other flag takes one, in the same word after = or in the next word.
type flagSet struct {
	short string   // the one-letter flags without a value
	long  []string // the long flags without a value
}

// The flags without a value of the docker commands that name an image.
var (
	globalFlags = flagSet{short: "Dv", long: []string{"debug", "tls", "tlsverify", "version", "help"}}
	runFlags    = flagSet{short: "ditPq", long: []string{"detach", "interactive", "tty", "rm", "privileged",
		"publish-all", "init", "read-only", "no-healthcheck", "oom-kill-disable", "sig-proxy", "help",
		"disable-content-trust", "quiet", "use-api-socket"}}
	pullFlags    = flagSet{short: "aq", long: []string{"all-tags", "quiet", "disable-content-trust", "help"}}
	serviceFlags = flagSet{short: "dqt", long: []string{"detach", "quiet", "tty", "no-healthcheck", "read-only",
		"init", "no-resolve-image", "with-registry-auth", "help", "force", "rollback"}}
	buildFlags = flagSet{short: "q", long: []string{"no-cache", "pull", "quiet", "rm", "force-rm", "squash",
		"compress", "load", "push", "help"}}
	otherFlags = flagSet{short: "pq", long: []string{"pause", "quiet", "help"}}
)

// script reads the docker commands of a shell script. Prompts ("$ ") at
// the start of its lines are dropped.
func (f *imageFinder) script(s string) {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if t := strings.TrimLeft(l, " \t"); strings.HasPrefix(t, "$ ") {
			lines[i] = t[2:]
		}
	}
	for _, words := range shellCommands(strings.Join(lines, "\n")) {
		f.command(words)
	}
}

// command reads one simple command.
func (f *imageFinder) command(words []string) {
	for len(words) > 0 && (strings.Contains(words[0], "=") || words[0] == "sudo" || words[0] == "time" || words[0] == "exec") {
		words = words[1:]
	}
	if len(words) > 0 && words[0] == "docker-compose" {
		f.addOpaque("docker-compose")
	}
	if len(words) == 0 || (words[0] != "docker" && !strings.HasSuffix(words[0], "/docker")) {
		return
	}
	args := words[1:]
	var sub []string
	for len(args) > 0 {
		_, _, rest, ok := nextFlag(args, globalFlags)
		if !ok {
			break
		}
		args = rest
	}
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") && len(sub) < 2 {
		sub, args = append(sub, args[0]), args[1:]
		if s := sub[0]; s != "container" && s != "image" && s != "service" && s != "buildx" && s != "builder" && s != "stack" {
			break
		}
	}
	if len(sub) > 0 && (sub[0] == "compose" || sub[0] == "stack") {
		f.addOpaque("docker " + sub[0])
	}
	switch strings.Join(sub, " ") {
	case "run", "create", "container run", "container create":
		f.first(args, runFlags)
	case "pull", "image pull":
		f.first(args, pullFlags)
	case "service create":
		f.first(args, serviceFlags)
	case "service update":
		for _, v := range flagValues(args, serviceFlags, "image") {
			f.add(v)
		}
	case "build", "image build", "buildx build", "builder build":
		for _, v := range flagValues(args, buildFlags, "t", "tag") {
			f.addBuilt(v)
		}
	case "tag", "image tag", "commit", "container commit":
		if p := positionals(args, otherFlags); len(p) >= 2 {
			f.addBuilt(p[1])
		}
	}
}

// first adds the first word of args that is not a flag or a flag's value:
// the image of docker run, for example.
func (f *imageFinder) first(args []string, fs flagSet) {
	for len(args) > 0 {
		if args[0] == "--" {
			args = args[1:]
			break
		}
		_, _, rest, ok := nextFlag(args, fs)
		if !ok {
			break
		}
		args = rest
	}
	if len(args) > 0 {
		f.add(args[0])
	}
}

// positionals returns the words of args that are neither flags nor their
// values.
func positionals(args []string, fs flagSet) []string {
	var out []string
	for len(args) > 0 {
		_, _, rest, ok := nextFlag(args, fs)
		if !ok {
			out, rest = append(out, args[0]), args[1:]
		}
		args = rest
	}
	return out
}

// flagValues returns the values of the flags named names in args.
func flagValues(args []string, fs flagSet, names ...string) []string {
	var out []string
	for len(args) > 0 {
		name, value, rest, ok := nextFlag(args, fs)
		if !ok {
			args = args[1:]
			continue
		}
		if slices.Contains(names, name) && value != "" {
			out = append(out, value)
		}
		args = rest
	}
	return out
}

// nextFlag reads the flag at the start of args, if args starts with one:
// its name (the last letter of a group such as -dp), its value, and the
// words after it.
func nextFlag(args []string, fs flagSet) (name, value string, rest []string, ok bool) {
	a := args[0]
	if len(a) < 2 || a[0] != '-' || a == "--" {
		return "", "", args, false
	}
	if strings.HasPrefix(a, "--") {
		name, value, hasValue := strings.Cut(a[2:], "=")
		if hasValue || slices.Contains(fs.long, name) {
			return name, value, args[1:], true
		}
		if len(args) > 1 {
			return name, args[1], args[2:], true
		}
		return name, "", args[1:], true
	}
	for i := 1; i < len(a); i++ {
		if strings.IndexByte(fs.short, a[i]) >= 0 {
			continue
		}
		name := a[i : i+1]
		if v := strings.TrimPrefix(a[i+1:], "="); v != "" {
			return name, v, args[1:], true
		}
		if len(args) > 1 {
			return name, args[1], args[2:], true
		}
		return name, "", args[1:], true
	}
	return a[len(a)-1:], "", args[1:], true
}

var (
	fromLine  = regexp.MustCompile(`(?m)^[ \t]*FROM[ \t]+((?:--[a-z]+=\S+[ \t]+)*)(\S+)(?:[ \t]+(?i:AS)[ \t]+(\S+))?`)
	imageLine = regexp.MustCompile(`(?m)^[ \t]*(?:-[ \t]+)?image:[ \t]*(\S+)`)
)

// dockerfile reads the base images of the FROM lines of a Dockerfile, or
// of a script that writes one, leaving out scratch and the stages of a
// multi-stage build.
func (f *imageFinder) dockerfile(s string) {
	stages := map[string]bool{"scratch": true}
	for _, m := range fromLine.FindAllStringSubmatch(s, -1) {
		if !stages[strings.ToLower(m[2])] {
			f.add(m[2])
		}
		if m[3] != "" {
			stages[strings.ToLower(m[3])] = true
		}
	}
}

// compose reads the image: lines of a Compose, stack or Kubernetes file.
func (f *imageFinder) compose(s string) {
	for _, m := range imageLine.FindAllStringSubmatch(s, -1) {
		f.add(strings.Trim(m[1], `"'`))
	}
}

// add records an image that the lab needs.
func (f *imageFinder) add(word string) {
	ref, ok := f.normalize(word)
	if ok && !slices.Contains(f.images, ref) {
		f.images = append(f.images, ref)
	}
}

// addBuilt records an image that the lab builds or tags itself.
func (f *imageFinder) addBuilt(word string) {
	if ref, ok := f.normalize(word); ok && !slices.Contains(f.built, ref) {
		f.built = append(f.built, ref)
	}
}

// imageRef is the shape of an image reference that lab.md accepts.
var imageRef = regexp.MustCompile(`^[a-z0-9][a-z0-9._/:-]*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$`)

// normalize returns the reference that lab.md lists for word: with the
// tag latest when it has neither tag nor digest, as docker pull would
// take it. Words with variables or that are no reference are set aside.
func (f *imageFinder) normalize(word string) (string, bool) {
	if word == "" {
		return "", false
	}
	if strings.ContainsAny(word, "$<>{}`") {
		if !slices.Contains(f.dynamic, word) {
			f.dynamic = append(f.dynamic, word)
		}
		return "", false
	}
	ref := strings.TrimPrefix(word, "docker.io/")
	ref = strings.TrimPrefix(ref, "library/")
	name := ref
	if i := strings.IndexByte(name, '@'); i >= 0 {
		name = name[:i]
	}
	if !strings.Contains(name[strings.LastIndexByte(name, '/')+1:], ":") && !strings.Contains(ref, "@") {
		ref += ":latest"
	}
	if !imageRef.MatchString(ref) {
		if !slices.Contains(f.bad, word) {
			f.bad = append(f.bad, word)
		}
		return "", false
	}
	return ref, true
}

// addOpaque records a command whose images come from files.
func (f *imageFinder) addOpaque(command string) {
	if !slices.Contains(f.opaque, command) {
		f.opaque = append(f.opaque, command)
	}
}

// needed returns the images to list in lab.md: those the lab uses and
// does not build itself.
func (f *imageFinder) needed() []string {
	var out []string
	for _, img := range f.images {
		if !slices.Contains(f.built, img) {
			out = append(out, img)
		}
	}
	return out
}
