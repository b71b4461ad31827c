"""Answer checkers, one module per ``kind:``; importing this registers them all."""
from grader.checkers.base import (  # noqa: F401
    Checker,
    Status,
    Verdict,
    get_checker,
    known_kinds,
    make_options,
    register,
)
from grader.checkers import array, eigen, exception, pair, rubric  # noqa: F401,E402
from grader.checkers import choice, expression, number, sets  # noqa: F401,E402
