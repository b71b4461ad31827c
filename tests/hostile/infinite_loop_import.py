# Hostile: hangs while being imported.
import numpy as np

while True:
    pass


def dot(u, v):
    return float(np.dot(u, v))
