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
written, and zips inside the zip are copied, not opened.  One student's
upload that cannot be read or cannot be a file name here is skipped and
reported; only a problem with the whole download (or the folder written to)
stops the import.  In an unpacked folder, a symbolic link is never followed
(it could point at the instructor's specs) and nothing but a regular file is
opened (a named pipe would block).
"""
from __future__ import annotations

import argparse
import errno
import os
import re
import shutil
import stat
import zipfile
import zlib
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator

CANVAS_NAME = re.compile(r"^(?P<key>[^_/\\]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$")
RESUBMITTED = re.compile(r"^(?P<stem>.+)-(?P<n>\d{1,3})(?P<suffix>\.[^.]+)$")
MAX_FILE_BYTES = 50 << 20
MAX_TOTAL_BYTES = 2 << 30
MAX_FILES = 50_000
MAX_NAME_BYTES = 255  # the longest file name ext4, APFS, NTFS and most others allow
READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
OTHER_METHODS = {9: "deflate64", 93: "zstandard", 95: "xz", 98: "ppmd"}  # names for the report
# A file name this file system refuses: that one upload is skipped.
NAME_ERRORS = (errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL)
NOT_CANVAS_NAME = "not named the way Canvas names submission files"
# What was read could be quoted back in the student's report.
SYMLINK = ("a symbolic link, which is not followed (it could point at files that are not the student's); "
           "put the file itself there")
NOT_REGULAR = "not a regular file (a pipe, socket or device), so it is not opened"
HARD_LINK = ("a hard link to a file that also has another name (it could be a file that is not the student's); "
             "put a copy of the file there")
IN_A_FOLDER = "inside a folder; Canvas puts every submission file at the top of its download"
UTF8_NAME = 0x800  # the zip flag saying a member's name is UTF-8
# Opening fails on a link and never waits on a pipe, in case either replaced a file after it was listed.
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
    | getattr(os, "O_BINARY", 0)
STAGING = ".importing"  # where an existing empty folder is filled before the files show
# Errors reading a member that is damaged or written in a way Python cannot read.
READ_ERRORS = (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, NotImplementedError, ValueError)


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
        self.members: dict[str, zipfile.ZipInfo] = {}
        if not source.is_dir():
            try:
                self.archive = zipfile.ZipFile(source)
            except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
                raise CanvasImportError(f"{source}: not a zip file Canvas wrote ({exc})") from None
            self.members = {_member_name(info): info for info in self.archive.infolist()}

    def __enter__(self) -> "_Download":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.archive is not None:
            self.archive.close()

    def files(self) -> Iterator[tuple[str, int, str | None]]:
        """(name, declared size, why it is not imported or None) of every file."""
        if self.archive is None:
            yield from _folder_files(self.source)
        else:
            for name, info in self.members.items():
                if not info.is_dir():
                    yield name, info.file_size, _unreadable(info)

    def open(self, name: str) -> BinaryIO:
        if self.archive is not None:
            return self.archive.open(self.members[name])
        return _open_regular(self.source / name)

    def single_folder(self) -> Path | None:
        """The one folder an unpacked download holds (an extra level from unzipping), if so."""
        if self.archive is not None:
            return None
        # Finder leaves .DS_Store in every folder it shows.
        entries = [path for path in self.source.iterdir() if not path.name.startswith(".")]
        if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
            return entries[0]
        return None


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its archiver meant it.  Without the UTF-8 flag Python
    reads a name as cp437, but Info-ZIP on Linux and macOS writes UTF-8 there."""
    if info.flag_bits & UTF8_NAME:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:  # truly cp437, as Windows writes it
        return info.filename


def _folder_files(source: Path) -> Iterator[tuple[str, int, str | None]]:
    """The files of an unpacked download, subfolders' too so the report can name
    them, without following any link."""
    folders = [(source, "")]
    while folders:
        folder, prefix = folders.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            if not prefix:
                raise CanvasImportError(f"{source}: cannot be read ({exc.strerror})") from None
            yield prefix, 0, f"could not be read ({exc.strerror})"
            continue
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append((Path(entry.path), name + "/"))
            elif entry.is_symlink():
                yield name, 0, SYMLINK
            elif not entry.is_file(follow_symlinks=False):
                yield name, 0, NOT_REGULAR
            else:
                yield name, entry.stat(follow_symlinks=False).st_size, IN_A_FOLDER if prefix else None


def _open_regular(path: Path) -> BinaryIO:
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError:
        if path.is_symlink():
            raise _NotAFile(SYMLINK) from None
        raise
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
        os.close(fd)
        raise _NotAFile(NOT_REGULAR if not stat.S_ISREG(status.st_mode) else HARD_LINK)
    return os.fdopen(fd, "rb")


class _NotAFile(Exception):
    """What was listed as a regular file no longer is one; the message says what it is."""


def _unreadable(info: zipfile.ZipInfo) -> str | None:
    """Why the member's header already says it cannot be unpacked here."""
    if info.flag_bits & 0x1:
        return "encrypted (the upload has a password)"
    if stat.S_ISLNK(info.external_attr >> 16):  # its data is where the link pointed, not a file
        return SYMLINK
    if info.compress_type not in READABLE_METHODS:
        method = OTHER_METHODS.get(info.compress_type, f"method {info.compress_type}")
        return f"compressed with {method}, which cannot be unpacked here (unzip it with another tool " \
               "and import the folder)"
    return None


def _too_long(parsed: CanvasFile) -> str | None:
    for what, name in (("file name", parsed.name), ("student folder name", parsed.student)):
        if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            return f"{what} longer than the {MAX_NAME_BYTES} bytes a file system allows"
    return None


def _choose(download: _Download, report: ImportReport) -> dict[tuple[str, str], CanvasFile]:
    """(student, file name) -> the upload to keep; what is left out goes in the report."""
    chosen: dict[tuple[str, str], CanvasFile] = {}
    total = 0
    named = False
    for count, (member, size, unreadable) in enumerate(download.files(), 1):
        if count > MAX_FILES:
            raise CanvasImportError(f"{download.source}: more than {MAX_FILES} files; "
                                    "is it a Canvas submissions download?")
        parsed = _canvas_file(member)
        named = named or parsed is not None
        # Skipped before choosing, so an earlier readable upload of the file is kept.
        problem = _why_skipped(parsed, size, unreadable)
        if problem:
            report.skipped.append((member, problem))
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
    if not chosen and named:
        raise _nothing_unpacked(download, report)
    if not chosen:
        raise _nothing_named(download)
    return chosen


def _canvas_file(member: str) -> CanvasFile | None:
    """The upload a member is, if it is named the way Canvas names one and safely."""
    parsed = parse_canvas_name(member) if _safe_name(member) else None
    return parsed if parsed is not None and _safe_name(parsed.name) else None


def _why_skipped(parsed: CanvasFile | None, size: int, unreadable: str | None) -> str | None:
    if unreadable:  # what the file is (a link, a pipe, encrypted) says more than its name
        return unreadable
    if parsed is None:
        return NOT_CANVAS_NAME
    if size > MAX_FILE_BYTES:
        return f"larger than {MAX_FILE_BYTES >> 20} MiB"
    return _too_long(parsed)


def _nothing_unpacked(download: _Download, report: ImportReport) -> CanvasImportError:
    member, why = [skip for skip in report.skipped if _canvas_file(skip[0]) is not None][-1]
    return CanvasImportError(f"{download.source}: no submission file could be unpacked; {member}: {why}")


def _nothing_named(download: _Download) -> CanvasImportError:
    folder = download.single_folder()
    if folder is not None:
        return CanvasImportError(f"{download.source}: holds a single folder, {folder.name}/, and no "
                                 f"submission file; pass that folder instead: grader import-canvas {folder} "
                                 "--to DIR")
    return CanvasImportError(f"{download.source}: no file is named the way Canvas names submissions "
                             "(<name>_<user id>_<attachment id>_<file>)")


def import_canvas(source: Path, target: Path) -> ImportReport:
    """Write ``target/<student>/<file>`` for every submission file in ``source``
    (Canvas's zip, or the folder it was unpacked into)."""
    source = Path(source)
    target = Path(target).resolve()  # "." and ".." have no name to put the staging folder beside
    if not source.exists():
        raise CanvasImportError(f"{source}: no such file or folder")
    if target.exists() and (not target.is_dir() or any(p.name != STAGING for p in target.iterdir())):
        raise CanvasImportError(f"{target} already exists and is not an empty folder; import into a new one")
    report = ImportReport()
    with _Download(source) as download:
        chosen = _choose(download, report)
        # An empty folder given (maybe the current one) is kept and filled, so a shell in it stays valid.
        staging = target / STAGING if target.exists() else target.with_name(target.name + STAGING)
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.mkdir(parents=True)
            for (student, name), parsed in sorted(chosen.items()):
                if _copy(download, parsed, staging / student, report):
                    report.students.setdefault(student, []).append(name)
                    if parsed.late:
                        report.late.add(student)
            if not report.students:
                raise _nothing_unpacked(download, report)
            _publish(staging, target)
        except OSError as exc:  # a full disk, a folder we may not write to: every file would fail
            raise CanvasImportError(f"{target}: cannot be written ({exc.strerror}); nothing was imported") \
                from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return report


def _copy(download: _Download, parsed: CanvasFile, folder: Path, report: ImportReport) -> bool:
    """Write one upload into the student's folder; False (and why in the report) if it cannot be."""
    path = folder / parsed.name
    try:
        data = download.open(parsed.download_name)
    except _NotAFile as exc:
        report.skipped.append((parsed.download_name, str(exc)))
        return False
    except READ_ERRORS as exc:  # a damaged member, or one written in a way Python cannot read
        report.skipped.append((parsed.download_name, f"could not be read ({exc})"))
        return False
    try:
        with data:
            folder.mkdir(exist_ok=True)
            with path.open("wb") as out:
                # The size a zip declares can lie: copy at most the cap.
                shutil.copyfileobj(_Capped(data, MAX_FILE_BYTES), out)
        return True
    except _Unreadable as exc:
        why = f"could not be read ({exc.__cause__})"
    except OSError as exc:
        if exc.errno not in NAME_ERRORS:
            raise
        why = f"cannot be a file name here ({exc.strerror})"
    with suppress(OSError):
        path.unlink(missing_ok=True)
    with suppress(OSError):
        folder.rmdir()  # only if this was the student's first file: no empty student folder
    report.skipped.append((parsed.download_name, why))
    return False


def _publish(staging: Path, target: Path) -> None:
    """Show the imported class all at once: a half-imported class is never graded."""
    if staging.parent == target:
        for student in sorted(staging.iterdir()):
            student.rename(target / student.name)
    else:
        staging.rename(target)


class _Unreadable(Exception):
    """Reading a member failed (raised from the reading error), not writing its copy."""


class _Capped:
    """A reader that stops after ``limit`` bytes."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream, self.left = stream, limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        try:
            data = self.stream.read(size)
        except READ_ERRORS as exc:
            raise _Unreadable() from exc
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
