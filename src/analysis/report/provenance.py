"""Provenance of a report: what made each figure, from which data, with which software.

- :func:`record_figure` leaves a small record next to each saved figure
  (``<figures_dir>/.provenance/<name>.json``: the notebook and parameters of the run, and a
  SHA-256 of each file); the notebook session passes it to ``save_figure``.
- After a run, :func:`finalize_report` takes the corpus fingerprint the index recorded and
  writes ``<figures_dir>/manifest.json`` (every figure with its notebook, parameters,
  fingerprint and package versions), the start page ``<reports_dir>/index.html`` and the KWIC
  explorer ``kwic.html`` (see :mod:`analysis.report.start_page`), and compares the run's key
  results with the last run's: ``<reports_dir>/changes.md`` says what a new document or theme
  changed.

Nothing here records a time or a machine, so the same inputs give the same files.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from ..errors import AnalysisError
from ..io.tables import atomic_write_text
from .start_page import write_start_page

PROVENANCE_DIR = ".provenance"
PACKAGES = ("agenda-analysis", "numpy", "scipy", "pandas", "scikit-learn", "gensim", "nltk", "simplemma", "matplotlib",
            "pyLDAvis", "papermill", "nbconvert")
RUN_RECORD = "run_record.json"
CHANGES = "changes.md"
N_KEY_TERMS = 10


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(Path(path).read_bytes())


def package_versions() -> dict:
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


def record_figure(name: str, paths: list[Path], figures_dir: str | Path, notebook: str, parameters: dict) -> Path:
    """The provenance record of one saved figure (the notebook session passes this to
    :func:`~analysis.plots.style.save_figure`)."""
    record = {"figure": name, "files": [{"file": p.name, "sha256": sha256_file(p)} for p in paths],
              "notebook": notebook, "parameters": json.loads(json.dumps(parameters, default=str))}
    target = Path(figures_dir) / PROVENANCE_DIR / f"{name}.json"
    return atomic_write_text(target, json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")


def figure_records(figures_dir: str | Path) -> list[dict]:
    """The records of the figures still present in ``figures_dir`` (all of their files)."""
    folder = Path(figures_dir)
    records = []
    for path in sorted((folder / PROVENANCE_DIR).glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if all((folder / f["file"]).exists() for f in record["files"]):
            records.append(record)
    return records


def write_manifest(figures_dir: str | Path, fingerprint: dict, versions: dict) -> Path:
    manifest = {"corpus": fingerprint, "packages": versions, "figures": figure_records(figures_dir)}
    return atomic_write_text(Path(figures_dir) / "manifest.json",
                             json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")


def key_results(reports_dir: str | Path) -> dict:
    """The headline results a change report compares: first year of each theme, the top
    keyness terms of each comparison of a period, and the topic labels of each model."""
    stored = Path(reports_dir) / "results"
    results: dict = {}
    if (stored / "theme_emergence.parquet").exists():
        emergence = pd.read_parquet(stored / "theme_emergence.parquet")
        results["first_year"] = {row.theme: (None if pd.isna(row.first_year) else int(row.first_year))
                                 for row in emergence.itertuples()}
    if (stored / "keyness.parquet").exists():
        keyness = pd.read_parquet(stored / "keyness.parquet")
        periods = keyness[keyness["comparison"].str.contains(r"\+ vs before", regex=True)]
        results["top_keyness_terms"] = {
            comparison: part[part["g2"] > 0].nlargest(N_KEY_TERMS, "g2")["term"].tolist()
            for comparison, part in periods.groupby("comparison")}
    if (stored / "topic_labels.parquet").exists():
        labels = pd.read_parquet(stored / "topic_labels.parquet")
        results["topics"] = {model: part["label"].tolist() for model, part in labels.groupby("model")}
    return results


def describe_changes(previous: dict | None, current: dict) -> list[str]:
    """What changed between two run records, as sentences (empty: nothing)."""
    if previous is None:
        return ["First recorded run: nothing to compare with."]
    lines = []
    old_docs, new_docs = set(previous.get("documents", [])), set(current.get("documents", []))
    if new_docs - old_docs:
        lines.append("Documents added: " + ", ".join(sorted(new_docs - old_docs)) + ".")
    if old_docs - new_docs:
        lines.append("Documents removed: " + ", ".join(sorted(old_docs - new_docs)) + ".")
    if previous["corpus"].get("codebook") != current["corpus"].get("codebook"):
        lines.append("The codebook changed.")
    if previous["corpus"].get("texts") != current["corpus"].get("texts") and not (new_docs ^ old_docs):
        lines.append("The text of at least one document changed.")
    old, new = previous.get("results", {}), current.get("results", {})
    old_years, new_years = old.get("first_year", {}), new.get("first_year", {})
    for theme in sorted(set(old_years) | set(new_years)):
        if theme not in old_years:
            lines.append(f"New theme {theme}: first found in {new_years[theme] or 'no year (never found)'}.")
        elif theme not in new_years:
            lines.append(f"Theme {theme} is no longer in the results.")
        elif old_years[theme] != new_years[theme]:
            lines.append(f"First year of {theme}: {old_years[theme]} -> {new_years[theme]}.")
    for comparison in sorted(set(old.get("top_keyness_terms", {})) | set(new.get("top_keyness_terms", {}))):
        before = old.get("top_keyness_terms", {}).get(comparison, [])
        after = new.get("top_keyness_terms", {}).get(comparison, [])
        entered, left = [t for t in after if t not in before], [t for t in before if t not in after]
        if entered or left:
            lines.append(f"Top {N_KEY_TERMS} keyness terms ({comparison}): new {', '.join(entered) or 'none'}; "
                         f"gone {', '.join(left) or 'none'}.")
    for model in sorted(set(old.get("topics", {})) | set(new.get("topics", {}))):
        # a topic is its top terms: the same topics under other numbers are no change
        before, after = ([label.split(": ", 1)[-1] for label in record.get("topics", {}).get(model, [])]
                         for record in (old, new))
        entered, left = [t for t in after if t not in before], [t for t in before if t not in after]
        if entered or left:
            lines.append(f"{model.upper()} topics: new {'; '.join(entered) or 'none'}; gone {'; '.join(left) or 'none'}.")
    return lines or ["No change in the corpus, the codebook or the key results."]


def read_run_record(reports_dir: str | Path) -> dict | None:
    """The record of the last run (None when there is none); a damaged one stops, naming it."""
    path = Path(reports_dir) / RUN_RECORD
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_bytes().decode("utf-8"))
        readable = (isinstance(record, dict) and isinstance(record.get("corpus"), dict)
                    and isinstance(record.get("documents", []), list) and isinstance(record.get("results", {}), dict))
        problem = "" if readable else "not the record of a run"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problem = str(error)
    if problem:
        raise AnalysisError(f"{path}: the record of the last run is damaged ({problem}); delete it to start "
                            "a new record (this run's changes.md then compares with nothing)")
    return record


def record_run(reports_dir: str | Path, fingerprint: dict, documents: list[str]) -> list[str]:
    """Compare this run with the last recorded one, write ``changes.md`` and the new record."""
    folder = Path(reports_dir)
    record_path = folder / RUN_RECORD
    previous = read_run_record(folder)
    current = {"corpus": fingerprint, "documents": sorted(documents), "results": key_results(folder)}
    changes = describe_changes(previous, current)
    atomic_write_text(folder / CHANGES, "# Changes since the last run\n\n" + "".join(f"- {c}\n" for c in changes))
    atomic_write_text(record_path, json.dumps(current, indent=2, sort_keys=True) + "\n")
    return changes


def stale_notebooks(reports_dir: str | Path, index_key: str) -> list[str]:
    """Sentences naming the notebooks whose stored results were made from another corpus index,
    or with parameters that contradict another notebook's (see :mod:`analysis.report.results`)."""
    from .results import NEUTRAL_PARAMETERS

    runs = {}
    for path in sorted((Path(reports_dir) / "results").glob("*.run.json")):
        try:
            runs[path.name[:-len(".run.json")]] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            runs[path.name] = {"index_key": None, "parameters": {}}
    lines = []
    for notebook, run in runs.items():
        if run.get("index_key") != index_key:
            lines.append(f"{notebook} is out of date: its results come from another corpus, codebook or token "
                         "settings; re-run it.")
            continue
        inputs_path = Path(reports_dir) / "results" / f"{notebook}.inputs.json"
        inputs = json.loads(inputs_path.read_text(encoding="utf-8")) if inputs_path.exists() else {}
        changed = [name for name, sha in sorted(inputs.items()) if _result_sha(reports_dir, name) != sha]
        if changed:
            lines.append(f"{notebook} is out of date: {', '.join(changed)} changed since it ran; re-run it.")
    names = sorted(runs)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            a, b = runs[first].get("parameters", {}), runs[second].get("parameters", {})
            for name in sorted(set(a) & set(b) - NEUTRAL_PARAMETERS):
                if a[name] != b[name]:
                    lines.append(f"{first} ran with {name}={a[name]!r} but {second} with {name}={b[name]!r}; "
                                 "re-run one of them so the report agrees with itself.")
    return lines


def _result_sha(reports_dir: str | Path, name: str) -> str | None:
    path = Path(reports_dir) / "results" / f"{name}.meta.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError):
        return None


def finalize_report(reports_dir: str | Path, figures_dir: str | Path, fingerprint: dict, index_key: str,
                    documents: list[str]) -> list[str]:
    """Manifest, change report, start page and KWIC explorer for a finished run; returns the changes."""
    versions = package_versions()
    write_manifest(figures_dir, fingerprint, versions)
    changes = record_run(reports_dir, fingerprint, documents)
    write_start_page(reports_dir, figures_dir, index_key, figure_records(figures_dir), fingerprint, versions, changes,
                     stale_notebooks(reports_dir, index_key))
    return changes
