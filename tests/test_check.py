"""`grader check`, the student's self-check, through the real CLI: right, wrong and broken
submissions of both homeworks, against the instructor's specs and against the published ones.

The self-check runs public cases only; whatever the submission, no output (terminal, JSON,
HTML, JUnit) shows a hidden case's name, a generated hidden input or a hidden expected value.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
import yaml

from grader.references import RaisedException, compute_references
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).resolve().parents[1] / "submissions"  # the sample class: alice is right, bob follows the tutorial
FOUNDATIONS = ROOT / "problems" / "foundations.yaml"
Q2 = ROOT / "problems" / "q2-activations.yaml"

Q2_RIGHT = {
    "Q2.1a": "1/4", "Q2.1b": "1", "Q2.2": "(-oo, oo)", "Q2.3a": "\\frac{1}{4}", "Q2.3b": 0.2505,
    "Q2.3c": [0.2505, 9.9e-4, 9.7e-7, 9.4e-13], "Q2.3d": "approx",
    "Q2.4": "Back-propagation through time multiplies the gradient by one activation derivative per time "
            "step. The sigmoid's derivative is at most 1/4 while tanh's is at most 1, so the product shrinks "
            "like (1/4)^T and gradients vanish much faster with the sigmoid.",
}
Q2_WRONG = {"Q2.1a": "1/2", "Q2.1b": "0", "Q2.2": "[0, oo)", "Q2.3a": "4", "Q2.3b": 0.25,
            "Q2.3c": [1, 1, 1, 1], "Q2.3d": "true", "Q2.4": "I do not know."}

Q2_CODE = '''\
import math

def sigma_dot_approx(eps):
    return 0.25

def tanh_dot_approx(eps):
    return 1.0

def rho_approx(eps):
    return 0.25

def rho(eps):
    s = 1 / (1 + math.exp(-eps))
    return s * (1 - s) / (1 - math.tanh(eps) ** 2)

def rho_powers(eps, T_max):
    return [rho(eps) ** T for T in range(1, T_max + 1)]

def faster_decay():
    return "approx"
'''


def grader(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published")
    run = grader("publish", ROOT / "problems", "--out", out)
    assert run.returncode == 0, run.stderr
    return out


def check(tmp_path: Path, specs: list[Path], submission: Path, *extra: str) -> tuple[subprocess.CompletedProcess, str]:
    """Run `grader check` with every output; return the run and all its outputs as one text."""
    out = tmp_path / "out"
    run = grader("check", *specs, submission, "--json", out / "results.json", "--html", out / "report",
                 "--junit", out / "junit.xml", *extra)
    assert run.returncode in (0, 1), run.stderr
    texts = [run.stdout, run.stderr]
    for name in ("results.json", "report/report.html", "junit.xml"):
        texts.append((out / name).read_text(encoding="utf-8"))
    return run, "\n".join(texts)


def results_by_label(tmp_path: Path) -> dict:
    return {t["number"]: t for t in json.loads((tmp_path / "out" / "results.json").read_text())["tests"]}


def submission(tmp_path: Path, files: dict[str, str | bytes | Path]) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    for name, content in files.items():
        if isinstance(content, Path):
            content = content.read_bytes()
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------
# What must never be shown: hidden names, hidden inputs, hidden expected values

def _numbers(value) -> list[float]:
    if isinstance(value, RaisedException):
        return []
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _numbers(v)]
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return []
    return [float(v) for v in array.ravel()]


def hidden_secrets(spec: Path) -> dict[str, list[str]]:
    """Distinctive texts of a spec's hidden cases: their names, and digit strings of their inputs and outputs."""
    refs = compute_references(load_problem_set(spec))
    public_text = " ".join(
        [p.title + " " + p.prompt for p in refs.problem_set.parts]
        + [c.case.name for r in refs.parts.values() for c in r.cases if c.case.public]
        + [m.feedback for p in refs.problem_set.parts for m in p.mistakes])
    names, digits = [], []
    for ref in refs.parts.values():
        for case_ref in ref.cases:
            if case_ref.case.public:
                continue
            # Single words ("random", "zero") may well appear in feedback; names of several words may not.
            if len(case_ref.case.name) >= 8 and " " in case_ref.case.name and case_ref.case.name not in public_text:
                names.append(case_ref.case.name)
            # Eight significant digits of a non-round number cannot turn up by chance.
            for number in _numbers(list(case_ref.args)) + _numbers(case_ref.expected):
                text = f"{abs(number):.8e}".replace(".", "")[:8]
                if np.isfinite(number) and len(text.strip("0")) >= 6:
                    digits.append(text)
    return {"names": names, "digits": digits}


