"""Functions in answers: the special functions a maths course writes, in every spelling.

A definite integral answered exactly (∫_0^1 e^{-x²} dx = √π/2·erf(1)) and a derivative
answered in plain text (2x sin x + x² cos x) were once unreadable, with messages naming a
letter of the function ("unknown name 'r'") or the function as a variable.
"""
from __future__ import annotations

import pytest
import sympy

from grader.equiv import equivalent
from grader.mathread import Unreadable, read_math
from grader.checkers.base import Status

X = sympy.Symbol("x", real=True)
GAMMA = sympy.Symbol("gamma", real=True)
XS = {"x": X}
ERF_INTEGRAL = sympy.sqrt(sympy.pi) / 2 * sympy.erf(1)


def value(text: str, variables=None):
    """The reading of ``text``; with no variables declared, its x is the real X of the expected values."""
    return read_math(text, variables=variables).value.xreplace({sympy.Symbol("x"): X})


def refusal(text: str, variables=None) -> str:
    with pytest.raises(Unreadable) as caught:
        read_math(text, variables=variables)
    return str(caught.value)


# --- the integral: erf in every spelling -------------------------------------
@pytest.mark.parametrize("text", [
    r"\frac{\sqrt{\pi}}{2}\operatorname{erf}(1)", r"\frac{\sqrt{\pi}}{2}\mathrm{erf}(1)",
    r"\frac{\sqrt{\pi}}{2}\text{erf}(1)", r"\frac{\sqrt{\pi}}{2}\erf(1)",
    r"\frac{\sqrt{\pi}}{2}\,\operatorname{erf}\left(1\right)", r"\frac{\sqrt{\pi}\operatorname{erf}{(1)}}{2}",
    r"\frac{\sqrt{\pi}}{2} erf(1)", r"\frac{\sqrt{\pi}}{2}{\rm erf}(1)", r"\frac{\sqrt{\pi}}{2}\operatorname*{erf}(1)",
    "sqrt(pi)/2*erf(1)", "sqrt(pi)/2 erf(1)", "√π/2·erf(1)",
])
@pytest.mark.parametrize("variables", [None, XS], ids=["no variables", "x declared"])
def test_the_error_function_is_read_in_every_spelling(text: str, variables) -> None:
    assert value(text, variables) == ERF_INTEGRAL


def test_an_exact_answer_with_erf_matches_the_decimal_reference() -> None:
    assert equivalent(r"\frac{\sqrt{\pi}}{2}\operatorname{erf}(1)", "0.746824132812427").status is Status.CORRECT
    assert equivalent(r"\frac{\sqrt{\pi}}{2}\operatorname{erfc}(1)", "0.746824132812427").status is Status.INCORRECT


# --- the functions read --------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("erfc(x)", sympy.erfc(X)), (r"\operatorname{erfc}(x)", sympy.erfc(X)), ("erfi(x)", sympy.erfi(X)),
    ("Gamma(x)", sympy.gamma(X)), ("gamma(x)", sympy.gamma(X)), (r"\Gamma(x+1)", sympy.gamma(X + 1)),
    (r"\Gamma\left(\frac{1}{2}\right)", sympy.sqrt(sympy.pi)), (r"\operatorname{Gamma}(4)", 6),
    ("sgn(x)", sympy.sign(X)), (r"\operatorname{sgn}(x)", sympy.sign(X)), (r"\sgn x", sympy.sign(X)),
    ("sign(x)", sympy.sign(X)), ("asinh(x)", sympy.asinh(X)), (r"\operatorname{arsinh}(x)", sympy.asinh(X)),
    ("arctanh(x)", sympy.atanh(X)), ("sech(x)", sympy.sech(X)), ("csch(x)", sympy.csch(X)),
    (r"\coth x", sympy.coth(X)),  # latex2sympy alone reads \cot(h·x)
    ("arcsec(x)", sympy.asec(X)), ("acot(x)", sympy.acot(X)), ("ceiling(x)", sympy.ceiling(X)),
    ("max(x, 1)", sympy.Max(X, 1)), ("min(x, 1)", sympy.Min(X, 1)), (r"\operatorname{max}(x, 1)", sympy.Max(X, 1)),
    (r"\operatorname{sin}(x)", sympy.sin(X)), (r"\mathrm{sqrt}(x)", sympy.sqrt(X)), (r"\abs{x}", sympy.Abs(X)),
    (r"\operatorname{erf}^2(x)", sympy.erf(X) ** 2), (r"\operatorname{erf} x + 1", sympy.erf(X) + 1),
    (r"e^{-\operatorname{erf}(x/2)}", sympy.exp(-sympy.erf(X / 2))),
])
def test_special_functions_are_read(text: str, expected) -> None:
    assert value(text, XS) == expected


def test_a_function_of_a_huge_number_is_too_large_to_check() -> None:
    assert "too large to check" in refusal(r"\operatorname{Gamma}(10^{10})")
    assert "too large to check" in refusal("erf(10^10^10)")


def test_a_function_with_a_power_in_its_exponent_is_read_in_the_worker() -> None:
    assert value(r"\operatorname{erf}(x)^{x^{2}}", XS) == sympy.erf(X) ** (X ** 2)


# --- gamma the letter and Gamma the function -----------------------------------
def test_gamma_alone_is_the_greek_letter_not_eulers_constant() -> None:
    assert value(r"\Gamma") == sympy.Symbol("Gamma")
    assert value(r"\gamma", {"gamma": GAMMA}) == GAMMA
    assert value("γ", {"gamma": GAMMA}) == GAMMA
    assert value(r"2\gamma x", {"gamma": GAMMA, "x": X}) == 2 * GAMMA * X
    assert value(r"\Gamma^2") == sympy.Symbol("Gamma") ** 2


