"""Specs → what students get: ``grader handout PROBLEMS --out DIR``.

An instructor edits one spec; everything students receive follows from it:

    DIR/README.md               the questions (titles, prompts, points), the spec's ``handout`` notes,
                                each function's signature and docstring, the rules for code, how to check
    DIR/problems/<spec>.yaml    the public checks: the published specs (grader.publish)
    DIR/submission/<file>.py    a starter file: the spec's ``handout`` notes and the limits for code in its
                                docstring, every function stubbed, docstring + NotImplementedError
    DIR/submission/<file>.md    an answer template with one section per question (written parts)

The starter's signatures are the reference solutions' ``def`` lines, parsed
with :mod:`ast`, bodies dropped, so students write exactly the functions the
grader calls; the file is named from the spec's ``submission_files``.  A reference
solution's docstring says what the function takes and returns: the starter and the
README show it in place of the part's prompt, which asks for the written answer
(``rho(eps)`` returns ρ at any eps where the prompt asks for ρ(0.05)).  The
unfilled starter passes ``grader check`` without crashing: every part is
"not implemented".  Rendering returns strings (:func:`handout_files`); :func:`write_handout`
writes them, never over a spec it reads, and over a starter file that exists (a student's
work by then) only when forced: a rerun after editing a spec refreshes everything else.
"""
from __future__ import annotations

import argparse
import ast
import importlib.metadata
import inspect
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import jinja2

from grader.checkers.number import DEFAULT_RTOL
from grader.publish import PublishError, published_files, refuse_writing_over_specs
from grader.references import ProblemReferences
from grader.results import points_phrase, write_atomic
from grader.spec import Part, ProblemSet, describe_value
from grader.yamlread import LineDict, YamlError, load_yaml_file


class HandoutError(Exception):
    """A spec a handout cannot be made from (the message names the file and part)."""


# ---------------------------------------------------------------------------
# Templates: layout only; the logic is in the small functions below.

def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("grader", "templates/handout"),
                             autoescape=False,  # Markdown and Python out, instructor text in
                             keep_trailing_newline=True, trim_blocks=False, undefined=jinja2.StrictUndefined)
    env.filters["points"] = points_phrase
    return env


# ---------------------------------------------------------------------------
# Starter code

def stub_source(solution: str, function: str, doc: str, where: str, stated: list[str] | None = None,
                heading: str = "", footer: str = "") -> str:
    """``def`` line of ``function`` in ``solution``, with ``doc`` as docstring and ``raise NotImplementedError``.

    The solution's own docstring, if it has one, replaces ``doc``; ``heading`` goes before either,
    ``footer`` after.
    ``stated``: the parameter names the part's title or prompt gives (``sigmoid(x)``), which the stub
    takes over the solution's own (``def sigmoid(values)``): students write the body with the names
    the question uses.  The grader passes arguments by position, so the names are the student's."""
    node = _solution_function(solution, function, where)
    doc = heading + (ast.get_docstring(node) or doc) + footer
    args = _renamed(node.args, stated, function, where) if stated is not None else node.args
    header = ast.unparse(ast.FunctionDef(name=node.name, args=args, body=[ast.Pass()], decorator_list=[],
                                         returns=node.returns, type_params=[], lineno=0))
    header = header.rsplit("\n", 1)[0]  # drop the placeholder body
    if isinstance(node, ast.AsyncFunctionDef):
        header = "async " + header
    return f"{header}\n{_docstring(doc)}\n    raise NotImplementedError\n"


def _solution_function(solution: str, function: str, where: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    try:
        tree = ast.parse(solution)
    except SyntaxError as exc:
        raise HandoutError(f"{where}: the reference solution is not valid Python ({exc.msg})") from None
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == function), None)
    if node is None:
        raise HandoutError(f"{where}: the reference solution defines no top-level function {function!r}")
    return node


