"""The operating system pieces the grader's sandbox uses, looked up in one place.

Linux and macOS have them all (resource limits, process groups, pipes that
select() can wait on, passing a descriptor to a child, uids); Windows has
none of them.  Where they are missing (POSIX False) isolation/ still runs
the learner's code in a child process it can kill at a timeout, and sends
the results the same way, so the scores are the same; off() names what is
missing, for the one line the local runner prints.  The class graders
refuse such a machine (isolation.isolation_problem: not root, no namespaces).
"""
import codecs
import importlib
import os
import queue
import selectors
import signal
import sys
import threading


def _module(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


resource = _module("resource")   # None on Windows
# os.open's flags: Windows has no links to refuse and no non-blocking files, and translates line
# endings unless told the file is binary.
O_NOFOLLOW, O_NONBLOCK, O_BINARY = (getattr(os, f, 0) for f in ("O_NOFOLLOW", "O_NONBLOCK", "O_BINARY"))
# Process groups, descriptors passed to a child, select() on pipes: one switch, as they come together.
POSIX = os.name == "posix" and _module("fcntl") is not None and \
    all(hasattr(os, f) for f in ("fork", "setsid", "killpg", "geteuid"))


def off(sandboxed):
    """The protections this machine's child goes without, as short phrases ([] on Linux with namespaces)."""
    missing = [] if sandboxed else ["namespaces (the tests' process keeps the network and a shared /tmp)"]
    if resource is None:
        missing.append("resource limits (memory, CPU time, file size)")
    if not POSIX:
        missing.append("process groups (a timeout kills the tests' process, not what it started)")
    return missing


def note(sandboxed):
    """One ASCII line saying which protections are off, or None when none is."""
    missing = off(sandboxed)
    if not missing:
        return None
    return ("Note: on this platform the tests run in a child process without " + "; ".join(missing)
            + ". The scores are computed the same way.")


def geteuid():
    """The effective uid, or None where there are no uids (Windows): never root."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def getuid():
    return os.getuid() if hasattr(os, "getuid") else None


def signal_number(name):
    """signal.<name>, or None where the platform has no such signal (SIGXCPU, SIGXFSZ on Windows)."""
    return getattr(signal, name, None)


def kill_group(pid):
    """SIGKILL the process group led by pid (the child and what it started); nothing without groups."""
    if not POSIX:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def popen_options(res_w, out_w):
    """Popen keywords for the child: where the results pipe res_w and its output out_w go.

    POSIX: res_w passed as itself, the output on stdout and stderr, a session of its own.
    Elsewhere no descriptor but the standard ones reaches a child: res_w becomes its stdout,
    and the child moves it aside first thing (child_result_fd)."""
    if POSIX:
        return {"pass_fds": (res_w,), "stdout": out_w, "stderr": out_w, "start_new_session": True}, str(res_w)
    return {"stdout": res_w, "stderr": out_w}, "stdout"


def child_result_fd(value):
    """The child's end of the results pipe from MYTORCH_RESULT_FD; "stdout": keep it on a descriptor
    of its own and send the learner's prints to stderr, where the parent collects output."""
    if value != "stdout":
        return int(value)
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    return fd


def python_flags():
    """Interpreter options for the child: UTF-8 mode where the console's code page would
    otherwise decide how a print of the learner's code is encoded (Windows)."""
    return [] if POSIX else ["-X", "utf8"]


def child_env(scratch):
    """What a Windows child needs besides isolation._env's: Python and numpy's DLLs find their
    way by PATH and SYSTEMROOT; temporary files go to its scratch folder."""
    if os.name != "nt":
        return {}
    keep = {k: os.environ[k] for k in ("PATH", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR") if k in os.environ}
    return dict(keep, TEMP=scratch, TMP=scratch, USERPROFILE=scratch)


def crash_status(code):
    """Whether a non-negative exit status means a crash (Windows: an NTSTATUS such as 0xC0000005)."""
    return os.name == "nt" and code is not None and code >= 0xC0000000


def peak_memory_mb():
    """This process's peak resident memory in MB, or None where the platform does not say."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024   # bytes on macOS, KB on Linux


class PipeReader:
    """Chunks from the child's pipes as they come, waiting at most a timeout: select() where pipes
    can be polled, one reading thread per pipe elsewhere (Windows).

    read(timeout) -> [(tag, chunk)], chunk b"" when that pipe ended; open() -> any pipe still open.
    close() closes the descriptors (a reading thread closes its own when its pipe ends)."""

    def __init__(self, fds):
        self.tags = {fd: tag for fd, tag in fds.items() if fd is not None}
        self.ended = set()
        if POSIX:
            self.sel = selectors.DefaultSelector()
            for fd, tag in self.tags.items():
                self.sel.register(fd, selectors.EVENT_READ, tag)
        else:
            self.queue = queue.Queue()
            for fd in self.tags:
                threading.Thread(target=self._pump, args=(fd,), daemon=True).start()

    def _pump(self, fd):
        try:
            while True:
                chunk = os.read(fd, 1 << 16)
                self.queue.put((fd, chunk))
                if not chunk:
                    break
        except OSError:
            self.queue.put((fd, b""))
        finally:
            os.close(fd)

    def open(self):
        return len(self.ended) < len(self.tags)

    def read(self, timeout):
        if POSIX:
            got = [(key.fd, os.read(key.fd, 1 << 16)) for key, _ in self.sel.select(timeout=timeout)]
        else:
            got = []
            try:
                got.append(self.queue.get(timeout=timeout))
                while True:
                    got.append(self.queue.get_nowait())
            except queue.Empty:
                pass
        for fd, chunk in got:
            if not chunk:
                self.ended.add(fd)
                if POSIX:
                    self.sel.unregister(fd)
        return [(self.tags[fd], chunk) for fd, chunk in got]

    def close(self):
        if POSIX:
            self.sel.close()
            for fd in self.tags:
                os.close(fd)


# What a console without these characters prints instead (a legacy Windows console: cp1252, cp437).
_PLAIN = {"\u2192": "->", "\u00d7": "x", "\u2026": "...", "\u2013": "-", "\u2014": "-", "\u2018": "'",
          "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u03b4": "delta", "\u2264": "<=", "\u2265": ">="}


def _plain(error):
    bad = error.object[error.start:error.end]
    return "".join(_PLAIN.get(c, "?") for c in bad), error.end


def plain_console():
    """Let stdout and stderr print on any console: a character its encoding lacks (in an error
    text of the learner's code, say) prints as ASCII ("->" for an arrow, "?" else), never an error."""
    codecs.register_error("mytorch-plain", _plain)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="mytorch-plain")


def run_command(main):
    """sys.exit(main()), where a reader that stops early (`toy.py | head`) ends the program quietly,
    as a Unix tool does, instead of with a BrokenPipeError traceback."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout once more at exit: point it at devnull so that flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
