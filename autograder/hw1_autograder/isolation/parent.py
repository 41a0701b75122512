"""Run graded cases in an untrusted child process; hand raw arrays back to the trusted parent.

run_cases(root, part, names, limits) starts ONE child for a hand-in
(isolation/child.py), which runs the cases one after the other and sends,
for each, a JSON header line and an .npz payload (plain float64 arrays)
through a pipe.  The parent never imports the learner's code: it only reads
that pipe (np.load with allow_pickle=False, sizes and types checked).  A
case that hangs or kills its process costs that case only: the parent
kills the child's whole process group and starts a fresh child for the
cases after it.  What the child may read: isolation/policy.py.

Time: each case has its own limit (cases/registry.py's Case.timeout, scaled),
the hand-in a total budget.  The child's own timer (cases/watchdog.py) names
the learner's function running when a case overran; the next child is told,
and entering that function raises at once: one hang costs one case's limit.
"""
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from isolation.channel import MAX_PAYLOAD, CaseResult, _accept, printable  # noqa: F401
from isolation import files, policy
from isolation import platform_compat as compat   # the OS pieces: missing on Windows (POSIX False)


THREADS_ENV = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS")}

MAX_RESULTS = 64 << 20      # bytes of arrays a hand-in's cases may send in all (they send 5 MB): the parent
                            # holds them until it scores, for every hand-in of a batch running at once
MAX_HEADER = 64 << 10       # bytes of one JSON header line


@dataclass
class Limits:
    timeout: float = None     # wall-clock seconds for every case alike; None: each case's own (Case.timeout)
    scale: float = 1.0        # factor on each case's own limit and on the budget (a slow machine: 2 or 3)
    budget: float = 300.0     # wall-clock seconds for all of a hand-in's cases, children's starts included
    start_s: float = 30.0     # seconds for a child to start (Python, numpy, mounts) before its first case
    memory_mb: int = 2048     # RLIMIT_AS
    cpu_s: int = 0            # RLIMIT_CPU for the whole child; 0: its cases' limits + start + 10
    nproc: int = 16           # processes/threads beyond those the user already has
    fsize_mb: int = 16        # largest file the child may write
    output_kb: int = 64       # the child's stdout+stderr kept by the parent
    scratch_mb: int = 64      # the child's working folder: a tmpfs this large in its mount namespace
    scratch_files: int = 4096  # ... holding at most this many files and folders


def case_limits(part, names, limits):
    """-> {case name: wall-clock seconds}: --timeout for all alike, else each case's own x scale."""
    if limits.timeout:
        return {n: float(limits.timeout) for n in names}
    from cases.registry import TIMEOUT
    own = {c.name: c.timeout for c in importlib.import_module(part).CASES}
    return {n: own.get(n, TIMEOUT) * limits.scale for n in names}


def _child_timer(seconds):
    """The child's own timer: slightly before the parent's deadline, so that its message arrives first."""
    return max(seconds - min(1.0, seconds / 4), 0.05)


@dataclass
class ChildRun:
    results: dict         # case name -> CaseResult
    output: str           # the child's stdout+stderr, capped
    output_bytes: int     # how much it wrote in all
    notes: list
    hung: list = ()       # [{"function", "where", "case", "code"}]: the learner's functions that did not finish


def _env(scratch):
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch, "TMPDIR": "/tmp", "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg"}
    env.update(THREADS_ENV)
    env.update(compat.child_env(scratch))
    return env


def _kill(proc):
    compat.kill_group(proc.pid)
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()