def _renamed(args: ast.arguments, stated: list[str], function: str, where: str) -> ast.arguments:
    """The solution's parameters under the names the spec states; they must be as many."""
    positional = [*args.posonlyargs, *args.args]
    if args.vararg or args.kwonlyargs or args.kwarg or len(stated) != len(positional):
        solution = ast.unparse(args)
        raise HandoutError(f"{where}: the part states {function}({', '.join(stated)}) but the reference "
                           f"solution is {function}({solution}); make them take the same arguments")
    renamed = [ast.arg(arg=name, annotation=arg.annotation) for name, arg in zip(stated, positional)]
    count = len(args.posonlyargs)
    return ast.arguments(posonlyargs=renamed[:count], args=renamed[count:], vararg=None, kwonlyargs=[],
                         kw_defaults=[], kwarg=None, defaults=args.defaults)


def stated_parameters(part: Part) -> list[str] | None:
    """The parameter names of the part's function as its title or prompt states them (``sigmoid(x)``
    in the title, or ``Write `sigmoid(x)` …`` in the prompt); None when neither names plain parameters."""
    function = re.escape(part.code.function)
    texts = [part.title, *re.findall(r"`([^`]*)`", part.prompt)]
    for text in texts:
        match = re.match(rf"\s*{function}\(([^()]*)\)", text)
        if match:
            names = [name.strip() for name in match.group(1).split(",") if name.strip()]
            if all(name.isidentifier() for name in names):
                return names
    return None


def _docstring(text: str) -> str:
    text = text.replace('"""', '\\"\\"\\"').strip()
    prefix = "r" if "\\" in text else ""  # prompts hold LaTeX: keep backslashes as written
    # Maths spans are kept on one line: a formula broken over two lines is hard to read.
    glued = re.sub(r"\$[^$]*\$", lambda m: m.group().replace(" ", "\x00"), text)
    paragraphs = [textwrap.fill(p, 88, initial_indent="    ", subsequent_indent="    ", break_long_words=False)
                  for p in re.split(r"\n\s*\n", glued)]
    body = "\n\n".join(paragraphs).lstrip().replace("\x00", " ")
    if "\n" not in body and len(body) < 80:
        return f'    {prefix}"""{body}"""'
    return f'    {prefix}"""{body}\n    """'


def _stub_doc(part: Part) -> str:
    """The stub's docstring after its heading, when the solution has none of its own: the part's question."""
    stop = "" if part.title.rstrip().endswith((".", "?", "!")) else "."  # "Which curve decays faster?"
    return f"{part.title}{stop}\n\n{part.prompt}".strip()


def _stub(ps: ProblemSet, part: Part) -> str:
    doc = _stub_doc(part)
    tolerance = unstated_tolerance(ps, part, _solution_docstring(ps, part) or doc)
    return stub_source(part.code.solution, part.code.function, doc, _code_where(ps, part),
                       stated_parameters(part), heading=f"{part.label} ({points_phrase(part.points)}): ",
                       footer=f"\n\nCompared {tolerance}." if tolerance else "")


def _solution_docstring(ps: ProblemSet, part: Part) -> str:
    node = _solution_function(part.code.solution, part.code.function, _code_where(ps, part))
    return ast.get_docstring(node) or ""


def _code_where(ps: ProblemSet, part: Part) -> str:
    return f"{ps.path}, line {part.code.line}: part {part.label}"


def function_summary(ps: ProblemSet, part: Part) -> tuple[str, str]:
    """The part's function as the README shows it: its signature as the starter gives it
    (``rho(eps)``) and the solution's docstring on one line ("" when it has none)."""
    header = _stub(ps, part).split("\n", 1)[0]
    signature = header.removeprefix("async ").removeprefix("def ").removesuffix(":")
    description = " ".join(_solution_docstring(ps, part).split())
    if description and not description.endswith((".", "?", "!", ")")):
        description += "."
    return signature, description


