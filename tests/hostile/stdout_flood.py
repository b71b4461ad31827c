# Hostile: floods its output at import and in a call.
import os

import numpy as np

print("x" * 5_000_000)


def matmul(A, B):
    for _ in range(200):
        print("y" * 1_000_000)
        os.write(1, b"z" * 1_000_000)
    return np.asarray(A) @ np.asarray(B)


def dot(u, v):
    return float(np.dot(u, v))
