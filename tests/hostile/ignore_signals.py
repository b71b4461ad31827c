# Hostile: ignores the polite signals, then never returns.
import signal

import numpy as np

for sig in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):
    signal.signal(sig, signal.SIG_IGN)


def matmul(A, B):
    while True:
        try:
            signal.alarm(0)
        except Exception:
            pass


def dot(u, v):
    return float(np.dot(u, v))
