"""Run untrusted student code: a warm zygote forks one locked-down child per
submission; the trusted parent sends inputs, reads plain JSON back, and
decodes it into trusted values.  See docs/sandbox.md."""
from .pool import SandboxUnavailable, WorkerPool, run_fresh
from .records import Call, CallOutcome, SubmissionRun

__all__ = ["WorkerPool", "run_fresh", "Call", "CallOutcome", "SubmissionRun", "SandboxUnavailable"]
