# Hostile: matmul never returns; dot is correct.
import numpy as np


def matmul(A, B):
    while True:
        pass


def dot(u, v):
    return float(np.dot(u, v))
