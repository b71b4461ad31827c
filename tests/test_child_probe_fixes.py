"""What students' notebooks do that the sandbox used to get wrong, through the real ``grader check``:
Colab's first cell, NumPy's error state set at module level, ``%%writefile`` helper modules, and the
messages on code that is not plain Python."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat

from test_notebook_kernels import FOUNDATIONS, ROOT

PYTHON_METADATA = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
RELU = "def relu(x):\n    return np.maximum(0, np.asarray(x, dtype=float))"
NAIVE_SIGMOID = "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))"


def check(tmp_path: Path, submission: Path) -> tuple[list[str], dict[str, dict]]:
    """``grader check foundations.yaml <submission> --json``: the notes (lines of output) and each part's result."""
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "grader", "check", str(FOUNDATIONS), str(submission),
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr
    results = json.loads(out.read_text())
    return results["output"].splitlines(), {test["number"]: test for test in results["tests"]}


def check_cells(tmp_path: Path, cells: list[str]) -> tuple[list[str], dict[str, dict]]:
    notebook = nbformat.v4.new_notebook(metadata=PYTHON_METADATA)
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, tmp_path / "foundations.ipynb")
    return check(tmp_path, tmp_path / "foundations.ipynb")


def check_python(tmp_path: Path, text: str) -> tuple[list[str], dict[str, dict]]:
    (tmp_path / "foundations.py").write_text(text)
    return check(tmp_path, tmp_path / "foundations.py")


def verdict(parts: dict[str, dict], label: str) -> str:
    return parts[label]["extra_data"]["verdict"]


# ------------------------------------------------------------------ Colab

def test_colabs_drive_mount_first_cell_does_not_stop_the_imports_after_it(tmp_path):
    notes, parts = check_cells(tmp_path, [
        "from google.colab import drive\ndrive.mount('/content/drive')\nimport numpy as np",
        RELU,
        "from google.colab import files\nuploaded = files.upload()\nfor name in uploaded:\n    print(name)",
    ])
    assert verdict(parts, "D2") == "correct", parts["D2"]["output"]
    said = [note for note in notes if "google.colab" in note]
    assert len(said) == 1 and "Colab's google.colab calls were skipped" in said[0], notes
    assert not [note for note in notes if "raised" in note], notes


def test_a_function_reading_from_the_mounted_drive_still_fails_on_its_own(tmp_path):
    notes, parts = check_cells(tmp_path, [
        "import google.colab.drive\ngoogle.colab.drive.mount('/content/drive')\nimport numpy as np",
        "def relu(x):\n    open('/content/drive/MyDrive/weights.txt').read()\n"
        "    return np.maximum(0, np.asarray(x, dtype=float))",
    ])
    assert verdict(parts, "D2") != "correct"
    assert "FileNotFoundError" in parts["D2"]["output"] or "No such file" in parts["D2"]["output"], \
        parts["D2"]["output"]


# ------------------------------------------------------------ NumPy's error state

def test_np_seterr_at_module_level_does_not_hide_a_naive_sigmoids_overflow(tmp_path):
    _, parts = check_cells(tmp_path, ["import numpy as np\nnp.seterr(all='ignore')", NAIVE_SIGMOID])
    _, plain = check_cells(tmp_path, ["import numpy as np", NAIVE_SIGMOID])
    assert verdict(parts, "D1") == verdict(plain, "D1") != "correct"
    assert parts["D1"]["score"] == plain["D1"]["score"] < plain["D1"]["max_score"]


def test_warnings_filterwarnings_ignore_does_not_hide_it_either(tmp_path):
    _, parts = check_cells(tmp_path, ["import warnings\nwarnings.filterwarnings('ignore')\nimport numpy as np",
                                      NAIVE_SIGMOID])
    assert verdict(parts, "D1") != "correct"


