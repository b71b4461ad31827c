# Hostile: kills its own process inside matmul; dot is correct.
import os

import numpy as np


def matmul(A, B):
    os._exit(3)


def dot(u, v):
    return float(np.dot(u, v))
