package pwdimport

// The flags without a value of docker compose, before its command and
// after up.
var (
	composeFlags = flagSet{long: []string{"compatibility", "dry-run", "all-resources", "verbose", "help"}}
	upFlags      = flagSet{short: "dV", long: []string{"detach", "build", "no-build", "force-recreate",
		"no-recreate", "no-deps", "remove-orphans", "renew-anon-volumes", "wait", "no-start", "quiet-pull",
		"always-recreate-deps", "abort-on-container-exit", "no-color", "no-log-prefix", "no-attach",
		"menu", "watch", "yes", "y", "help"}}
)

// compose returns the facts of docker compose (or docker-compose), given
// its words after compose: up -d leaves the project's containers running,
// down removes them. The check asks compose itself, from the folder where
// the command ran and with its -f and -p, so that the project is the
// same. A project whose folder is unknown gives none.
func (ns *nodeState) compose(in []word) []fact {
	g, rest := parseArgs(in, composeFlags, true)
	if len(g.pos) == 0 || ns.dir == "" {
		return nil
	}
	ps := "cd " + shellWord(ns.dir) + " && docker compose"
	for _, flag := range []string{"f", "file", "p", "project-name", "project-directory", "env-file"} {
		for _, v := range g.flags[flag] {
			if !v.literal {
				return nil
			}
			ps += " --" + composeFlagName(flag) + " " + shellWord(v.text)
		}
	}
	ps += " ps -q --status running 2>/dev/null"
	key := "compose " + ps
	switch g.pos[0].text {
	case "up":
		if a, _ := parseArgs(rest, upFlags, false); a.has("d", "detach") {
			return []fact{{key: key, state: "running", notDone: `[ -z "$(` + ps + `)" ]`,
				hint: "The containers of the Compose project in " + ns.dir + " are not running yet."}}
		}
	case "down":
		return []fact{{key: key, state: "down", prior: true, notDone: `[ -n "$(` + ps + `)" ]`,
			hint: "The containers of the Compose project in " + ns.dir + " still run."}}
	}
	return nil
}

// composeFlagName returns the long name of a flag of docker compose.
func composeFlagName(flag string) string {
	switch flag {
	case "f":
		return "file"
	case "p":
		return "project-name"
	}
	return flag
}