def test_np_errstate_inside_the_students_own_function_stays_their_choice(tmp_path):
    own_choice = ("def sigmoid(x):\n    with np.errstate(over='ignore'):\n"
                  "        return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))")
    _, parts = check_cells(tmp_path, ["import numpy as np\nnp.seterr(all='ignore')", own_choice])
    _, reference = check_cells(tmp_path, ["import numpy as np", own_choice])
    assert verdict(parts, "D1") == verdict(reference, "D1")


# ------------------------------------------------------------ %%writefile

def nbconvert_script(*cells: str) -> str:
    """A notebook exported by ``jupyter nbconvert --to script``: a ``%%writefile`` cell becomes
    ``get_ipython().run_cell_magic('writefile', ...)``."""
    return "#!/usr/bin/env python\n# coding: utf-8\n\n" + "".join(f"# In[{n}]:\n\n\n{cell}\n\n\n"
                                                                 for n, cell in enumerate(cells, 1))


HELPERS = "import numpy as np\ndef stable_softmax(x):\n    e = np.exp(x - np.max(x))\n    return e / e.sum()\n"
SOFTMAX = ("import numpy as np\nfrom helpers import stable_softmax\n\n"
           "def softmax(x):\n    return stable_softmax(np.asarray(x, dtype=float))")


def test_a_module_written_by_writefile_is_imported_by_a_later_cell(tmp_path):
    notes, parts = check_python(tmp_path, nbconvert_script(
        f"get_ipython().run_cell_magic('writefile', 'helpers.py', {HELPERS[:19]!r})",
        f"get_ipython().run_cell_magic('writefile', '-a helpers.py', {HELPERS[19:]!r})",
        SOFTMAX))
    assert verdict(parts, "D3") == "correct", (parts["D3"]["output"], notes)


def test_writefile_outside_the_working_folder_is_refused_with_a_note(tmp_path):
    notes, parts = check_python(tmp_path, nbconvert_script(
        "get_ipython().run_cell_magic('writefile', '../helpers.py', 'x = 1\\n')",
        "get_ipython().run_cell_magic('writefile', '/content/drive/MyDrive/helpers.py', 'x = 1\\n')",
        "import numpy as np\n" + RELU))
    refused = [note for note in notes if "%%writefile" in note and "was skipped" in note]
    assert len(refused) == 2, notes
    assert "writes files only in the folder the code runs in" in refused[0]
    assert verdict(parts, "D2") == "correct"


# ------------------------------------------------------------ messages

COLAB_EXPORT = ("# -*- coding: utf-8 -*-\n\"\"\"foundations.ipynb\n\nAutomatically generated by Colab.\n\"\"\"\n\n"
                "!pip install -q scipy\n\nimport numpy as np\n\n" + RELU + "\n")


def test_a_colab_python_file_with_shell_and_magic_lines_is_graded_as_its_notebook_with_a_note(tmp_path):
    # Colab's "Download .py" keeps `!pip install ...` as written: Python cannot read the file, and every part
    # scored 0 for one line a notebook runs outside Python.
    notes, parts = check_python(tmp_path, COLAB_EXPORT.replace("import numpy", "%matplotlib inline\nimport numpy"))
    assert verdict(parts, "D2") == "correct", parts["D2"]["output"]
    [said] = [note for note in notes if "IPython line" in note]
    assert "foundations.py holds 2 IPython lines, which are not Python" in said, said
    assert "line 7 “!pip install -q scipy” was skipped; line 9 “%matplotlib inline” was skipped" in said, said
    assert "Delete them so that the file runs with python." in said
    assert not [note for note in notes if "SyntaxError" in note], notes


