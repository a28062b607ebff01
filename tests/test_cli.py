import json
import subprocess
import sys

import nbformat
import pytest

from conftest import DATA, NOTEBOOKS, ROOT, THEMES


def cli(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_validate_default_corpus():
    result = cli("validate")
    assert result.returncode == 0, result.stderr
    assert "5 documents, 2010-2025" in result.stdout
    assert "12 themes (3 focus" in result.stdout


def test_validate_bad_corpus_names_the_row_without_traceback(tmp_path):
    (tmp_path / "metadata.csv").write_text("doc_id,year,file\na,2001,../outside.txt\n", encoding="utf-8")
    result = cli("validate", "--corpus", str(tmp_path), "--codebook", str(THEMES))
    assert result.returncode == 1
    assert "row 1 (doc_id 'a'): file '../outside.txt' lies outside the corpus folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_parameter_is_an_error():
    result = cli("run", str(NOTEBOOKS / "00_corpus_overview.ipynb"), "-p", "sead", "1")
    assert result.returncode == 1
    assert "unknown parameter 'sead'" in result.stderr and "seed" in result.stderr
    result = cli("report", "--params", str(ROOT / "tests" / "missing.yml"))
    assert result.returncode == 1 and "no such file" in result.stderr


PARAMETERS_CELL = (f'corpus = {str(DATA)!r}\ncodebook = {str(THEMES)!r}\nreports_dir = "{{reports}}"\nfigures_dir = "f"\n'
                   'cache_dir = "cache"\nseed = 1')


def failing_notebook(folder):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS_CELL.format(reports="reports"))
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('no topics')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "broken.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.notebooks
def test_failing_notebook_names_notebook_and_cell(tmp_path):
    path = failing_notebook(tmp_path)
    result = cli("run", str(path), "-p", "reports_dir", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"{path}: cell 3 raised ValueError: no topics" in result.stderr
    assert "(In [4])" in result.stderr  # the executed copy also ran the injected parameters cell
    assert (tmp_path / "out" / "broken.failed.ipynb").exists()
    assert not (tmp_path / "out" / "broken.ipynb").exists(), "a failed run must not leave a finished-looking output"


def test_parameters_recorded_relative_to_the_notebook():
    from analysis.report.runner import _for_notebook

    assert _for_notebook("corpus", str(DATA), NOTEBOOKS) == "../data"
    assert _for_notebook("seed", 3, NOTEBOOKS) == 3
    assert _for_notebook("reports_dir", "/tmp/elsewhere", NOTEBOOKS) == "/tmp/elsewhere"


def test_parameter_values_are_read_as_yaml():
    from analysis.report.runner import parse_value

    assert parse_value("5") == 5 and parse_value("true") is True and parse_value("[a, b]") == ["a", "b"]
    assert json.dumps(parse_value("../data")) == '"../data"'


@pytest.mark.notebooks
def test_notebooks_run_in_this_interpreter(tmp_path):
    import os

    from analysis.report.runner import run_notebooks

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS_CELL.format(reports="r"))
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        f"import sys\nopen({str(tmp_path / 'python.txt')!r}, 'w').write(sys.executable)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "which.ipynb"
    nbformat.write(nb, path)
    run_notebooks([path], {"reports_dir": str(tmp_path / "out"), "figures_dir": str(tmp_path / "figures"),
                           "cache_dir": str(tmp_path / "cache")}, log=lambda *_: None)
    assert os.path.realpath((tmp_path / "python.txt").read_text()) == os.path.realpath(sys.executable)
    assert (tmp_path / "out" / "index.html").exists()  # the runner finishes every run with its provenance


def test_a_kernel_of_another_python_is_refused(tmp_path):
    import json
    import os

    kernel = tmp_path / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps(
        {"argv": ["/opt/other/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "Other", "language": "python"}))
    result = cli("run", str(NOTEBOOKS / "00_corpus_overview.ipynb"), env={**os.environ, "JUPYTER_PATH": str(tmp_path)})
    assert result.returncode == 1
    assert "runs /opt/other/bin/python3, not this Python" in result.stderr


def test_a_report_wide_parameter_file_serves_one_notebook(tmp_path):
    """Running one notebook with params/ungd.yml: values only other notebooks declare are left
    out, a value no notebook declares still reaches the runner (which refuses it)."""
    from analysis.report.cli import _overrides, build_parser

    params = tmp_path / "p.yml"
    params.write_text("seed: 3\nn_seeds: 2\nterms: [a]\nn_sedes: 2\n", encoding="utf-8")
    args = build_parser().parse_args(["run", str(NOTEBOOKS / "00_corpus_overview.ipynb"), "--params", str(params)])
    assert _overrides(args) == {"seed": 3, "n_sedes": 2}
    args = build_parser().parse_args(["run", str(NOTEBOOKS / "02_topic_models.ipynb"), "--params", str(params)])
    assert _overrides(args) == {"seed": 3, "n_seeds": 2, "n_sedes": 2}
