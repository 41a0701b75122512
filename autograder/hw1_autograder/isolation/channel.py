"""The result channel, parent side: what the child sends is checked before the parent believes it.

Each case's values arrive as a JSON header line and an .npz payload; _parse_npz reads plain
float64 arrays only (no pickle, no compression, sizes capped), _accept turns a header and its
payload into a CaseResult or a "bad result", and printable() (cases/text.py, the rule decode()
follows too) keeps the child's text from carrying control characters into a report.
"""
import io
import zipfile
from dataclasses import dataclass

from cases.text import printable  # noqa: F401  (the one rule for the child's text; parent.py reads it here)

MAX_PAYLOAD = 16 << 20      # bytes of arrays one case may send (the graded cases send at most 1.4 MB)
MAX_TEXT = 4000             # characters of one error text kept


@dataclass
class CaseResult:
    name: str
    arrays: dict          # name -> float64 ndarray, or a str: why the child could not send it
    error: dict = None    # {"kind": ..., "text": ...} the child's exception, or the parent's event
    tampered: tuple = ()  # functions the child saw replaced after this case (names)
    warning: str = None   # numpy's first warning while the case ran, as the child reported it


def _parse_npz(payload):
    """-> {name: float64 ndarray} from bytes the child sent, or raise ValueError."""
    import numpy as np
    buf = io.BytesIO(payload)
    with zipfile.ZipFile(buf) as z:
        infos = z.infolist()
        if len(infos) > 5000 or sum(i.file_size for i in infos) > 4 * MAX_PAYLOAD or \
                any(i.compress_type != zipfile.ZIP_STORED for i in infos):
            raise ValueError("results archive too large or compressed")
    buf.seek(0)
    arrays = {}
    with np.load(buf, allow_pickle=False) as f:
        for name in f.files:
            a = f[name]
            if type(a) is not np.ndarray or a.dtype != np.float64 or a.ndim > 8 or len(name) > 300:
                raise ValueError(f"{name!r} is not a plain float64 array")
            arrays[name] = a
    return arrays


def _accept(header, payload):
    """A CaseResult from one 'done' message, checked; the child controls all of it.

    Anything malformed (fields of the wrong type included) makes the case's values
    unusable: a 'bad result', never an exception in the parent.
    """
    try:
        arrays = _parse_npz(payload) if payload else {}
        rejected, error, tampered = header.get("rejected") or {}, header.get("error"), header.get("tampered") or []
        if not isinstance(rejected, dict) or not isinstance(tampered, list) or \
                not (error is None or isinstance(error, dict)):
            raise ValueError("a field of the message has the wrong type")
        for name, why in list(rejected.items())[:5000]:
            arrays[str(name)[:300]] = f"returned {printable(str(why)[:300])}"
        if error is not None:
            error = {"kind": str(error.get("kind", "error"))[:40],
                     "text": printable(str(error.get("text", ""))[:MAX_TEXT])}
        tampered = tuple(printable(str(t)[:100]) for t in tampered[:20])
        warning = header.get("warning")
        warning = None if warning is None else printable(str(warning)[:300])
    except Exception as e:   # anything malformed: the case's values are unusable
        return CaseResult(header["case"], {}, {"kind": "bad result", "text": f"unusable results: {e}"[:MAX_TEXT]})
    return CaseResult(header["case"], arrays, error, tampered, warning)
