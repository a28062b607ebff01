"""Progress of long steps: an estimate of the time left, in the runner's terminal line, in a
log without flooding it, and nowhere when switched off."""

import io

from analysis.progress import PROGRESS_FILE_ENV, SWITCH_ENV, latest_line, progress_bar, track
from analysis.report.runner import _ProgressWatcher


def test_progress_goes_to_the_runners_file_with_the_time_left(tmp_path, monkeypatch):
    path = tmp_path / "nb.progress"
    monkeypatch.setenv(PROGRESS_FILE_ENV, str(path))
    assert list(track(iter("abc"), 3, "topic grid", "fits")) == ["a", "b", "c"]
    line = latest_line(path.read_text(encoding="utf-8"))
    assert line.startswith("topic grid: 3/3 fits [") and "elapsed, about" in line and line.endswith("left]")
    with progress_bar(200, "LDA", "iterations") as bar:
        bar.update(50)
    assert latest_line(path.read_text(encoding="utf-8")).startswith("LDA: 50/200 iterations")


def test_progress_can_be_switched_off(tmp_path, monkeypatch, capsys):
    path = tmp_path / "nb.progress"
    monkeypatch.setenv(PROGRESS_FILE_ENV, str(path))
    monkeypatch.setenv(SWITCH_ENV, "off")
    assert list(track(range(3), 3, "grid")) == [0, 1, 2]
    assert not path.exists() and capsys.readouterr().err == ""


def test_without_a_runner_progress_goes_to_standard_error(monkeypatch, capsys):
    monkeypatch.delenv(PROGRESS_FILE_ENV, raising=False)
    monkeypatch.delenv(SWITCH_ENV, raising=False)
    list(track(range(2), 2, "seeded topic models", "fits"))
    assert "seeded topic models: 2/2 fits" in capsys.readouterr().err


def test_nested_bars_leave_no_cursor_movements(tmp_path, monkeypatch):
    path = tmp_path / "nb.progress"
    monkeypatch.setenv(PROGRESS_FILE_ENV, str(path))
    for _ in track(range(2), 2, "seeded topic models", "fits"):
        with progress_bar(10, "seeded topics, seed 1", "iterations") as bar:
            bar.update(10)
    assert "\x1b" not in path.read_text(encoding="utf-8")
    assert latest_line(path.read_text(encoding="utf-8")).startswith("seeded topic models: 2/2 fits")


def test_latest_line_is_the_last_redraw():
    assert latest_line("a: 1/3\ra: 2/3\r") == "a: 2/3"
    assert latest_line("a: 1/3\x1b[A\r") == "a: 1/3"
    assert latest_line("a: 1/3\nb: 1/2\r\n") == "b: 1/2"
    assert latest_line("") == ""


def test_the_runner_shows_progress_after_the_notebook_name_and_throttles_a_log(tmp_path):
    path = tmp_path / "nb.progress"
    stream = io.StringIO()  # not a terminal: a log, as in CI
    watcher = _ProgressWatcher(path, "[2/5] 02_topic_models.ipynb", stream=stream, every=3600)
    watcher._show()  # no file yet: nothing shown
    path.write_text("topic grid: 1/24 fits [00:05 elapsed, about 01:55 left]\r", encoding="utf-8")
    watcher._show()
    path.write_text("topic grid: 2/24 fits [00:10 elapsed, about 01:50 left]\r", encoding="utf-8")
    watcher._show()  # within `every` seconds of the last line: not repeated in a log
    watcher.stop()
    assert stream.getvalue() == ("\n    topic grid: 1/24 fits [00:05 elapsed, about 01:55 left]"
                                 "\n[2/5] 02_topic_models.ipynb ...")