def assert_no_hidden_data(output: str, secrets: dict[str, list[str]]) -> None:
    shown_digits = set(re.findall(r"\d{8,}", re.sub(r"[.eE+\-]", "", output)))  # every run of 8+ digits, dots and signs removed
    for name in secrets["names"]:
        assert name not in output, f"hidden case name {name!r} was shown"
    leaked = [d for d in secrets["digits"] if any(d in run for run in shown_digits)]
    assert not leaked, f"hidden values were shown: {leaked[:5]}"


@pytest.fixture(scope="module")
def secrets() -> dict[str, list[str]]:
    found = {"names": [], "digits": []}
    for spec in (FOUNDATIONS, Q2):
        for key, values in hidden_secrets(spec).items():
            found[key].extend(values)
    assert len(found["names"]) >= 20 and len(found["digits"]) >= 100  # the test has teeth
    return found


def hidden_total(spec: Path) -> int:
    return sum(1 for p in load_problem_set(spec).parts if p.code for c in p.code.cases if not c.public)


# ---------------------------------------------------------------------------
# The programming homework

@pytest.mark.parametrize("specs", ["instructor", "published"])
def test_right_submission_passes_public_checks_and_counts_hidden_ones(tmp_path, published, secrets, specs):
    spec = FOUNDATIONS if specs == "instructor" else published / "foundations.yaml"
    folder = submission(tmp_path, {"foundations.py": SAMPLES / "alice" / "foundations.py"})
    run, output = check(tmp_path, [spec], folder, "--fail-under", "50")
    assert run.returncode == 0, run.stdout + run.stderr
    tests = results_by_label(tmp_path)
    assert len(tests) == 25 and all(t["status"] == "passed" for t in tests.values())
    assert f"public checks passed — {hidden_total(FOUNDATIONS)} hidden checks will run at grading" in run.stdout
    assert "all tests passed" not in output.lower()
    assert "total: 50 / 50" in run.stdout
    assert_no_hidden_data(output, secrets)


@pytest.mark.parametrize("specs", ["instructor", "published"])
def test_tutorial_submission_gets_targeted_feedback_and_fails_under(tmp_path, published, secrets, specs):
    spec = FOUNDATIONS if specs == "instructor" else published / "foundations.yaml"
    folder = submission(tmp_path, {"foundations.py": SAMPLES / "bob" / "foundations.py"})
    run, output = check(tmp_path, [spec], folder, "--fail-under", "10")
    assert run.returncode == 1 and "under --fail-under 10" in run.stderr
    tests = results_by_label(tmp_path)
    assert tests["A2"]["extra_data"]["verdict"] == "not defined"
    # Symptom-based feedback ('when' mistakes) is published with the public checks.
    assert "np.trapz was removed" in tests["B5"]["output"]
    assert "np.maximum(0, x)" in tests["D2"]["output"]
    assert tests["A1"]["status"] == "failed"
    # The failing public case is named, with why, under its part.
    assert "✗ tutorial 2×2 example" in run.stdout
    assert "do not pass their public checks yet" in run.stdout
    assert_no_hidden_data(output, secrets)


def test_broken_submission_is_reported_not_crashed(tmp_path, published, secrets):
    folder = submission(tmp_path, {"foundations.py": "import numpy as np\n\ndef matmul(A, B)\n    return A @ B\n"})
    run, output = check(tmp_path, [published / "foundations.yaml"], folder)
    assert run.returncode == 0
    assert "Traceback" not in output
    tests = results_by_label(tmp_path)
    assert all(t["score"] == 0 for t in tests.values())
    assert "could not be run" in tests["A1"]["output"] and "SyntaxError" in tests["A1"]["output"]
    # The reason names the file once and quotes the line Python could not read; the table says it once.
    assert tests["A1"]["output"].startswith("foundations.py could not be run: SyntaxError on line 3: expected ':' "
                                            "in “def matmul(A, B)”"), tests["A1"]["output"]
    assert run.stdout.count("SyntaxError") == 2  # A1's row and the note
    assert re.search(r"A2 +0\.00/2\.00 +incorrect +the same as A1\n", run.stdout), run.stdout
    assert_no_hidden_data(output, secrets)