def starter_code(ps: ProblemSet) -> str:
    """The starter Python file of a problem set: one stub per function, in the spec's order."""
    stubs, seen = [], set()
    for part in ps.parts:
        if part.code is None or part.code.function in seen:
            continue
        seen.add(part.code.function)
        stubs.append(_stub(ps, part))
    tolerance = set_tolerance(ps)
    note = (f"The numbers your functions return are compared {tolerance}, unless a function's docstring "
            f"says otherwise.") if tolerance else ""
    rules = code_rules()
    limits = (f"Each call of a function may run {rules['call_seconds']} s and use {rules['memory']} of memory, "
              f"and the file must import within {rules['import_seconds']} s; the handout's README.md has all "
              f"the rules for code.")
    # The set's notes are Markdown as the instructor wrote them (lists, `\boxed{…}`): kept as they are,
    # in a raw docstring when they hold a backslash.
    notes = set_notes(ps).replace('"""', '\\"\\"\\"')
    return _environment().get_template("starter.py.j2").render(
        title=ps.title, stubs=stubs, notes=notes, raw="r" if "\\" in ps.title + notes else "",
        tolerance_note=textwrap.fill(note, 72), limits_note=textwrap.fill(limits, 72))


# ---------------------------------------------------------------------------
# The Markdown answer template and the questions

def section_label(label: str) -> str:
    """The heading a part is answered under: sub-parts (Q2.1a, Q2.1b) share their question's (Q2.1)."""
    match = re.fullmatch(r"(.*\d)[a-z]", label)
    return match.group(1) if match else label


def answer_template(ps: ProblemSet) -> str:
    sections: dict[str, list[dict]] = {}
    for part in ps.parts:
        if part.kind is None:
            continue
        sections.setdefault(section_label(part.label), []).append(
            {"label": part.label, "title": part.title, "points": part.points, "example": answer_example(part)})
    return _environment().get_template("answers.md.j2").render(
        title=ps.title, sections=[{"label": k, "parts": v} for k, v in sections.items()])


# A name giving values by an index: "\\rho(0.05)^{T} for T in 1, 5, 10, 20"
_INDEXED_NAME = re.compile(r"(?P<name>\S+)\s+for\s+(?P<index>[A-Za-z])\s+in\s+(?P<values>.+)")


def answer_example(part: Part) -> str:
    """An example of how to state the part's answer, in a form the Markdown reader reads: its first
    LaTeX name (``$\\rho(0.05) = …$``), values by index, or a choice after "Answer:"; "" for prose."""
    if part.kind == "rubric":
        return ""
    choices = getattr(part.options, "choices", None)
    if part.kind == "choice" and choices:
        return f"Answer: … ({' or '.join(map(str, choices))})"
    for name in part.names:
        indexed = _INDEXED_NAME.fullmatch(name.strip())
        if indexed and "\\" in indexed["name"]:
            values = [v.strip() for v in re.split(r",|\band\b", indexed["values"]) if v.strip()]
            return (f"${indexed['name']} = {', '.join('…' for _ in values)}$ for "
                    f"${indexed['index']} = {', '.join(values)}$")
    name = next((n for n in part.names if "\\" in n and " " not in n), None)
    relation = "\\in" if part.kind in ("interval", "set") else "="
    return f"${name} {relation} …$" if name else ""


@dataclass(frozen=True)
class Starter:
    name: str
    what: str
    text: str


def _file_named(ps: ProblemSet, suffix: str, fallback: str) -> str:
    return next((f for f in ps.submission_files if f.endswith(suffix)), fallback)


def starters(ps: ProblemSet) -> list[Starter]:
    files = []
    if any(p.kind is not None for p in ps.parts):
        files.append(Starter(_file_named(ps, ".md", f"{ps.id}.md"), f"your written answers to {ps.title}",
                             answer_template(ps)))
    if any(p.code is not None for p in ps.parts):
        files.append(Starter(_file_named(ps, ".py", f"{ps.id}.py"), f"the functions of {ps.title}",
                             starter_code(ps)))
    return files


# ---------------------------------------------------------------------------
# The README (and the starter's tolerances): the spec's notes, tolerances in words, the rules for code

