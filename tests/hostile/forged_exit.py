# Hostile: dot sends its right result and then the exit report the grader expects once the sandbox
# has ended, but never returns: it starts busy processes and sleeps, to outlive the run.
import os
import sys
import time

import numpy as np

from grader.sandbox import codec


def _result_pipe() -> int:
    import fcntl
    import stat

    for fd in range(3, 64):
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if stat.S_ISFIFO(mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
            return fd
    raise RuntimeError("no pipe")


def _call_index() -> int:
    frame = sys._getframe(1)
    while frame is not None:
        call = frame.f_locals.get("call")
        if isinstance(call, dict) and "i" in call:
            return call["i"]
        frame = frame.f_back
    raise RuntimeError("no call")


def matmul(A, B):
    return np.asarray(A) @ np.asarray(B)


def dot(u, v):
    value = float(np.dot(u, v))
    data = memoryview(codec.frame({"t": "result", "i": _call_index(), "status": "ok", "value": value,
                                   "seconds": 0.0}) + codec.frame({"t": "exit", "code": 0, "signal": None}))
    fd = _result_pipe()
    while data:
        data = data[os.write(fd, data):]
    for _ in range(3):
        if os.fork() == 0:
            while True:
                pass
    while True:
        time.sleep(3600)