def test_same_public_verdicts_from_published_and_instructor_specs(tmp_path, published):
    folder = submission(tmp_path, {"foundations.py": SAMPLES / "bob" / "foundations.py"})
    verdicts = []
    for spec in (FOUNDATIONS, published / "foundations.yaml"):
        check(tmp_path, [spec], folder)
        verdicts.append({label: (t["score"], t["extra_data"]["verdict"]) for label, t in results_by_label(tmp_path).items()})
    assert verdicts[0] == verdicts[1]


def test_missing_submission_is_a_usage_error(tmp_path):
    run = grader("check", FOUNDATIONS, tmp_path / "nothing-here")
    assert run.returncode == 2
    assert "does not exist" in run.stderr and "Traceback" not in run.stderr


# ---------------------------------------------------------------------------
# Question 2: written answers and q2.py

def test_q2_right_and_wrong_answers_against_the_instructor_spec(tmp_path, secrets):
    folder = submission(tmp_path, {"answers.yaml": yaml.safe_dump(Q2_RIGHT, allow_unicode=True)})
    run, output = check(tmp_path, [Q2], folder)
    assert run.returncode == 0
    assert all(t["status"] == "passed" for t in results_by_label(tmp_path).values())
    # An answers file calls no function: Q2's hidden cases, all on its functions, do not apply.
    assert "public checks passed\n" in run.stdout and "hidden checks" not in run.stdout
    assert_no_hidden_data(output, secrets)

    wrong = tmp_path / "wrong"
    wrong.mkdir()
    folder = submission(wrong, {"answers.yaml": yaml.safe_dump(Q2_WRONG, allow_unicode=True)})
    run, output = check(wrong, [Q2], folder, "--fail-under", "1")
    assert run.returncode == 1
    tests = results_by_label(wrong)
    assert all(t["status"] == "failed" for t in tests.values())
    assert "upside down" in tests["Q2.3a"]["output"]  # a known mistake's feedback
    assert_no_hidden_data(output, secrets)


def test_q2_written_answers_under_the_published_spec_are_read_not_judged(tmp_path, published, secrets):
    # The published spec holds no references: the answers are found and shown as read, and the
    # right and the wrong answers get the same verdict, so the self-check gives nothing away.
    verdicts = []
    for name, answers in (("right", Q2_RIGHT), ("wrong", Q2_WRONG)):
        (tmp_path / name).mkdir()
        folder = submission(tmp_path / name, {"answers.yaml": yaml.safe_dump(answers, allow_unicode=True)})
        run, output = check(tmp_path / name, [published / "q2-activations.yaml"], folder)
        assert run.returncode == 0
        tests = results_by_label(tmp_path / name)
        verdicts.append({label: (t["score"], t["extra_data"]["verdict"]) for label, t in tests.items()})
        assert "8 parts checked only at grading" in run.stdout
        assert "no public checks apply to these answers" in run.stdout
        assert_no_hidden_data(output, secrets)
    assert verdicts[0] == verdicts[1]
    assert set(verdicts[0].values()) == {(0, "checked at grading")}