def set_notes(ps: ProblemSet) -> str:
    """The spec's ``handout`` text (Markdown: notation, how to answer), shown under the set's title."""
    try:
        data = load_yaml_file(ps.path)
    except (OSError, YamlError) as exc:
        raise HandoutError(f"{ps.path}: could not read it again for its 'handout' notes ({exc})") from None
    notes = data.get("handout") if isinstance(data, dict) else None
    if notes is not None and not isinstance(notes, str):
        line = data.line_of("handout") if isinstance(data, LineDict) else 0
        raise HandoutError(f"{ps.path}, line {line}: 'handout' must be text (Markdown shown under the problem "
                           f"set's title in the handout's README), not {describe_value(notes)}")
    return (notes or "").strip()


def tolerance_text(options: Any) -> str:
    """How closely a code answer must match, in words; "" when its kind takes no tolerance (a choice)."""
    mode = getattr(options, "mode", "tolerance")
    if mode == "sigfigs":
        return f"to {options.sigfigs or 3:g} significant figures"
    if mode == "decimals":
        return f"to {options.decimals or 0:g} decimal places"
    if mode != "tolerance" or not hasattr(options, "rtol"):
        return ""
    rtol, atol = options.rtol, options.atol
    if rtol is None and atol is None:  # the number checker's own default
        rtol = DEFAULT_RTOL
    if rtol and atol:
        return (f"within a relative tolerance of {_relative(rtol)} or an absolute one of {_number(atol)}, "
                f"whichever is larger")
    if atol:
        return f"within an absolute tolerance of {_number(atol)}"
    return f"within a relative tolerance of {_relative(rtol)}" if rtol else "exactly"


def set_tolerance(ps: ProblemSet) -> str:
    """The tolerance most of the set's functions are compared with: said once, for the whole set."""
    return _usual([t for p in ps.parts if p.code and (t := tolerance_text(p.code.options))])


def own_tolerance(ps: ProblemSet, part: Part) -> str:
    """The part's function's tolerance where it is not the set's ("" where it is)."""
    own = tolerance_text(part.code.options)
    return own if own != set_tolerance(ps) else ""


def unstated_tolerance(ps: ProblemSet, part: Part, text: str) -> str:
    """The part's own tolerance for a "Compared …" sentence after ``text``, which describes its function
    (the solution's docstring, else the part's prompt): "" where ``text`` already states it ("compared
    with an absolute tolerance of $10^{-4}$"), so it is said once.  A prompt stating a written answer's
    tolerance does not count where the function has a docstring of its own: the sentence is about it."""
    tolerance = own_tolerance(ps, part)
    return "" if not tolerance or states_tolerance(text, part.code.options) else tolerance


# A number as a prompt writes it: 0.0001, 1e-4, $10^{-4}$, 5 \times 10^{-4}, 0.05 %.
_DECIMAL = r"\d+(?:\.\d+)?"
_STATED_NUMBER = re.compile(
    rf"(?P<mantissa>{_DECIMAL})[eE](?P<exponent>[-+]?\d+)"
    rf"|(?:(?P<factor>{_DECIMAL})\s*(?:\\times|\\cdot|×|·)\s*)?10\s*\^\s*\{{?\s*(?P<power>[-+]?\d+)\s*\}}?"
    rf"|(?P<percent>{_DECIMAL})\s*\\?%"
    rf"|(?P<plain>{_DECIMAL})")
# Words a sentence stating how close an answer must be uses.
_CLOSENESS = re.compile(r"toleran|within", re.IGNORECASE)


def states_tolerance(text: str, options: Any) -> bool:
    """Does ``text`` state the tolerance of ``options``: its figures or decimal places, or every
    nonzero tolerance value in a sentence about closeness ("within 0.05 % of the exact value")?"""
    mode = getattr(options, "mode", "tolerance")
    if mode == "sigfigs":
        return re.search(rf"\b{options.sigfigs or 3:g} significant (?:figures|digits)", text) is not None
    if mode == "decimals":
        return re.search(rf"\b{options.decimals or 0:g} decimal (?:places|digits)", text) is not None
    rtol, atol = options.rtol, options.atol
    if rtol is None and atol is None:  # the number checker's own default, as tolerance_text says it
        rtol = DEFAULT_RTOL
    wanted = [value for value in (rtol, atol) if value]
    stated = [number for sentence in re.split(r"(?<=[.!?;])\s+", text.replace("−", "-"))
              if _CLOSENESS.search(sentence) for number in _numbers(sentence)]
    return bool(wanted) and all(any(math.isclose(value, number, rel_tol=1e-9) for number in stated)
                                for value in wanted)


