"""``grader ci-init``: put the public checks into a submission repository's CI.

Writes ``.github/workflows/grader.yml`` (GitHub Actions) from the template in
``templates/ci/``: install the grader, run ``grader check`` on the
repository, append the Markdown summary to the job page
(``$GITHUB_STEP_SUMMARY``), keep the JUnit and JSON results as an artifact,
and fail the job when the public-check score is under ``--fail-under``.  An
existing workflow is never overwritten without ``--force``.  The result files
the workflow's ``grader check`` writes into the repository are added to its
``.gitignore`` (created, or appended to), so that a student who runs the same
command on their machine does not commit them.

The template uses ``@NAME@`` placeholders rather than Jinja: GitHub's own
``${{ … }}`` expressions must pass through untouched.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
from importlib import metadata, resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from grader.cli import points_threshold, public_points
from grader.results import number_text, points_phrase, write_atomic

WORKFLOW = Path(".github") / "workflows" / "grader.yml"
GITIGNORE = Path(".gitignore")
# What the workflow's `grader check` writes, at the repository's top (--junit, --json).
JUNIT_FILE = "grader-junit.xml"
JSON_FILE = "grader-results.json"
# What a good --install looks like, said whenever one is refused.
GOOD_INSTALL = ("give the grader's repository at a tag, e.g. --install "
                "'grader @ git+https://github.com/COURSE/grader@v1', or the URL of a release archive")
# The URL schemes a CI machine can download from (after the ``git+`` of a VCS URL).
REACHABLE_SCHEMES = ("https", "http", "ssh", "git")


def default_install() -> str | None:
    """The pip requirement that installs this very grader in CI, when it can be known.

    The name alone is not enough: ``grader`` on PyPI is another project.  So
    the default is where this copy was installed from, when that is a place
    CI can reach (a VCS URL at its commit, or a downloadable archive, as
    pip records them in ``direct_url.json``); otherwise there is none and
    ``--install`` must say."""
    try:
        recorded = metadata.distribution("grader").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    return requirement_from_direct_url(recorded)


def requirement_from_direct_url(text: str | None) -> str | None:
    """A pip requirement for a PEP 610 ``direct_url.json``, if CI can use it."""
    try:
        record = json.loads(text or "null")
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("url"), str):
        return None
    url = record["url"]
    if not url.startswith(("https://", "http://", "ssh://")):
        return None  # a local folder or file: not there on a CI machine
    # A grader kept in a folder of its repository (pip's #subdirectory=) is looked for there again.
    subdirectory = record.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if isinstance(subdirectory, str) and subdirectory else ""
    vcs = record.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("vcs"), str):
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        return f"grader @ {vcs['vcs']}+{url}" + (f"@{commit}" if isinstance(commit, str) else "") + fragment
    if isinstance(record.get("archive_info"), dict):
        return f"grader @ {url}{fragment}"
    return None


def fill_template(template: str, values: dict[str, str]) -> str:
    """``@NAME@`` placeholders filled in with the values as given: quoting them for
    the shell is the caller's part, since only it knows where each one goes."""
    return re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], template)


def checked_install(install: str, machine: str = "a CI machine", runner: str = "the workflow") -> str:
    """An ``--install`` requirement, refused when it spans lines (pip takes one line; a
    line break would end the shell command, or the workflow's YAML, part way) or when pip
    could not install this grader from it on ``machine``, where ``runner`` runs pip."""
    from grader.cli import UsageError

    if not install.strip() or "\n" in install or "\r" in install:
        raise UsageError(f"--install must be one pip requirement on one line, got {install!r}")
    problem = install_problem(install, machine, runner)
    if problem:
        raise UsageError(f"--install {install!r} {problem}; {GOOD_INSTALL}")
    return install


