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
import json
import re
import shlex
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from grader.cli import points_threshold
from grader.results import write_atomic

WORKFLOW = Path(".github") / "workflows" / "grader.yml"


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
    vcs = record.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("vcs"), str):
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        return f"grader @ {vcs['vcs']}+{url}" + (f"@{commit}" if isinstance(commit, str) else "")
    if isinstance(record.get("archive_info"), dict):
        return f"grader @ {url}"
    return None


def fill_template(template: str, values: dict[str, str]) -> str:
    """``@NAME@`` placeholders filled in; a pip requirement loses any ``"``
    (it is placed inside double quotes in the shell and YAML templates)."""
    values = {name: value.replace('"', "") if name == "INSTALL" else value for name, value in values.items()}
    return re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], template)


def render_workflow(*, install: str, fail_under: float, problems: str = "problems",
                    submission: str = "submission", python: str = "3.11") -> str:
    template = resources.files("grader").joinpath("templates/ci/grader.yml").read_text(encoding="utf-8")
    # 15 significant digits: every threshold as typed (":g" keeps 6, so 1234567 became 1.23457e+06).
    return fill_template(template, {"FAIL_UNDER": f"{fail_under:.15g}", "PROBLEMS": shlex.quote(problems),
                                    "SUBMISSION": shlex.quote(submission), "INSTALL": install,
                                    "PYTHON": python})


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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grader.cli import UsageError

    repo = Path(args.dir)
    if not repo.is_dir():
        raise UsageError(f"--dir {repo} is not a folder")
    target = repo / WORKFLOW
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it")
    install = args.install or default_install()
    if not install:
        raise UsageError("say where CI installs the grader from with --install, e.g. --install "
                         "'grader @ git+https://github.com/COURSE/grader@v1': this copy was installed from a "
                         "local folder, which a CI machine does not have, and the name 'grader' alone on PyPI "
                         "is a different project")
    write_atomic(target, render_workflow(install=install, fail_under=args.fail_under, problems=args.problems,
                                         submission=args.submission))
    print(f"wrote {target}")
    for what, path in (("published specs", args.problems), ("submission", args.submission)):
        if not (repo / path).exists():
            print(f"note: {repo / path} does not exist yet; the workflow expects the {what} there", flush=True)
    if not args.install:
        print(f"note: the workflow installs {install} with pip, where this grader came from; pass --install "
              f"to change it")
    return 0