def _numbers(sentence: str) -> list[float]:
    numbers = []
    for match in _STATED_NUMBER.finditer(sentence):
        if match["mantissa"]:
            numbers.append(float(match["mantissa"]) * 10.0 ** int(match["exponent"]))
        elif match["power"]:
            numbers.append(float(match["factor"] or 1) * 10.0 ** int(match["power"]))
        elif match["percent"]:
            numbers.append(float(match["percent"]) / 100)
        else:
            numbers.append(float(match["plain"]))
    return numbers


def _number(value: float) -> str:
    return re.sub(r"e([-+])0*(\d)", lambda m: f"e{m[1].replace('+', '')}{m[2]}", f"{value:g}")  # 1e-06 → 1e-6


def _relative(rtol: float) -> str:
    """1e-6, or 0.0005 (0.05 %) where a percentage reads better."""
    return f"{_number(rtol)} ({_number(rtol * 100)} %)" if rtol >= 1e-4 else _number(rtol)


def _usual(texts: list[str]) -> str:
    """The most common of ``texts`` (the first among equals); "" for none."""
    return max(texts, key=texts.count) if texts else ""


def code_rules() -> dict[str, str]:
    """The limits the grader puts on a student's code, as it applies them, for the README to state."""
    from grader.grading import Grader
    from grader.sandbox.pool import NOTEBOOK_SECONDS, WorkerPool

    run = inspect.signature(WorkerPool.run).parameters
    memory = run["memory_bytes"].default
    return {"call_seconds": f"{inspect.signature(Grader).parameters['call_timeout'].default:g}",
            "memory": f"{memory / 2 ** 30:g} GiB" if memory >= 2 ** 30 else f"{memory / 2 ** 20:g} MiB",
            "import_seconds": f"{run['import_timeout'].default:g}",
            "notebook_seconds": f"{NOTEBOOK_SECONDS:g}", "numpy": _numpy_version()}


def _numpy_version() -> str:
    """The NumPy the grader requires ("2.4 or newer"), else the one it runs with."""
    import numpy

    try:
        requirements = importlib.metadata.requires("grader") or []
    except importlib.metadata.PackageNotFoundError:
        requirements = []
    for requirement in requirements:
        found = re.fullmatch(r"numpy\s*>=\s*([\d.]+)", requirement.strip(), flags=re.IGNORECASE)
        if found:
            return f"{found[1]} or newer"
    return numpy.__version__


def _set_context(refs: ProblemReferences) -> dict[str, Any]:
    ps = refs.problem_set
    files = starters(ps)
    code_file = next((f"`{f.name}`" for f in files if f.name.endswith(".py")), "")
    answer_file = next((f"`{f.name}`" for f in files if f.name.endswith(".md")), "")
    hand_in = " or ".join(f"`{f}`" for f in ps.submission_files) or ", ".join(f"`{f.name}`" for f in files)
    parts = []
    for part in ps.parts:
        signature, description = function_summary(ps, part) if part.code else ("", "")
        parts.append({
            "label": part.label, "title": part.title, "points": part.points, "prompt": part.prompt.strip(),
            "function": part.code.function if part.code else None, "signature": signature,
            "description": description,
            "tolerance": unstated_tolerance(ps, part, description or part.prompt) if part.code else "",
            "kind": part.kind, "written": part.kind is not None, "section": section_label(part.label),
            "public_checks": public_checks_text([c.case.name for c in refs[part.label].cases if c.case.public]),
        })
    return {"title": ps.title, "anchor": re.sub(r"[^a-z0-9-]+", "-", ps.id.lower()), "points": ps.max_score,
            "hand_in": hand_in, "parts": parts, "starters": files, "code_file": code_file,
            "answer_file": answer_file, "notes": set_notes(ps), "tolerance": set_tolerance(ps)}


