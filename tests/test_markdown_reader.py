"""The Markdown reader on its own: loading, sections, names, statements, extraction by kind.

These tests need no checkers: they look at the answers the reader hands on
(``WrittenAnswer.value`` is the student's own text).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.readers import text_reader_for
from grader.readers.markdown import (
    MAX_DOCUMENT_BYTES,
    MarkdownReadError,
    choice_from_prose,
    covers,
    heading_key,
    inequality_to_interval,
    name_key,
    parse_sections,
    read_markdown,
    read_markdown_text,
    split_chain,
)
from grader.spec import load_problem_set

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def q2():
    return load_problem_set(ROOT / "problems" / "q2-activations.yaml")


def answers(text: str, problem_set) -> dict:
    return read_markdown_text(text, problem_set, source="q2.md").answers


# ---------------------------------------------------------------------------
# Names

@pytest.mark.parametrize("spelling", [
    r"\dot{\sigma}_{\text{approx}}(\varepsilon)",
    r"\dot{\sigma}_{\text{approx}}",
    r"\dot\sigma_{approx}",
    r"\sigma'_{approx}",
    r"\sigma_{approx}'(\epsilon)",
    r"\sigma^{\prime}_{\mathrm{approx}}",
    r"\dot{\sigma}_\text{approx}(\varepsilon)",
    "σ̇_approx(ε)",
    "σ'_approx",
    "sigma_dot_approx(eps)",
    r"\dot{\sigma}_{ \text{approx} } (\varepsilon)",
])
def test_spellings_of_sigma_dot_approx_share_one_key(spelling):
    assert name_key(spelling) == name_key(r"\dot{\sigma}_{\text{approx}}")


@pytest.mark.parametrize("spelling", [
    r"\dot{\tanh}_{\text{approx}}(\varepsilon)", r"\dot\tanh_{approx}", r"\tanh'_{approx}",
    "tanḣ_approx(ε)", r"\dot{\text{tanh}}_{approx}", r"\dot{\operatorname{tanh}}_{\text{approx}}", "tanh_dot_approx",
])
def test_spellings_of_tanh_dot_approx_share_one_key(spelling):
    assert name_key(spelling) == name_key(r"\dot{\tanh}_{\text{approx}}")


@pytest.mark.parametrize("a, b", [
    (r"\dot\sigma(\varepsilon)", r"\dot{\sigma}_{\text{approx}}"),  # the true derivative is another quantity
    (r"\rho_{\text{approx}}(0.05)", r"\rho(0.05)"),  # ρ_approx is not ρ
    (r"\rho(0.05)^{10}", r"\rho(0.05)"),
    (r"\ddot\sigma(0)", r"\dot\sigma(0)"),
    (r"\dot\sigma_{approx}", r"\dot\tanh_{approx}"),
])
def test_different_quantities_have_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_numeric_arguments_are_kept_and_variable_arguments_dropped():
    assert name_key(r"\rho(0.05)^{10}") == "rho(0.05)^10"
    assert name_key(r"\rho(\varepsilon)") == name_key(r"\rho") == "rho"


# ---------------------------------------------------------------------------
# Relation chains

@pytest.mark.parametrize("latex, parts, ops", [
    (r"a = b \approx c", ["a", "b", "c"], ["=", "≈"]),
    (r"\varepsilon \in (-\infty, \infty)", [r"\varepsilon", r"(-\infty, \infty)"], ["∈"]),
    (r"f(x \le 1) = 2", [r"f(x \le 1)", "2"], ["="]),  # not inside brackets
    (r"-\infty < x \leq \infty", [r"-\infty", "x", r"\infty"], ["<", "≤"]),
    (r"\{x = 1\} \neq y", [r"\{x = 1\}", "y"], ["≠"]),
    (r"\rho \approx 0.25", [r"\rho", "0.25"], ["≈"]),
    (r"x \infty", [r"x \infty"], []),  # \infty is not \in
])
def test_split_chain_on_top_level_relations(latex, parts, ops):
    assert split_chain(latex) == (parts, ops)


@pytest.mark.parametrize("parts, ops, interval", [
    ([r"-\infty", r"\varepsilon", r"\infty"], ["<", "<"], r"(-\infty, \infty)"),
    ([r"\varepsilon", "0"], ["≥"], r"[0, \infty)"),
    ([r"\varepsilon", "1"], ["<"], r"(-\infty, 1)"),
    (["0", r"\varepsilon", "1"], ["≤", "<"], "[0, 1)"),
    (["2", r"\varepsilon"], [">"], r"(-\infty, 2)"),
])
def test_inequalities_become_intervals(parts, ops, interval):
    assert inequality_to_interval(parts, ops, {"eps"}) == interval


# ---------------------------------------------------------------------------
# Headings and sections

@pytest.mark.parametrize("title, parent, key", [
    ("Q2.1", None, "q2.1"),
    ("Q2.3 Ratio plot", None, "q2.3"),
    ("Q2.3(b)", None, "q2.3b"),
    ("Q2.3 (b) the true ratio", None, "q2.3b"),
    ("Question 2.2", None, "2.2"),
    ("**Q2.4**", None, "q2.4"),
    ("(b)", "q2.3", "q2.3b"),
    ("b) True ratio", "q2.3", "q2.3b"),
    ("Derivation", "q2.1", None),
    ("Question 2", None, "2"),
    ("Q2.4 A short answer", None, "q2.4"),
    ("Q2.1 (4 points)", None, "q2.1"),
    ("Q2.3 b) the true ratio", None, "q2.3b"),
])
def test_heading_keys(title, parent, key):
    assert heading_key(title, parent) == key


@pytest.mark.parametrize("key, label, expected", [
    ("q2.1", "Q2.1a", True), ("q2.1", "Q2.1b", True), ("q2.1", "Q2.2", False), ("q2.3b", "Q2.3b", True),
    ("q2.3b", "Q2.3c", False), ("2.2", "Q2.2", True), ("q2", "Q2.1a", False), ("q2.1", "Q2.10a", False),
    ("1", "A1", False), ("a1", "A1", True),
])
def test_sections_cover_parts_by_label(key, label, expected):
    assert covers(key, label) is expected


def test_sub_headings_without_labels_stay_in_their_section():
    sections = parse_sections("## Q2.1\ntext\n### Derivation\n$a=b$\n## Notes\nx\n")
    assert [(s.key, s.heading) for s in sections] == [("q2.1", "Q2.1"), ("q2.1", "Derivation"), (None, "Notes")]
    assert sections[1].blocks[0].segments[0].text == "a=b"


def test_math_delimiters_and_escaped_dollars():
    sections = parse_sections("## Q2.1\nIt costs \\$5 and \\$6, \\(a = 1\\) and \\[b = 2\\] and $$c = 3$$.\n\n"
                              "\\[\nd = 4\n\\]\n")
    maths = [seg.text.strip() for b in sections[0].blocks for seg in b.segments if seg.kind == "math"]
    assert maths == ["a = 1", "b = 2", "c = 3", "d = 4"]


def test_line_numbers_point_at_the_statement(q2):
    text = "# Answers\n\n## Q2.1\n\nSome words.\n\n$\\dot\\sigma_{approx} = \\frac14$\n"
    assert answers(text, q2)["Q2.1a"].line == 7


# ---------------------------------------------------------------------------
# Extraction, by kind (values are the student's own text)

@pytest.mark.parametrize("body, label, value", [
    (r"$\dot{\sigma}_{\text{approx}}(\varepsilon) = \frac{1}{4}$", "Q2.1a", r"\frac{1}{4}"),
    (r"$\sigma'_{approx}(\varepsilon) = 0.25$", "Q2.1a", "0.25"),
    (r"$\dot\sigma_{approx} = \boxed{1/4}$ and later $\dot\sigma_{approx} = \frac12$", "Q2.1a", "1/4"),
    (r"$\dot\sigma_{approx} = \frac12$. Correction: $\dot\sigma_{approx}(\varepsilon) = \frac14$", "Q2.1a",
     r"\frac14"),
    ("So σ̇_approx(ε) ≈ 1/4, as expected.", "Q2.1a", "1/4"),
    ("sigma_dot_approx(eps) = 1/4", "Q2.1a", "1/4"),
    (r"$\dot\sigma_{approx}(\varepsilon)$ = $\frac{1}{4}$", "Q2.1a", r"\frac{1}{4}"),
    (r"$\dot\sigma_{approx}(\varepsilon) = \frac14 + 0\cdot\varepsilon = \frac{1}{4}$", "Q2.1a", r"\frac{1}{4}"),
    ("$$\\begin{aligned}\\dot\\sigma_{approx}(\\varepsilon) &= \\frac14 + 0\\varepsilon \\\\\n"
     "&= \\frac{1}{4}\\end{aligned}$$", "Q2.1a", r"\frac{1}{4}"),
    (r"$\dot\sigma_{approx}(\varepsilon) = \frac{1}{4} \quad \text{for all } \varepsilon$", "Q2.1a",
     r"\frac{1}{4}"),
    (r"$\dot\sigma_{approx} = \frac14, \quad \dot\tanh_{approx} = 1$", "Q2.1b", "1"),
    (r"$\dot{\tanh}_{\text{approx}}(\varepsilon) = 1$.", "Q2.1b", "1"),
    ("tanḣ_approx(ε) = 1", "Q2.1b", "1"),
    (r"$\dot\sigma_{approx}(\varepsilon)$ is $\frac{1}{4}$.", "Q2.1a", r"\frac{1}{4}"),
    ("σ̇_approx(ε) is 1/4. So σ̇_approx is constant, as is tanḣ_approx.", "Q2.1a", "1/4"),
    (r"$\dot\sigma_{approx}(\varepsilon) = \frac{1}{4},\ \dot\tanh_{approx}(\varepsilon) = 1$", "Q2.1a",
     r"\frac{1}{4}"),
    (r"$\dot\sigma_{approx}(\varepsilon) = \frac{1}{4} \Rightarrow \rho_{approx} = \frac14$", "Q2.1a",
     r"\frac{1}{4}"),
])
def test_named_statements_in_q21(q2, body, label, value):
    assert answers(f"## Q2.1\n\n{body}\n", q2)[label].value == value


@pytest.mark.parametrize("body, value", [
    (r"Therefore the interval is $\varepsilon \in (-\infty, \infty)$.", r"(-\infty, \infty)"),
    (r"$\varepsilon \in \mathbb{R}$", r"\mathbb{R}"),
    ("It holds for all real numbers.", r"\mathbb{R}"),
    (r"$-\infty < \varepsilon < \infty$", r"(-\infty, \infty)"),
    ("ε ∈ (−∞, ∞)", "(−∞, ∞)"),
    (r"The set is $\boxed{(-\infty, \infty)}$", r"(-\infty, \infty)"),
    (r"$\varepsilon \geq 0$", r"[0, \infty)"),
    (r"$$\{\varepsilon \in \mathbb{R}\}$$", r"\mathbb{R}"),
    (r"$\{\varepsilon : -\infty < \varepsilon < \infty\}$", r"(-\infty, \infty)"),
])
def test_intervals_in_q22(q2, body, value):
    assert answers(f"## Q2.2\n\n{body}\n", q2)["Q2.2"].value.replace(" ", "") == value.replace(" ", "")


def test_rho_at_005_is_not_rho_approx(q2):
    text = ("## Q2.3\n$\\rho_{\\text{approx}}(\\varepsilon) = \\frac14$\n\n"
            "$\\rho_{\\text{approx}}(0.05) = 0.25$\n\n"
            "$\\rho(\\varepsilon) = \\frac{\\dot\\sigma(\\varepsilon)}{\\dot\\tanh(\\varepsilon)}$\n\n"
            "$\\rho(0.05) = \\frac{0.2498}{0.9975} \\approx 0.2505$\n\n"
            "$\\rho(0.05)^{10} \\approx 10^{-6}$\n")
    found = answers(text, q2)
    assert found["Q2.3a"].value == r"\frac14"
    assert found["Q2.3b"].value == "0.2505"


def test_a_numeric_value_beats_a_later_definition(q2):
    text = "## Q2.3\n$\\rho(0.05) \\approx 0.2505$\n\nwhere $\\rho(\\varepsilon) = \\frac{\\dot\\sigma}{\\dot\\tanh}$\n"
    assert answers(text, q2)["Q2.3b"].value == "0.2505"


def test_sub_heading_of_its_own_takes_the_last_value(q2):
    found = answers("## Q2.3\n### (b)\nThe ratio is about $0.2505$.\n### Q2.3(a)\n$\\frac14$\n", q2)
    assert found["Q2.3b"].value == "0.2505"
    assert found["Q2.3a"].value == r"\frac14"


@pytest.mark.parametrize("remark", ["< 1", r"\le 1", r"\lt 1", "> 0", r"\neq 0.25", r"\in (0, 1)"])
@pytest.mark.parametrize("heading", ["## Q2.3\n", "## Q2.3\n### (b)\n"])
def test_a_relation_after_the_value_is_a_remark_on_it(q2, heading, remark):
    text = (f"{heading}Evaluating gives $\\dot\\tanh(0.05) \\approx 0.997504$, "
            f"so $\\rho(0.05) = \\frac{{0.2498}}{{0.9975}} \\approx 0.2505 {remark}$.\n")
    assert answers(text, q2)["Q2.3b"].value == "0.2505"


def test_a_remark_after_an_indexed_value_or_in_plain_text_is_left_off_too(q2):
    found = answers("## Q2.3\nSo ρ(0.05) ≈ 0.2505 < 1, and $\\rho(0.05)^{1} = 0.25 < 1$, $\\rho(0.05)^{5} = 0.001$, "
                    "$\\rho(0.05)^{10} = 10^{-6} > 0$, $\\rho(0.05)^{20} = 10^{-12}$\n", q2)
    assert found["Q2.3b"].value == "0.2505"
    assert found["Q2.3c"].value == "[0.25, 0.001, 10^{-6}, 10^{-12}]"


@pytest.mark.parametrize("body, value", [
    ("- When $T=1$: $\\rho(0.05)^1 \\approx 0.2504$\n- When $T=5$: $\\rho(0.05)^5 \\approx 0.0010$\n"
     "- When $T=10$: $\\rho(0.05)^{10} \\approx 10^{-6}$\n- When $T=20$: $\\rho(0.05)^{20} \\approx 10^{-12}$",
     "[0.2504, 0.0010, 10^{-6}, 10^{-12}]"),
    ("$\\rho(0.05)^{20} = 9.4\\times10^{-13}$, $\\rho(0.05)^{1} = 0.2505$, $\\rho(0.05)^{10} = 9.7\\times10^{-7}$,"
     " $\\rho(0.05)^{5} = 9.8\\times10^{-4}$",
     "[0.2505, 9.8\\times10^{-4}, 9.7\\times10^{-7}, 9.4\\times10^{-13}]"),
    ("$\\rho(0.05)^T \\approx 0.2505, 9.8\\cdot10^{-4}, 9.7\\cdot10^{-7}, 9.4\\cdot10^{-13}$ for $T = 1, 5, 10, 20$",
     "[0.2505, 9.8\\cdot10^{-4}, 9.7\\cdot10^{-7}, 9.4\\cdot10^{-13}]"),
    ("When $T=5$: $\\rho(0.05)^T \\approx 0.00098$\n\nWhen $T=1$: $\\rho(0.05)^T \\approx 0.2505$\n\n"
     "When $T=10$: $\\rho(0.05)^T \\approx 9.7e-7$\n\nWhen $T=20$: $\\rho(0.05)^T \\approx 9.4e-13$",
     "[0.2505, 0.00098, 9.7e-7, 9.4e-13]"),
])
def test_values_indexed_by_t_come_in_t_order(q2, body, value):
    assert answers(f"## Q2.3\n\n{body}\n", q2)["Q2.3c"].value == value


def test_part_headings_may_name_a_sub_part_directly(q2):
    found = answers("## Q2.1a\n$\\frac{1}{4}$\n\n## Q2.1(b)\n**Answer:** $1$\n", q2)
    assert (found["Q2.1a"].value, found["Q2.1b"].value) == (r"\frac{1}{4}", "1")


def test_unanswered_indexed_values_say_how_to_write_them(q2):
    problem = answers("## Q2.3\n$\\rho(0.05) = 0.2505$\n", q2)["Q2.3c"].problem
    assert r"Write each value as $\rho(0.05)^{1} = …$" in problem and "T = 1, 5, 10, 20" in problem


def test_indexed_values_from_a_table(q2):
    table = ("| $T$ | $\\rho(0.05)^T$ | $\\rho_{approx}(0.05)^T$ |\n|---|---|---|\n| 1 | $0.2505$ | 0.25 |\n"
             "| 2 | 0.0627 | 0.0625 |\n| 5 | $9.82 \\times 10^{-4}$ | 9.8e-4 |\n| 10 | 9.65e-7 | 9.5e-7 |\n"
             "| 20 | $9.31\\cdot 10^{-13}$ | 9.1e-13 |\n")
    found = answers("## Q2.3\n\n" + table, q2)["Q2.3c"]
    assert found.value == "[0.2505, 9.82 \\times 10^{-4}, 9.65e-7, 9.31\\cdot 10^{-13}]"
    assert found.line == 5


def test_missing_indices_leave_holes(q2):
    value = answers("## Q2.3\n$\\rho(0.05)^1 = 0.25$ and $\\rho(0.05)^{20} = 10^{-12}$\n", q2)["Q2.3c"].value
    assert value[0] == 0.25 and value[3] == 1e-12
    assert value[1] is None and value[2] is None  # where no value was given


@pytest.mark.parametrize("sentence, choice", [
    ("The true ratio drops slightly more slowly than the approximative ratio", "approx"),
    ("The approximation decays faster.", "approx"),
    ("The true ratio decays faster than the approximation.", "true"),
    ("The approximation does not decay faster than the true ratio.", "true"),
    ("The true curve doesn't fall more slowly than the approximated one", "true"),
    ("It decays faster than the true ratio", "approx"),
    ("ρ_approx^T goes to zero more quickly", "approx"),
    ("Both curves drop exponentially as T increases", None),
    ("But both ratios approach zero very quickly", None),
    ("The approximation is faster to compute", None),  # faster, but not about decay
])
def test_choice_from_prose(sentence, choice):
    assert choice_from_prose(sentence, ["approx", "true"]) == choice


def test_contradicting_choices_are_reported_with_both_sentences(q2):
    found = answers("## Q2.3\nThe approximation decays faster. The true ratio decays faster.\n", q2)["Q2.3d"]
    assert "says both ways" in found.problem and "The true ratio decays faster" in found.problem


@pytest.mark.parametrize("body, choice", [
    (r"$\boxed{\text{approx}}$", "approx"),
    ("**Answer:** true", "true"),
    ("Answer: `approx`", "approx"),
])
def test_explicit_choices(q2, body, choice):
    assert answers(f"## Q2.3\n### (d)\n{body}\n", q2)["Q2.3d"].value == choice


def test_rubric_part_gets_the_section_prose_with_its_maths(q2):
    found = answers("## Q2.4\nGradients shrink like $(0.25)^T$.\n\n- sigmoid: at most 0.25\n", q2)["Q2.4"]
    assert found.value == "Gradients shrink like $(0.25)^T$ .\nsigmoid: at most 0.25"


# ---------------------------------------------------------------------------
# Honest outcomes

def test_missing_sections_are_not_answered(q2):
    found = answers("## Q2.1\n$\\dot\\sigma_{approx} = \\frac14$\n", q2)
    assert set(found) == {"Q2.1a", "Q2.1b"}  # Q2.2 … Q2.4 have no section
    assert found["Q2.1b"].problem  # Q2.1 is there, but tanḣ_approx is not named


def test_a_section_without_a_readable_answer_is_could_not_read_with_its_text(q2):
    found = answers("## Q2.2\nI think it is the positive numbers, roughly.\n", q2)["Q2.2"]
    assert "No answer for Q2.2" in found.problem
    assert "positive numbers, roughly" in found.problem
    assert "line 1" in found.problem


def test_maths_left_open_at_a_blank_line_is_named_in_the_message(q2):
    found = answers("## Q2.3\n\n### (a)\n$\\rho_{approx} = \n\n1/4$\n", q2)["Q2.3a"]
    assert "The $ in the paragraph on line 4 is not closed in that paragraph" in found.problem


def test_money_and_escaped_dollars_are_not_maths_left_open(q2):
    for text in ("It costs $5 and that is all.", "It costs \\$ 5 and that is all."):
        assert "is not closed" not in answers(f"## Q2.3\n### (a)\n{text}\n", q2)["Q2.3a"].problem


def test_an_empty_section_is_not_answered(q2):
    assert "Q2.2" not in answers("## Q2.2\n\n## Q2.4\nVanishing gradients.\n", q2)


def test_a_document_without_headings_is_searched_by_name(q2):
    reading = read_markdown_text("$\\dot\\sigma_{approx} = \\frac14$ and $\\rho(0.05) \\approx 0.2505$\n", q2)
    assert {k: a.value for k, a in reading.answers.items()} == {"Q2.1a": r"\frac14", "Q2.3b": "0.2505"}
    assert "no section headed by a part label" in reading.notes[0]


def test_markdown_files_get_this_reader():
    assert text_reader_for(Path("q2.md")) is read_markdown
    assert text_reader_for(Path("answer.txt")) is read_markdown


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"  \n\n ", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("## Q2.1\n$\\dot\\sigma = 1/4$ caf\u00e9\n".encode("latin-1"), "not UTF-8"),
])
def test_bad_documents_get_a_clear_message_naming_the_file(tmp_path, q2, content, message):
    path = tmp_path / "q2.md"
    path.write_bytes(content)
    try:
        reading = read_markdown(path, q2)
    except MarkdownReadError as exc:
        text = str(exc)
    else:
        assert not reading.answers
        text = " ".join(reading.notes)
    assert message in text and "q2.md" in text


def test_huge_documents_are_refused(tmp_path, q2):
    path = tmp_path / "q2.md"
    path.write_text("## Q2.1\n" + "x" * (MAX_DOCUMENT_BYTES + 10))
    with pytest.raises(MarkdownReadError, match=r"q2\.md is too large"):
        read_markdown(path, q2)


def test_utf16_and_bom_documents_are_read(tmp_path, q2):
    text = "## Q2.1\n$\\dot\\sigma_{approx} = \\frac14$\n"
    for name, data in (("a.md", text.encode("utf-16")), ("b.md", text.encode("utf-8-sig"))):
        (tmp_path / name).write_bytes(data)
        assert read_markdown(tmp_path / name, q2).answers["Q2.1a"].value == r"\frac14"
