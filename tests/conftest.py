"""Put the repository root, mytorch/ and hw1/ on sys.path, as the course's tests do."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (ROOT, os.path.join(ROOT, "mytorch"), os.path.join(ROOT, "hw1")):
    if p not in sys.path:
        sys.path.insert(0, p)
