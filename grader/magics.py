"""IPython magics whose argument is Python code, read one way by the notebook reader (a
``%time W = np.eye(3)`` line runs its statement) and by the sandbox's ``get_ipython()``
stand-in (``run_line_magic('timeit', '-n 10 f(x)')``, as ``nbconvert --to script`` writes it)."""
from __future__ import annotations

# Their options that take a value (`%timeit -n 10 -r 3 f(x)`); the others are flags (`-o`, `-q`).
VALUE_OPTIONS = {"time": "", "timeit": "nrp", "prun": "lsTD"}


def magic_code(magic: str, line: str) -> str:
    """The code of a line magic's argument ``line`` (or a ``%%timeit`` cell's setup): its options dropped."""
    with_value = VALUE_OPTIONS.get(magic)
    if not with_value:
        return line
    rest = line.lstrip()
    while rest.startswith("-") and len(rest) > 1 and rest[1].isalpha():
        letters, _, rest = rest[1:].partition(" ")
        for index, letter in enumerate(letters):
            if letter in with_value:
                if index == len(letters) - 1:  # `-n 10`: the value is the next word
                    _, _, rest = rest.lstrip().partition(" ")
                break  # `-n10`: the value is the rest of the word
        rest = rest.lstrip()
    return rest
