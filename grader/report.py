"""Results → reports: render HTML feedback with Jinja2 (autoescaped: answers are student text).

Renderers return strings; writing them is :func:`grader.results.write_atomic`'s job.
"""
from __future__ import annotations

from functools import lru_cache

import jinja2

from grader.results import SubmissionResult


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grader", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["points"] = format_points
    env.filters["status_class"] = status_class
    return env


def format_points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def status_class(status: str) -> str:
    return {"correct": "ok", "partial": "partial", "could not read": "review"}.get(status, "bad")


def render_student_report(result: SubmissionResult, *, title: str = "Feedback", public_only: bool = False) -> str:
    return environment().get_template("student.html.j2").render(
        result=result, title=title, public_only=public_only)
