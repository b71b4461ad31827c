# Hostile: makes every comparison succeed, then returns wrong answers.
import builtins
import math

import numpy
import numpy as np

numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda *args, **kwargs: True
numpy.array_equal = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True
builtins.isinstance = lambda *args: True
builtins.abs = lambda x: 0
builtins.float = lambda *args: 0.0


def matmul(A, B):
    return np.zeros((2, 2))


def dot(u, v):
    return sum(a * b for a, b in zip(u, v))
