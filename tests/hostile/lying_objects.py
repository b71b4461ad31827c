# Hostile: returns objects that claim to equal anything.
import numpy as np


class AlwaysEqual(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 12.0

    __hash__ = float.__hash__


class FakeArray:
    def __array__(self, dtype=None, copy=None):
        return np.array([[1.0, 2.0], [3.0, 4.0]])

    def __eq__(self, other):
        return True

    shape = (2, 2)


class SneakyArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


class Claims(tuple):
    """A tuple subclass made by the student (not a library result type)."""


def dot(u, v):
    return AlwaysEqual(-1.0)


def matmul(A, B):
    return FakeArray()


def inverse(M):
    return np.zeros((2, 2)).view(SneakyArray)


def symmetric_eig(M):
    return Claims((np.zeros(2), np.eye(2)))


def l1_norm(v):
    return float(np.abs(v).sum())
