"""Part labels and quantity names: a label written any way (``Q2.3(b)``, ``Question 2.3 b)``) as one key, what
a section's key covers, and a quantity's name written any way (``\\rho(0.05)``, ``ρ(0.05)``) as one key.
"""
from __future__ import annotations

import functools
import re
import unicodedata


# The words a label may open with, in the languages students write in: "Question 2.4", "Aufgabe 2.4",
# "Exercice 2.4", "Teilaufgabe a)"; the word must end there ("Problema 2.4" is not "Problem" + "a 2.4").
# A regex group to match case-insensitively; public, as the notebook reader must know the same words.
# Chinese and Japanese words may run into a Latin label ("问题Q2.2"), but not into more of their own script.
LABEL_WORD_PATTERN = (r"(?:(?:question|problem|exercise|task|part|aufgabe|teilaufgabe|frage|übung|uebung|teil|exercice"
                      r"|partie|pregunta|ejercicio|problema|parte|esercizio|domanda|quesito|opgave|vraag|oefening"
                      r"|zadanie|pytanie|uppgift|questão|questao|exercício|exercicio|задача|задание|вопрос|упражнение"
                      r")(?![^\W\d_])|(?:问题|問題|题目|題目|习题|練習|设问|設問|小题|小題|题|題|問)(?![^\W\d_A-Za-z]))")

# The words before a student's answer in the languages students write in ("Antwort:", "Réponse :", "Ответ:",
# "答案："), to be read wherever "Answer:" is.  English is spelt out where it is read, with its other phrasings ("the
# answer is"); these count only before a colon (the French put a space before it, Chinese and Japanese write a
# full-width one), so the same word in a sentence ("Die Antwort auf Q2.1 zeigt …") gives no answer.
_ANSWER_WORDS = (r"antwort|ergebnis|endergebnis|réponse|reponse|résultat|resultat|respuesta|resultado|risposta"
                 r"|risultato|resposta|antwoord|odpowiedź|odpowiedz|wynik|svar|ответ|результат")
# The words for "solution" ("Lösung:", "Solución:", French "Solution :") usually open the working, as the English
# "Solution:" does, so they count only where it does: before a set, opening an answer callout, heading a table's
# answer column; never before a number or a choice, where the final value after the working must win.
_SOLUTION_WORDS = (r"lösung|loesung|lösning|losning|solución|solucion|soluzione|solução|solucao|oplossing"
                   r"|rozwiązanie|rozwiazanie|solution")


# Chinese and Japanese: "答案", "最终答案" (no spaces around a word, so none is sought)
_CJK_ANSWER_WORDS = r"(?:最终|最終)?(?:答案|解答|回答|答え|结果|結果|答)"


def _worded(words: str) -> str:
    """The words ``words`` (a regex alternation) whole, with the words that may make them final ("endgültige
    Lösung", "réponse finale")."""
    return (r"(?<!\w)(?:(?:endgültige|finale?|окончательный|итоговый)\s+)?"
            rf"(?:{words})"
            r"(?:\s+(?:finale?|définitive|definitiva|definitivo|final))?(?!\w)")


def _before_colon(word: str) -> str:
    return rf"{word}(?=\s*(?:[*_]{{1,2}}\s*)?[:：])"


# Regex groups to match case-insensitively: a word alone (a table's header cell), and a word where a colon follows,
# which the pattern using it reads on.  ANSWER_WORD_* take the words for "solution" too, for where English
# "Solution:" counts; ANSWER_ONLY_WORD_* leave them out, for where it does not (a number, a choice).
ANSWER_ONLY_WORD_ABROAD = rf"(?:{_worded(_ANSWER_WORDS)}|{_CJK_ANSWER_WORDS})"
ANSWER_WORD_ABROAD = rf"(?:{ANSWER_ONLY_WORD_ABROAD}|{_worded(_SOLUTION_WORDS)})"
ANSWER_ONLY_WORD_BEFORE_COLON = _before_colon(ANSWER_ONLY_WORD_ABROAD)
ANSWER_WORD_BEFORE_COLON = _before_colon(ANSWER_WORD_ABROAD)


LABEL_WORDS = re.compile(rf"^{LABEL_WORD_PATTERN}\s*", re.I)
# "Q2.3b", "Q2.3(b)", "Q2.3 (b)", "Q2.3 b)", "Q2.3.b", "Q2.3.b)", "Q2.3-b", "Q2.3 b" ending the title (or before
# a colon); not "Q2.4 A short answer"
HEADING_LABEL = re.compile(r"^([A-Za-z]{0,3})\s*(\d+(?:\.\d+)*)(?:(?:\s*|[.\-–])\(?([a-z])\)|[.\-–]?([a-z])(?![a-z])"
                            r"|\s+([a-z])(?=\s*(?:$|[:.](?:\s|$)|[-–—]\s)))?", re.I)
