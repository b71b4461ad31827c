# Hostile: matmul writes its own message to the result pipe, ten million tiny lists that would hold the
# grading process for seconds and gigabytes to parse; dot is correct.
import fcntl
import os
import stat
import struct

import numpy as np


def _result_pipe() -> int:
    for fd in range(3, 64):
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if stat.S_ISFIFO(mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
            return fd
    raise RuntimeError("no pipe")


def matmul(A, B):
    body = b'{"t": "result", "i": 0, "status": "ok", "value": [' + b"[]," * 9_999_999 + b"[]]}"
    data = memoryview(struct.pack(">I", len(body)) + body)
    fd = _result_pipe()
    while data:
        data = data[os.write(fd, data):]
    return np.asarray(A) @ np.asarray(B)


def dot(u, v):
    return float(np.dot(u, v))


def many_numbers(n):
    return [0.5] * n  # honest, but more items than a message may hold
