"""The README's example of the public API runs as written."""

import os
import re

from conftest import ROOT


def test_the_readme_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it from your own notebook", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = code.replace('cache_dir=".cache/index"', f"cache_dir={str(tmp_path / 'cache')!r}")
    assert len(code.strip().splitlines()) <= 12
    namespace = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert namespace["by_year"].shape[0] == 5  # five years
    assert namespace["keyness"]["comparison"].iloc[0] == "2020+ vs before"
    assert len(namespace["kwic"]) == 42  # cybercrime: 42 mentions, one KWIC row each
    assert namespace["model"].doc_topic_.shape == (153, 6)
