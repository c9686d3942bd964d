package engine

import (
	"encoding/json"
	"syscall"

	"github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// refusedSyscalls are the system calls a node may not make, because what
// they use up is counted per host user and so shared by every node of the
// host: under --userns-remap all nodes' roots are one host uid, and every
// node's user namespace is owned by the host's root, whose counts (and
// the engine's rlimits at the node's creation) bound those kept per user
// namespace as well. Neither the nested engine nor Docker labs need them,
// and programs handle ENOSYS as "not on this kernel":
//
//   - add_key, keyctl, request_key: the key quota (kernel.keys.maxkeys
//     and maxbytes) is per host uid and keys are not namespaced; one
//     learner holding keys made every other node's next exec fail. runc
//     and dockerd take ENOSYS as "no keyrings".
//   - io_uring_setup, io_uring_enter, io_uring_register and
//     perf_event_open: their buffers are charged to the host uid's locked
//     memory.
//   - mq_open: POSIX message queue bytes count against the host root's
//     RLIMIT_MSGQUEUE as the engine had it (819200 bytes): ten queues in
//     one node refused every other node's.
//   - timer_create, rt_sigqueueinfo, rt_tgsigqueueinfo (and
//     pidfd_send_signal with a siginfo, and shmctl's SHM_LOCK, below):
//     queued signals and locked shared memory count the same way, against
//     RLIMIT_SIGPENDING and RLIMIT_MEMLOCK.
//
// Raising the engine's hard rlimits would make the last two private to
// each node, but that takes CAP_SYS_RESOURCE, which root lacks on some
// hosts; refusing them works everywhere. Docker's default profile refuses
// the keys, io_uring and perf calls to containers too.
var refusedSyscalls = []string{
	"add_key", "keyctl", "request_key",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"perf_event_open",
	"mq_open",
	"timer_create", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
}

// shmLock is shmctl's SHM_LOCK command.
const shmLock = 11

// nodeSeccomp is the seccomp profile of a node, as the engine takes it in
// "seccomp=<profile>": everything allowed except refusedSyscalls, which
// fail with ENOSYS (as on a kernel without them, which programs handle)
// rather than EPERM. It is built once.
var nodeSeccomp = func() string {
	enosys, eperm := uint(syscall.ENOSYS), uint(syscall.EPERM)
	newUser := []specs.LinuxSeccompArg{{Index: 0, Value: syscall.CLONE_NEWUSER, ValueTwo: syscall.CLONE_NEWUSER, Op: specs.OpMaskedEqual}}
	p := seccomp.Seccomp{
		LinuxSeccomp: specs.LinuxSeccomp{DefaultAction: specs.ActAllow},
		Syscalls: []*seccomp.Syscall{{
			LinuxSyscall: specs.LinuxSyscall{Names: refusedSyscalls, Action: specs.ActErrno, ErrnoRet: &enosys},
			Comment:      "counted per host user, shared by every node: refused",
		}, {
			// unshare(flags) and clone(flags, ...) on amd64 and arm64: the
			// count of user namespaces (user.max_user_namespaces) is the
			// host root's, which root cannot raise on every host.
			LinuxSyscall: specs.LinuxSyscall{Names: []string{"unshare", "clone"}, Action: specs.ActErrno, ErrnoRet: &eperm, Args: newUser},
			Comment:      "a new user namespace: refused",
		}, {
			// pidfd_send_signal(pidfd, sig, info, flags) with a siginfo.
			LinuxSyscall: specs.LinuxSyscall{Names: []string{"pidfd_send_signal"}, Action: specs.ActErrno, ErrnoRet: &enosys,
				Args: []specs.LinuxSeccompArg{{Index: 2, Value: 0, Op: specs.OpNotEqual}}},
			Comment: "a queued signal: counted against the host root's pending signals",
		}, {
			// shmctl(id, SHM_LOCK, ...): locked shared memory counts
			// against the host root's RLIMIT_MEMLOCK.
			LinuxSyscall: specs.LinuxSyscall{Names: []string{"shmctl"}, Action: specs.ActErrno, ErrnoRet: &eperm,
				Args: []specs.LinuxSeccompArg{{Index: 1, Value: shmLock, Op: specs.OpEqualTo}}},
			Comment: "SHM_LOCK: counted against the host root's locked memory",
		}, {
			// clone3's flags are in memory, out of seccomp's sight: ENOSYS
			// makes the C library and Go fall back to clone.
			LinuxSyscall: specs.LinuxSyscall{Names: []string{"clone3"}, Action: specs.ActErrno, ErrnoRet: &enosys},
			Comment:      "clone3: fall back to clone",
		}},
	}
	js, err := json.Marshal(p)
	if err != nil {
		panic(err) // a fixed value: cannot fail
	}
	return string(js)
}()
