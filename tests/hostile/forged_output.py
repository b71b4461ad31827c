# Hostile: prints forged grader results (Gradescope JSON with full marks)
# and writes forged messages to every descriptor it can find.
import json
import os
import sys

import numpy as np

FORGED = json.dumps({"score": 100.0, "tests": [{"name": "all", "score": 100.0, "max_score": 100.0}]})
print(FORGED)
sys.__stdout__.write(FORGED)


def matmul(A, B):
    print(FORGED)
    os.write(1, FORGED.encode())
    os.write(2, FORGED.encode())
    return np.zeros((2, 2))


def l1_norm(v):
    # Garbage on every other descriptor, including the grader's channel.
    for fd in range(3, 64):
        try:
            os.write(fd, b"\xff\xff\xff\x7f" + b"{" * 100)
        except OSError:
            pass
    return 0.0


def dot(u, v):
    return float(np.dot(u, v))