def test_a_declared_gamma_followed_by_brackets_multiplies() -> None:
    assert value(r"\gamma(1-\gamma)", {"gamma": GAMMA}) == GAMMA * (1 - GAMMA)
    assert value("gamma(1-gamma)", {"gamma": GAMMA}) == GAMMA * (1 - GAMMA)


def test_function_names_as_labels_and_units_stay_as_they_were() -> None:
    assert value(r"T_{\mathrm{max}}") == sympy.Symbol("T_max")
    assert value(r"x_{\gamma}") == sympy.Symbol("x_gamma")
    assert value(r"5\text{min}") == 5
    assert value(r"\operatorname{e}^{x}", XS) == sympy.exp(X)


# --- plain text: sin x ----------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("2 x sin x + x^2 cos x", 2 * X * sympy.sin(X) + X ** 2 * sympy.cos(X)),
    ("sin x cos x", sympy.sin(X) * sympy.cos(X)), ("sin x^2", sympy.sin(X ** 2)),
    ("sin^2 x + cos^2 x", sympy.sin(X) ** 2 + sympy.cos(X) ** 2), ("sin^2(x+1)", sympy.sin(X + 1) ** 2),
    ("-sin x", -sympy.sin(X)), ("e^sin x", sympy.exp(sympy.sin(X))), ("ln 2", sympy.log(2)),
    ("sqrt 2 + x", sympy.sqrt(2) + X), ("sin |x|", sympy.sin(sympy.Abs(X))), ("x = sin x", sympy.sin(X)),
])
@pytest.mark.parametrize("variables", [None, XS], ids=["no variables", "x declared"])
def test_a_function_name_before_a_simple_argument_applies_as_in_latex(text: str, expected, variables) -> None:
    assert value(text, variables) == expected


def test_the_derivative_in_plain_text_matches_the_latex_reference() -> None:
    assert equivalent("2 x sin x + x^2 cos x", r"2x\sin x + x^2\cos x").status is Status.CORRECT
    assert equivalent("2 x sin x + x^2 sin x", r"2x\sin x + x^2\cos x").status is Status.INCORRECT


@pytest.mark.parametrize("text, example", [
    ("sin 2x", "sin(2x)"), ("sin x y", "sin(xy)"), ("sin x/2", "sin(x/2)"), ("sin x*y", "sin(x*y)"),
    ("sin", "sin(x)"), ("cos -x", "cos(x)"), ("sin^-1 x", "sin(x)"), ("max x", "max(x)"),
])
def test_a_function_name_with_an_ambiguous_argument_says_what_to_write(text: str, example: str) -> None:
    message = refusal(text, {"x": X, "y": sympy.Symbol("y", real=True)})
    assert f"e.g. {example}" in message and "unknown name" not in message


def test_gamma_before_a_name_is_still_a_product() -> None:
    assert value("gamma x", {"gamma": GAMMA, "x": X}) == GAMMA * X


# --- unknown functions ------------------------------------------------------------
@pytest.mark.parametrize("text, suggestion", [
    ("erff(x)", "erf"), ("Sin(x)", "sin"), ("sine(x)", "sin"), ("arctg(x)", "arctan"),
    (r"\operatorname{erff}(x)", "erf"), (r"\operatorname{Erf}(x)", "erf"),
])
def test_an_unknown_function_close_to_a_known_one_is_suggested(text: str, suggestion: str) -> None:
    message = refusal(text, XS)
    assert "unknown function" in message and f"did you mean {suggestion}?" in message


def test_an_unknown_function_far_from_any_known_one_gets_no_suggestion() -> None:
    assert "did you mean" not in refusal(r"\operatorname{cov}(x, x)", XS)


@pytest.mark.parametrize("text", [r"\operatorname{zeros}(3, 3)", r"\operatorname{eigenvals }(x)"])
def test_operator_names_latex2sympy_would_compute_are_still_refused(text: str) -> None:
    message = refusal(text)
    assert "could not read" in message and "unknown function" in message


def test_function_names_in_plain_letters_in_latex_are_functions_when_applied() -> None:
    assert value(r"x^{2}sin(x)", XS) == X ** 2 * sympy.sin(X)
    assert value(r"e^{x}\left(cos\left(x\right)\right)", XS) == sympy.exp(X) * sympy.cos(X)
    assert value(r"x_{max}(1+x)") == sympy.Symbol("x_max") * (1 + X)  # a label in a subscript is not


def test_function_names_in_plain_letters_in_latex_not_applied_get_a_hint() -> None:
    assert r"\operatorname{erf}(…)" in refusal(r"\frac{\sqrt{\pi}}{2}erf x", XS)
    assert r"\sin(…)" in refusal(r"x^{2}sin x", XS)


@pytest.mark.parametrize("text, words", [
    (r"\operatorname{erf}(\begin{pmatrix}1&2\\3&4\end{pmatrix})", "not of a matrix"),
    (r"\operatorname{erf}^{-1}(x)", "inverse function"),
    (r"\operatorname{erf} 2x", r"\operatorname{erf}(x)"),
    ("sqrt(2, 3)", "wrong number of arguments"),
])
def test_functions_that_cannot_be_read_are_refused_with_a_reason(text: str, words: str) -> None:
    assert words in refusal(text, XS)


@pytest.mark.parametrize("text", [r"\frac{\sqrt\pi}2", r"\sqrt\pi/2", r"\frac{\sqrt\pi}{2}", r"\sqrt \pi / 2",
                                  r"\frac{\sqrt{\pi}}2\operatorname{erf}(1) / \operatorname{erf}(1)"])
def test_a_square_root_of_a_command_needs_no_braces(text):
    assert sympy.simplify(value(text) - sympy.sqrt(sympy.pi) / 2) == 0
