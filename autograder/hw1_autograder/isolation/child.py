"""The child's side of the sandbox: `python3 isolation/child.py child CONFIG`.

Before any learner code runs: new mounts where namespaces exist (the
secrets of isolation/policy.py covered, the grader folder read-only, private
/tmp, /var/tmp, /dev/shm), a fresh uid when started as root, resource limits
(RLIMIT_AS, CPU, NPROC, FSIZE).  Then cases/record.py runs the cases and
each case's values go to the parent through the result pipe.
"""
import ctypes
import json
import os
import signal
import sys

# Run as a script: put the grader folder, not this one, first on the path.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
from isolation import platform_compat as compat  # noqa: E402
from isolation import policy  # noqa: E402

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384


def _mount(source, target, fstype, flags, data=None):
    libc = ctypes.CDLL(None, use_errno=True)
    args = [s.encode() if isinstance(s, str) else s for s in (source, target, fstype, data)]
    if libc.mount(args[0], args[1], args[2], ctypes.c_ulong(flags), args[3]) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"mount {target}: {os.strerror(e)}")


def _sandbox_mounts(config, drop):
    """Inside the new mount namespace: hide, make private, make read-only, keep needed paths."""
    needed = [config["root"], config["scratch"], policy.HERE] + [p for p in sys.path if p and os.path.isdir(p)]
    needed = sorted({os.path.realpath(p) for p in needed})
    covers = [d for d in policy.PRIVATE + policy._world_writable() if os.path.isdir(d) and not os.path.islink(d)]
    # The terminals: a child of your own uid (not root) could open yours in /dev/pts and write
    # escapes or fake progress lines to the screen you grade from.
    covers += [d for d in policy.TERMINALS if os.path.isdir(d) and not os.path.islink(d)]
    # Top-level folders outside the system's own (/work, /home, /root, /srv, ...) are covered:
    # other copies of the grader and its references may live there.
    covers += [os.path.join("/", d) for d in sorted(os.listdir("/")) if d not in policy.SYSTEM_DIRS
               and os.path.isdir(os.path.join("/", d)) and not os.path.islink(os.path.join("/", d))]
    if drop:
        covers += sorted({a for a in map(policy._blocked_ancestor, needed) if a} - set(covers))
    keep = {}   # paths under a folder about to be covered, opened first so they can be put back
    for p in needed:
        if any(p == c or p.startswith(c + os.sep) for c in covers):
            keep[p] = os.open(p, os.O_RDONLY | os.O_DIRECTORY)
    for c in covers:   # private temporary folders; a fresh traversable folder over a blocked one
        mode = "1777" if c in policy.PRIVATE else "0755"
        if any(c.startswith(o + os.sep) for o in covers if o != c):
            continue   # inside a folder already covered
        _mount("tmpfs", c, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size=64m,nr_inodes=4096")
    for p in sorted(keep, key=len):
        os.makedirs(p, mode=0o755, exist_ok=True)
        _mount(f"/proc/self/fd/{keep[p]}", p, None, MS_BIND | MS_REC)
        os.close(keep[p])
    for p in config["readonly"]:
        _mount(p, p, None, MS_BIND | MS_REC)
        _mount(None, p, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)
    for p in config["hide"]:
        if os.path.isdir(p):
            _mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")
    for p in config["hide_files"]:   # an empty file in place of each
        if os.path.isfile(p):
            _mount("/dev/null", p, None, MS_BIND)
    _scratch_tmpfs(config, drop)


def _scratch_tmpfs(config, drop):
    """The working folder becomes a tmpfs of bounded size and file count in this mount namespace:
    what the child writes there (a tree 1,500 levels deep, say) vanishes with the namespace, and
    the parent never walks it.  The hand-in's copy inside it (when root) is put back on top."""
    scratch, root = os.path.realpath(config["scratch"]), os.path.realpath(config["root"])
    inside = root.startswith(scratch + os.sep)
    keep = os.open(root, os.O_RDONLY | os.O_DIRECTORY) if inside else None
    owner = f",uid={drop[0]},gid={drop[1]}" if drop else ""
    _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV,
           f"mode=0700,size={config['scratch_mb']}m,nr_inodes={config['scratch_files']}{owner}")
    if inside:
        os.makedirs(root, mode=0o755, exist_ok=True)
        _mount(f"/proc/self/fd/{keep}", root, None, MS_BIND | MS_REC)
        os.close(keep)


def _limits(config):
    resource = compat.resource
    if resource is None:   # Windows: the parent's timeout is the one limit (platform_compat.off)
        return

    def lim(which, value):
        if value is None:
            return
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):   # a limit this platform does not support (macOS: RLIMIT_AS)
            pass
    lim(resource.RLIMIT_AS, config["memory_mb"] << 20)
    lim(resource.RLIMIT_CPU, config["cpu_s"])
    lim(resource.RLIMIT_FSIZE, config["fsize_mb"] << 20)
    lim(resource.RLIMIT_CORE, 0)
    lim(resource.RLIMIT_NPROC, config["nproc"])   # what the user runs now, plus a few


def _drop_privileges(ids):
    uid, gid = ids
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def _die_with_parent():
    """SIGKILL this process when its parent (unshare, or the grader) ends: a change of uid cleared
    the setting unshare --kill-child made.  Linux only; elsewhere nothing to do."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError, TypeError):   # TypeError: Windows has no CDLL(None)
        pass


def _leave_user_namespace():
    """Give up the user namespace's root: the mounts above can no longer be undone."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000) != 0:   # CLONE_NEWUSER
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER)")


def _send(fd, header, payload=b""):
    data = json.dumps(dict(header, bytes=len(payload))).encode() + b"\n" + payload
    while data:
        data = data[os.write(fd, data):]


def child_main(config):
    fd = compat.child_result_fd(os.environ.pop("MYTORCH_RESULT_FD"))
    drop = config["drop"]   # started as root: [uid, gid] to become; else we are root of a user namespace
    if config["sandboxed"]:
        _sandbox_mounts(config, drop)
    if drop:
        _drop_privileges(drop)
    elif config["sandboxed"]:
        _leave_user_namespace()
    _die_with_parent()
    os.chdir(config["scratch"])
    import numpy as np  # noqa: F401  (before the limits, and before the learner's code)
    from cases import record
    if config.get("inputs_fd") is not None:   # this hand-in's drawn inputs (no seed): cases/fresh.py
        from cases import fresh
        where = config["inputs_fd"]   # a descriptor, or (no descriptor reaches a Windows child) a path
        with (os.fdopen(where, "rb") if isinstance(where, int) else open(where, "rb")) as f:
            fresh.install(fresh.Table.from_bytes(f.read()))
    import importlib
    part = importlib.import_module(config["part"])
    _limits(config)
    record.run_all(part, config, lambda header, payload=b"": _send(fd, header, payload))


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    child_main(json.loads(sys.argv[2]))
