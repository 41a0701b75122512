"""Fresh inputs for one hand-in: drawn from a seed the hand-in never sees, references computed here.

    seed = new_seed()                 # secrets.randbits: recorded in the gradebook, never sent
    table = draw(part, seed)          # every graded input and size (cases/fresh.py's Table)
    with installed(table):            # this thread's input functions read the table
        refs = references(part)       # numpy reference (withheld/reference/), computed in the parent

The child gets table.to_bytes() (arrays only) after it has started; the seed stays here.
The same seed gives the same table and references, bit for bit (runner.py --seed N re-grades).
"""
import contextlib
import secrets

from cases import fresh

# part -> (its inputs module, its function drawing the sizes, its function calling every input
# function, the numpy reference module); a part not listed keeps the fixed inputs
FRESH_PARTS = {
    "spring2021": ("cases.spring2021.inputs", "draw_sizes", "every_input", "withheld.reference.spring2021"),
    "bonus": ("cases.autograd.inputs", "draw_bonus_sizes", "every_bonus_input", "withheld.reference.bonus"),
    "autograd": ("cases.autograd.inputs", "draw_autograd_sizes", "every_autograd_input",
                 "withheld.reference.autograd"),
}
SIZE_STREAM = 1 << 20   # the RandomState stream the sizes are drawn from (the inputs use 1..~300)


def new_seed():
    return secrets.randbits(63)


def supported(part):
    """Whether part's inputs can be drawn afresh here (the starter has no withheld/ reference)."""
    if part not in FRESH_PARTS:
        return False
    import importlib.util
    try:
        return importlib.util.find_spec(FRESH_PARTS[part][3]) is not None
    except ImportError:
        return False


def _module(name):
    import importlib
    return importlib.import_module(name)


def draw(part, seed):
    """-> the read-only Table of every input of `part`'s cases drawn from seed."""
    if not 0 <= int(seed) < 1 << 63:
        raise ValueError(f"seed {seed}: expected an integer in [0, 2**63)")
    seed = int(seed)
    table = fresh.Table(words=[seed & 0xFFFFFFFF, seed >> 32])
    module, sizes, every, _ = FRESH_PARTS[part]
    inputs = _module(module)
    with installed(table):
        getattr(inputs, sizes)(fresh.rng(SIZE_STREAM, 0))
        getattr(inputs, every)()
    table.drawing, table.words = False, None
    return table


@contextlib.contextmanager
def installed(table):
    """This thread's input functions read table (None: the fixed inputs) inside the block."""
    before = fresh.active()
    fresh.install(table)
    try:
        yield table
    finally:
        fresh.install(before)


class Computed(dict):
    """References computed for one hand-in: refs(key) as verify.References."""

    def __call__(self, k):
        return self[k]


def references(part):
    """-> Computed: the part's references on the inputs installed in this thread."""
    return Computed(_module(FRESH_PARTS[part][3]).compute())


def note(seed, part, handin=None):
    """The report's one line on its inputs: the fixed ones (local), or the seed and how to re-grade."""
    if seed is None:
        return ("These are the fixed inputs shipped with the starter; the server grades the same tests on "
                "inputs drawn afresh for each hand-in (new values, new sizes where a test allows).")
    return (f"Inputs drawn afresh from seed {seed}; to re-grade bit for bit: python3 "
            f"autograder/hw1_autograder/runner.py --part {part} --handin {handin or 'HANDIN.tar'} --seed {seed}")
