package pwdimport

import (
	"slices"
	"strings"
)

// dockerGroups are docker's management commands, whose subcommand is the
// next word.
var dockerGroups = map[string]bool{"container": true, "image": true, "volume": true, "network": true,
	"swarm": true, "service": true, "stack": true, "config": true, "secret": true, "node": true,
	"builder": true, "buildx": true}

// The flags without a value of the docker commands that inference reads,
// besides those that images.go knows.
var (
	networkFlags = flagSet{long: []string{"attachable", "internal", "ingress", "ipv6", "config-only", "help"}}
	rmFlags      = flagSet{short: "fvl", long: []string{"force", "volumes", "link", "no-prune", "help"}}
	stackFlags   = flagSet{short: "dq", long: []string{"prune", "with-registry-auth", "detach", "quiet", "help"}}
	plainFlags   = flagSet{long: []string{"help"}}
)

// args is the parsed arguments of a docker command.
type args struct {
	flags map[string][]word // the values of each flag given, by name; "" for a flag without one
	pos   []word            // the other words
}

// has reports whether any of the flags names was given.
func (a args) has(names ...string) bool {
	for _, n := range names {
		if _, ok := a.flags[n]; ok {
			return true
		}
	}
	return false
}

// last returns the last value given to any of the flags names.
func (a args) last(names ...string) (word, bool) {
	var w word
	found := false
	for _, n := range names {
		if v := a.flags[n]; len(v) > 0 {
			w, found = v[len(v)-1], true
		}
	}
	return w, found
}

// all returns every value given to the flags names.
func (a args) all(names ...string) []word {
	var out []word
	for _, n := range names {
		out = append(out, a.flags[n]...)
	}
	return out
}

// parseArgs reads the flags and other words of a docker command. With
// stop set, it stops at the first other word (the image of docker run)
// and returns the words after it, the container's command.
func parseArgs(in []word, fs flagSet, stop bool) (a args, rest []word) {
	a.flags = map[string][]word{}
	for len(in) > 0 {
		w := in[0]
		in = in[1:]
		switch {
		case w.text == "--" && w.literal:
			a.pos = append(a.pos, in...)
			return a, nil
		case !w.literal || len(w.text) < 2 || w.text[0] != '-':
			a.pos = append(a.pos, w)
			if stop {
				return a, in
			}
		case strings.HasPrefix(w.text, "--"):
			name, value, hasValue := strings.Cut(w.text[2:], "=")
			switch {
			case hasValue:
				a.flags[name] = append(a.flags[name], word{value, w.literal})
			case slices.Contains(fs.long, name) || len(in) == 0:
				a.flags[name] = append(a.flags[name], word{"", true})
			default:
				a.flags[name], in = append(a.flags[name], in[0]), in[1:]
			}
		default:
			for i := 1; i < len(w.text); i++ {
				name := w.text[i : i+1]
				if strings.Contains(fs.short, name) {
					a.flags[name] = append(a.flags[name], word{"", true})
					continue
				}
				if v := strings.TrimPrefix(w.text[i+1:], "="); v != "" {
					a.flags[name] = append(a.flags[name], word{v, true})
				} else if len(in) > 0 {
					a.flags[name], in = append(a.flags[name], in[0]), in[1:]
				}
				break
			}
		}
	}
	return a, nil
}

// aliases maps docker's other names of a command to the one inference
// reads.
var aliases = map[string]string{
	"container run": "run", "container create": "create", "container start": "start",
	"container stop": "stop", "container kill": "stop", "kill": "stop", "container rm": "rm",
	"container remove": "rm", "container exec": "exec", "container attach": "attach",
	"image build": "build", "buildx build": "build", "builder build": "build", "image tag": "tag",
	"container commit": "commit", "image rm": "rmi", "image remove": "rmi",
	"volume remove": "volume rm", "network remove": "network rm", "service remove": "service rm",
	"stack up": "stack deploy", "stack remove": "stack rm", "stack down": "stack rm",
	"config remove": "config rm", "secret remove": "secret rm",
}