def install_problem(install: str, machine: str = "a CI machine", runner: str = "the workflow") -> str | None:
    """Why pip, on ``machine``, would not install the grader from ``install``; None when it can."""
    # packaging comes with pytest, which the grader depends on (never pip's own vendored copy).
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    if install.startswith("-"):
        return (f"is a pip option, not a requirement: {runner} gives pip the whole text as one quoted "
                "argument, which pip does not split into an option and its value")
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*://\S+", install):
        return url_problem(install, machine)  # pip takes a bare URL as a requirement too
    try:
        requirement = Requirement(install)
    except InvalidRequirement:
        return "is not a pip requirement: pip would refuse it"
    if requirement.url is None:
        if canonicalize_name(requirement.name) == "grader":
            return "would have pip install 'grader' from PyPI, which is a different project of that name"
        return None  # another name: the course may publish the grader under it
    return url_problem(requirement.url, machine)


def url_problem(url: str, machine: str = "a CI machine") -> str | None:
    """Why ``machine`` cannot download from ``url`` (after any ``git+``); None when it can."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower().rpartition("+")[2]
    if scheme == "file":
        return f"names {url!r}, a place on this machine, which {machine} does not have"
    if scheme not in REACHABLE_SCHEMES or not parts.netloc:
        return (f"names {url!r} as where to get it, which is not a web address (https://…, or git+https://… "
                "for a repository)")
    return None


def install_note(install: str) -> str:
    """A note when CI is to install over SSH: a CI machine has no key for it, so pip fails
    there unless the repository is public over https too."""
    if "ssh://" not in install:
        return ""
    return (f"note: the workflow installs {install} over SSH, but a CI machine has no SSH key: pip fails there "
            "unless the address is https://, e.g. --install 'grader @ git+https://github.com/COURSE/grader@v1'")


def checked_path(option: str, given: str, repo: Path, example: str) -> str:
    """A ``--problems`` or ``--submission`` path the workflow can find: it runs in a checkout
    of the repository on a CI machine, so only a relative path inside the repository exists there."""
    from grader.cli import UsageError

    if not given.strip() or "\n" in given or "\r" in given:
        raise UsageError(f"--{option} must be a path on one line, relative to the repository, got {given!r}")
    try:  # abspath, not resolve: `..` is taken as written, as the CI machine's shell will
        inside = Path(os.path.abspath(repo / given)).relative_to(os.path.abspath(repo))
    except ValueError:
        raise UsageError(f"--{option} {given} is outside the repository {os.path.abspath(repo)}: the workflow runs "
                         "in a checkout of the repository alone, where it does not exist. Give a path inside the "
                         f"repository, relative to it (e.g. --{option} {example})") from None
    if Path(given).is_absolute():
        raise UsageError(f"--{option} {given} is an absolute path on this machine, which the CI machine does not "
                         f"have. Give it relative to the repository: --{option} {inside.as_posix()}")
    return given


def in_double_quotes(text: str) -> str:
    """``text`` escaped to stand inside a shell's double quotes as written (``"``, ``$``,
    backquotes and backslashes kept, never expanded)."""
    return re.sub(r'([\\"$`])', r"\\\1", text)


def render_workflow(*, install: str, fail_under: float, problems: str = "problems",
                    submission: str = "submission", python: str = "3.11") -> str:
    template = resources.files("grader").joinpath("templates/ci/grader.yml").read_text(encoding="utf-8")
    # The shortest text that reads back as the same float: ":g" kept 6 digits, so 1234567 became 1.23457e+06.
    # The template puts the requirement in double quotes, in a YAML plain scalar that keeps backslashes.
    return fill_template(template, {"FAIL_UNDER": number_text(fail_under), "PROBLEMS": shlex.quote(problems),
                                    "SUBMISSION": shlex.quote(submission), "INSTALL": in_double_quotes(install),
                                    "PYTHON": python, "JUNIT": JUNIT_FILE, "JSON": JSON_FILE})


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ci-init", help="add a GitHub Actions workflow running the public checks to a submission repository",
        description=f"Write {WORKFLOW} into a repository: it installs the grader, runs `grader check` on every "
                    "push, writes a Markdown summary on the job page, keeps the JUnit file, and fails under a "
                    "threshold.")
    parser.add_argument("--dir", default=".", metavar="REPO", help="the repository (default: the current folder)")
    parser.add_argument("--fail-under", type=points_threshold, default=0.0, metavar="N",
                        help="fail the job when the public-check score is under N points (default 0: never)")
    parser.add_argument("--problems", default="problems", metavar="PATH",
                        help="the published specs, relative to the repository (default: problems)")
    parser.add_argument("--submission", default="submission", metavar="PATH",
                        help="the student's work, relative to the repository (default: submission)")
    parser.add_argument("--install", metavar="REQUIREMENT",
                        help="what pip installs in CI, e.g. 'grader @ git+https://…/grader@v1' (default: "
                             "where this grader was installed from, when that is a VCS or download URL)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing workflow")
    parser.add_argument("--allow-unpublished", action="store_true",
                        help="accept instructor's specs (solutions, hidden cases) as --problems, for a repository "
                             "no student can read; by default only published specs (grader publish) are")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grader.cli import UsageError

    repo = Path(args.dir)
    if not repo.is_dir():
        raise UsageError(f"--dir {repo} is not a folder")
    target = repo / WORKFLOW
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it")
    install = checked_install(args.install) if args.install is not None else default_install()
    if not install:
        raise UsageError("say where CI installs the grader from with --install, e.g. --install "
                         "'grader @ git+https://github.com/COURSE/grader@v1': this copy was installed from a "
                         "local folder, which a CI machine does not have, and the name 'grader' alone on PyPI "
                         "is a different project")
    checked_path("problems", args.problems, repo, "problems")
    checked_path("submission", args.submission, repo, "submission")
    if not args.allow_unpublished:
        refuse_unpublished(repo / args.problems, args.problems)
    threshold_note = check_threshold(args.fail_under, repo / args.problems)
    workflow = render_workflow(install=install, fail_under=args.fail_under, problems=args.problems,
                               submission=args.submission)
    if not install_survives(workflow, install):
        raise UsageError(f"--install {install!r} cannot be written into the workflow's YAML as it is (a ': ' or "
                         "' #' in it would be read as YAML); write the requirement without them")
    gitignore = repo / GITIGNORE
    if gitignore.exists() and not gitignore.is_file():
        raise UsageError(f"{gitignore} is not a file; the workflow's result files ({JUNIT_FILE}, {JSON_FILE}) "
                         "are to be added to it")
    write_atomic(target, workflow)
    print(f"wrote {target}")
    existed = gitignore.exists()
    ignored = ignore_results(gitignore)
    if ignored:
        print(f"{'added' if existed else 'wrote'} {' and '.join(ignored)} to {gitignore}, so that the results "
              f"`grader check` writes there (in CI, or run the same way on a student's machine) are not committed")
    if threshold_note:
        print(threshold_note)
    missing = [f"{repo / path} (the {what})" for what, path in
               (("published specs", args.problems), ("submission", args.submission)) if not (repo / path).exists()]
    if missing:
        both = len(missing) > 1
        print(f"note: {' and '.join(missing)} {'do' if both else 'does'} not exist yet: the workflow's check stops "
              f"with exit 2, saying so on the job page, until {'they are' if both else 'it is'} committed", flush=True)
    if args.install is None:
        print(f"note: the workflow installs {install} with pip, where this grader came from; pass --install "
              f"to change it")
    if install_note(install):
        print(install_note(install))
    return 0


def ignore_results(gitignore: Path) -> list[str]:
    """Add the workflow's result files to ``gitignore`` (created if missing, else appended to: the
    lines there stay as they are); the names added, none when each is there already."""
    existing = gitignore.read_bytes() if gitignore.exists() else b""
    listed = {line.strip().lstrip("/") for line in existing.decode("utf-8", errors="replace").splitlines()}
    missing = [name for name in (JUNIT_FILE, JSON_FILE) if name not in listed]
    if missing:
        newline = "\r\n" if b"\r\n" in existing else "\n"
        lines = ["# Written by `grader check` (see .github/workflows/grader.yml)", *missing]
        start = newline if existing and not existing.endswith(b"\n") else ""
        write_atomic(gitignore, existing + (start + newline.join(lines) + newline).encode("utf-8"))
    return missing


def refuse_unpublished(problems: Path, given: str) -> None:
    """Refuse specs that are not published as the workflow's problems: an instructor's spec holds
    the reference solutions and the hidden cases, and in a student's repository students read them.
    Nothing to check while the specs are not in the repository yet."""
    from grader.cli import UsageError, spec_files
    from grader.spec import load_problem_sets

    if not problems.exists():
        return
    files, _ = spec_files([str(problems)])
    unpublished = [ps.path for ps in load_problem_sets(files) if not ps.published]
    unpublished += _hidden_unpublished(problems, set(files))
    if unpublished:
        named = ", ".join(str(path) for path in unpublished[:3]) + (" …" if len(unpublished) > 3 else "")
        raise UsageError(f"{named}: not published (no 'published: true'): an instructor's spec holds the reference "
                         "solutions and hidden cases, which every student who can read the repository would see. "
                         "Keep the instructor's specs out of the repository and run 'grader publish SPECS --out "
                         f"{problems}' first: it writes the public checks only, for --problems {given}. Pass "
                         "--allow-unpublished only for a repository no student can read")


def _hidden_unpublished(problems: Path, loaded: set[Path]) -> list[Path]:
    """Hidden spec files (``.foundations-full.yaml``, ``.old/q2.yaml``) are never graded, but a
    student reads them all the same: any that is not marked published is refused too.  They
    need not load as specs (an old copy put aside may not), so only the mark is looked at."""
    import yaml

    from grader.spec import find_spec_files

    if not problems.is_dir():
        return []
    found = []
    for path in find_spec_files([problems]):
        if path in loaded:
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
        except yaml.YAMLError:
            data = None  # unreadable as YAML: it may still be an instructor's spec
        if not (isinstance(data, dict) and data.get("published") is True):
            found.append(path)
    return found


def check_threshold(fail_under: float, problems: Path) -> str:
    """Refuse a ``--fail-under`` above every point the published specs are worth (the job
    would fail whatever the student did); a note when it is above what the public checks
    can award, which no submission reaches before grading either.  Nothing to say while
    the specs are not in the repository yet."""
    from grader.cli import UsageError, load_references

    if fail_under <= 0 or not problems.exists():
        return ""
    refs = load_references([str(problems)])
    total = round(sum(r.problem_set.max_score for r in refs), 6)
    reachable = public_points(refs)
    if fail_under > total:
        raise UsageError(f"--fail-under {number_text(fail_under)} is more than the {points_phrase(total)} the specs in "
                         f"{problems} are worth: the job would fail for every submission")
    if fail_under > reachable:
        return (f"note: --fail-under {number_text(fail_under)} is more than the {number_text(reachable)} of "
                f"{points_phrase(total)} the public checks can award (written answers and hidden cases count only at "
                f"grading): the job fails even for a perfect submission; {number_text(reachable)} or less lets it pass")
    return ""


def install_survives(workflow: str, install: str) -> bool:
    """Does the workflow, read as YAML, run pip on ``install`` exactly as given?"""
    try:
        steps = yaml.safe_load(workflow)["jobs"]["check"]["steps"]
    except (yaml.YAMLError, KeyError, TypeError):
        return False
    runs = [step.get("run", "") for step in steps if isinstance(step, dict)]
    return any(run.endswith(f' install "{in_double_quotes(install)}"') for run in runs if isinstance(run, str))
