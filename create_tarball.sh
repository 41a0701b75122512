#!/bin/sh
# Pack the hand-in: the Python sources of mytorch/ and hw1/, and the plots in hw1/.
# Works from any directory; writes handin.tar next to this script.
set -eu
cd "$(dirname "$0")"

for f in mytorch/activation.py mytorch/loss.py mytorch/linear.py mytorch/batchnorm.py hw1/hw1.py hw1/mc.py; do
    if [ ! -f "$f" ]; then
        echo "create_tarball.sh: required file $f is missing; no archive written" >&2
        exit 1
    fi
done

# Sources only: no __pycache__, data, virtual environments or editor files.
files=$(find mytorch hw1 -type d -name __pycache__ -prune -o -type f -name '*.py' -print | sort)
plots=$(find hw1 -maxdepth 1 -type f -name '*.png' | sort)
if [ -z "$plots" ]; then
    # Not an error (the graded tests don't need them), but the course asked for the curves.
    echo "create_tarball.sh: note: no plots in hw1/ yet; run" >&2
    echo "    python3 autograder/hw1_autograder/test.py --outpath hw1" >&2
    echo "  first if your hand-in should include the training curves." >&2
fi

tmp=handin.tar.tmp
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086  # the names are ours: no spaces
tar -cf "$tmp" $files $plots
mv "$tmp" handin.tar
trap - EXIT
echo "wrote $(pwd)/handin.tar:"
tar -tf handin.tar | sed 's/^/  /'
