#!/bin/sh
# Pack the hand-in: the Python sources of mytorch/ and hw1/, and the plots in hw1/.
# Works from any directory; writes handin.tar next to this script.  The work is done by
# create_tarball.py, which runs on Windows too (python create_tarball.py).
cd "$(dirname "$0")" || exit 1
exec python3 create_tarball.py "$@"
