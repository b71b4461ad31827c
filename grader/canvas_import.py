"""``grader import-canvas``: turn Canvas's "Download Submissions" zip into
the submissions folder ``grader grade`` reads, one folder per student.

Canvas puts every file of every student in one flat zip and renames each
``<name key>[_LATE]_<user id>_<attachment id>_<file name>``; a file the
student uploaded again gets ``-1``, ``-2``, ... before its extension.  Here
each student gets the folder ``<name key>_<user id>`` (readable, unique, and
matched to the Canvas roster on its ID) holding the files under the names the
student gave them.  Of two uploads of one file, the later (higher attachment
id) is kept.

The zip is student-controlled data: member paths are never used as paths
(only their last component, checked), sizes are capped before anything is
written, and zips inside the zip are copied, not opened.
"""
from __future__ import annotations

import argparse
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator

CANVAS_NAME = re.compile(r"^(?P<key>[^_/\\]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$")
RESUBMITTED = re.compile(r"^(?P<stem>.+)-(?P<n>\d{1,3})(?P<suffix>\.[^.]+)$")
MAX_FILE_BYTES = 50 << 20
MAX_TOTAL_BYTES = 2 << 30
MAX_FILES = 50_000


class CanvasImportError(Exception):
    """A download that cannot be imported; the message names it and why."""


@dataclass(frozen=True)
class CanvasFile:
    download_name: str  # as Canvas named it
    student: str  # <name key>_<user id>
    name: str  # as the student named it
    attachment: int
    late: bool


@dataclass
class ImportReport:
    students: dict[str, list[str]] = field(default_factory=dict)  # student -> file names written
    late: set[str] = field(default_factory=set)
    superseded: list[str] = field(default_factory=list)  # download names replaced by a later upload
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (download name, why)


def parse_canvas_name(download_name: str) -> CanvasFile | None:
    """The student and original file name in one of Canvas's download names."""
    match = CANVAS_NAME.match(download_name)
    if match is None:
        return None
    name = match["file"]
    resubmitted = RESUBMITTED.match(name)
    if resubmitted:
        name = resubmitted["stem"] + resubmitted["suffix"]
    return CanvasFile(download_name, f"{match['key']}_{match['user']}", name, int(match["attachment"]),
                      bool(match["late"]))


def _safe_name(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and "\\" not in name and "\0" not in name \
        and not name.startswith(".")


class _Download:
    """The files of Canvas's zip, or of the folder it was unpacked into."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.archive: zipfile.ZipFile | None = None
        if not source.is_dir():
            try:
                self.archive = zipfile.ZipFile(source)
            except (zipfile.BadZipFile, OSError) as exc:
                raise CanvasImportError(f"{source}: not a zip file Canvas wrote ({exc})") from None

    def __enter__(self) -> "_Download":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.archive is not None:
            self.archive.close()

    def files(self) -> Iterator[tuple[str, int]]:
        """(name, declared size) of every file."""
        if self.archive is None:
            for path in sorted(self.source.iterdir()):
                if path.is_file():
                    yield path.name, path.stat().st_size
        else:
            for info in self.archive.infolist():
                if not info.is_dir():
                    yield info.filename, info.file_size

    def open(self, name: str) -> BinaryIO:
        return self.archive.open(name) if self.archive is not None else (self.source / name).open("rb")


def _choose(download: _Download, report: ImportReport) -> dict[tuple[str, str], CanvasFile]:
    """(student, file name) -> the upload to keep; what is left out goes in the report."""
    chosen: dict[tuple[str, str], CanvasFile] = {}
    total = 0
    for count, (member, size) in enumerate(download.files(), 1):
        if count > MAX_FILES:
            raise CanvasImportError(f"{download.source}: more than {MAX_FILES} files; "
                                    "is it a Canvas submissions download?")
        parsed = parse_canvas_name(member) if _safe_name(member) else None
        if parsed is None or not _safe_name(parsed.name):
            report.skipped.append((member, "not named the way Canvas names submission files"))
            continue
        if size > MAX_FILE_BYTES:
            report.skipped.append((member, f"larger than {MAX_FILE_BYTES >> 20} MiB"))
            continue
        total += size
        if total > MAX_TOTAL_BYTES:
            raise CanvasImportError(f"{download.source}: over {MAX_TOTAL_BYTES >> 30} GiB of files; "
                                    "is it the right download?")
        key = (parsed.student, parsed.name)
        earlier = chosen.get(key)
        if earlier is not None and earlier.attachment > parsed.attachment:
            report.superseded.append(parsed.download_name)
            continue
        if earlier is not None:
            report.superseded.append(earlier.download_name)
        chosen[key] = parsed
    if not chosen:
        raise CanvasImportError(f"{download.source}: no file is named the way Canvas names submissions "
                                "(<name>_<user id>_<attachment id>_<file>)")
    return chosen


def import_canvas(source: Path, target: Path) -> ImportReport:
    """Write ``target/<student>/<file>`` for every submission file in ``source``
    (Canvas's zip, or the folder it was unpacked into)."""
    source, target = Path(source), Path(target)
    if not source.exists():
        raise CanvasImportError(f"{source}: no such file or folder")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CanvasImportError(f"{target} already exists and is not an empty folder; import into a new one")
    report = ImportReport()
    with _Download(source) as download:
        chosen = _choose(download, report)
        staging = target.with_name(target.name + ".importing")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            for (student, name), parsed in sorted(chosen.items()):
                folder = staging / student
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    with download.open(parsed.download_name) as data, (folder / name).open("wb") as out:
                        # The size a zip declares can lie: copy at most the cap.
                        shutil.copyfileobj(_Capped(data, MAX_FILE_BYTES), out)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                    (folder / name).unlink(missing_ok=True)
                    report.skipped.append((parsed.download_name, f"could not be read ({exc})"))
                    continue
                report.students.setdefault(student, []).append(name)
                if parsed.late:
                    report.late.add(student)
            if target.exists():
                target.rmdir()
            staging.rename(target)  # all or nothing: a half-imported class is never graded
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return report


class _Capped:
    """A reader that stops after ``limit`` bytes."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream, self.left = stream, limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.read(size)
        self.left -= len(data)
        return data


# ---------------------------------------------------------------------------
def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import-canvas", help="unpack Canvas's submissions download into one folder per student",
        description="Turn the zip Canvas gives under Assignment > Download Submissions into the folder "
                    "`grader grade --submissions` reads: one folder per student, files under the names "
                    "the student gave them.")
    parser.add_argument("source", metavar="ZIP|DIR", help="submissions.zip from Canvas, or the folder it unpacked into")
    parser.add_argument("--to", required=True, metavar="DIR", help="the new submissions folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grader.cli import UsageError

    try:
        report = import_canvas(Path(args.source), Path(args.to))
    except CanvasImportError as exc:
        raise UsageError(str(exc)) from None
    files = sum(len(names) for names in report.students.values())
    print(f"imported {files} file(s) of {len(report.students)} student(s) into {args.to}/")
    if report.late:
        print(f"late (Canvas marked them LATE): {', '.join(sorted(report.late))}")
    if report.superseded:
        print(f"{len(report.superseded)} earlier upload(s) replaced by a later one: "
              f"{', '.join(report.superseded[:5])}{' …' if len(report.superseded) > 5 else ''}")
    for member, why in report.skipped[:20]:
        print(f"skipped {member}: {why}")
    if len(report.skipped) > 20:
        print(f"… and {len(report.skipped) - 20} more skipped")
    return 0
