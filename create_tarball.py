"""Pack the hand-in, on any platform: the Python sources of mytorch/ and hw1/, and the plots in hw1/.

    python create_tarball.py      (./create_tarball.sh calls this)

Works from any folder; writes handin.tar next to this script, with "/" in its names
whatever the platform, and the files' bytes as they are (Windows line endings included).
"""
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIRED = ["mytorch/activation.py", "mytorch/loss.py", "mytorch/linear.py", "mytorch/batchnorm.py",
            "hw1/hw1.py", "hw1/mc.py"]


def sources(top):
    """The .py files under top (a folder of HERE) as "/" names, sorted; no __pycache__, no links."""
    found = []
    for folder, dirs, files in os.walk(os.path.join(HERE, top)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = os.path.relpath(folder, HERE).replace(os.sep, "/")
        found += [f"{rel}/{f}" for f in files if f.endswith(".py") and is_file(os.path.join(folder, f))]
    return found


def is_file(path):
    return os.path.isfile(path) and not os.path.islink(path)


def plots():
    """The .png files directly in hw1/."""
    folder = os.path.join(HERE, "hw1")
    return [f"hw1/{f}" for f in os.listdir(folder) if f.endswith(".png") and is_file(os.path.join(folder, f))]


def main():
    missing = [f for f in REQUIRED if not is_file(os.path.join(HERE, *f.split("/")))]
    if missing:
        print(f"create_tarball: required file {missing[0]} is missing; no archive written", file=sys.stderr)
        return 1
    names = sorted(sources("mytorch") + sources("hw1"))
    pngs = sorted(plots())
    if not pngs:
        # Not an error (the graded tests don't need them), but the course asked for the curves.
        print("create_tarball: note: no plots in hw1/ yet; run\n"
              "    python autograder/hw1_autograder/test.py --outpath hw1\n"
              "  first if your hand-in should include the training curves.", file=sys.stderr)
    out = os.path.join(HERE, "handin.tar")
    tmp = out + ".tmp"
    try:
        with tarfile.open(tmp, "w", format=tarfile.GNU_FORMAT) as tar:
            for name in names + pngs:
                tar.add(os.path.join(HERE, *name.split("/")), arcname=name, recursive=False)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print(f"wrote {out}:")
    for name in names + pngs:
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
