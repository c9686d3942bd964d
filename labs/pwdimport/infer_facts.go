package pwdimport

import (
	"path"
	"regexp"
	"strings"
)

// run returns the facts of docker run (or docker create, when create is
// set): the container, when it is named and kept, running when detached,
// and the ports it publishes, when detached. A run in the foreground of
// an interactive shell takes the node's terminal into the container.
func (ns *nodeState) run(in []word, create bool) []fact {
	a, command := parseArgs(in, runFlags, true)
	detach := a.has("d", "detach")
	var facts []fact
	name := ""
	if w, ok := a.last("name"); ok {
		name = nameOf(w)
	}
	switch {
	case name == "" || (a.has("rm") && !detach):
	case create || !detach:
		facts = append(facts, containerFact(name, "exists"))
	default:
		facts = append(facts, containerFact(name, "running"))
	}
	if detach && !create {
		owner := ""
		if name != "" {
			owner = "container " + name
		}
		facts = append(facts, ns.publish(a.all("p", "publish"), owner)...)
	}
	if !create && !detach && len(a.pos) > 0 {
		ns.enter(a, command, imageOf(a.pos[0]))
	}
	return facts
}

// enter notes that the node's terminal is now in a container's shell when
// a command runs a shell interactively in the foreground: what follows,
// up to exit, runs in the container, not on the node. command is the
// program and its arguments; when docker run leaves it to the image,
// image says whether its default is a shell, as that of the
// distributions' base images is. docker exec gives image "".
func (ns *nodeState) enter(a args, command []word, image string) {
	if a.has("d", "detach") || !a.has("i", "t", "interactive", "tty") {
		return
	}
	switch {
	case len(command) > 0:
		ns.inside = command[0].literal && shellNames[path.Base(command[0].text)]
	case image != "":
		ns.inside = shellImages[repository(image)]
	}
}

// shellNames are the programs that give an interactive shell.
var shellNames = map[string]bool{"sh": true, "bash": true, "ash": true, "zsh": true, "dash": true}

// shellImages are the images whose default command is a shell.
var shellImages = map[string]bool{"alpine": true, "busybox": true, "ubuntu": true, "debian": true,
	"centos": true, "fedora": true, "rockylinux": true, "almalinux": true, "amazonlinux": true,
	"archlinux": true, "oraclelinux": true}

// repository returns the last part of an image reference's name, without
// its registry, tag or digest: alpine for docker.io/library/alpine:3.19.
func repository(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	ref = path.Base(ref)
	name, _, _ := strings.Cut(ref, ":")
	return name
}

// serviceCreate returns the facts of docker service create: the service,
// with its replicas when given. The ports it publishes have none: whether
// they answer on the node depends on the kernel (the routing mesh needs
// IPVS, which some hosts lack) or, in host mode, on where the tasks run.
func (ns *nodeState) serviceCreate(in []word) []fact {
	a, _ := parseArgs(in, serviceFlags, true)
	w, ok := a.last("name")
	name := nameOf(w)
	if !ok || name == "" {
		return nil
	}
	var facts []fact
	if r, ok := a.last("replicas"); ok {
		facts = replicasFact(name, r)
	}
	if len(facts) == 0 {
		facts = objectFact("service", name)
	}
	return facts
}

// removeAll returns the facts of a command that removes the objects of
// the given kind that its words name.
func (ns *nodeState) removeAll(in []word, kind string, fs flagSet) []fact {
	a, _ := parseArgs(in, fs, false)
	var facts []fact
	for _, w := range a.pos {
		if name := nameOf(w); name != "" {
			facts = append(append(facts, goneFact(kind, name)), ns.closePorts(kind+" "+name)...)
		}
	}
	return facts
}

// publish returns the facts of the ports that values of -p give, which
// owner (a container, "" when unnamed) publishes.
func (ns *nodeState) publish(values []word, owner string) []fact {
	var facts []fact
	for _, v := range values {
		host, ok := hostPort(v)
		if !ok {
			continue
		}
		key := "port " + host
		url := "http://localhost:" + host + "/"
		facts = append(facts, fact{key: key, state: "answers",
			notDone: "! curl -s -o /dev/null --max-time 5 " + url,
			hint:    "Nothing answers on port " + host + " yet."})
		if owner != "" {
			ns.ports[owner] = append(ns.ports[owner], host)
		}
	}
	return facts
}

// closePorts returns the facts that the ports that owner publishes no
// longer answer.
func (ns *nodeState) closePorts(owner string) []fact {
	var facts []fact
	for _, host := range ns.ports[owner] {
		facts = append(facts, fact{key: "port " + host, state: "closed", prior: true, from: "answers",
			notDone: "curl -s -o /dev/null --max-time 5 http://localhost:" + host + "/",
			hint:    "Port " + host + " still answers."})
	}
	delete(ns.ports, owner)
	return facts
}

// portNumber matches a port number, and replicaCount a number of replicas.
var (
	portNumber   = regexp.MustCompile(`^[1-9][0-9]{0,4}$`)
	replicaCount = regexp.MustCompile(`^[0-9]{1,4}$`)
)

