"""References are computed from the definitions, and the cases hold what the handouts promise."""
from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pytest
import sympy

from grader.references import RaisedException, compute_references
from grader.spec import SpecError, load_problem_set

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def q2():
    return compute_references(load_problem_set(ROOT / "problems" / "q2-activations.yaml"))


@pytest.fixture(scope="module")
def foundations():
    return compute_references(load_problem_set(ROOT / "problems" / "foundations.yaml"))


def rho(eps: float) -> float:
    sigma = 1 / (1 + math.exp(-eps))
    return sigma * (1 - sigma) / (1 - math.tanh(eps) ** 2)


def test_q2_references_come_from_the_expansions(q2):
    assert q2["Q2.1a"].value == sympy.Rational(1, 4)
    assert q2["Q2.1b"].value == 1
    assert q2["Q2.2"].value == sympy.S.Reals
    assert q2["Q2.3a"].value == sympy.Rational(1, 4)
    assert float(q2["Q2.3b"].value) == pytest.approx(rho(0.05), rel=1e-12)
    assert q2["Q2.3c"].value == pytest.approx([rho(0.05) ** t for t in (1, 5, 10, 20)], rel=1e-12)
    assert q2["Q2.3d"].value == "approx"


def test_q2_handout_examples_sit_inside_the_tolerances(q2):
    exact = float(q2["Q2.3b"].value)
    for accepted in (0.2504, 0.2505):
        assert abs(accepted - exact) <= 0.0005 * exact
    assert abs(0.25 - exact) > 0.0005 * exact  # the approximation's value is not accepted


def test_foundations_public_case_is_the_tutorial_example(foundations):
    case = foundations["A1"].cases[0]
    assert case.case.public
    assert np.array_equal(case.expected, np.array([[19.0, 22.0], [43.0, 50.0]]))
    tutorial = foundations["A1"].cases[1]  # the tutorial's 2×3 by 2×3 "matrix multiplication"
    assert isinstance(tutorial.expected, RaisedException) and tutorial.expected.name == "ValueError"
    mistake, elementwise = tutorial.mistake_values[0]
    assert np.array_equal(elementwise, np.multiply(*tutorial.args))


def test_every_code_part_has_public_and_hidden_cases(foundations):
    for label, ref in foundations.parts.items():
        public = [c for c in ref.cases if c.case.public]
        hidden = [c for c in ref.cases if not c.case.public]
        assert public and hidden, label


def test_edge_cases_the_handout_names_are_present(foundations):
    singular = [c for c in foundations["A6"].cases if isinstance(c.expected, RaisedException)]
    assert any(np.array_equal(np.asarray(c.args[0]), [[1, 2], [2, 4]]) for c in singular)
    mismatched = [c for c in foundations["A1"].cases if isinstance(c.expected, RaisedException)]
    assert len(mismatched) >= 2
    uneven = [c for c in foundations["B1"].cases if len(set(np.round(np.diff(np.asarray(c.args[1])), 9))) > 1]
    assert uneven
    large = [c for c in foundations["D3"].cases if np.max(np.abs(np.asarray(c.args[0], dtype=float))) >= 1000]
    assert large and all(np.isfinite(c.expected).all() for c in large)
    repeated = [c for c in foundations["A8"].cases
                if len(np.unique(np.round(c.expected[0], 9))) < len(c.expected[0])]
    assert repeated
    assert all(c.expected[0] == pytest.approx(sorted(c.expected[0])) for c in foundations["A8"].cases)


def test_expected_values_follow_the_definitions_not_the_tutorial_printout(foundations):
    # The tutorial printed [3, 432, 27, 48, 675] for np.gradient of y = [0, 10, 40, 90, 160].
    assert foundations["B1"].cases[0].expected == pytest.approx([10, 20, 40, 60, 70])
    x = np.array([2.0, 3.0, 1.0])
    assert foundations["B2"].cases[0].expected == pytest.approx(2 * x * np.sin(x) + x**2 * np.cos(x))
    assert foundations["C2"].cases[0].expected == pytest.approx(2.0)  # population variance of 1..5
    assert foundations["D1"].cases[1].expected[0] == 0.0  # sigmoid(-1000) underflows to 0.0, no nan


NEWTON = """\
id: newton
title: Newton
parts:
  - label: N1
    title: newton
    points: 1
    code:
      function: newton
      kind: number
      solution: |
        def newton(f, df, x0):
            return x0
      cases:
        - {name: ok, public: true, args: [1, 2, 1.0]}
        - {name: sqrt 2, args: "[lambda t: t**2 - 2, lambda t: 2*t, 1.0]"}
        - {name: nested, args: "[[1.0, abs], 1.0]"}
"""


