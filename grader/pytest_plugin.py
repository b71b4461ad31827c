"""pytest plugin: inert unless ``--grader`` is given (see README)."""


def pytest_addoption(parser):
    group = parser.getgroup("grader")
    group.addoption("--grader", action="store", default=None, metavar="PROBLEMS",
                    help="grade a submission against these problem specs")
