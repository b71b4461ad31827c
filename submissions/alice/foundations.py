"""Alice's foundations homework."""
import math

import numpy as np
from scipy import stats


def matmul(A, B):
    A = np.array(A, dtype=float)
    B = np.array(B, dtype=float)
    if A.shape[1] != B.shape[0]:
        raise ValueError("shapes do not align")
    out = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            out[i, j] = sum(A[i, k] * B[k, j] for k in range(A.shape[1]))
    return out


def dot(u, v):
    return float(sum(a * b for a, b in zip(u, v)))


def l1_norm(v):
    return float(np.abs(v).sum())


def l2_norm(v):
    return float(np.linalg.norm(v))


def frobenius_norm(M):
    return float(np.linalg.norm(np.asarray(M, dtype=float), "fro"))


def inverse(M):
    M = np.asarray(M, dtype=float)
    if abs(np.linalg.det(M)) < 1e-12:
        raise ValueError("singular matrix")
    return np.linalg.inv(M)


def determinant(M):
    return np.linalg.det(M)


def symmetric_eig(M):
    w, V = np.linalg.eigh(np.asarray(M, dtype=float))
    return w, -V  # signs are arbitrary


def tensor_shape_rank(T):
    a = np.asarray(T)
    return a.shape, len(a.shape)


def numerical_derivative(y, x):
    return np.gradient(y, x)


def product_rule_derivative(x):
    x = np.asarray(x, dtype=float)
    return 2 * x * np.sin(x) + x**2 * np.cos(x)


def chain_rule_derivative(x):
    x = np.asarray(x, dtype=float)
    return np.cos(x**6) * 6 * x**5


def gradient_descent(x0, learning_rate, iterations):
    x = x0
    for _ in range(iterations):
        x = x - learning_rate * (2 * x - 2)
    return x


def trapezoid(y, x):
    return float(np.trapezoid(y, x))


def mean(values):
    return sum(values) / len(values)


def variance(values):
    values = np.asarray(values, dtype=float)
    return float(((values - values.mean()) ** 2).mean())


def covariance_matrix(x, y):
    return np.cov(x, y)


def correlation(x, y):
    return stats.pearsonr(x, y)[0]


def t_test(sample1, sample2):
    t, p = stats.ttest_ind(sample1, sample2)
    return float(t), float(p)


def posterior(prior, likelihood, false_positive_rate):
    evidence = prior * likelihood + (1 - prior) * false_positive_rate
    return prior * likelihood / evidence


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1 / (1 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    out[~positive] = e / (1 + e)
    return out


def relu(x):
    return np.maximum(0, x)


def softmax(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max())
    return e / e.sum()


def normalize(M):
    M = np.asarray(M, dtype=float)
    norm = math.sqrt((M**2).sum())
    if norm == 0:
        raise ValueError("zero matrix")
    return M / norm


def minimize_quadratic(x0):
    from scipy.optimize import minimize

    return minimize(lambda v: (v**2).sum(), np.asarray(x0, dtype=float), tol=1e-12).x
