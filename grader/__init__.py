"""grader: grades code, notebooks and written maths against YAML problem specs."""

__version__ = "0.1.0"
