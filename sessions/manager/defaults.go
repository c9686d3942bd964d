package manager

import "time"

// Defaults of the manager's settings, as the server's configuration gives
// them when nothing else is asked for (app/settings.go names each once).
const (
	// DefaultLifetime is how long a session lives.
	DefaultLifetime = 2 * time.Hour
	// DefaultExtendStep is how much time a learner adds at once; it is also
	// the step of a Config that leaves ExtendStep at zero.
	DefaultExtendStep = 30 * time.Minute
	// DefaultMaxLifetime is how long a session may live in all.
	DefaultMaxLifetime = 8 * time.Hour
	// DefaultMaxPerLearner is how many live sessions one learner may hold.
	DefaultMaxPerLearner = 3
	// DefaultMaxPerAddress is how many live sessions outside a classroom
	// one client address may hold.
	DefaultMaxPerAddress = 6
	// DefaultEventRetention is how long the log of check attempts is kept.
	DefaultEventRetention = 30 * 24 * time.Hour
	// DefaultIdlePause is how long a running session may go unused before
	// it is paused: longer than a coffee break or a slow lab step read
	// with the page open elsewhere, short enough that a laptop closed at
	// noon gives its nodes' memory back well within a two-hour session.
	DefaultIdlePause = 30 * time.Minute
	// MinIdlePause is the shortest idle pause allowed. An open page keeps
	// its terminals attached, so it is never idle however short the pause;
	// ten seconds still covers a reload or a dropped connection coming back
	// (a terminal that goes counts as a use when it goes).
	MinIdlePause = 10 * time.Second
	// DefaultPausedLifetime is how long a paused session keeps its disks.
	DefaultPausedLifetime = 7 * 24 * time.Hour
	// DefaultMaxPaused is how many paused sessions the host keeps.
	DefaultMaxPaused = 100
	// DefaultPoolSize is how many ready sessions the warm pool holds.
	DefaultPoolSize = 2
	// DefaultPoolLab is the lab the warm pool's sessions are made for.
	DefaultPoolLab = "docker-orchestration"
	// DefaultSubnetPool is the range session networks are cut from, in
	// the shared address space (100.64.0.0/10), apart from the ranges the
	// nodes' own engines use.
	DefaultSubnetPool = "100.64.0.0/17"
	// SubnetBits is the size of each session's network, a /28.
	SubnetBits = 28
)