def test_q2_code_is_checked_on_public_cases_under_the_published_spec(tmp_path, published, secrets):
    folder = submission(tmp_path, {"q2.py": Q2_CODE, "answers.yaml": yaml.safe_dump({"Q2.2": "(-oo, oo)"})})
    run, output = check(tmp_path, [published / "q2-activations.yaml"], folder)
    tests = results_by_label(tmp_path)
    # Q2's code cases are all hidden (a public expected value would give the written answer away):
    # the self-check runs none of them and says so, the same for a right q2.py as for any other.
    for label in ("Q2.1a", "Q2.1b", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d"):
        assert tests[label]["score"] == 0 and tests[label]["status"] != "passed", (label, tests[label]["output"])
        assert "case passed" not in tests[label]["output"] and "cases passed" not in tests[label]["output"]
        assert tests[label]["extra_data"]["verdict"] == "checked at grading", (label, tests[label]["output"])
    assert "sigma_dot_approx has no public checks: it is checked only at grading." in tests["Q2.1a"]["output"]
    assert f"{hidden_total(Q2)} hidden checks will run at grading" in run.stdout
    assert tests["Q2.2"]["extra_data"]["verdict"] == "checked at grading"
    assert tests["Q2.4"]["extra_data"]["verdict"] == "not answered"
    assert_no_hidden_data(output, secrets)


def test_a_q2_function_the_file_does_not_define_is_said_to_be_missing(tmp_path, published):
    code = "def sigma_dot_approx(eps):\n    return 0.25\n\nfaster_decay = lambda: 'approx'\n"
    folder = submission(tmp_path, {"q2.py": code})
    run, _ = check(tmp_path, [published / "q2-activations.yaml"], folder)
    tests = results_by_label(tmp_path)
    for label in ("Q2.1a", "Q2.3d"):  # defined by a def or an assignment: run at grading
        assert tests[label]["extra_data"]["verdict"] == "checked at grading", tests[label]["output"]
    for label, function in (("Q2.1b", "tanh_dot_approx"), ("Q2.3b", "rho")):
        assert tests[label]["extra_data"]["verdict"] == "not defined", tests[label]["output"]
        assert f"{function} is not defined." in tests[label]["output"]
    assert "parts checked only at grading" in run.stdout


def test_broken_answers_file_is_named_with_its_line(tmp_path, published):
    # (a file whose every line is "label: answer" is read line by line instead: here a list runs on)
    folder = submission(tmp_path, {"answers.yaml": "Q2.1a: 1/4\nQ2.1b: [1,\n  2\n"})
    run, output = check(tmp_path, [published / "q2-activations.yaml"], folder)
    assert run.returncode == 0 and "Traceback" not in output
    assert re.search(r"note: Could not read answers\.yaml, line \d+", run.stdout), run.stdout


# ---------------------------------------------------------------------------
# Both homeworks at once, and the machine-readable outputs

def test_both_homeworks_in_one_folder(tmp_path, published, secrets):
    folder = submission(tmp_path, {"foundations.py": SAMPLES / "alice" / "foundations.py",
                                   "answers.yaml": yaml.safe_dump(Q2_RIGHT, allow_unicode=True)})
    run, output = check(tmp_path, [published], folder)
    tests = results_by_label(tmp_path)
    assert len(tests) == 33
    hidden = hidden_total(FOUNDATIONS)  # Q2 is answered in writing only: its functions' cases do not apply
    assert f"public checks passed — {hidden} hidden checks will run at grading; 8 parts checked only at grading" \
        in run.stdout
    assert "total: 50 / 50 points on the public checks; 13 more points are checked at grading" in run.stdout
    junit = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    cases = junit.findall(".//testcase")
    assert len(cases) == 33
    assert {c.get("name").split()[0] for c in cases} == set(tests)
    assert_no_hidden_data(output, secrets)


def test_every_output_gives_the_same_total_when_a_written_part_is_left_unanswered(tmp_path, published):
    """Q2.4 left out scores 0 at grading whatever happens, so the self-check says so now: a failing
    part (not "checked at grading"), and terminal, JSON, HTML and JUnit agree."""
    answers = {label: value for label, value in Q2_RIGHT.items() if label != "Q2.4"}
    folder = submission(tmp_path, {"answers.yaml": yaml.safe_dump(answers, allow_unicode=True)})
    run, _ = check(tmp_path, [published / "q2-activations.yaml"], folder)
    total = "0 / 3 points on the public checks; 10 more points are checked at grading"
    assert f"total: {total}" in run.stdout
    summary = "1 of 1 part does not pass its public checks yet — 7 parts checked only at grading"
    assert summary in run.stdout
    assert results_by_label(tmp_path)["Q2.4"]["extra_data"]["verdict"] == "not answered"
    assert json.loads((tmp_path / "out" / "results.json").read_text())["output"].startswith(total + ".")
    page = (tmp_path / "out" / "report" / "report.html").read_text(encoding="utf-8")
    assert total in page and f'<p id="summary">{summary}.</p>' in page  # the self-check's last word too
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot().find("testsuite")
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "7")


