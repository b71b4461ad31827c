# Hostile: kills its own process while being imported.
import os

os._exit(0)


def dot(u, v):
    return 0.0
