"""The child's files: its own copy of the hand-in, the plots copied back, what its uid leaves behind.

Only when started as root does the child get a uid of its own (isolation/policy.py); these are the
parent's steps around it: give the copy to that uid, kill every process of it at the end, remove
what it left in the shared temporary folders, and bring the MNIST plot back without following any
link the child may have planted.
"""
import os
import shutil
import stat
import subprocess
import sys

from isolation import policy


def kill_uid(ids):
    """SIGKILL every process of the child's uid: kill(-1) sent as that uid reaches only its own."""
    code = "import os, signal\ntry: os.kill(-1, signal.SIGKILL)\nexcept OSError: pass"
    try:
        subprocess.run([sys.executable, "-S", "-E", "-c", code], user=ids[0], group=ids[1], extra_groups=[],
                       env={}, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.SubprocessError):
        pass


def remove_files_of(uid):
    """Without namespaces the child shares /tmp, /var/tmp, /dev/shm and the other world-writable
    folders: remove what its uid left at their top level (its processes are dead by now).  A link is
    removed, never followed."""
    for folder in policy.PRIVATE + policy._world_writable():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            try:
                if e.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if e.is_dir(follow_symlinks=False):
                    remove_tree(e.path)
                else:
                    os.unlink(e.path)
            except OSError:
                pass


def readable_copy(root, scratch, ids):
    """A copy of root's mytorch/ and hw1/ that the child's own uid alone can read -> its path.

    Only when started as root: the learner's folder is private to root (and must
    stay unreadable by the other children of a batch).
    """
    if not ids:
        return root
    dst = os.path.join(scratch, "handin")
    for d in ("mytorch", "hw1"):
        if os.path.isdir(os.path.join(root, d)):
            shutil.copytree(os.path.join(root, d), os.path.join(dst, d), symlinks=False,
                            ignore=shutil.ignore_patterns("__pycache__"))
    os.makedirs(dst, exist_ok=True)
    give_to(dst, ids)
    return dst


def copy_back_plots(copy, root):
    """The plots a test wrote into the copy's hw1/ (the MNIST test's curve) go to the learner's hw1/.

    The child owns everything under its scratch folder and may swap any part of copy/hw1 for a
    link at any moment: each step from the scratch folder (which it cannot replace) is opened
    O_NOFOLLOW, and the files are read through that folder's descriptor."""
    dst_dir = os.path.join(root, "hw1")
    if not os.path.isdir(dst_dir) or os.path.islink(dst_dir):
        return
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
    fd = None
    try:
        fd = os.open(os.path.dirname(copy), os.O_RDONLY | os.O_DIRECTORY)
        for part in (os.path.basename(copy), "hw1"):
            step = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = step
        names = sorted(f for f in os.listdir(fd) if f.endswith(".png"))
    except OSError:
        names = []
    for f in names:
        dst = os.path.join(dst_dir, f)
        if os.path.islink(dst):
            continue
        try:
            src = os.open(f, flags, dir_fd=fd)
        except OSError:
            continue
        with os.fdopen(src, "rb") as a:
            st = os.fstat(src)
            if not stat.S_ISREG(st.st_mode) or st.st_size >= 16 << 20:
                continue
            data = a.read(16 << 20)
        try:   # the learner's own folder: never write through a link placed there
            out = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
        except OSError:
            continue
        with os.fdopen(out, "wb") as b:
            if stat.S_ISREG(os.fstat(out).st_mode):
                b.write(data)
    if fd is not None:
        os.close(fd)


def give_to(folder, ids):
    """chown -R the child's uid, private to it: it may read and write its own copy, no other child may."""
    for base, dirs, files in os.walk(folder):
        for p in [base] + [os.path.join(base, f) for f in files]:
            os.lchown(p, *ids)
            os.chmod(p, 0o700 if p == base else 0o600)


def remove_tree(path):
    """Remove the folder path and everything in it -> True when it is gone; never raises.

    What the child wrote may be a tree thousands of levels deep with paths past PATH_MAX
    (shutil.rmtree recurses and hits Python's recursion limit): one folder descriptor at a
    time, walking down into a subfolder and back up through "..", with the path of names kept
    as a list, never on the stack.  A link is removed, never followed; a folder the child made
    unreadable is made readable first (possible for its owner, or root)."""
    if not hasattr(os, "O_DIRECTORY") or os.rmdir not in os.supports_dir_fd:   # Windows: no folder descriptors
        try:
            shutil.rmtree(path, ignore_errors=True)
        except RecursionError:
            pass
        return not os.path.lexists(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return True
    except OSError:
        try:   # a file or a link, not a folder
            os.unlink(path)
        except OSError:
            pass
        return not os.path.lexists(path)
    names = []   # the folders entered below path, outermost first
    try:
        while True:
            sub = _empty_folder(fd)
            if sub is not None:   # go down
                step = os.open(sub, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = step
                names.append(sub)
                continue
            if not names:
                break
            up = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)   # go up, remove the emptied folder
            os.close(fd)
            fd = up
            os.rmdir(names.pop(), dir_fd=fd)
    except OSError:
        pass
    finally:
        os.close(fd)
    try:
        os.rmdir(path)
    except OSError:
        pass
    return not os.path.lexists(path)


def _empty_folder(fd):
    """Unlink every non-folder in the folder fd -> the name of one subfolder left, or None when empty."""
    with os.scandir(fd) as entries:
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                try:
                    os.chmod(e.name, 0o700, dir_fd=fd)
                except (OSError, NotImplementedError):
                    pass
                return e.name
            try:
                os.unlink(e.name, dir_fd=fd)
            except FileNotFoundError:
                pass
    return None
