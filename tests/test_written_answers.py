"""Written answers end to end: Markdown documents → the real pipeline → verdicts per part.

Each row of the table is a small Markdown document and the verdict one part
must get through ``grader.grading.Grader`` with the project's own specs, so
the reader, the spec's names and rubric, and the checkers are tested
together.  The seed answer (a real student's write-up) must earn full marks,
through the pipeline and through the ``grader`` command.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading import Grader

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_6f4e6de2cd5000a2.txt"
Q2_PARTS = ("Q2.1a", "Q2.1b", "Q2.2", "Q2.3a", "Q2.3b", "Q2.3c", "Q2.3d")


def grade_text(q2_grader: Grader, tmp_path: Path, text: str, name: str = "q2.md") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = q2_grader.grade("student", [path])
    return {p.label: p for p in result.parts}


# (id, document, part, expected status, expected credit or None)
CASES = [
    # Q2.1a: σ̇_approx(ε) = 1/4
    ("latex-text-approx", "## Q2.1\n$\\dot{\\sigma}_{\\text{approx}}(\\varepsilon) = \\frac{1}{4}$", "Q2.1a", "correct", 1),
    ("prime-decimal", "## Q2.1\n$\\sigma'_{approx}(\\varepsilon) = 0.25$", "Q2.1a", "correct", 1),
    ("boxed-wins", "## Q2.1\n$\\dot\\sigma_{approx} = \\boxed{\\frac14}$\n\n$\\dot\\sigma_{approx} = \\frac12$",
     "Q2.1a", "correct", 1),
    ("unicode-plain-text", "## Q2.1\nSo σ̇_approx(ε) ≈ 1/4, since σ̈(0) = 0.", "Q2.1a", "correct", 1),
    ("ascii-plain-text", "## Q2.1\nsigma_dot_approx(eps) = 1/4", "Q2.1a", "correct", 1),
    ("chain-takes-last", "## Q2.1\n$\\dot\\sigma_{approx}(\\varepsilon) = \\dot\\sigma(0) + \\ddot\\sigma(0)\\varepsilon "
     "= \\frac14 + 0 \\cdot \\varepsilon = \\frac{1}{4}$", "Q2.1a", "correct", 1),
    ("aligned-rows", "## Q2.1\n$$\\begin{aligned}\n\\dot\\sigma_{approx}(\\varepsilon) &= \\tfrac14 + 0\\,\\varepsilon \\\\\n"
     "&= \\tfrac{1}{4}\n\\end{aligned}$$", "Q2.1a", "correct", 1),
    ("bracket-delimiters", "## Q2.1\n\\(\\dot{\\sigma}_{approx}(\\epsilon) = 1/4\\)", "Q2.1a", "correct", 1),
    ("wrong-coefficient", "## Q2.1\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac{1}{2}$", "Q2.1a", "incorrect", 0),
    ("kept-first-order-term", "## Q2.1\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac14 + \\frac{\\varepsilon}{4}$",
     "Q2.1a", "incorrect", 0),
    ("unreadable-value", "## Q2.1\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac{1}{$", "Q2.1a", "could not read", 0),
    ("quantity-not-named", "## Q2.1\nThe derivative at zero is a quarter.", "Q2.1a", "could not read", 0),
    ("no-section", "## Q2.2\n$\\varepsilon \\in \\mathbb{R}$", "Q2.1a", "not answered", 0),
    # Q2.1b: tanḣ_approx(ε) = 1
    ("tanh-dot-braces", "## Q2.1\nTherefore, $\\dot{\\tanh}_{\\text{approx}}(\\varepsilon) = 1$", "Q2.1b", "correct", 1),
    ("tanh-prime", "## Q2.1\n$\\tanh'_{approx}(\\varepsilon) = 1$", "Q2.1b", "correct", 1),
    ("tanh-unicode", "## Q2.1\ntanḣ_approx(ε) = 1", "Q2.1b", "correct", 1),
    ("tanh-second-order", "## Q2.1\n$\\dot\\tanh_{approx}(\\varepsilon) = 1 - \\varepsilon^2$", "Q2.1b", "incorrect", 0),
    # Q2.2: ℝ
    ("interval-in", "## Q2.2\nThe interval is $\\varepsilon \\in (-\\infty, \\infty)$.", "Q2.2", "correct", 1),
    ("mathbb-r", "## Q2.2\n$\\varepsilon \\in \\mathbb{R}$", "Q2.2", "correct", 1),
    ("all-real-numbers", "## Q2.2\nThe inequality holds for all real numbers.", "Q2.2", "correct", 1),
    ("inequality-chain", "## Q2.2\n$-\\infty < \\varepsilon < \\infty$", "Q2.2", "correct", 1),
    ("unicode-interval", "## Q2.2\nε ∈ (−∞, ∞)", "Q2.2", "correct", 1),
    ("positive-half-line", "## Q2.2\n$\\varepsilon \\in (0, \\infty)$", "Q2.2", "incorrect", 0),
    ("closed-at-zero", "## Q2.2\n$\\varepsilon \\geq 0$", "Q2.2", "incorrect", 0),
    ("empty-set", "## Q2.2\n$\\varepsilon \\in \\emptyset$", "Q2.2", "incorrect", 0),
    # Q2.3a: ρ_approx = 1/4
    ("rho-approx-chain", "## Q2.3\n$\\rho_{\\text{approx}}(\\varepsilon) = \\frac{1/4}{1} = \\frac{1}{4}$", "Q2.3a",
     "correct", 1),
    ("rho-approx-upside-down", "## Q2.3\n$\\rho_{approx} = 4$", "Q2.3a", "incorrect", 0),
    # Q2.3b: ρ(0.05) to 4 significant figures
    ("rho-005-approx", "## Q2.3\n$\\rho(0.05) = \\frac{0.2498}{0.9975} \\approx 0.2504$", "Q2.3b", "correct", 1),
    ("rho-005-sub-heading", "## Q2.3\n### Q2.3(b)\nThe ratio is about $0.2505$.", "Q2.3b", "correct", 1),
    ("rho-005-is-not-rho-approx", "## Q2.3\n$\\rho_{approx}(0.05) = 0.25$ and $\\rho(0.05) \\approx 0.2505$", "Q2.3b",
     "correct", 1),
    ("rho-005-approximation-value", "## Q2.3\n$\\rho(0.05) = 0.25$", "Q2.3b", "incorrect", 0),
    ("rho-005-power-of-ten", "## Q2.3\n$\\rho(0.05) \\approx 2.505$", "Q2.3b", "incorrect", 0),
    # Q2.3c: ρ(0.05)^T for T = 1, 5, 10, 20
    ("powers-when-t", "## Q2.3\n- When $T=1$: $\\rho(0.05)^1 \\approx 0.2504$\n- When $T=5$: $\\rho(0.05)^5 \\approx 0.0010$\n"
     "- When $T=10$: $\\rho(0.05)^{10} \\approx 10^{-6}$\n- When $T=20$: $\\rho(0.05)^{20} \\approx 10^{-12}$",
     "Q2.3c", "correct", 1),
    ("powers-as-list", "## Q2.3\n$\\rho(0.05)^T \\approx 0.2505, 9.8\\times10^{-4}, 9.7\\times10^{-7}, 9.4\\times10^{-13}$",
     "Q2.3c", "correct", 1),
    ("powers-table", "## Q2.3\n| T | $\\rho(0.05)^T$ |\n|---|---|\n| 1 | 0.2505 |\n| 5 | 0.000982 |\n"
     "| 10 | $9.65 \\times 10^{-7}$ |\n| 20 | 9.3e-13 |", "Q2.3c", "correct", 1),
    ("powers-one-off-by-ten", "## Q2.3\n$\\rho(0.05)^1 = 0.2505$, $\\rho(0.05)^5 = 9.8\\cdot10^{-4}$, "
     "$\\rho(0.05)^{10} = 9.7\\cdot10^{-6}$, $\\rho(0.05)^{20} = 9.4\\cdot10^{-13}$", "Q2.3c", "partial", 0.75),
    ("powers-three-of-four", "## Q2.3\n$\\rho(0.05)^1 = 0.2505$, $\\rho(0.05)^5 = 9.8\\cdot10^{-4}$, "
     "$\\rho(0.05)^{10} = 9.7\\cdot10^{-7}$", "Q2.3c", "partial", 0.75),
    # Q2.3d: the approximation decays faster
    ("prose-true-slower", "## Q2.3\nThe true ratio drops slightly more slowly than the approximative ratio.", "Q2.3d",
     "correct", 1),
    ("prose-approx-faster", "## Q2.3\nThe approximation decays faster.", "Q2.3d", "correct", 1),
    ("prose-true-faster", "## Q2.3\nThe true ratio decays faster than the approximation.", "Q2.3d", "incorrect", 0),
    ("prose-negated", "## Q2.3\nThe approximation does not decay faster than the true ratio.", "Q2.3d", "incorrect", 0),
    ("boxed-choice", "## Q2.3\n### (d)\n$\\boxed{\\text{approx}}$", "Q2.3d", "correct", 1),
    ("answer-line-choice", "## Q2.3\n### (d)\n**Answer:** true", "Q2.3d", "incorrect", 0),
    ("contradicting-prose", "## Q2.3\nThe approximation decays faster. The true ratio decays faster.", "Q2.3d",
     "could not read", 0),
    # Q2.4: the rubric
    ("rubric-all-ideas", "## Q2.4\nBack-propagation through time multiplies the gradient by one derivative per time "
     "step. The sigmoid's derivative is at most 1/4 while tanh's is at most 1, so the product shrinks like "
     "$(1/4)^T$. Gradients vanish much faster with sigmoid; tanh suffers less, though it is not immune.", "Q2.4",
     "correct", 1),
    ("rubric-wrong-directions", "## Q2.4\nWith tanh the gradients vanish faster than with sigmoid, because tanh's "
     "derivative is at most 1/4 while the sigmoid's is at most 1.", "Q2.4", "incorrect", 0),
    ("rubric-seed-style", "## Q2.4\nWhen backpropagating through time, gradients are multiplied by these derivatives "
     "repeatedly.\n- For sigmoid: the derivative has a maximum value of 0.25\n- For tanh: the derivative has a maximum "
     "value of 1.0\n\nWith sigmoid, gradients vanish approximately 4 times faster with each time step.", "Q2.4",
     "correct", 1),
    ("rubric-swapped-bounds", "## Q2.4\nThe derivatives are multiplied at every time step. The derivative of tanh "
     "is at most 0.25 and the sigmoid's at most 1.", "Q2.4", "partial", 1 / 3),
    ("rubric-tanh-worse", "## Q2.4\nTanh suffers more from vanishing gradients; with sigmoid they vanish less "
     "severely.", "Q2.4", "incorrect", 0),
    ("rubric-exploding-only", "## Q2.4\nGradients explode because tanh's derivative is larger than one.", "Q2.4",
     "incorrect", 0),
    # said the wrong way round, or denied: no idea earned
    ("rubric-faster-with-tanh", "## Q2.4\nTanh's derivative is at most 1/4 while sigmoid's is at most 1, so gradients "
     "vanish faster with tanh.", "Q2.4", "incorrect", 0),
    ("rubric-unicode-dots-swapped", "## Q2.4\nBecause tanḣ ≤ 1/4 while σ̇ ≤ 1, the product shrinks like (1/4)^T "
     "for tanh.", "Q2.4", "incorrect", 0),
    ("rubric-unicode-dots-swapped-combining", "## Q2.4\nBecause tanh\u0307 ≤ 1/4 while σ̇ ≤ 1, gradients vanish "
     "faster with tanh.", "Q2.4", "incorrect", 0),
    ("rubric-denied", "## Q2.4\nUsing sigmoid, the gradients do not vanish faster; with tanh the vanishing is worse.",
     "Q2.4", "incorrect", 0),
    ("rubric-quarter-power-given-to-tanh", "## Q2.4\nThe sigmoid has derivative up to 1 and the tanh has derivative "
     "up to 0.25, so tanh's product shrinks like $(1/4)^T$.", "Q2.4", "incorrect", 0),
    ("rubric-denied-before", "## Q2.4\nGradients do not vanish faster with sigmoid. BPTT does not multiply the "
     "gradient at each time step; it adds the contributions.", "Q2.4", "incorrect", 0),
    ("rubric-myth-and-wrong-claim", "## Q2.4\nIt is a myth that tanh helps with vanishing gradients, and it is "
     "wrong to claim that gradients vanish faster with sigmoid.", "Q2.4", "incorrect", 0),
    ("rubric-question", "## Q2.4\nDoes the sigmoid suffer more? Both suffer equally.", "Q2.4", "incorrect", 0),
    # other right ways to say each idea: ¼, 4^{-T}, \prod, "die out sooner", "never more than a quarter"
    ("rubric-unicode-quarter", "## Q2.4\nBackprop through time multiplies the gradient by σ̇ or tanḣ once per time "
     "step. σ̇ ≤ ¼ while tanḣ ≤ 1, so with sigmoid the product shrinks like (¼)^T: gradients vanish exponentially, "
     "much faster with sigmoid.", "Q2.4", "correct", 1),
    ("rubric-jacobians", "## Q2.4\nIn BPTT the gradient is a product over time steps of Jacobians. Because "
     "$\\max\\sigma' = 1/4$ but $\\max\\tanh' = 1$, the sigmoid product decays like $4^{-T}$ — the "
     "vanishing-gradient problem is much worse for sigmoid.", "Q2.4", "correct", 1),
    ("rubric-die-out", "## Q2.4\nEach step of backpropagation through time contributes another factor of the "
     "derivative. For sigmoid this factor is never more than a quarter, for tanh close to one. Therefore "
     "gradients die out far sooner in a sigmoid RNN.", "Q2.4", "correct", 1),
    ("rubric-one-idea", "## Q2.4\nThe gradient is a product of T derivatives, one per time step.", "Q2.4",
     "partial", 1 / 3),
]


@pytest.mark.parametrize("document, label, status, credit", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_written_answer_verdicts(q2_grader, tmp_path, document, label, status, credit):
    part = grade_text(q2_grader, tmp_path, document + "\n")[label]
    assert (part.status, round(part.score / part.max_score, 3)) == (status, round(credit, 3)), part.feedback


def test_could_not_read_shows_the_snippet(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, "## Q2.2\nI think it is the positive numbers, roughly.\n")["Q2.2"]
    assert part.status == "could not read"
    assert "positive numbers, roughly" in part.feedback


def test_the_answer_as_read_is_the_students_latex(q2_grader, tmp_path):
    parts = grade_text(q2_grader, tmp_path, "## Q2.1\n$\\dot\\sigma_{approx}(\\varepsilon) = \\frac{1}{4}$\n")
    assert parts["Q2.1a"].answer == r"\frac{1}{4}"
    assert parts["Q2.1a"].source == "q2.md"


def test_rubric_verdict_names_the_ideas_and_is_provisional(q2_grader, tmp_path):
    part = grade_text(q2_grader, tmp_path, "## Q2.4\nThe gradient is a product of T derivatives, one per time step.\n")["Q2.4"]
    assert part.provisional
    assert "1 of 3 rubric ideas found" in part.feedback
    assert any(d.startswith("idea 1 found") for d in part.details)
    assert any(d.startswith("idea 2 not found") for d in part.details)


@pytest.mark.parametrize("content, message, status", [
    (b"", "q2.md is empty", "not answered"),
    (b"\x00\x01\x02binary\x00", "q2.md looks like a binary file", "could not read"),
    ("## Q2.1\n$\\dot\\sigma_{approx} = 1/4$ \u00e9\n".encode("cp1252"), "q2.md is not UTF-8 text", "could not read"),
])
def test_bad_documents_become_notes_naming_the_file(q2_grader, tmp_path, content, message, status):
    path = tmp_path / "q2.md"
    path.write_bytes(content)
    result = q2_grader.grade("student", [path])
    assert any(message in note for note in result.notes), result.notes
    # the set's own answer file, unreadable: its parts say why, not "no file answers this part"
    assert {p.status for p in result.parts} == {status}
    if status == "could not read":
        assert all(message in p.feedback and not p.provisional for p in result.parts)


def test_huge_documents_become_a_note(q2_grader, tmp_path):
    path = tmp_path / "q2.md"
    path.write_text("## Q2.1\n" + "word " * 400_000)
    result = q2_grader.grade("student", [path])
    assert any("q2.md" in note and "too large" in note for note in result.notes), result.notes


def test_a_paragraph_of_many_maths_spans_is_read_in_bounded_memory(tmp_path):
    # 100,000 spans in one paragraph once cost gigabytes (each statement kept
    # a copy of all the text before it); the grader must read it under 2 GiB
    # of address space and still find the answer at its end.
    import resource

    path = tmp_path / "q2.md"
    path.write_text("## Q2.1a\n" + "$x = 1$ " * 100_000 + "so $\\dot\\sigma_{approx}(\\varepsilon) = 1/4$.\n")
    out = tmp_path / "out.json"

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    run = subprocess.run([sys.executable, "-m", "grader", "check", "problems/q2-activations.yaml", str(path),
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         preexec_fn=limit_memory)
    assert run.returncode == 0, run.stderr[-2000:]
    tests = {t["number"]: t for t in json.loads(out.read_text())["tests"]}
    assert tests["Q2.1a"]["score"] == tests["Q2.1a"]["max_score"], tests["Q2.1a"]["output"]


# ---------------------------------------------------------------------------
# The seed: a real student's answer

needs_seed = pytest.mark.skipif(not SEED.exists(), reason="the seed answer is not available here")


@needs_seed
def test_seed_answer_earns_full_marks_through_the_pipeline(q2_grader):
    parts = {p.label: p for p in q2_grader.grade("seed", [SEED]).parts}
    for label in Q2_PARTS:
        assert parts[label].status == "correct", (label, parts[label].answer, parts[label].feedback)
        assert parts[label].score == parts[label].max_score
    rubric = parts["Q2.4"]
    assert rubric.provisional
    assert [d.split(" (")[0] for d in rubric.details] == ["idea 1 found", "idea 2 found", "idea 3 found"]


@needs_seed
def test_seed_answer_earns_full_marks_through_the_cli(tmp_path):
    submission = tmp_path / "seed.md"
    shutil.copy(SEED, submission)
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", "problems/q2-activations.yaml", str(submission),
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    tests = {t["number"]: t for t in json.loads(out.read_text())["tests"]}
    for label in Q2_PARTS:
        assert tests[label]["score"] == tests[label]["max_score"], tests[label]["output"]
    assert "All 3 rubric ideas found" in tests["Q2.4"]["output"]


# ---------------------------------------------------------------------------
# The sample class

def test_sample_submissions_grade_as_intended(q2_grader):
    expected = {"alice": 13.0, "carol": 13.0}
    for student, total in expected.items():
        folder = ROOT / "submissions" / student
        files = sorted(p for p in folder.iterdir() if p.suffix in (".md", ".yaml"))
        result = q2_grader.grade(student, files)
        q2 = [p for p in result.parts if p.problem_set == "q2-activations"]
        assert sum(p.score for p in q2) == total, [(p.label, p.status, p.feedback) for p in q2]
    bob = {p.label: p for p in q2_grader.grade("bob", [ROOT / "submissions" / "bob" / "q2.md"]).parts}
    assert bob["Q2.1a"].status == "incorrect" and "derivative" in bob["Q2.1a"].feedback
    assert bob["Q2.2"].status == "incorrect"
    assert bob["Q2.3b"].status == "incorrect"
    assert bob["Q2.3c"].status == "partial"
    assert bob["Q2.3d"].status == "incorrect"
    assert bob["Q2.1b"].status == "correct"


@pytest.mark.parametrize("document", [
    "## Q2.1\n" + "\\( a " * 60_000 + "\n",  # unclosed \( each scanned to the end: 80 s
    "## Q2.1\n" + "\\[ a " * 60_000 + "\n",
    "## Q2.1\n" + "$\\boxed{1}$ " * 10_000 + "\n",  # each box looked for its name in the whole paragraph
    "## Q2.3\n$" + "\\boxed{ " * 20_000 + "$\n",  # each unclosed box scanned to the end
])
def test_documents_that_read_in_quadratic_time_once_are_read_within_a_minute(tmp_path, document):
    path = tmp_path / "q2.md"
    path.write_text(document)
    run = subprocess.run([sys.executable, "-m", "grader", "check", "problems/q2-activations.yaml", str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("error, says", [(MemoryError(), "needed more memory than the grader allows"),
                                         (RecursionError(), "nested too deeply")])
def test_a_reader_that_fails_without_a_message_is_still_explained(q2_grader, tmp_path, monkeypatch, error, says):
    import grader.grading as grading

    def fail(path, problem_set):
        raise error

    monkeypatch.setattr(grading, "text_reader_for", lambda path: fail)
    path = tmp_path / "q2.md"
    path.write_text("## Q2.1\n$\\dot\\sigma_{approx} = 1/4$\n")
    notes = q2_grader.grade("student", [path]).notes
    assert any(note.startswith("Could not read q2.md: ") and says in note for note in notes), notes


def test_a_non_utf8_answers_file_names_the_line_to_fix(tmp_path):
    from grader.readers.answers_file import SubmissionFileError, read_answers_file
    from grader.spec import load_problem_set

    path = tmp_path / "answers.yaml"
    path.write_bytes("Q2.1a: 1/4\nQ2.2: \u00e9\n".encode("cp1252"))
    with pytest.raises(SubmissionFileError) as error:
        read_answers_file(path, load_problem_set(ROOT / "problems" / "q2-activations.yaml"))
    assert str(error.value) == ("answers.yaml: the file is not UTF-8 text (byte 0xe9 on line 2 cannot be decoded); "
                                "save it as UTF-8")


@pytest.mark.parametrize("written, status", [("true", "incorrect"), ("approx", "correct"), ("'true'", "incorrect")])
def test_a_choice_written_unquoted_in_answers_yaml_is_the_word_not_a_boolean(tmp_path, written, status):
    """Q2.3d's choices are "approx" and "true": YAML would read an unquoted true as a boolean,
    and the answer as unreadable; it is the word the student wrote."""
    from grader.cli import main

    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "answers.yaml").write_text(f"Q2.3d: {written}\nQ2.3a: yes\n", encoding="utf-8")
    assert main(["check", str(ROOT / "problems" / "q2-activations.yaml"), str(tmp_path / "ann"),
                 "--json", str(tmp_path / "r.json")]) == 0
    tests = {t["number"]: t for t in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["tests"]}
    assert tests["Q2.3d"]["extra_data"]["verdict"] == status, tests["Q2.3d"]
    assert "Read: True" not in tests["Q2.3d"]["output"]


def test_a_long_answer_shown_in_the_report_says_it_was_cut(q2_grader, tmp_path):
    essay = "Backpropagation through time multiplies one factor per step. " * 60  # about 3,700 characters
    parts = grade_text(q2_grader, tmp_path, f"## Q2.4\n\n{essay}\n")
    shown = parts["Q2.4"].answer
    assert shown.startswith("Backpropagation through time")
    assert shown.endswith(f"… (the first 2,000 of {len(essay.strip()):,} characters)"), shown[-80:]
