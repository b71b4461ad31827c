# Hostile: leaves a daemon behind (double fork + setsid) that would outlive
# the run and keep writing; dot is correct.
import os
import time

import numpy as np


def matmul(A, B):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                try:
                    with open("escaped.txt", "a") as handle:
                        handle.write("still here\n")
                except OSError:
                    pass
                time.sleep(0.05)
        os._exit(0)
    return np.asarray(A) @ np.asarray(B)


def dot(u, v):
    return float(np.dot(u, v))
