# Hostile: recursion deep enough to overflow the C stack.
import sys

import numpy as np


def matmul(A, B):
    sys.setrecursionlimit(10**8)

    def down(n):
        return down(n + 1) + 1

    return down(0)


def l1_norm(v):
    def down(n):
        return down(n + 1) + 1

    return down(0)  # ordinary RecursionError


def dot(u, v):
    return float(np.dot(u, v))
