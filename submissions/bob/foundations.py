"""Bob followed the tutorial closely (its mistakes included) and ran out of time for the rest."""
import numpy as np


def matmul(A, B):
    return np.multiply(A, B)  # the tutorial calls this matrix multiplication


def relu(x):
    return max(0, x)


def softmax(x):
    exp_x = np.exp(x)
    return exp_x / np.sum(exp_x)


def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def trapezoid(y, x):
    return np.trapz(y, x)


def variance(values):
    return np.var(values, ddof=1)


def correlation(x, y):
    return np.corrcoef(x, y)
