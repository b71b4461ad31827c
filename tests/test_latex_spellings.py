"""Spellings of maths seen in real written answers: each is read as what it means, and a
wrong answer in the same spelling stays wrong.

"All real numbers" with a qualifier after it, spacing commands (``\\,``) at the end of an
answer, Unicode fractions and superscripts, a decimal comma in braces (``0{,}2505``),
big-O remainder terms, French open intervals (``]0, 1[``) and ``9.86\\mathrm{e}{-4}``.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.checkers.base import Status
from grader.equiv import equivalent
from grader.grading import Grader
from grader.mathread import Unreadable, read_math, split_relation_chain

ROOT = Path(__file__).resolve().parents[1]
eps = sympy.Symbol("epsilon", real=True)


def status(student: str, reference: str, **options) -> Status:
    return equivalent(student, reference, **options).status


def as_set(student: str, reference: str) -> Status:
    return status(student, reference, kind="set", variables=("epsilon",))


# --- "all real numbers" with a qualifier --------------------------------------
@pytest.mark.parametrize("answer", [
    "All real numbers except 0.", "all real numbers but 0", "All reals other than 0",
    "all real numbers excluding 0", "all real numbers apart from 0", "all real numbers without 0",
    "every real number except 0", "all real numbers except ε = 0",
])
def test_all_real_numbers_except_a_point_is_the_line_without_it(answer) -> None:
    assert read_math(answer).value == sympy.Complement(sympy.Reals, sympy.FiniteSet(0))
    assert as_set(answer, r"\mathbb{R} \setminus \{0\}") is Status.CORRECT
    assert as_set(answer, r"\mathbb{R}") is Status.INCORRECT
    assert as_set(answer, r"\mathbb{R} \setminus \{1\}") is Status.INCORRECT


def test_the_excepted_points_may_be_written_in_maths() -> None:
    for answer in (r"all real numbers except $0$", r"all real numbers except $\varepsilon = 0$"):
        assert read_math(answer, variables={"epsilon": eps}).value == sympy.Complement(sympy.Reals, sympy.FiniteSet(0))


def test_all_real_numbers_except_two_points() -> None:
    assert as_set("all real numbers except 0 and 1", r"\mathbb{R} \setminus \{0, 1\}") is Status.CORRECT
    assert as_set("All real numbers except 0, 1.", r"\mathbb{R} \setminus \{0, 1\}") is Status.CORRECT
    assert as_set("all real numbers except 0 and 1", r"\mathbb{R} \setminus \{0\}") is Status.INCORRECT


@pytest.mark.parametrize("answer", [
    "all positive real numbers", "all non-negative real numbers", "all real numbers greater than 0",
    "all real numbers except small ones", r"all real numbers \neq 0", "all real numbers ≠ 0",
    r"all real numbers \setminus \{0\}", "all real numbers but not 0 or less", "all real numbers that are positive",
    "all reals save the negative ones",
])
def test_a_qualified_all_real_numbers_is_never_the_real_line(answer) -> None:
    assert as_set(answer, r"\mathbb{R}") is not Status.CORRECT
    try:
        value = read_math(answer).value
    except Unreadable:
        return
    assert value != sympy.Reals


@pytest.mark.parametrize("answer", ["all real numbers", "All real numbers.", "all reals", "the real line"])
def test_all_real_numbers_alone_is_still_the_real_line(answer) -> None:
    assert as_set(answer, r"\mathbb{R}") is Status.CORRECT


# --- spacing commands ----------------------------------------------------------
@pytest.mark.parametrize("space", [r"\,", r"\;", r"\:", r"\!", "\\ ", "~", r"\quad"])
@pytest.mark.parametrize("end", ["", ".", ","])
def test_a_spacing_command_at_the_end_is_spacing(space, end) -> None:
    for answer in (r"\frac{1}{4}" + space + end, "$" + r"\frac{1}{4}" + space + end + "$"):
        assert status(answer, "1/4") is Status.CORRECT, answer
        assert status(answer.replace("{4}", "{3}"), "1/4") is Status.INCORRECT, answer


def test_the_remains_of_a_spacing_command_are_spacing() -> None:
    # a reader that took the ',' of '\,' for punctuation leaves a lone backslash behind
    assert status("\\frac{1}{4}\\", "1/4") is Status.CORRECT
    assert status("\\frac{1}{3}\\", "1/4") is Status.INCORRECT
    assert status(r"0.2505\,.", "0.2505") is Status.CORRECT
    assert status(r"0.2405\,.", "0.2505") is Status.INCORRECT


def test_a_thin_space_in_a_chain_is_not_a_list_separator() -> None:
    chain = r"\dot\sigma_{approx}(\varepsilon) = \dot\sigma(0) + \ddot\sigma(0)\,\varepsilon = \frac14"
    parts, ops = split_relation_chain(chain)
    assert ops == ["=", "="] and "," not in parts[1]
    assert read_math(chain, variables={"epsilon": eps}).value == sympy.Rational(1, 4)
    wrong = chain.replace(r"\frac14", r"\frac14\,\varepsilon")
    assert read_math(wrong, variables={"epsilon": eps}).value == eps / 4


# --- Unicode ------------------------------------------------------------------
@pytest.mark.parametrize("answer, value", [
    ("¼", sympy.Rational(1, 4)), ("½", sympy.Rational(1, 2)), ("¾", sympy.Rational(3, 4)),
    ("⅓", sympy.Rational(1, 3)), ("⅛", sympy.Rational(1, 8)), ("2¼", sympy.Rational(9, 4)),
    ("-2½", sympy.Rational(-5, 2)), ("1⁄4", sympy.Rational(1, 4)), ("$¼$", sympy.Rational(1, 4)),
    ("¼ε", eps / 4),
])
def test_vulgar_fractions(answer, value) -> None:
    assert sympy.simplify(read_math(answer, variables={"epsilon": eps}).value - value) == 0


def test_a_wrong_vulgar_fraction_stays_wrong() -> None:
    assert status("¼", "1/4") is Status.CORRECT
    assert status("½", "1/4") is Status.INCORRECT
    assert status("2¼", "1/2") is Status.INCORRECT  # a mixed number, not 2·¼


@pytest.mark.parametrize("answer", ["9.86·10⁻⁴", "9.86×10⁻⁴", "$9.86\\times10⁻⁴$", "9.86 · 10⁻⁴", "$9.86\\cdot 10⁻⁴$"])
def test_superscript_exponents_of_ten(answer) -> None:
    assert status(answer, "9.86e-4", kind="number", rtol=1e-3) is Status.CORRECT
    assert status(answer, "9.86e-3", kind="number", rtol=1e-3) is Status.INCORRECT
    assert status(answer.replace("⁻⁴", "⁴"), "9.86e-4", kind="number", rtol=1e-3) is Status.INCORRECT


def test_superscript_exponents_of_names() -> None:
    assert status("x²", "x^2", kind="expression", variables=("x",)) is Status.CORRECT
    assert status("ε⁴", "epsilon^4", kind="expression", variables=("epsilon",)) is Status.CORRECT
    assert status("$1 - ε⁴$", "1 - epsilon^4", kind="expression", variables=("epsilon",)) is Status.CORRECT
    assert status("ε³", "epsilon^4", kind="expression", variables=("epsilon",)) is Status.INCORRECT
    assert status("x⁻¹²", "x^(-12)", kind="expression", variables=("x",)) is Status.CORRECT
    assert status("x¹²", "x^(-12)", kind="expression", variables=("x",)) is Status.INCORRECT


def test_a_decimal_comma_in_braces() -> None:
    assert read_math("0{,}2505").value == sympy.Float("0.2505")
    assert status("0{,}2505", "0.2505", kind="number", rtol=1e-3) is Status.CORRECT
    assert status("$\\rho(0.05) \\approx 0{,}2505$", "0.2505", kind="number", rtol=1e-3) is Status.CORRECT
    assert status("0{,}2405", "0.2505", kind="number", rtol=1e-3) is Status.INCORRECT
    assert status("9{,}86 \\cdot 10^{-4}", "9.86e-4", kind="number", rtol=1e-3) is Status.CORRECT


def test_a_bare_comma_still_separates_values() -> None:
    assert isinstance(read_math("0,2505").value, sympy.Tuple)


def test_braced_commas_grouping_thousands() -> None:
    assert read_math("12{,}345{,}678").value == 12345678
    assert read_math("1{,}234.5").value == sympy.Float("1234.5")
    with pytest.raises(Unreadable, match="thousands"):
        read_math("2{,}500")  # 2500 or 2.5: refused, never guessed


def test_thin_spaces_grouping_decimals_in_threes() -> None:
    assert read_math(r"0.250\,47").value == sympy.Float("0.25047")
    assert read_math(r"3.141\,592\,65").value == sympy.Float("3.14159265")
    assert status(r"$\rho(0.05) \approx 0.250\,47$", "0.25047", kind="number", rtol=1e-4) is Status.CORRECT
    with pytest.raises(Unreadable, match="next to each other"):
        read_math(r"0.2504\,7")  # not groups of three: two numbers, never guessed
    # a power after the last group makes it a factor: 9.820 × 10^{-4}, not 9.82010^{-4}
    assert status(r"9.820\,10^{-4}", "9.82e-4", kind="number", rtol=1e-3) is Status.CORRECT


# --- big-O remainders -----------------------------------------------------------
@pytest.mark.parametrize("answer", [
    r"\frac{1}{4} + 0\cdot\varepsilon + O(\varepsilon^2)", r"\frac14 + \mathcal{O}(\varepsilon^2)",
    r"\frac14 + \mathcal O(\varepsilon^{2})", r"\frac14 + o(\varepsilon)",
    "1/4 + O(eps^2)", "¼ + O(ε²)", r"\frac14 + O\left(\varepsilon^2\right)",
    r"\dot\sigma_{approx}(\varepsilon) = \frac14 + O(\varepsilon^2)",
])
def test_a_trailing_remainder_term_is_dropped(answer) -> None:
    assert status(answer, "1/4", kind="expression", variables=("epsilon",)) is Status.CORRECT
    assert status(answer, "1/2", kind="expression", variables=("epsilon",)) is Status.INCORRECT


@pytest.mark.parametrize("answer", [r"\frac14 + \dots", r"\frac14 + \ldots", r"\frac14 + \cdots", "1/4 + …",
                                    "1/4 + ..."])
def test_dots_after_a_plus_hide_terms_and_are_refused(answer) -> None:
    # "1/4 + …" could go on with a wrong ε/4: it is not the linear approximation 1/4.
    with pytest.raises(Unreadable):
        read_math(answer)


@pytest.mark.parametrize("answer", [r"\frac14 + O(1)", r"\frac14 + O(\varepsilon)", r"\frac14 - \mathcal{O}(\varepsilon^{-5})",
                                    r"\frac14 + o(100)", r"\frac14 + \frac{\varepsilon}{4} + O(\varepsilon)"])
def test_a_remainder_no_smaller_than_the_terms_kept_is_refused(answer) -> None:
    # O(ε) or O(1) hides the linear term (or everything): dropping it would accept any answer.
    with pytest.raises(Unreadable, match="not of higher order"):
        read_math(answer)


def test_a_remainder_does_not_hide_a_wrong_term() -> None:
    answer = r"1 - \varepsilon^2 + \mathcal{O}(\varepsilon^4)"
    assert status(answer, "1", kind="expression", variables=("epsilon",)) is Status.INCORRECT
    assert status(answer, "1 - epsilon^2", kind="expression", variables=("epsilon",)) is Status.CORRECT
    assert status(r"\frac13 + O(\varepsilon^2)", "1/4", kind="expression", variables=("epsilon",)) \
        is Status.INCORRECT


def test_a_remainder_alone_is_not_an_answer() -> None:
    assert status(r"O(\varepsilon^2)", "0", kind="expression", variables=("epsilon",)) is not Status.CORRECT


# --- French intervals -------------------------------------------------------------
@pytest.mark.parametrize("answer, reference", [
    (r"\left]-\infty, +\infty\right[", r"\mathbb{R}"), (r"\varepsilon \in \left]-\infty, +\infty\right[", "(-oo, oo)"),
    ("]0, 1[", "(0, 1)"), ("[0, 1[", "[0, 1)"), ("]0, 1]", "(0, 1]"), (r"]-\infty, 0]", r"(-\infty, 0]"),
    (r"[0, 1[ \cup ]2, 3]", r"[0, 1) \cup (2, 3]"), (r"\varepsilon \in ]0, \frac{1}{2}[", "(0, 1/2)"),
])
def test_french_intervals(answer, reference) -> None:
    assert as_set(answer, reference) is Status.CORRECT


@pytest.mark.parametrize("answer, reference", [
    ("]0, 1[", "[0, 1]"), ("[0, 1[", "[0, 1]"), ("]0, 1]", "[0, 1)"), (r"\left]0, +\infty\right[", r"\mathbb{R}"),
])
def test_wrong_french_intervals_stay_wrong(answer, reference) -> None:
    assert as_set(answer, reference) is Status.INCORRECT


# --- e-notation in LaTeX ------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    r"9.86\mathrm{e}{-4}", r"9.86\,\mathrm{e}{-4}", r"9.86\text{e-}4", r"9.86\text{e}{-4}", r"9.86\mathrm{E}{-4}",
    r"9.86\,\text{e-}4", r"9.86\mathrm{e-4}",
])
def test_e_notation_in_latex(answer) -> None:
    assert status(answer, "9.86e-4", kind="number", rtol=1e-3) is Status.CORRECT
    assert status(answer, "9.86e-3", kind="number", rtol=1e-3) is Status.INCORRECT
    assert status(answer, "-39.44*E", kind="number", rtol=1e-3) is Status.INCORRECT


@pytest.mark.parametrize("answer", [r"\mathrm{e}{-4}", r"x\,\mathrm{e}{-4}", r"\text{e-}4"])
def test_e_notation_without_a_number_is_not_read_as_euler(answer) -> None:
    with pytest.raises(Unreadable):
        read_math(answer)


def test_euler_e_with_a_power_is_still_euler() -> None:
    assert read_math(r"2\mathrm{e}^{-4}").value == 2 * sympy.exp(-4)


# --- whole documents ------------------------------------------------------------------
Q21 = "## Q2.1\n$\\dot\\sigma_{\\text{approx}}(\\varepsilon) = %s$\n\n$\\dot\\tanh_{\\text{approx}}(\\varepsilon) = 1$\n"
Q23 = ("## Q2.3\n$\\rho_{\\text{approx}}(\\varepsilon) = \\frac14$\n\n$\\rho(0.05) \\approx 0.2505$\n\n%s\n\n"
       "The approximation decays faster. Answer: approx\n")


def grade(q2_grader: Grader, tmp_path: Path, text: str) -> dict:
    path = tmp_path / "q2.md"
    path.write_text("# Question 2\n\n" + text, encoding="utf-8")
    return {p.label: p for p in q2_grader.grade("student", [path]).parts}


def test_document_with_a_thin_space_after_the_value(q2_grader, tmp_path) -> None:
    right = grade(q2_grader, tmp_path, Q21 % r"\frac{1}{4}\,")["Q2.1a"]
    assert right.status == "correct", right.feedback
    wrong = grade(q2_grader, tmp_path, Q21 % r"\frac{1}{2}\,")["Q2.1a"]
    assert wrong.status == "incorrect", wrong.feedback


def test_document_with_superscript_exponents(q2_grader, tmp_path) -> None:
    line = "ρ(0.05)^T ≈ 0.2505, 9.86·10⁻⁴, 9.72·10⁻⁷, 9.44·10⁻¹³ for T = 1, 5, 10, 20"
    right = grade(q2_grader, tmp_path, Q23 % line)["Q2.3c"]
    assert right.status == "correct", right.feedback
    wrong = grade(q2_grader, tmp_path, Q23 % line.replace("10⁻⁷", "10⁻⁶"))["Q2.3c"]
    assert wrong.status != "correct", wrong.feedback


def test_document_with_a_thin_space_inside_a_chain(q2_grader, tmp_path) -> None:
    chain = r"\dot\sigma(0) + \ddot\sigma(0)\,\varepsilon = \frac14"
    right = grade(q2_grader, tmp_path, Q21 % chain)["Q2.1a"]
    assert right.status == "correct", right.feedback
    wrong = grade(q2_grader, tmp_path, Q21 % chain.replace("frac14", "frac12"))["Q2.1a"]
    assert wrong.status != "correct", wrong.feedback


# --- spellings that stay refused, and look-alikes that keep their reading ------------------
def test_a_decimal_before_a_fraction_sign_is_refused() -> None:
    with pytest.raises(Unreadable, match="fraction sign"):
        read_math("2.5¼")


def test_brackets_that_are_not_french_intervals_keep_their_reading() -> None:
    assert read_math("[1, 2], [3, 4]").value == sympy.Tuple(sympy.Interval(1, 2), sympy.Interval(3, 4))
    assert read_math("[0, 1]").value == sympy.Interval(0, 1)
    assert read_math(r"\mathrm{e}^{2}").value == sympy.exp(2)
    assert read_math(r"3\mathrm{e}").value == 3 * sympy.E


# --- ℝ with a sign -------------------------------------------------------------------------
@pytest.mark.parametrize("text, interval", [
    (r"\mathbb{R}_{>0}", "(0, oo)"), (r"\mathbb{R}_{\ge 0}", "[0, oo)"),
    (r"\mathbb{R}_{< 0}", "(-oo, 0)"), (r"\mathbb{R}_{\leq 0}", "(-oo, 0]"),
])
def test_reals_with_a_bound_underneath_are_that_interval(text, interval) -> None:
    assert as_set(text, interval) is Status.CORRECT
    assert as_set(text, r"\mathbb{R}") is Status.INCORRECT


@pytest.mark.parametrize("text", [r"\mathbb{R}^+", r"\mathbb{R}_{+}", "ℝ⁺", r"\mathbb{R}^{-}", r"\mathbb{R}^*"])
def test_reals_with_only_a_sign_are_refused_as_ambiguous(text) -> None:
    with pytest.raises(Unreadable, match="in some books"):
        read_math(text)


@pytest.mark.parametrize(("answer", "expected"), [
    (r"\lbrack 0,\infty)", Status.CORRECT), (r"\left\lbrack 0,\infty \right)", Status.CORRECT),
    (r"\left( 0,\infty \right\rbrack", Status.INCORRECT), (r"(0,\infty)", Status.INCORRECT),
])
def test_brackets_written_as_commands_as_pandoc_writes_a_word_equation(answer, expected) -> None:
    assert as_set(answer, "[0, oo)") == expected


def test_braces_written_as_commands_make_a_set() -> None:
    assert as_set(r"\mathbb{R}\setminus\lbrace 0\rbrace", r"\mathbb{R} \setminus \{0\}") == Status.CORRECT
