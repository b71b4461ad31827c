# Hostile: tries to read the problem specs, the parent's memory and
# environment, and other processes' data.  Each function returns what it
# managed to read (the test expects each to fail).
import glob
import os


def read_file(path):
    with open(path, "rb") as handle:
        return handle.read(200).decode("latin-1")


def list_dir(path):
    return sorted(os.listdir(path))


def glob_specs(pattern):
    return glob.glob(pattern)


def parent_environ():
    return read_file(f"/proc/{os.getppid()}/environ")


def parent_memory():
    with open(f"/proc/{os.getppid()}/mem", "rb") as handle:
        return handle.read(16).hex()


def own_environment():
    return dict(os.environ)


def dot(u, v):
    return float(sum(a * b for a, b in zip(u, v)))
