"""Who may read what: the child's folders, the secrets, and whether this machine can keep them apart.

The child (isolation/child.py) may read the grader folders in CHILD_DIRS and
nothing else of the grader: the parent's own code and references (grader/),
the answer key and the mistake catalogues (withheld/), the developers' tools
(dev/) and every file at the grader's top level are hidden from it.  A new
folder is hidden until it is added here: fail closed.

Where namespaces exist, hidden paths are covered by empty mounts; as root
without them, they are made private to root (chmod go-rwx) and the child
runs as a fresh uid.  isolation_problem() says when neither can be had.
"""
import functools
import os
import random
import shutil
import stat
import subprocess
import sys
import sysconfig

from isolation import platform_compat as compat   # no uids on Windows: never root

# The grader's folders the sandboxed child may import from: the cases (no secret in them), the
# sandbox's own code, the MNIST loader and plots.  Decided by where a file lives, not by its name.
CHILD_DIRS = ("cases", "isolation", "training")
# What the other audiences leave out of the grader folder, by top-level folder: the learners'
# starter has no answer key, mistake catalogue or developers' tool; the platform zip (Gradescope,
# which learners never read) no developers' tool.
LEFT_OUT = {"starter": ("withheld", "dev"), "platform": ("dev",)}


def grader_files(audience, base=None):
    """The grader folder's files an audience receives, as paths relative to it, sorted.

    audience: "child" (the folders of CHILD_DIRS only), "starter" or "platform".
    """
    base = base or HERE
    found = []
    for top, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        rel = os.path.relpath(top, base)
        first = rel.split(os.sep)[0]
        if rel == ".":
            if audience == "child":
                continue   # the entry points: the parent's
        elif (first not in CHILD_DIRS) if audience == "child" else (first in LEFT_OUT[audience]):
            dirs[:] = []
            continue
        found += [os.path.normpath(os.path.join(rel, f)) for f in files]
    return sorted(found)


_random = random.SystemRandom()

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the grader folder


ROOT = os.path.dirname(os.path.dirname(HERE))

_SANDBOX = None


def sandbox_prefix():
    """The unshare(1) command that gives the child its namespaces, or [] where unavailable."""
    global _SANDBOX
    if _SANDBOX is None:
        cmd = [shutil.which("unshare") or "unshare", "--net", "--mount", "--pid", "--fork", "--kill-child",
               "--mount-proc"]
        if compat.geteuid() != 0:
            cmd.insert(1, "--map-root-user")
        wanted = os.environ.get("MYTORCH_SANDBOX", "1") != "0" and sys.platform.startswith("linux")
        try:   # MYTORCH_SANDBOX=0 turns the namespaces off (to compare, or where they misbehave)
            ok = wanted and subprocess.run(cmd + ["true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, timeout=20).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        _SANDBOX = cmd if ok else []
    return _SANDBOX


def platform_notes():
    """What this machine's child sandbox lacks, in words (empty: everything above applies)."""
    notes = []
    if not sandbox_prefix():
        notes.append("no namespaces (unshare unavailable or MYTORCH_SANDBOX=0): the child has the network "
                     "and shares /tmp")
        if _switches_user():
            notes.append("the child runs as a fresh unprivileged uid; references/, git data, the parent's "
                         "grader files and the checkout's other folders are made private to root (chmod go-rwx)")
        else:
            notes.append(isolation_problem())
    elif compat.geteuid() != 0:
        notes.append("not root: the child runs as your own user and can read what you can")
    return notes


def isolation_problem():
    """None when the child cannot read the references, else why it can.

    Namespaces hide them; as root, the child's own uid cannot read them.  As a
    normal user without namespaces nothing stands between the learner's code
    and the answers: fine on a learner's own machine (the starter ships the
    references), not for grading a class.
    """
    if sandbox_prefix():
        return None
    why = "no namespaces (unshare(1) is missing, refused, or MYTORCH_SANDBOX=0)"
    if compat.geteuid() != 0:
        return (f"the learner's code could read the references here: {why} and not root.  Grade as root "
                f"(each child then runs as a fresh unprivileged user), or where "
                f"`unshare --map-root-user --net --mount --pid true` works")
    blocked = _unreachable()
    if blocked:
        return (f"the learner's code would run as root here: {why}, and an unprivileged child could not "
                f"reach {blocked[0]} ({blocked[1]} is private).  Install Python and numpy where other "
                f"users can read them (e.g. /usr), or grade where namespaces work")
    return None


def _child_needs():
    """The folders the child's Python reads: the grader's, the interpreter's, its standard library
    and site-packages (the child runs with -E: no PYTHONPATH, so not this process's sys.path)."""
    paths = [HERE, os.path.dirname(os.path.realpath(sys.executable))] + list(sysconfig.get_paths().values())
    return [os.path.realpath(p) for p in paths if p]


def _unreachable():
    """(path, blocked folder) the child needs but another user cannot reach, or None."""
    for p in _child_needs():
        if os.path.exists(p):
            blocked = _blocked_ancestor(os.path.join(p, "x"))
            if blocked:
                return p, blocked
    return None


# Libraries that would do the homework (automatic differentiation, the layers): hidden from the
# child where namespaces allow, so that a hand-in cannot hand its work to them.
ORACLES = ("torch", "functorch", "torchgen", "tensorflow", "keras", "jax", "autograd", "mxnet", "chainer")


def oracle_paths():
    """The installed folders of ORACLES, found without importing them."""
    import importlib.util
    paths = []
    for name in ORACLES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        paths += list(spec.submodule_search_locations or []) if spec else []
    return paths


@functools.cache
def _oracles():
    """oracle_paths(), looked up once per process."""
    return [os.path.realpath(p) for p in oracle_paths() if os.path.isdir(p)]


def parent_only_files():
    """The grader folder's top-level files (the entry points): the child reads none of them."""
    return sorted(os.path.join(HERE, f) for f in os.listdir(HERE)
                  if os.path.isfile(os.path.join(HERE, f)) and not os.path.islink(os.path.join(HERE, f)))


def secret_paths():
    """Folders the child must not see: the references, compiled grader files, this repository's
    git data, and every folder of the grader's beside the data it needs."""
    paths = [os.path.join(HERE, "__pycache__")]
    paths += [os.path.join(HERE, d) for d in os.listdir(HERE) if d not in CHILD_DIRS]
    for base in {ROOT, HERE}:
        git = os.path.join(base, ".git")
        if os.path.isdir(git):
            paths.append(git)
        elif os.path.isfile(git):   # a worktree: "gitdir: ..." and its commondir
            with open(git) as f:
                line = f.read().strip()
            if line.startswith("gitdir:"):
                gitdir = os.path.normpath(os.path.join(base, line[7:].strip()))
                paths.append(gitdir)
                common = os.path.join(gitdir, "commondir")
                if os.path.isfile(common):
                    with open(common) as f:
                        paths.append(os.path.normpath(os.path.join(gitdir, f.read().strip())))
    return sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})