def _start(root, part, names, limits, scratch, show_output, ids, seconds, hung, inputs_fd=None):
    config = {"root": root, "part": part, "cases": names, "inputs_fd": inputs_fd,
              "hide": policy.secret_paths() + policy._oracles(),
              "hide_files": policy.parent_only_files(), "scratch": scratch,
              "memory_mb": limits.memory_mb, "nproc": limits.nproc, "fsize_mb": limits.fsize_mb,
              "cpu_s": limits.cpu_s or int(sum(seconds[n] for n in names) + limits.start_s + 10),
              "scratch_mb": limits.scratch_mb, "scratch_files": limits.scratch_files,
              "timers": {n: _child_timer(seconds[n]) for n in names}, "hung": hung,
              "readonly": [os.path.realpath(policy.HERE)], "sandboxed": bool(policy.sandbox_prefix()), "drop": ids}
    # RLIMIT_NPROC counts every process of the child's user on the machine, which the child
    # (in its own PID namespace) cannot see: count them here.  A fresh uid has none.
    tasks = 0 if ids else _count_tasks(compat.getuid())
    config["nproc"] = None if tasks is None else config["nproc"] + tasks
    res_r, res_w = os.pipe()
    out_r, out_w = (None, None) if show_output else os.pipe()
    # The child must not outlive the grader, even one killed hard (SIGKILL, Ctrl-C twice, `timeout`):
    # setpriv has the kernel kill unshare when this thread dies, and unshare's --kill-child (re-armed by
    # the child after it changes uid, which clears it) ends the child and its PID namespace.
    death = [shutil.which("setpriv"), "--pdeathsig", "KILL"] if shutil.which("setpriv") else []
    child = os.path.join(os.path.realpath(policy.HERE), "isolation", "child.py")
    cmd = death + policy.sandbox_prefix() + [sys.executable, "-B", "-E", *compat.python_flags(), child, "child",
                                             json.dumps(config)]
    pipes, result_fd = compat.popen_options(res_w, out_w)
    try:
        if isinstance(inputs_fd, int):   # every child reads the drawn inputs from their start
            os.lseek(inputs_fd, 0, os.SEEK_SET)
            pipes["pass_fds"] = pipes["pass_fds"] + (inputs_fd,)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, env=dict(_env(scratch), MYTORCH_RESULT_FD=result_fd),
                                cwd=scratch, **pipes)
    finally:
        os.close(res_w)
        if out_w is not None:
            os.close(out_w)
    return proc, res_r, out_r


def run_cases(root, part, names, limits=None, show_output=False, scratch=None, inputs=None):
    """Run the cases `names` of module `part` on the learner's code at root -> ChildRun.

    inputs: the bytes of a drawn table (cases/fresh.py), which the child reads from an
    unlinked file after it has started; None: the fixed inputs.

    Each case ends with a CaseResult: the arrays it sent, or an error whose
    kind is the child's ("error", "not implemented", "missing", ...) or the
    parent's ("timeout", "crashed", "exited", "file size", "bad result").
    """
    import tempfile
    limits = limits or Limits()
    own_scratch = scratch is None
    if own_scratch:
        scratch = tempfile.mkdtemp(prefix="mytorch-child-")
    ids = policy._child_ids()
    _pycache()
    if ids:
        policy._private_secrets()
        files.give_to(scratch, ids)
    results, output, remaining, learner_root = {}, _Output(limits.output_kb * 1024), list(names), root
    # POSIX: a descriptor of a file no path names; elsewhere (no descriptor reaches a child, and no
    # sandbox either) a file in the child's scratch
    inputs_file = None if inputs is None else files.unlinked(inputs) if compat.POSIX else \
        files.in_scratch(inputs, scratch)
    seconds, hung = case_limits(part, names, limits), []   # hung: functions that did not finish, for the next child
    budget = limits.budget * limits.scale
    clock = _Clock(seconds, limits.start_s, time.monotonic() + budget)
    try:
        root = files.readable_copy(root, scratch, ids)
        while remaining:   # one child for all the cases; a new one only after a crash, a hang or a timeout
            proc, res_r, out_r = _start(root, part, remaining, limits, scratch, show_output, ids, seconds, hung,
                                        inputs_file)
            try:
                event, current = _read_child(res_r, out_r, remaining, clock, results, output, hung)
            finally:
                _kill(proc)
                if ids:
                    files.kill_uid(ids)
                    if not policy.sandbox_prefix():
                        files.remove_files_of(ids[0])
            pending = [n for n in remaining if n not in results]
            if not pending:
                break
            if event == "budget":   # nothing more runs: the cases left are reported, not waited for
                for n in pending:
                    results[n] = CaseResult(n, {}, _budget_error(budget, n == current))
                break
            if event != "hung":   # a hang the child named is already that case's result
                if current not in pending:
                    current = pending[0]   # died between cases, or before the first: blame the next one
                event = event or _death(proc.returncode)
                results[current] = CaseResult(current, {}, _event_error(event, proc.returncode, limits,
                                                                        seconds[current]))
            remaining = [n for n in pending if n not in results]
        if root != learner_root:
            files.copy_back_plots(root, learner_root)
    finally:
        if isinstance(inputs_file, int):
            os.close(inputs_file)
        if own_scratch:
            files.remove_tree(scratch)
    return ChildRun(results, output.text(), output.total, policy.platform_notes(), hung)


