# victim.py: run as root in another learner's node while quotas.py holds
# what it took in the abuser's node. Each kind is tried once; the line
# "victim: kind ok" or "victim: kind FAILED detail" says how it went.
import ctypes, fcntl, os, select, sys

libc = ctypes.CDLL(None, use_errno=True)


def report(kind, ok, detail=""):
    print("victim: %s %s%s" % (kind, "ok" if ok else "FAILED", " " + detail if detail else ""))


fd = libc.inotify_init()
report("inotify-instance", fd >= 0, "" if fd >= 0 else os.strerror(ctypes.get_errno()))
if fd >= 0:
    w = libc.inotify_add_watch(fd, b"/tmp", 0x100)
    report("inotify-watch", w >= 0, "" if w >= 0 else os.strerror(ctypes.get_errno()))
ep = select.epoll()
r, w = os.pipe()
ep.register(r, select.EPOLLIN)
report("epoll-watch", True)
size = fcntl.fcntl(w, 1032)  # F_GETPIPE_SZ: one page once the user is over the soft limit
report("pipe-size", size >= 65536, "%d bytes" % size)

# Processes of uid 1000 under a small RLIMIT_NPROC, in a child.
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    import resource
    resource.setrlimit(resource.RLIMIT_NPROC, (100, 100))
    os.setuid(1000)
    kids = []
    try:
        for i in range(20):
            k = os.fork()
            if k == 0:
                os._exit(0)
            kids.append(k)
    except OSError as e:
        print("victim: uid1000-processes FAILED %s after %d" % (e.strerror, len(kids)))
        os._exit(1)
    for k in kids:
        os.waitpid(k, 0)
    print("victim: uid1000-processes ok")
    sys.stdout.flush()
    os._exit(0)
os.waitpid(pid, 0)


print("victim-" + "done")
