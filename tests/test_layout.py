"""The package's layout shows the pipeline: no module imports from a sub-package above its own."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis"
# From the text to the report; a module may import from its own level or a lower one.
LEVELS = {"errors": 0, "checks": 1, "_parallel": 1, "progress": 1, "text": 2, "io": 3, "index": 4, "stats": 5, "models": 6,
          "synthesis": 7, "plots": 7, "report": 8}


def imported_parts(path: Path) -> set[str]:
    """The first name below ``analysis`` of every project module ``path`` imports."""
    relative = path.relative_to(PACKAGE).parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(relative[:-1])[:len(relative) - node.level]
            target = base + (node.module.split(".") if node.module else [])
            if not target:  # "from .. import x": the names are modules
                found.update(alias.name for alias in node.names)
            else:
                found.add(target[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis."):
            found.add(node.module.split(".")[1])
    return found


def test_no_module_imports_from_a_level_above_its_own():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        own = parts[0] if len(parts) > 1 else path.stem
        if own in ("__init__", "__main__"):
            continue
        for target in imported_parts(path):
            if target in LEVELS and LEVELS[target] > LEVELS[own]:
                offences.append(f"{path.relative_to(PACKAGE)} imports from {target}")
            if target in LEVELS and LEVELS[target] == LEVELS[own] and target != own:
                offences.append(f"{path.relative_to(PACKAGE)} imports from its sibling level {target}")
    assert not offences, offences


def test_every_sub_package_has_a_level():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert packages | modules == set(LEVELS)
