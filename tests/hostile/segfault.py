# Hostile: dereferences a null pointer through ctypes.
import ctypes

import numpy as np


def matmul(A, B):
    return ctypes.string_at(0xDEAD00000000, 16)  # an unmapped address


def dot(u, v):
    return float(np.dot(u, v))
