# quotas.py N: run as root in a node by the shared-limits abuse test. Each
# kind of kernel quota that is counted per host user (or host-wide) is taken
# by a child process of its own, up to N units or until the node refuses;
# the children hold what they took until killed. One line per kind,
# "kind taken/asked [errno]", then "quotas-held".
import ctypes, errno, os, platform, select, sys, time

n = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
ADD_KEY = {"x86_64": 248, "aarch64": 217}[platform.machine()]


def add_key(i):
    return libc.syscall(ADD_KEY, b"user", b"k%d" % i, b"x" * 100, 100, -2) > 0


def inotify(i):
    return libc.inotify_init() >= 0


watch_fd = []


def inotify_watch(i):
    if not watch_fd:
        os.makedirs("/tmp/quota-watch", exist_ok=True)
        watch_fd.append(libc.inotify_init())
    path = "/tmp/quota-watch/%d" % i
    open(path, "w").close()
    return libc.inotify_add_watch(watch_fd[0], path.encode(), 0x100) >= 0


epolls = []


def epoll_watch(i):
    if not epolls:
        epolls.append(select.epoll())
        epolls.append(os.eventfd(0))
    try:
        epolls[0].register(os.dup(epolls[1]), select.EPOLLIN)
    except OSError as e:
        ctypes.set_errno(e.errno)
        return False
    return True


pipes = []


def pipe(i):
    try:
        pipes.append(os.pipe())
    except OSError as e:
        ctypes.set_errno(e.errno)
        return False
    return True


def nproc(i):
    # Processes of uid 1000 (RLIMIT_NPROC counts per user).
    try:
        pid = os.fork()
    except OSError as e:
        ctypes.set_errno(e.errno)
        return False
    if pid == 0:
        os.setuid(1000)
        time.sleep(3600)
        os._exit(0)
    return True


class MqAttr(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_long), ("maxmsg", ctypes.c_long), ("msgsize", ctypes.c_long), ("curmsgs", ctypes.c_long), ("pad", ctypes.c_long * 4)]


def mqueue(i):
    # POSIX message queue bytes (RLIMIT_MSGQUEUE counts per user).
    libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(MqAttr)]
    attr = MqAttr(0, 10, 8192, 0)
    return libc.mq_open(b"/quota%d" % i, os.O_CREAT | os.O_RDWR, 0o600, ctypes.byref(attr)) >= 0


def timer(i):
    # POSIX timers (each holds a queued signal: RLIMIT_SIGPENDING).
    t = ctypes.c_void_p()
    return libc.timer_create(0, None, ctypes.byref(t)) == 0


# Each kind with the most it asks for: n, or less where one process or the
# node's own limits come first (a pipe takes two descriptors of the 20,000;
# the node's pids limit is 2,000).
kinds = [("keys", add_key, n), ("inotify-instances", inotify, n), ("inotify-watches", inotify_watch, n),
         ("epoll-watches", epoll_watch, n), ("pipes", pipe, min(n, 9000)), ("uid1000-processes", nproc, min(n, 300)),
         ("mqueues", mqueue, n), ("posix-timers", timer, n)]
for name, take, ask in kinds:
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        k, err = 0, ""
        while k < ask:
            ctypes.set_errno(0)
            if not take(k):
                code = ctypes.get_errno()
                err = " " + errno.errorcode.get(code, str(code)) if code else ""
                break
            k += 1
        os.write(w, ("%s %d/%d%s\n" % (name, k, ask, err)).encode())
        time.sleep(3600)
        os._exit(0)
    os.close(w)
    sys.stdout.write(os.read(r, 200).decode())
    sys.stdout.flush()
print("quotas-" + "held")