class _Clock:
    """The deadlines of one hand-in: each case's own limit, the children's starts, the total budget."""

    def __init__(self, seconds, start_s, budget_end):
        self.seconds, self.start_s, self.budget_end = seconds, start_s, budget_end


class _Output:
    """The child's stdout+stderr: the first `cap` bytes kept, the rest counted."""

    def __init__(self, cap):
        self.cap, self.chunks, self.kept, self.total = cap, [], 0, 0

    def add(self, chunk):
        self.total += len(chunk)
        if self.kept < self.cap:
            self.chunks.append(chunk[:self.cap - self.kept])
            self.kept += len(self.chunks[-1])

    def text(self):
        return printable(b"".join(self.chunks).decode("utf-8", "replace"))


def _read_child(res_r, out_r, remaining, clock, results, output, hung):
    """Read the child's messages into results until it ends -> (event, case running then).

    event: None when the child closed its pipes, "timeout" when a case (or
    the start) overran, "hung" when the child named the function that overran
    (appended to hung), "budget" when the hand-in's time is spent, "bad result"
    when a message was malformed.
    """
    reader, current, buf, started = compat.PipeReader({res_r: "res", out_r: "out"}), None, b"", set()
    deadline = time.monotonic() + clock.start_s   # the start: Python, numpy, the grader
    # The child's messages move the per-case deadline, so bound them: each case starts once
    # and ends once, and the child as a whole never outlives the time of all its cases.
    last = deadline + sum(clock.seconds[n] for n in remaining)
    try:
        while reader.open():
            wait = min(deadline, last, clock.budget_end) - time.monotonic()
            if wait <= 0:
                return ("budget" if clock.budget_end <= min(deadline, last) else "timeout"), current
            for what, chunk in reader.read(min(wait, 1.0)):
                if not chunk:
                    continue
                elif what == "out":
                    output.add(chunk)
                else:
                    buf += chunk
                    while buf:   # every complete message in buf
                        header, payload, buf = _message(buf, remaining)
                        if header is None:
                            break
                        if header == "bad":
                            return "bad result", current
                        event, case = header.get("event"), header["case"]
                        if event not in ("start", "done", "hung") or case in results or \
                                (event == "start" and case in started) or (event == "hung" and case != current):
                            return "bad result", current   # malformed, or a case started or ended twice
                        if event == "hung":   # the child's timer: it names the function and exits
                            results[case] = CaseResult(case, {}, _hung_error(header, clock.seconds[case], hung))
                            return "hung", None
                        current = case if event == "start" else None
                        upcoming = case if event == "start" else next(
                            (n for n in remaining if n not in started and n != case), None)
                        deadline = time.monotonic() + clock.seconds.get(upcoming, 5.0)
                        if event == "start":
                            started.add(case)
                        else:
                            results[case] = _accept(header, payload)
                            spent = sum(a.nbytes for r in results.values() for a in r.arrays.values()
                                        if not isinstance(a, str))
                            if spent > MAX_RESULTS:   # the values stay unread: this case fails
                                results[case] = CaseResult(case, {}, {"kind": "bad result", "text": (
                                    f"the test process sent more than {MAX_RESULTS >> 20} MB of values in all")})
                    if all(n in results for n in remaining):
                        return None, None   # done: no need to wait for processes it left behind
        return None, current
    finally:
        reader.close()


