# Hostile: tries to write files outside its scratch directory; the path
# to attack is given as an argument.  Writing in its own directory is fine.
import os


def write_file(path):
    with open(path, "w") as handle:
        handle.write("pwned")
    return "written"


def make_dir(path):
    os.mkdir(path)
    return "made"


def symlink_out(target):
    os.symlink(target, "link")
    with open("link", "w") as handle:
        handle.write("pwned")
    return "written"


def write_here(name):
    with open(name, "w") as handle:
        handle.write("fine")
    return os.path.exists(name)


def dot(u, v):
    return float(sum(a * b for a, b in zip(u, v)))