def test_a_written_answer_grading_cannot_read_is_could_not_read_in_the_self_check(tmp_path, published):
    """Under published specs a readable answer waits for grading, but one grading cannot read
    either scores 0 at once, with the reason, in every output."""
    answers = dict(Q2_RIGHT, **{"Q2.1a": r"\frac{1}{4", "Q2.2": "(-oo, oo", "Q2.3d": "maybe"})
    folder = submission(tmp_path, {"answers.yaml": yaml.safe_dump(answers, allow_unicode=True)})
    run, _ = check(tmp_path, [published / "q2-activations.yaml"], folder)
    tests = results_by_label(tmp_path)
    for label in ("Q2.1a", "Q2.2", "Q2.3d"):
        assert tests[label]["extra_data"]["verdict"] == "could not read", (label, tests[label]["output"])
    assert "approx" in tests["Q2.3d"]["output"]  # the choices it may name
    assert tests["Q2.1b"]["extra_data"]["verdict"] == "checked at grading"
    assert "total: 0 / 5 points on the public checks; 8 more points are checked at grading" in run.stdout
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot().find("testsuite")
    assert (suite.get("failures"), suite.get("skipped")) == ("3", "5")


def test_the_starter_q2_py_beside_unreadable_answers_does_not_put_them_off_until_grading(tmp_path, published, handout):
    """The handout gives every student q2.py, its functions stubs.  A stub grading cannot score either,
    so beside it an answer grading cannot read still fails now, and so does a part only the stub
    answers: CI built on --junit or --fail-under must not pass such a submission green."""
    answers = {label: value for label, value in Q2_RIGHT.items() if label not in ("Q2.2", "Q2.4")}
    answers["Q2.1a"] = r"\frac{1}{4"
    folder = submission(tmp_path, {"answers.yaml": yaml.safe_dump(answers, allow_unicode=True),
                                   "q2.py": handout / "submission" / "q2.py"})
    run, _ = check(tmp_path, [published / "q2-activations.yaml"], folder)
    tests = results_by_label(tmp_path)
    assert tests["Q2.1a"]["extra_data"]["verdict"] == "could not read", tests["Q2.1a"]["output"]
    assert tests["Q2.2"]["extra_data"]["verdict"] == "not implemented", tests["Q2.2"]["output"]
    assert tests["Q2.1b"]["extra_data"]["verdict"] == "checked at grading"  # read: the stub beside it is no matter
    assert re.search(r"Q2\.1b +–/2\.00 +checked at grading", run.stdout), run.stdout  # no score yet, not a 0.00
    assert re.search(r"Q2\.2 +0\.00/2\.00 +not implemented", run.stdout), run.stdout
    assert "total: 0 / 7 points on the public checks; 6 more points are checked at grading" in run.stdout
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot().find("testsuite")
    assert (suite.get("failures"), suite.get("skipped")) == ("3", "5")
    assert grader("check", published / "q2-activations.yaml", folder, "--fail-under", "1").returncode == 1


def test_a_set_the_submission_does_not_touch_is_one_line(tmp_path, published):
    folder = submission(tmp_path, {"foundations.py": SAMPLES / "alice" / "foundations.py"})
    run = grader("check", published, folder)
    assert "q2-activations: not answered — no file of the submission answers its 8 parts (13 points)" in run.stdout
    assert "Q2.1a" not in run.stdout


def test_an_empty_submission_is_one_line_per_set_and_the_reason(tmp_path, published):
    """A student who checks the wrong (empty) folder is told so, not shown a table of 33 zeros."""
    folder = tmp_path / "empty"
    folder.mkdir()
    run = grader("check", published, folder, "--json", tmp_path / "results.json")
    lines = run.stdout.splitlines()
    assert lines[:3] == ["foundations: not answered — no file of the submission answers its 25 parts (50 points)",
                         "q2-activations: not answered — no file of the submission answers its 8 parts (13 points)",
                         "note: The submission holds no files."], run.stdout
    assert "A1" not in run.stdout and "Q2.1a" not in run.stdout
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert len(results["tests"]) == 33 and results["score"] == 0  # every part is still in the results


