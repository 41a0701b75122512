"""Hand-ins unpacked by the trusted parent, never by the child.

extract_handin(tar, dest) for a handin.tar (as create_tarball.sh writes it),
copy_handin(folder, dest) for folders uploaded as they are (Gradescope).
Both keep only regular files under mytorch/ and hw1/, follow no link, refuse
absolute paths, '..', devices and FIFOs, and cap sizes, depth and counts;
they return (names written, [(name, why refused)]).
"""
import os
import stat
import zlib

from isolation import platform_compat as compat   # os.open's flags, on Windows too

HANDIN_DIRS = ("mytorch", "hw1")
HARMLESS = "outside mytorch/ and hw1/"   # a stray file: ignored; every other refusal marks a bad archive
MAX_ARCHIVE, MAX_FILES, MAX_FILE, MAX_TOTAL = 50 << 20, 500, 4 << 20, 20 << 20
MAX_DEPTH = 16             # folders in a path, mytorch/ or hw1/ included
MAX_EXPANDED = 100 << 20   # a compressed archive, once expanded (bzip2 and xz shrink zeros a million-fold)


def _safe_name(name, is_dir=False):
    """name as a relative path under mytorch/ or hw1/, or the reason it is refused."""
    if "\0" in name or "\\" in name:
        return None, "odd characters"
    if name.startswith("/"):
        return None, "absolute path"
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, "'..' in the path"
    if not parts or parts[0] not in HANDIN_DIRS:
        return None, "outside mytorch/ and hw1/"
    if len(parts) > MAX_DEPTH or len(name) > 1000:   # os.makedirs recurses once per folder
        return None, f"nested more than {MAX_DEPTH} folders deep, or a name too long"
    if len(parts) == 1 and not is_dir:
        return None, f"a file where the folder {parts[0]}/ belongs"
    return "/".join(parts), None


def extract_handin(tar_path, dest):
    """Unpack the regular files under mytorch/ and hw1/ of a hand-in .tar into dest.

    Never follows the archive's own ideas: no links, devices, absolute paths or
    '..'; size limits.  -> (extracted names, refused [(name, why)]); raises
    ValueError when the file is not a readable archive.
    """
    import lzma
    import tarfile
    if os.path.getsize(tar_path) > MAX_ARCHIVE:
        raise ValueError(f"archive larger than {MAX_ARCHIVE >> 20} MB")
    done, refused, total = [], [], 0
    try:
        with _open_tar(tar_path) as tar:
            for n, m in enumerate(tar):
                if n >= MAX_FILES:
                    refused.append(("...", f"more than {MAX_FILES} entries: the rest ignored"))
                    break
                name, why = _safe_name(m.name, m.isdir())
                if m.isdir() and why is None:
                    continue
                if why is None and not m.isreg():
                    why = "a link" if (m.issym() or m.islnk()) else "not a regular file"
                if why is None and (m.size > MAX_FILE or total + m.size > MAX_TOTAL):
                    why = "too large"
                if why is None and name in done:
                    why = "a second copy"
                if why:
                    if not (m.isdir() and why == "outside mytorch/ and hw1/"):
                        refused.append((m.name[:200], why))
                    continue
                data = tar.extractfile(m).read(m.size)
                try:   # a name the file system refuses, or a file where a folder was: this file alone
                    _write_new(os.path.join(dest, name), data)
                except OSError as e:
                    refused.append((m.name[:200], f"could not be written ({e.strerror})"))
                    continue
                total += m.size
                done.append(name)
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as e:
        if not done:
            raise ValueError(f"not a readable tar archive ({type(e).__name__}: {e})") from None
        refused.append(("...", f"archive damaged after {len(done)} files: {e}"))
    return done, refused


def _open_tar(tar_path):
    """The archive as a TarFile; a compressed one is expanded here first, at most MAX_EXPANDED bytes.

    tarfile's own "r:*" would expand it while skipping refused members: a few MB of bzip2 that
    declare a member of a terabyte kept the parent busy for hours."""
    import bz2
    import gzip
    import io
    import lzma
    import tarfile
    with open(tar_path, "rb") as f:
        head = f.read(6)
    opener = gzip.open if head[:2] == b"\x1f\x8b" else bz2.open if head[:3] == b"BZh" else \
        lzma.open if head == b"\xfd7zXZ\x00" else None
    if opener is None:
        return tarfile.open(tar_path, "r:")
    with opener(tar_path, "rb") as f:
        data = f.read(MAX_EXPANDED + 1)
    if len(data) > MAX_EXPANDED:
        raise ValueError(f"a compressed archive that expands to more than {MAX_EXPANDED >> 20} MB")
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:")


def copy_handin(folder, dest):
    """The same rules for a hand-in given as folders (Gradescope's upload) -> (names, refused)."""
    done, refused, total = [], [], 0
    for top in HANDIN_DIRS:
        if os.path.islink(os.path.join(folder, top)):   # os.walk would follow it: to the references, say
            refused.append((top, "a link"))
            continue
        for base, dirs, files in os.walk(os.path.join(folder, top)):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(base, d)) and d != "__pycache__"]
            if os.path.relpath(base, folder).count(os.sep) + 2 >= MAX_DEPTH and dirs:   # os.walk recurses
                refused += [(os.path.relpath(os.path.join(base, d), folder), f"nested more than {MAX_DEPTH} "
                             f"folders deep") for d in dirs]
                dirs[:] = []
            for f in files:
                path = os.path.join(base, f)
                rel = os.path.relpath(path, folder).replace(os.sep, "/")
                st = os.lstat(path)
                why = ("a link" if os.path.islink(path) else "not a regular file" if not os.path.isfile(path)
                       else "too large" if st.st_size > MAX_FILE or total + st.st_size > MAX_TOTAL else None)
                if why or len(done) >= MAX_FILES:
                    refused.append((rel, why or "too many files"))
                    continue
                try:
                    fd = os.open(path, os.O_RDONLY | compat.O_NOFOLLOW | compat.O_NONBLOCK | compat.O_BINARY)
                except OSError as e:
                    refused.append((rel, f"unreadable ({e.strerror})"))
                    continue
                with os.fdopen(fd, "rb") as src:
                    if not stat.S_ISREG(os.fstat(fd).st_mode):
                        refused.append((rel, "not a regular file"))
                        continue
                    _write_new(os.path.join(dest, rel), src.read(MAX_FILE + 1))
                total += st.st_size
                done.append(rel)
    return done, refused


def _write_new(path, data):
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | compat.O_NOFOLLOW | compat.O_BINARY, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