def _child_ids():
    """(uid, gid) for a child started by root, or None when not root.

    A fresh number per hand-in, not `nobody`: two children of one batch then
    cannot read each other's files or signal each other, and files.kill_uid() can
    end every process the child left behind, whether namespaces exist or not.
    Without namespaces that user must reach Python and the grader by the
    folders' own permissions; where it cannot, the child stays root
    (isolation_problem() says so, and the batch graders refuse).
    """
    if not _switches_user():
        return None
    n = _random.randrange(1 << 30, (1 << 31) - 2)   # far above any uid a system hands out
    return n, n


def _switches_user():
    """Root, and (without namespaces) the child's Python reachable by another user."""
    return compat.geteuid() == 0 and (bool(sandbox_prefix()) or not _unreachable())


def _private_secrets():
    """Without namespaces nothing covers the references: make them root's alone (chmod go-rwx),
    with the grader's compiled files, the files only the parent uses and the checkout's other
    folders (mytorch/ and hw1/ are the solution).  The modes stay so: README, threat model."""
    if sandbox_prefix():
        return
    for p in secret_paths() + parent_only_files() + solution_paths():
        mode = os.stat(p).st_mode
        if mode & 0o077:
            os.chmod(p, stat.S_IMODE(mode) & 0o700)


def solution_paths():
    """The folders of this checkout besides autograder/ (the solution, its tests and tools), except
    those holding what the child reads (a virtual environment inside the checkout) and links (their
    targets lie outside the checkout: not ours to chmod)."""
    needed, root, paths = _child_needs(), os.path.realpath(ROOT), []
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if name != "autograder" and os.path.isdir(path) and not os.path.islink(path) and \
                not any(n == path or n.startswith(path + os.sep) for n in needed):
            paths.append(path)
    return paths


PRIVATE = ["/tmp", "/var/tmp", "/dev/shm"]   # each child gets its own, empty

TERMINALS = ["/dev/pts"]


SYSTEM_DIRS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin", "sys",
               "usr", "var", "tmp", "nix", "gnu", "snap", "lost+found"}


def _world_writable():
    """Other folders anyone may write in (/run/lock, ...), one level under the system's folders."""
    found = []
    for top in ("/var", "/run", "/dev", "/etc", "/usr"):
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False) and e.stat(follow_symlinks=False).st_mode & 0o002:
                    found.append(e.path)
            except OSError:
                pass
    return sorted(set(found) - set(PRIVATE))


def _blocked_ancestor(path):
    """The highest ancestor of path that others cannot traverse, or None."""
    parts = os.path.realpath(path).split(os.sep)[1:]
    for i in range(1, len(parts)):
        d = os.sep + os.sep.join(parts[:i])
        if not os.stat(d).st_mode & 0o001:
            return d
    return None
