# Hostile: asks for far more memory than allowed (two ways); dot is correct.
import numpy as np


def matmul(A, B):
    return np.ones((1 << 16, 1 << 16))  # 32 GiB of float64


def l1_norm(v):
    hoard = []
    while True:
        hoard.append(bytearray(50 << 20))


def dot(u, v):
    return float(np.dot(u, v))
