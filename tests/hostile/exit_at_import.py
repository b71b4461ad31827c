# Hostile: stops the interpreter while being imported.
import sys

print('{"score": 100, "tests": []}')
sys.exit(0)


def dot(u, v):
    return 0.0