// docker returns the facts that a docker command, given its words after
// "docker", leaves on the node.
func (ns *nodeState) docker(in []word) []fact {
	g, rest := parseArgs(in, globalFlags, true)
	if len(g.pos) == 0 || !g.pos[0].literal {
		return nil
	}
	cmd := g.pos[0].text
	if dockerGroups[cmd] {
		if len(rest) == 0 || !rest[0].literal {
			return nil
		}
		cmd, rest = cmd+" "+rest[0].text, rest[1:]
	}
	if a, ok := aliases[cmd]; ok {
		cmd = a
	}
	switch cmd {
	case "run", "create":
		return ns.run(rest, cmd == "create")
	case "compose":
		return ns.compose(rest)
	case "exec":
		a, command := parseArgs(rest, flagSet{short: "dit", long: []string{"detach", "interactive", "tty", "privileged", "help"}}, true)
		ns.enter(a, command, "")
	case "attach":
		ns.inside = true
	case "start", "stop":
		a, _ := parseArgs(rest, flagSet{short: "ai", long: []string{"attach", "interactive", "help"}}, false)
		var facts []fact
		for _, w := range a.pos {
			if name := nameOf(w); name != "" && cmd == "start" {
				facts = append(facts, containerFact(name, "running"))
			} else if name != "" {
				facts = append(append(facts, containerFact(name, "stopped")), ns.closePorts("container "+name)...)
			}
		}
		return facts
	case "rm":
		return ns.removeAll(rest, "container", rmFlags)
	case "volume create":
		a, _ := parseArgs(rest, plainFlags, false)
		return objectFact("volume", firstName(a.pos, a.all("name")))
	case "volume rm", "network rm", "service rm", "config rm", "secret rm", "stack rm":
		return ns.removeAll(rest, strings.Fields(cmd)[0], rmFlags)
	case "rmi":
		a, _ := parseArgs(rest, rmFlags, false)
		var facts []fact
		for _, w := range a.pos {
			if img := imageOf(w); img != "" {
				facts = append(facts, goneFact("image", img))
			}
		}
		return facts
	case "network create":
		a, _ := parseArgs(rest, networkFlags, false)
		return objectFact("network", firstName(a.pos, nil))
	case "config create", "secret create":
		a, _ := parseArgs(rest, plainFlags, false)
		return objectFact(strings.Fields(cmd)[0], firstName(a.pos, nil))
	case "stack deploy":
		a, _ := parseArgs(rest, stackFlags, false)
		return objectFact("stack", firstName(a.pos, nil))
	case "build":
		a, _ := parseArgs(rest, buildFlags, false)
		var facts []fact
		for _, w := range a.all("t", "tag") {
			if img := imageOf(w); img != "" {
				facts = append(facts, objectFact("image", img)...)
			}
		}
		return facts
	case "tag", "commit":
		a, _ := parseArgs(rest, flagSet{short: "p", long: []string{"pause", "help"}}, false)
		if len(a.pos) == 2 {
			if img := imageOf(a.pos[1]); img != "" {
				return objectFact("image", img)
			}
		}
	case "swarm init", "swarm join", "swarm leave":
		return []fact{swarmFact(strings.Fields(cmd)[1])}
	case "service create":
		return ns.serviceCreate(rest)
	case "service update":
		a, _ := parseArgs(rest, serviceFlags, false)
		if r, ok := a.last("replicas"); ok && len(a.pos) > 0 {
			return replicasFact(nameOf(a.pos[len(a.pos)-1]), r)
		}
	case "service scale":
		a, _ := parseArgs(rest, flagSet{short: "d", long: []string{"detach", "help"}}, false)
		var facts []fact
		for _, w := range a.pos {
			name, n, _ := strings.Cut(w.text, "=")
			facts = append(facts, replicasFact(nameOf(word{name, w.literal}), word{n, w.literal})...)
		}
		return facts
	case "node update":
		a, _ := parseArgs(rest, plainFlags, false)
		if v, ok := a.last("availability"); ok && len(a.pos) > 0 {
			return availabilityFact(nameOf(a.pos[len(a.pos)-1]), v)
		}
	}
	return nil
}
