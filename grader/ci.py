"""``grader ci-init``: put the public checks into a submission repository's CI.

Writes ``.github/workflows/grader.yml`` (GitHub Actions) from the template in
``templates/ci/``: install the grader, run ``grader check`` on the
repository, append the Markdown summary to the job page
(``$GITHUB_STEP_SUMMARY``), keep the JUnit and JSON results as an artifact,
and fail the job when the public-check score is under ``--fail-under``.  An
existing workflow is never overwritten without ``--force``.

The template uses ``@NAME@`` placeholders rather than Jinja: GitHub's own
``${{ … }}`` expressions must pass through untouched.
"""
from __future__ import annotations

import argparse
import re
import shlex
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from grader.results import write_atomic

WORKFLOW = Path(".github") / "workflows" / "grader.yml"


def default_install() -> str:
    """The pip requirement that installs this very version of the grader."""
    try:
        return f"grader=={metadata.version('grader')}"
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "grader"


def render_workflow(*, fail_under: float, problems: str = "problems", submission: str = "submission",
                    install: str | None = None, python: str = "3.11") -> str:
    template = resources.files("grader").joinpath("templates/ci/grader.yml").read_text(encoding="utf-8")
    values = {"FAIL_UNDER": f"{fail_under:g}", "PROBLEMS": shlex.quote(problems),
              "SUBMISSION": shlex.quote(submission), "INSTALL": (install or default_install()).replace('"', ""),
              "PYTHON": python}
    text = re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], template)
    return text


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ci-init", help="add a GitHub Actions workflow running the public checks to a submission repository",
        description=f"Write {WORKFLOW} into a repository: it installs the grader, runs `grader check` on every "
                    "push, writes a Markdown summary on the job page, keeps the JUnit file, and fails under a "
                    "threshold.")
    parser.add_argument("--dir", default=".", metavar="REPO", help="the repository (default: the current folder)")
    parser.add_argument("--fail-under", type=float, default=0.0, metavar="N",
                        help="fail the job when the public-check score is under N (default 0: never)")
    parser.add_argument("--problems", default="problems", metavar="PATH",
                        help="the published specs, relative to the repository (default: problems)")
    parser.add_argument("--submission", default="submission", metavar="PATH",
                        help="the student's work, relative to the repository (default: submission)")
    parser.add_argument("--install", metavar="REQUIREMENT",
                        help="what pip installs (default: this grader's version, grader==X.Y.Z; "
                             "e.g. git+https://… when the course does not publish it on a package index)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing workflow")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grader.cli import UsageError

    repo = Path(args.dir)
    if not repo.is_dir():
        raise UsageError(f"--dir {repo} is not a folder")
    if args.fail_under < 0:
        raise UsageError(f"--fail-under must be 0 or more, got {args.fail_under:g}")
    target = repo / WORKFLOW
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it")
    write_atomic(target, render_workflow(fail_under=args.fail_under, problems=args.problems,
                                         submission=args.submission, install=args.install))
    print(f"wrote {target}")
    for what, path in (("published specs", args.problems), ("submission", args.submission)):
        if not (repo / path).exists():
            print(f"note: {repo / path} does not exist yet; the workflow expects the {what} there", flush=True)
    if not args.install:
        print(f"note: the workflow installs {default_install()} with pip; pass --install to use the course's "
              f"own source (e.g. a git URL)")
    return 0