def public_checks_text(names: list[str]) -> str:
    """The public cases of a function by name, counted and apart: a name may hold a comma or an "and"
    ("tutorial 2×3 and 2×3 (inner dimensions differ)" is one case)."""
    if len(names) <= 1:
        return f"Public check: {names[0]}." if names else ""
    return f"Public checks ({len(names)}): {'; '.join(names)}."


def questions(all_refs: Sequence[ProblemReferences], title: str | None = None) -> str:
    sets = [_set_context(r) for r in all_refs]
    if title is None:
        title = sets[0]["title"] if len(sets) == 1 else "Homework"
    rules = code_rules() if any(p["function"] for s in sets for p in s["parts"]) else None
    return _environment().get_template("README.md.j2").render(title=title, sets=sets, rules=rules)


# ---------------------------------------------------------------------------
# Writing it out

def handout_files(all_refs: Sequence[ProblemReferences], out: Path, title: str | None = None) -> dict[Path, str]:
    """Every file of the handout, rendered, by its path in ``out``: nothing is written yet."""
    if any(r.problem_set.published for r in all_refs):
        spec = next(r.problem_set.path for r in all_refs if r.problem_set.published)
        raise HandoutError(f"{spec} is a published spec (it has no solutions); make handouts from the "
                           f"instructor's spec")
    files: dict[Path, str] = {out / "README.md": questions(all_refs, title)}
    for refs in all_refs:
        for starter in starters(refs.problem_set):
            target = out / "submission" / starter.name
            if target in files:
                raise HandoutError(f"two problem sets hand in a file called {starter.name}; give them "
                                   f"different 'submission_files'")
            files[target] = starter.text
    published = out / "problems"
    try:
        # Before the slow part: an --out holding the specs would lose them to their published copies.
        refuse_writing_over_specs([*files, *(published / r.problem_set.path.name for r in all_refs)], all_refs)
        files.update(published_files(all_refs, published))
    except PublishError as exc:
        raise HandoutError(str(exc)) from None
    return files


@dataclass(frozen=True)
class Written:
    written: list[Path]
    kept: list[Path]  # starter files that exist, left as they were
    different: list[Path]  # those of them that differ from the starter the specs give


def existing_starters(files: dict[Path, str], out: Path) -> list[Path]:
    """The starter files of ``files`` already under ``out``: a student may have edited them."""
    return [path for path in files if path.parent == out / "submission" and path.exists()]


def _differs(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() != text.encode("utf-8")
    except OSError:
        return True


def write_handout(all_refs: Sequence[ProblemReferences], out: Path, title: str | None = None,
                  force: bool = False) -> Written:
    """Render everything first (nothing is written if any part fails), then write it, except the
    starter files that already exist unless ``force``: by then they may hold a student's work."""
    files = handout_files(all_refs, out, title)
    kept = [] if force else existing_starters(files, out)
    written = {path: text for path, text in files.items() if path not in kept}
    _write(written)
    return Written(list(written), kept, [path for path in kept if _differs(path, files[path])])


def _write(files: dict[Path, str]) -> None:
    for path, text in files.items():
        write_atomic(path, text)


# Command line (its options: grader.cli)
def run(args: argparse.Namespace) -> int:
    from grader.cli import UsageError, load_references

    refs = load_references(args.problems)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    try:
        done = write_handout(refs, out, args.title, force=args.force)
    except HandoutError as exc:
        raise UsageError(str(exc)) from None
    for path in done.written:
        print(f"wrote {path}")
    for path in done.kept:
        if path in done.different:
            print(f"kept {path}: it differs from the starter the specs give, so it may hold a student's work "
                  f"(--force writes the starter over it)")
        else:
            print(f"kept {path}: it is already the starter the specs give")
    return 0
