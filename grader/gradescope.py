"""``grader gradescope``: package the problem specs as a Gradescope autograder.

Gradescope takes a zip with ``setup.sh`` (run once, when it builds the
image) and ``run_autograder`` (run for every submission, which must leave
``/autograder/results/results.json``).  The package holds the instructor's
full specs (Gradescope keeps the zip private to the course staff): setup
installs the grader and validates them, and each submission is graded as a
class of one, hidden cases included, in the sandbox, so the results.json is
the very file ``grader grade`` writes.
"""
from __future__ import annotations

import argparse
import io
import math
import shlex
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from grader.ci import checked_install, default_install, fill_template
from grader.results import write_atomic

# Fixed timestamps: the same specs give a byte-identical package.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
# Seconds one submission may take on Gradescope: two minutes under its default timeout
# of ten, for starting the grader and writing the results (on half a CPU by default).
TIME_LIMIT = 480.0
# When a student sees the results: Gradescope's own values of "visibility".
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
# Where Gradescope unpacks the zip (setup.sh runs there too).
SOURCE = "/autograder/source"


def _entry(archive: zipfile.ZipFile, name: str, data: bytes, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build_package(spec_files: list[Path], install: str, time_limit: float = TIME_LIMIT,
                  visibility: str = "visible", wheel: Path | None = None) -> bytes:
    """The autograder zip: the two scripts, ``problems/<spec file>`` for each spec, and the
    grader's ``wheel`` when pip installs it from the zip (``install`` is then ignored)."""
    if wheel is not None:
        install = f"{SOURCE}/{wheel.name}"
    templates = resources.files("grader").joinpath("templates/gradescope")
    values = {"INSTALL": shlex.quote(install), "TIME_LIMIT": f"{time_limit:.15g}",
              "VISIBILITY": shlex.quote(visibility)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for script in ("setup.sh", "run_autograder"):
            text = fill_template(templates.joinpath(script).read_text(encoding="utf-8"), values)
            _entry(archive, script, text.encode(), executable=True)
        for path in sorted(spec_files, key=lambda p: p.name):
            _entry(archive, f"problems/{path.name}", path.read_bytes())
        if wheel is not None:
            _entry(archive, wheel.name, wheel.read_bytes())
    return out.getvalue()


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "gradescope", help="package the specs as a Gradescope autograder (autograder.zip)",
        description="Write the zip Gradescope's programming assignments take: setup.sh installs the grader and "
                    "validates the specs, run_autograder grades each submission (hidden cases included) and "
                    "leaves the results.json `grader grade` writes.")
    parser.add_argument("problems", nargs="*", default=["problems"], metavar="PROBLEMS")
    parser.add_argument("--out", default="autograder.zip", metavar="ZIP", help="(default: autograder.zip)")
    parser.add_argument("--install", metavar="REQUIREMENT",
                        help="what pip installs on Gradescope, e.g. 'grader @ git+https://…/grader@v1', or a wheel "
                             "file (dist/grader-1.0-py3-none-any.whl), which goes into the zip (default: where this "
                             "grader was installed from, when that is a VCS or download URL)")
    parser.add_argument("--time-limit", type=seconds, default=TIME_LIMIT, metavar="SECONDS",
                        help=f"how long one submission may take before the grader stops it and says so (default: "
                             f"{TIME_LIMIT:g}); keep it under the assignment's autograder timeout on Gradescope "
                             "(10 minutes unless set otherwise), which gives a submission still running 0 points "
                             "and no results")
    parser.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                        help="when students see their results on Gradescope: at once (visible, the default), "
                             "after the due date, after the grades are published, or never (hidden)")
    parser.set_defaults(func=run)


def seconds(text: str) -> float:
    """A ``--time-limit``: seconds, a finite number more than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds more than 0, got '{text}'")
    return value


def run(args: argparse.Namespace) -> int:
    from grader.cli import UsageError, load_references, refuse_published

    refs = load_references(args.problems)  # a broken spec stops here, named, not on Gradescope
    refuse_published(refs, "package the instructor's spec, so that hidden cases run on Gradescope")
    names = [Path(r.problem_set.path).name for r in refs]
    clash = next((n for n in names if names.count(n) > 1), None)
    if clash:
        raise UsageError(f"two specs are named {clash}; the package keeps one folder of specs, so rename one")
    wheel = local_wheel(args.install) if args.install else None
    install = wheel.name if wheel else checked_install(args.install, "Gradescope", "setup.sh") if args.install \
        else default_install()
    if not install:
        raise UsageError("say where Gradescope installs the grader from with --install, e.g. --install "
                         "'grader @ git+https://github.com/COURSE/grader@v1', or a wheel built from it, which goes "
                         "into the zip (--install dist/grader-1.0-py3-none-any.whl): this copy was installed from a "
                         "local folder, and the name 'grader' alone on PyPI is a different project")
    out = Path(args.out)
    specs = [Path(r.problem_set.path) for r in refs]
    write_atomic(out, build_package(specs, install, args.time_limit, args.visibility, wheel))
    where = f"{install}, which is in the zip," if wheel else install
    print(f"wrote {out}: {len(refs)} problem set(s); pip installs {where} on Gradescope")
    print(f"a submission still grading after {args.time_limit:g} s is stopped and told so; keep Gradescope's "
          "autograder timeout above that (10 minutes unless set otherwise)")
    if args.visibility != "visible":
        print(f"students see their results {SEEN[args.visibility]}")
    print("upload it under Configure Autograder with an Ubuntu 24.04 base image")
    return 0


SEEN = {"after_due_date": "after the due date", "after_published": "once you publish the grades",
        "hidden": "never (only the course staff do)"}


def local_wheel(install: str) -> Path | None:
    """The wheel file ``--install`` names on this machine, which goes into the zip (the usual way to
    install a grader kept in a private repository); None when it is a requirement or URL, which pip
    gets on Gradescope.  Any other path is refused: Gradescope's machine does not have it."""
    from grader.cli import UsageError

    path = Path(install)
    looks_like_a_path = install.startswith(".") or "/" in install or "\\" in install or install.endswith(".whl")
    if "://" in install or "\n" in install or "\r" in install or not looks_like_a_path:
        return None  # pip gets it on Gradescope (checked_install refuses one on two lines)
    if not (path.is_file() and path.name.endswith(".whl")):
        what = (f"{install} is a {'folder' if path.is_dir() else 'file'} on this machine, which Gradescope's does "
                "not have" if path.exists() else f"{install}: there is no such file")
        raise UsageError(f"--install {what}. Give a wheel of the grader (built with pip wheel --no-deps "
                         "GRADER-FOLDER -w dist), e.g. --install dist/grader-1.0-py3-none-any.whl: it goes into the "
                         "zip, and setup.sh installs it from there")
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        parse_wheel_filename(path.name)
    except InvalidWheelFilename:
        raise UsageError(f"--install {install}: pip reads a wheel's name, version and platform from its file name "
                         "(grader-1.0-py3-none-any.whl), which this one does not have; give the file under the "
                         "name it was built with") from None
    return path
