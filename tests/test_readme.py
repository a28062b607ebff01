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
    # cybercrime: 34 mentions, one KWIC row each: 2010 "cybercrime" 1, 2016 "cyber crimes" 1,
    # 2023 15 ("cybercrime(s)" 9, "malware", "ransomware", "malicious use of" ICT/cyberspace 2,
    # "... for criminal purposes" 2), 2025 17 ("cybercrime" 6, "online child sexual abuse" 2,
    # "online child sexual exploitation", "child sexual abuse material", "hacking", "electronic
    # evidence", "evidence in electronic form", "digital forensic", "criminals used ICTs", "the
    # digital world for criminal purposes", "committed through the use of information and
    # communications technology"); "the misuse of information and communications technology
    # systems" (online radicalization, which the definition leaves out) no longer counts
    assert len(namespace["kwic"]) == 34
    assert namespace["model"].doc_topic_.shape == (153, 6)
