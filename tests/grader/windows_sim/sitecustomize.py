"""Loaded first by the simulated Windows Python (tests/grader/test_windows_simulation.py).

What Windows' Python lacks and the grader used: the modules resource, fcntl and
termios, and os.fork, os.setsid, os.killpg, uids, SIGXCPU/SIGXFSZ, os.O_NOFOLLOW and friends.  Each becomes
unimportable or absent here, in the runner and in its child alike.
"""
import os
import signal
import sys

BLOCKED = {"resource", "fcntl", "termios"}


class _Blocker:
    """A meta-path finder that refuses the modules Windows does not have."""

    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (simulated Windows)", name=name)
        return None


sys.meta_path.insert(0, _Blocker())
for _name in BLOCKED:
    sys.modules.pop(_name, None)
for _name in ("fork", "forkpty", "setsid", "killpg", "getpgid", "setpgid", "getuid", "geteuid", "setuid",
              "setgid", "setgroups"):
    if hasattr(os, _name):
        delattr(os, _name)
for _name in ("SIGXCPU", "SIGXFSZ"):
    if hasattr(signal, _name):
        delattr(signal, _name)
for _name in ("O_NOFOLLOW", "O_NONBLOCK", "O_DIRECTORY"):
    if hasattr(os, _name):
        delattr(os, _name)