_SUB_HEADING = re.compile(r"^\(?([a-z])\)(?:\s|$|[.:])|^([a-z])[.:](?:\s|$)", re.I)
# "Part A", "Teilaufgabe a": the letter alone after a label word (a bare "A" heading may be a title)
_WORDED_LETTER = re.compile(r"^([a-z])(?=\s*$|\s+[-–—]\s)", re.I)


# "Q2-2", "Question 2-3(b)": a question's number and its part's joined by a dash instead of a full stop
_DASHED_LABEL = re.compile(rf"^((?:{LABEL_WORD_PATTERN}\s*|[A-Za-z]{{1,3}})\d+)[-–](\d+)", re.I)


def normalise_label(label: str) -> str:
    """``Q2.3(b)`` → ``q2.3b``; spaces, brackets and case do not matter."""
    return re.sub(r"[\s()\[\]]", "", label).lower()


def heading_key(title: str, parent: str | None) -> str | None:
    """The normalised label a heading names, or None.  ``parent`` resolves ``### (b)``."""
    text = re.sub(r"[*_`#]", "", title).strip()
    text = _DASHED_LABEL.sub(r"\1.\2", text)  # "Q2-2" is Q2.2
    worded = LABEL_WORDS.match(text) is not None
    text = LABEL_WORDS.sub("", text)
    m = HEADING_LABEL.match(text)
    if m and (m.group(1) or "." in m.group(2) or m.group(3) or m.group(4) or m.group(5) or parent is None):
        letter = m.group(3) or m.group(4) or m.group(5) or ""
        return normalise_label(m.group(1) + m.group(2) + letter)
    m = _SUB_HEADING.match(text) or (_WORDED_LETTER.match(text) if worded else None)
    if m and parent is not None:
        return parent + next(g for g in m.groups() if g).lower()
    return None


@functools.lru_cache(maxsize=4096)  # pure; asked for every part of every section of every document
def covers(section_key: str | None, label: str) -> bool:
    """Does a section with this key hold the part?  ``q2.1`` holds ``Q2.1a``; ``""`` holds all."""
    if section_key is None:
        return False
    if section_key == "":
        return True
    part = normalise_label(label)
    candidates = {part}
    if "." in section_key:  # "## 2.1" for Q2.1; a bare "## 1" is too weak to name A1 or B1
        candidates.add(part.lstrip("abcdefghijklmnopqrstuvwxyz"))
    for p in candidates:
        if p == section_key:
            return True
        if p.startswith(section_key) and re.fullmatch(r"[a-z]", p[len(section_key):]):
            return True
    return False


# ---------------------------------------------------------------------------
# Names: many spellings, one key

_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
          "sigma tau upsilon phi chi psi omega").split()
_UNICODE_GREEK = dict(zip("αβγδεζηθικλμνξοπρστυφχψω", _GREEK)) | {"ϵ": "epsilon", "ϕ": "phi", "ς": "sigma"}
_EPSILON = {"epsilon", "varepsilon", "eps"}


def _unicode_maths(text: str) -> str:
    """Unicode maths as LaTeX: σ̇ → \\dot{\\sigma}, tanḣ → \\dot{\\tanh}, ε → \\varepsilon, ≈ → \\approx."""
    text = unicodedata.normalize("NFD", text)
    text = re.sub(r"tanh\u0307", r"\\dot{\\tanh}", text)
    text = re.sub(r"([^\s\\])\u0307", lambda m: r"\dot{" + _greek_command(m.group(1)) + "}", text)
    text = re.sub(r"([^\s\\])\u0308", lambda m: r"\ddot{" + _greek_command(m.group(1)) + "}", text)
    text = unicodedata.normalize("NFC", text)
    for ch, name in _UNICODE_GREEK.items():
        text = text.replace(ch, "\\" + ("varepsilon" if name == "epsilon" else name) + " ")
    replacements = {"≈": r"\approx ", "≃": r"\approx ", "≤": r"\le ", "≥": r"\ge ", "∈": r"\in ",
                    "≠": r"\ne ", "∞": r"\infty ", "ℝ": r"\mathbb{R}", "−": "-", "′": "'", "·": r"\cdot ",
                    "×": r"\times ", "∪": r"\cup "}
    for ch, latex in replacements.items():
        text = text.replace(ch, latex)
    # ρ(0.05)⁵, 10⁻⁴: a run of superscripts is a power
    return _SUPERSCRIPT_RUN.sub(lambda m: "^{" + m.group(0).translate(_SUPERSCRIPT_DIGITS) + "}", text)


_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]+")


def _greek_command(ch: str) -> str:
    name = _UNICODE_GREEK.get(ch)
    return "\\" + name if name else ch


_TEXT_COMMANDS = re.compile(r"\\(?:text|mathrm|mathit|mathsf|textrm|textit|operatorname|mbox|rm|it)\s*")