def _message(buf, remaining):
    """-> (header, payload, rest of buf); (None, b"", buf) if incomplete; ("bad", ...) if malformed."""
    nl = buf.find(b"\n", 0, MAX_HEADER)
    if nl < 0:
        return ("bad" if len(buf) > MAX_HEADER else None), b"", buf
    try:
        header = json.loads(buf[:nl])
        size = int(header.get("bytes", 0))
        assert isinstance(header, dict) and 0 <= size <= MAX_PAYLOAD and header.get("case") in remaining
    except Exception:   # the child controls these bytes
        return "bad", b"", buf
    if len(buf) < nl + 1 + size:
        return None, b"", buf
    return header, buf[nl + 1:nl + 1 + size], buf[nl + 1 + size:]


def _death(code):
    """The parent's name for how the child ended while running a case."""
    if code is not None and code >= 0 and not compat.crash_status(code):
        return "exited"
    if compat.signal_number("SIGXFSZ") and code == -compat.signal_number("SIGXFSZ"):
        return "file size"
    if compat.signal_number("SIGXCPU") and code == -compat.signal_number("SIGXCPU"):
        return "timeout"
    return "crashed"


def _hung_error(header, seconds, hung):
    """The error of the case whose time ran out in the child; the function it names joins `hung`.

    The child controls the message: only well-formed names are kept, and the next child
    blocks them only inside the learner's own files (cases/watchdog.py)."""
    function, where, code = header.get("function"), header.get("where"), header.get("code")
    ok = isinstance(function, str) and isinstance(where, str) and isinstance(code, list) and len(code) == 3 and \
        isinstance(code[0], str) and type(code[1]) is int and isinstance(code[2], str) and \
        len(function) <= 200 and len(where) <= 300 and len(code[0]) <= 300 and len(code[2]) <= 200
    if not ok:
        return {"kind": "timeout", "text": f"timed out after {seconds:g} s (an infinite loop?); the process was stopped"}
    function, where = printable(function), printable(where)
    if len(hung) < 64:
        hung.append({"function": function, "where": where, "case": header["case"], "code": code})
    return {"kind": "timeout", "function": function, "where": where, "text": (
        f"timed out after {seconds:g} s in {function}, at {where} (an infinite loop?); the tests after "
        f"this one fail at once where they call it")}


def _budget_error(budget, running):
    return {"kind": "timeout", "text": (f"timed out: the time for all the tests of a hand-in ({budget:g} s) was spent "
                                        + ("during this test" if running else "before this test could run"))}


def _event_error(event, code, limits, seconds):
    how = (f"exit code {code}" if code is not None and code >= 0 else
           f"killed by {signal.Signals(-code).name}" if code and -code in signal.valid_signals() else f"status {code}")
    text = {
        "timeout": f"timed out after {seconds:g} s (an infinite loop?); the process was killed",
        "exited": f"the test process died ({how}) in the middle of this test: os._exit() in the code?",
        "crashed": f"the test process died ({how}): a crash, or a limit reached ({limits.memory_mb} MB of "
                   f"memory, CPU time)",
        "file size": f"the test process wrote a file larger than {limits.fsize_mb} MB and was stopped",
        "bad result": (f"the test process sent malformed results, or more than {MAX_PAYLOAD >> 20} MB of values "
                       f"for one test (did the code write to the grader's pipe?)"),
    }[event]
    return {"kind": event, "text": text}


def _pycache():
    """Create the grader's __pycache__ before the first child starts, so that it is hidden from
    every child (a compiled copy of a parent-only file written later would otherwise be visible)."""
    try:
        os.makedirs(os.path.join(policy.HERE, "__pycache__"), mode=0o700, exist_ok=True)
    except OSError:   # a read-only grader folder: Python cannot write compiled files there either
        pass


def _count_tasks(uid):
    """Processes and threads of uid on this machine, or None where /proc does not tell."""
    if not os.path.isdir("/proc/self/task"):
        return None
    n = 0
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.stat(f"/proc/{pid}").st_uid == uid:
                n += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            pass
    return n