def test_a_python_file_with_a_real_syntax_error_besides_its_shell_line_reports_pythons_first_error(tmp_path):
    notes, parts = check_python(tmp_path, COLAB_EXPORT + "\ndef sigmoid(x)\n    return x\n")
    [said] = [note for note in notes if "SyntaxError" in note]
    assert "“!pip install -q scipy” is a notebook shell command, not Python: delete the line" in said, said
    assert verdict(parts, "D2") != "correct"
    notes, _ = check_python(tmp_path, "import numpy as np\n%%bash\npip install scipy\n" + RELU + "\n")
    [said] = [note for note in notes if "SyntaxError" in note]
    assert "“%%bash” is an IPython magic, not Python" in said, said


def test_a_python_file_that_is_a_shell_cell_says_it_is_an_ipython_magic(tmp_path):
    notes, _ = check_python(tmp_path, "%%bash\npip install scipy\n")
    [said] = [note for note in notes if "SyntaxError" in note]
    assert "“%%bash” is an IPython magic, not Python: delete the line, or hand in the .ipynb notebook instead" \
        in said, said


def test_a_top_level_await_in_a_python_file_says_jupyter_allows_it(tmp_path):
    notes, _ = check_python(tmp_path, "import asyncio\nimport numpy as np\nawait asyncio.sleep(0)\n" + RELU + "\n")
    [said] = [note for note in notes if "SyntaxError" in note]
    assert "Jupyter allows a top-level await, but Python files do not; put the code in an async function" in said, said


def test_exit_is_reported_as_exit_not_sys_exit(tmp_path):
    notes, parts = check_cells(tmp_path, ["import numpy as np", "exit()", "quit(2)", RELU])
    assert any("code cell 2 called exit() (the cell beginning “exit()”)" in note for note in notes), notes
    assert any("code cell 3 called quit(2)" in note for note in notes), notes
    assert not any("sys.exit" in note for note in notes), notes
    assert verdict(parts, "D2") == "correct"


def test_sixty_scratch_cells_that_raise_get_ten_notes_and_a_count(tmp_path):
    scratch = [f"scratch_{n} = undefined_{n} + 1" for n in range(60)]
    notes, parts = check_cells(tmp_path, ["import numpy as np", *scratch, RELU])
    raised = [note for note in notes if " raised NameError" in note]
    assert len(raised) == 10, notes
    assert "code cell 2 raised NameError" in raised[0]
    assert any("foundations.ipynb: and 50 more code cells raised or were stopped (code cells 12 to 61, not noted "
               "one by one)" in note for note in notes), notes
    assert verdict(parts, "D2") == "correct"


def test_a_missing_module_of_the_students_own_says_to_put_its_code_in_the_notebook(tmp_path):
    notes, _ = check_cells(tmp_path, ["import numpy as np\nfrom utils import *", RELU])
    [said] = [note for note in notes if "ModuleNotFoundError" in note]
    assert "No module named 'utils': utils is not a library installed where submissions are graded. The grader " \
           "runs each file handed in on its own, so one file cannot import another" in said, said
    assert "if utils.py is a file of your own, put the code it holds in this file itself" in said


def test_a_class_of_the_students_own_named_valueerror_does_not_pass_a_case_that_must_raise_valueerror(tmp_path):
    # `except ValueError` in a caller would not catch it: the case asks for Python's ValueError.
    own = ("import numpy as np\n\nclass ValueError(Exception):\n    pass\n\n"
           "def inverse(A):\n    A = np.asarray(A, dtype=float)\n    if abs(np.linalg.det(A)) < 1e-12:\n"
           "        raise ValueError('singular')\n    return np.linalg.inv(A)\n")
    _, parts = check_python(tmp_path, own)
    said = parts["A6"]["output"]
    assert "✗ singular 2×2: Expected ValueError to be raised, but got ValueError (a class of your own, not " \
           "Python's ValueError): singular" in said, said
    subclass = own.replace("class ValueError(Exception)", "class SingularError(ValueError)").replace(
        "raise ValueError", "raise SingularError")
    _, parts = check_python(tmp_path, subclass)
    assert verdict(parts, "A6") == "correct", parts["A6"]["output"]