@functools.lru_cache(maxsize=8192)  # pure, and asked again for the spec's names in every document
def name_key(text: str) -> str:
    """One key per way of naming a quantity.

    ``\\dot{\\sigma}_{\\text{approx}}(\\varepsilon)``, ``\\sigma'_{approx}``,
    ``\\dot\\sigma_{approx}``, ``σ̇_approx(ε)`` and ``sigma_dot_approx`` all
    give ``sigma_approx'``; an argument that is a variable is dropped, a
    number is kept (``\\rho(0.05)^{10}`` → ``rho(0.05)^10``).
    """
    s = _unicode_maths(text)
    s = s.replace("$", "")
    s = re.sub(r"\\left\s*\.", "", s)  # "\left. \frac{dσ}{dx} \right|_{x=ε}": the bar's invisible partner
    s = re.sub(r"\\(?:left|right|displaystyle)(?![a-zA-Z])|\\[,;:! ]", "", s)
    s = _TEXT_COMMANDS.sub("", s)
    s = _leibniz_as_prime(s)
    s = re.sub(r"\^\s*\{\s*\\prime\s*\}|\^\s*\\prime(?![a-zA-Z])|\\prime(?![a-zA-Z])", "'", s)
    primes = 0

    def dot(m: re.Match) -> str:
        nonlocal primes
        primes += 2 if m.group(1) == "ddot" else 1
        return ""

    s = re.sub(r"\\(ddot|dot)(?![a-zA-Z])", dot, s)
    s = re.sub(r"\s+", "", s).replace("{", "").replace("}", "").replace("\\", "")
    primes += s.count("'")
    s = s.replace("'", "")
    pieces = [p for p in s.split("_") if p != ""]
    kept = []
    for p in pieces:
        if p.lower() == "dot":
            primes += 1
        elif p.lower() == "ddot":
            primes += 2
        else:
            kept.append(p)
    s = "_".join(kept)
    # an argument given with its variable is the number: ρ(ε = 0.05) is ρ(0.05)
    s = re.sub(r"\((?:varepsilon|epsilon|eps|e|x|t|z)=([^()=]+)\)", r"(\1)", s)
    # an argument that is a variable name is not part of the name: σ̇(ε) is σ̇, and so is sigma'(e) in plain text
    s = re.sub(r"\((?:varepsilon|epsilon|eps|e|x|t|z)\)", "", s)
    s = re.sub(r"(?<![A-Za-z])(?:varepsilon|epsilon|eps)(?![A-Za-z])", "eps", s)
    return s.lower() + "'" * primes


_VARIABLE = r"(?:x|t|z|\\varepsilon|\\epsilon)"
_D = r"\{?\s*d\s*\}?"  # d, or {d} once \mathrm{d} has lost its command
# dσ/dx as a fraction: \frac{d\sigma}{dx}, \frac{d}{dx}\sigma(x), \frac{\mathrm{d}\tanh}{\mathrm{d}x}
_LEIBNIZ = re.compile(rf"^\s*\\[dt]?frac\s*\{{\s*{_D}\s*(?P<inner>\\[A-Za-z]+|[A-Za-z])?\s*\}}\s*"
                      rf"\{{\s*{_D}\s*{_VARIABLE}\s*\}}\s*(?P<outer>.*)$")
# "…\Big|_{x=\varepsilon}", "…|_{x = 0}": the bar evaluates at a point, as an argument in brackets does
_AT_POINT = re.compile(rf"\s*(?:\\(?:[bB]igg?|middle)[lr]?\s*)?(?:\||\\vert(?![a-zA-Z]))\s*_\s*"
                       rf"\{{\s*{_VARIABLE}\s*=\s*(?P<at>[^{{}}=]+?)\s*\}}\s*$")


def _leibniz_as_prime(name: str) -> str:
    """dσ/dx in Leibniz's notation as σ' (``\\frac{d\\sigma}{dx}\\Big|_{x=\\varepsilon}`` → ``\\sigma'(\\varepsilon)``), so
    it names what ``\\dot\\sigma(\\varepsilon)`` does; anything else unchanged."""
    m = _LEIBNIZ.match(name)
    if m is None:
        return name
    function, rest = m.group("inner"), m.group("outer").strip()
    if function is None:  # \frac{d}{dx}\sigma(x): the function follows the fraction
        after = re.match(r"\\[A-Za-z]+|[A-Za-z]", rest)
        if after is None:
            return name
        function, rest = after.group(), rest[after.end():]
    at = _AT_POINT.search(rest)
    if at is not None:
        # σ(x)|_{x=ε} is σ(ε): the point replaces the variable
        rest = re.sub(rf"\(\s*{_VARIABLE}\s*\)\s*$", "", rest[:at.start()]) + f"({at.group('at')})"
    if not _SUBSCRIPT_AND_ARGUMENT.fullmatch(rest.strip()):
        return name  # "\frac{d\sigma}{dx}\sigma": a product, not a name
    return f"{function}'{rest}"


_SUBSCRIPT_AND_ARGUMENT = re.compile(r"(?:_\s*(?:\{[^{}]*\}|\w))?\s*(?:\([^()]*\))?")
