"""Text as numbers, both homeworks: the result channel carries float64 arrays only.

    encode(text, limit)    the child: str(text)'s first `limit` code points as a float64 array
    decode(array, limit)   the parent: the text back, made printable
    printable(text)        the control characters a terminal would act on replaced (the parent's
                           rule for every text of the child's: isolation/channel.py)

The child controls what arrives: decode() takes any array, and turns whatever is not a
character (NaN, a fraction, a negative number, a surrogate) into U+FFFD as printable() turns a
control character, so one text never reads differently in a report, a hint or details/.
numpy is imported on first use: isolation/channel.py reads printable() here, and the child
loads that before its sandbox is set up, when numpy must not be loaded yet.
"""
TEXT_LIMIT = 80   # characters a recorded text keeps (a type's name, a layer's kind)
REPLACEMENT = "\ufffd"
# Control characters (terminal escapes: ESC ] 52 writes the clipboard of whoever `cat`s a
# feedback file) become U+FFFD; newlines and tabs stay.
_CONTROL = {c: REPLACEMENT for c in list(range(0x20)) + list(range(0x7f, 0xa0)) if c not in (0x09, 0x0a)}


def printable(text):
    """text with the control characters a terminal would act on replaced."""
    return text.translate(_CONTROL)


def encode(text, limit=TEXT_LIMIT):
    """str(text)'s first `limit` characters as their code points (float64)."""
    import numpy as np
    return np.array([ord(c) for c in str(text)[:limit]], dtype=np.float64)


def _char(c):
    if not (0 <= c < 0x110000 and c == int(c)) or 0xd800 <= c < 0xe000:   # NaN fails the first test
        return REPLACEMENT
    return chr(int(c))


def decode(array, limit=TEXT_LIMIT):
    """The text encode() recorded (its first `limit` characters), printable."""
    import numpy as np
    return printable("".join(_char(c) for c in np.ravel(array)[:limit]))