def test_a_notebook_whose_function_cell_stopped_keeps_its_table_and_blames_the_cell(tmp_path, published):
    import nbformat

    functions = (SAMPLES / "alice" / "foundations.py").read_text(encoding="utf-8")
    broken = functions.replace("def dot(u, v):", "def dot(u, v)", 1)  # a typo: the whole cell is lost
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\nimport no_such_library_here\nfrom scipy import stats"),
        nbformat.v4.new_code_cell(broken)])
    folder = submission(tmp_path, {"foundations.ipynb": nbformat.writes(notebook)})
    run = grader("check", published, folder)
    assert "foundations: not answered" not in run.stdout  # the functions are there, in a cell that would not run
    assert "A1" in run.stdout and "matmul is not defined. Notebook code cell 2 raised SyntaxError and stopped " \
        "early (see the notes), which may be why." in " ".join(run.stdout.split())
    assert "note: foundations.ipynb, code cell 2 raised SyntaxError" in run.stdout

    # The cell that stopped at a missing library never imported stats: t_test's NameError is blamed on it.
    notebook.cells[1] = nbformat.v4.new_code_cell(functions.replace("from scipy import stats\n", ""))
    (folder / "foundations.ipynb").write_text(nbformat.writes(notebook), encoding="utf-8")
    text = " ".join(grader("check", published, folder).stdout.split())
    assert "name 'stats' is not defined" in text
    assert "0 of 1 case passed. Notebook code cell 1 raised ModuleNotFoundError and " \
        "stopped early (see the notes), which may be why." in text
    assert "A1 2.00/2.00 correct" in text  # functions that need nothing from the stopped cell are not blamed


def test_the_leak_detector_sees_a_leak(secrets):
    refs = compute_references(load_problem_set(FOUNDATIONS))
    hidden = next(c for c in refs["A2"].cases if not c.case.public and c.case.name == "random length 10")
    leaks = [f"got {float(hidden.args[0][3])!r} at index 3", f"expected {float(hidden.args[0][3]):.9f}",
             "failed on 'random length 10'"]
    for text in leaks:
        with pytest.raises(AssertionError):
            assert_no_hidden_data(text, secrets)


HOSTILE_TEXT = '''\
def matmul(A, B):
    # ESC sequences, a carriage return over the verdict, NUL, and a lone surrogate
    raise ValueError("\\x1b[2J\\x1b[32mpassed\\x1b[0m\\r all good \\x00 \\ud800")

def dot(u, v):
    return "\\x0b\\x0c\\x07"
'''


def test_control_characters_in_student_text_reach_no_terminal_and_break_no_file(tmp_path):
    folder = submission(tmp_path, {"foundations.py": HOSTILE_TEXT})
    run, _ = check(tmp_path, [FOUNDATIONS], folder)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", run.stdout), "a control character reached the terminal"
    assert "␛[2J" in run.stdout  # shown, as a symbol
    ET.parse(tmp_path / "out" / "junit.xml")  # well-formed XML
    tests = results_by_label(tmp_path)
    assert tests["A1"]["score"] < tests["A1"]["max_score"]
    assert "\ufffd" in (tmp_path / "out" / "report" / "report.html").read_text(encoding="utf-8")  # the surrogate


def test_a_lone_surrogate_from_student_code_does_not_stop_a_class_run(tmp_path):
    subs = tmp_path / "class"
    (subs / "eve").mkdir(parents=True)
    (subs / "eve" / "foundations.py").write_text(HOSTILE_TEXT)
    (subs / "alice").mkdir()
    (subs / "alice" / "foundations.py").write_bytes((SAMPLES / "alice" / "foundations.py").read_bytes())
    out = tmp_path / "reports"
    run = grader("grade", FOUNDATIONS, "--submissions", subs, "--out", out)
    assert run.returncode == 0, run.stderr[-3000:]
    for name in ("eve/results.json", "eve/report.html", "alice/results.json", "index.html", "grades.csv",
                 "junit.xml"):
        assert (out / name).exists(), name
    ET.parse(out / "junit.xml")


def test_a_function_returning_text_that_spells_the_value_fails(tmp_path):
    # Written answers are read from text; a function must return the value itself.
    folder = submission(tmp_path, {"foundations.py": (
        "def matmul(A, B):\n    return '[[1.0, 2.0], [3.0, 4.0]]'\n"
        "def dot(u, v):\n    return '32.0'\n"
        "def tensor_shape_rank(T):\n    return '((2, 3), 2)'\n")})
    run, _ = check(tmp_path, [FOUNDATIONS], folder)
    tests = results_by_label(tmp_path)
    for label in ("A1", "A2", "A9"):
        assert tests[label]["score"] == 0, tests[label]["output"]
    shown = " ".join(run.stdout.split())  # the table wraps long lines
    assert "Returned the text '32.0', not a number value." in shown
    assert "not an array value" in shown and "not a tuple value" in shown