def spec_issues(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        compute_references(load_problem_set(path))
    except SpecError as exc:
        return [str(issue) for issue in exc.issues]
    return []


def test_a_function_as_a_case_argument_is_a_located_spec_error(tmp_path):
    # The sandbox receives plain data only: a function would fail to send for every student.
    issues = spec_issues(tmp_path, NEWTON)
    lambdas = [i for i in issues if "'sqrt 2'" in i]
    assert len(lambdas) == 1, issues
    assert lambdas[0].startswith(f"{tmp_path / 'spec.yaml'}, line 15: part N1, case 2 ('sqrt 2'): argument 1 is a "
                                 "function; case arguments must be data the sandbox can send: numbers, strings, "
                                 "lists, tuples, dicts, NumPy arrays")
    nested = [i for i in issues if "'nested'" in i]
    assert "line 16:" in nested[0] and "case 3 ('nested'): argument 1 holds a value of type" in nested[0]
    assert not any("'ok'" in i for i in issues)  # a case of plain data is not blamed


def test_a_misspelt_exception_name_gets_a_suggestion(tmp_path):
    text = NEWTON.replace("""        def newton(f, df, x0):
            return x0
""", """        def newton(f, df, x0):
            return 1 / x0
""").replace('''        - {name: sqrt 2, args: "[lambda t: t**2 - 2, lambda t: 2*t, 1.0]"}
        - {name: nested, args: "[[1.0, abs], 1.0]"}
''', "        - {name: flat, args: [1, 2, 0], raises: ZeroDivisonError}\n")
    issues = spec_issues(tmp_path, text)
    assert len(issues) == 1, issues
    assert "line 15:" in issues[0]  # the case's line
    assert issues[0].endswith("expects ZeroDivisonError but the reference solution raised ZeroDivisionError "
                              "(did you mean ZeroDivisionError?)")
    # A name that is right gets no suggestion, nor does one the setup may define.
    assert spec_issues(tmp_path, text.replace("ZeroDivisonError", "ZeroDivisionError")) == []
    assert "?" not in spec_issues(tmp_path, text.replace("ZeroDivisonError", "SingularMatrix"))[0]


def _generated_a3_input(refs, name: str = "random") -> np.ndarray:
    [case] = [c for c in refs["A3"].cases if c.case.name == name]
    return np.asarray(case.args[0])


def test_hidden_generated_inputs_cannot_be_drawn_from_what_students_have(foundations):
    """Students have the grader's code and can guess a case's name and generator: seeded from the set
    id, label and name alone, the hidden A3 input could be drawn at home.  The spec file's contents,
    which only the instructor has, are in the seed."""
    [case] = [c for c in foundations["A3"].cases if c.case.name == "random"]
    assert not case.case.public and case.case.args == "[rng.normal(size=20)]"
    hidden = _generated_a3_input(foundations)
    for guess in ("foundations/A3/random", "A3/random", "random"):
        seed = int.from_bytes(hashlib.sha256(guess.encode()).digest()[:4], "little")
        assert not np.allclose(np.random.default_rng(seed).normal(size=20), hidden)


def test_generated_inputs_stay_through_edits_of_points_and_feedback_and_change_with_the_solution(
        tmp_path, foundations):
    """Generated inputs are the same for the same spec; editing points, a prompt or feedback, or adding
    a known mistake keeps them (students graded before and after the edit were tested alike); a new
    solution draws new ones, as renaming the case does."""
    text = (ROOT / "problems" / "foundations.yaml").read_text()
    before = _generated_a3_input(foundations)

    def a3_input(edited: str, name: str = "random") -> np.ndarray:
        (tmp_path / "foundations.yaml").write_bytes(edited.encode())
        return _generated_a3_input(compute_references(load_problem_set(tmp_path / "foundations.yaml")), name)

    # A Windows checkout (CRLF line endings) is the same spec: the same inputs, the same grades.
    assert np.array_equal(a3_input(text.replace("\n", "\r\n")), before)
    a3 = text.index("label: A3")
    points = text.index("points:", a3)
    line_end = text.index("\n", points)
    assert text[points:line_end] != "points: 7"
    assert np.array_equal(a3_input(text[:points] + "points: 7" + text[line_end:] + "# edited\n"), before)
    solution = text.index("solution:", a3)
    assert not np.allclose(a3_input(text[:solution] + "solution: |\n        # reworded\n" +
                                     text[solution + len("solution: |\n"):]), before)
    random_case = text.index('name: "random"', a3)
    assert not np.allclose(a3_input(text[:random_case] + 'name: "random2"' +
                                     text[random_case + len('name: "random"'):], "random2"), before)