// silentPorts are the ports of servers that do not speak HTTP, which a
// check with curl would never find answering.
var silentPorts = map[string]bool{"22": true, "25": true, "53": true, "1433": true, "1521": true,
	"2181": true, "3306": true, "5432": true, "5672": true, "6379": true, "9092": true,
	"11211": true, "27017": true}

// hostPort returns the port of the node that a -p value publishes, when
// it is a literal TCP port of a server that may speak HTTP: 8080:80,
// 127.0.0.1:8080:80 or 8080:80/tcp.
func hostPort(v word) (string, bool) {
	if !v.literal {
		return "", false
	}
	spec, proto, _ := strings.Cut(v.text, "/")
	if proto != "" && proto != "tcp" {
		return "", false
	}
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false
	}
	host, target := parts[len(parts)-2], parts[len(parts)-1]
	if !portNumber.MatchString(host) || !portNumber.MatchString(target) || silentPorts[target] {
		return "", false
	}
	return host, true
}

// firstName returns the fact's name: the first of words, else the last
// of flag values, when it is a valid name.
func firstName(words, flag []word) string {
	if len(words) > 0 {
		return nameOf(words[0])
	}
	if len(flag) > 0 {
		return nameOf(flag[len(flag)-1])
	}
	return ""
}

// objectFact returns the fact that the object of the given kind (volume,
// network, image, service, config, secret, stack) named name exists; none
// when name is "".
func objectFact(kind, name string) []fact {
	if name == "" {
		return nil
	}
	f := fact{key: kind + " " + name, state: "exists", hint: "There is no " + kind + " " + name + " yet.",
		notDone: "! docker " + kind + " inspect " + shellWord(name) + " >/dev/null 2>&1"}
	if kind == "stack" {
		f.notDone = `[ -z "$(docker stack services -q ` + shellWord(name) + ` 2>/dev/null)" ]`
		f.hint = "The stack " + name + " has no services yet."
	}
	return []fact{f}
}

// goneFact returns the fact that the object of the given kind named name
// is gone.
func goneFact(kind, name string) fact {
	f := fact{key: kind + " " + name, state: "gone", prior: true, hint: "The " + kind + " " + name + " is still there.",
		notDone: "docker " + kind + " inspect " + shellWord(name) + " >/dev/null 2>&1"}
	if kind == "stack" {
		f.notDone = `[ -n "$(docker stack services -q ` + shellWord(name) + ` 2>/dev/null)" ]`
	}
	return f
}

// containerFact returns the fact that the container named name exists,
// is running or is stopped.
func containerFact(name, state string) fact {
	q := shellWord(name)
	running := `"$(docker container inspect --format '{{.State.Running}}' ` + q + ` 2>/dev/null)"`
	switch state {
	case "running":
		return fact{key: "container " + name, state: state, notDone: "[ " + running + " != true ]",
			hint: "No container " + name + " is running yet."}
	case "stopped":
		return fact{key: "container " + name, state: state, notDone: "[ " + running + " != false ]",
			hint: "The container " + name + " is still running.", prior: true, from: "running"}
	}
	return fact{key: "container " + name, state: state, notDone: "! docker container inspect " + q + " >/dev/null 2>&1",
		hint: "There is no container " + name + " yet."}
}

// replicasFact returns the fact that the service named name runs n
// replicas, all running; none when either is not literal.
func replicasFact(name string, n word) []fact {
	if name == "" || !n.literal || !replicaCount.MatchString(n.text) {
		return nil
	}
	q := shellWord(name)
	return []fact{{key: "service " + name, state: "replicas " + n.text,
		notDone: `[ "$(docker service ls --filter name=` + q + ` --format '{{.Name}} {{.Replicas}}' | awk -v n=` + q +
			` '$1 == n { print $2 }')" != ` + n.text + "/" + n.text + " ]",
		hint: "The service " + name + " does not run " + n.text + " replicas yet."}}
}

// swarmFact returns the fact that a swarm command (init, join or leave)
// leaves the node in: a manager, a member, or out of any swarm.
func swarmFact(verb string) fact {
	switch verb {
	case "init":
		return fact{key: "swarm", state: "manager", hint: "This node is not a swarm manager yet.",
			notDone: `[ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" != true ]`}
	case "join":
		return fact{key: "swarm", state: "member", hint: "This node is not in a swarm yet.",
			notDone: `[ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" != active ]`}
	}
	return fact{key: "swarm", state: "out", prior: true, hint: "This node is still in a swarm.",
		notDone: `[ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" != inactive ]`}
}

// availabilityFact returns the fact that the swarm node named name has the
// availability v (active, pause or drain).
func availabilityFact(name string, v word) []fact {
	if name == "" || !v.literal || (v.text != "active" && v.text != "pause" && v.text != "drain") {
		return nil
	}
	return []fact{{key: "node " + name, state: v.text, prior: v.text == "active",
		hint:    "The availability of the node " + name + " is not " + v.text + " yet.",
		notDone: `[ "$(docker node inspect --format '{{.Spec.Availability}}' ` + shellWord(name) + ` 2>/dev/null)" != ` + v.text + " ]"}}
}