def test_a_code_file_without_the_part_s_function_does_not_hide_the_written_answer(tmp_path):
    # The notebook defines a helper named like a Q2 function, so it counts for Q2;
    # the written Q2.1a cannot be read, and that, not "not defined", is what the student must see.
    folder = submission(tmp_path, {
        "foundations.py": "def rho(eps):\n    return 0.25\n",
        "q2.md": "## Q2.1\n### (a)\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac{1}{4$\n",
    })
    check(tmp_path, [Q2], folder)
    q21a = results_by_label(tmp_path)["Q2.1a"]
    assert "could not read" in q21a["output"].lower() and "not defined" not in q21a["output"], q21a["output"]


def test_two_files_answering_a_part_differently_leave_it_to_the_instructor(tmp_path):
    # The best verdict counts, so hedging a choice across two files would always win.
    folder = submission(tmp_path, {"q2.md": "## Q2.3\n### (d)\nAnswer: approx\n",
                                   "notes.md": "## Q2.3\n### (d)\nAnswer: true\n"})
    check(tmp_path, [Q2], folder)
    q23d = results_by_label(tmp_path)["Q2.3d"]
    assert q23d["score"] == q23d["max_score"]
    assert "Another file answers this part differently (notes.md)" in q23d["output"]
    assert "provisional" in q23d["output"]


def test_check_without_arguments_names_what_is_missing_as_its_usage_does():
    run = grader("check")
    assert run.returncode == 2
    assert "usage: grader check [options] [PROBLEMS ...] SUBMISSION" in run.stderr
    assert "the following arguments are required: SUBMISSION" in run.stderr


def test_a_long_answer_read_is_cut_between_words():
    from grader.results import one_line as _one_line

    shown = _one_line(r"[0.2505, 9.9e-4, 9.7e-7, 9.31 \times 10^{-13}]", 34)  # 34: inside \times
    assert shown == "[0.2505, 9.9e-4, 9.7e-7, 9.31…"


def test_a_wrong_written_answer_shows_what_was_read_in_every_output(tmp_path):
    """"The set is not right." alone cannot tell a misreading from a mistake: every output adds
    the answer as the grader read it."""
    q2 = ("## Q2.2\nThe inequality holds for $\\varepsilon \\in (-0.1, 0.1)$.\n\n"
          "## Q2.3\n(b) $\\rho(0.05) = 0.0025$\n")
    folder = submission(tmp_path, {"q2.md": q2})
    run, _ = check(tmp_path, [Q2], folder, "--markdown", tmp_path / "out" / "summary.md")
    assert "The set is not right. Read: (-0.1, 0.1)" in " ".join(run.stdout.split())
    tests = results_by_label(tmp_path)
    assert "Read: 0.0025" in tests["Q2.3b"]["output"]
    junit = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    failure = next(c for c in junit.iter("testcase") if c.get("name").startswith("Q2.2 ")).find("failure")
    assert "Read: (-0.1, 0.1)" in failure.text
    assert "Read: 0.0025" in (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")


def test_a_public_case_matching_a_known_mistake_still_shows_expected_and_returned(tmp_path):
    code = "import numpy as np\n\ndef matmul(A, B):\n    return np.asarray(A) * np.asarray(B)\n"
    folder = submission(tmp_path, {"foundations.py": code})
    run, _ = check(tmp_path, [FOUNDATIONS], folder, "--markdown", tmp_path / "out" / "summary.md")
    a1 = results_by_label(tmp_path)["A1"]["output"]
    assert "element-wise (Hadamard) product" in a1
    assert "✗ tutorial 2×2 example: Expected [[19., 22.], [43., 50.]]; got [[ 5, 12], [21, 32]]." in a1
    flat = " ".join(run.stdout.split())
    assert "✗ tutorial 2×2 example: Expected [[19., 22.], [43., 50.]]; got [[ 5, 12], [21, 32]]." in flat
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "<br>✗ tutorial 2×2 example: Expected" in summary
    assert "| q2-activations |" not in summary  # checked against one spec only


def test_litter_beside_the_files_is_ignored_by_a_self_check_as_by_a_class_run(tmp_path):
    folder = submission(tmp_path, {"foundations.py": SAMPLES / "alice" / "foundations.py", "Thumbs.db": b"\x00",
                                   "~$notes.docx": b"\x00", "desktop.ini": "[.ShellClassInfo]\n"})
    run, _ = check(tmp_path, [FOUNDATIONS], folder)
    assert "note:" not in run.stdout, run.stdout
