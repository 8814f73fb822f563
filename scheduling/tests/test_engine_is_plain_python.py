"""The engine is plain Python: the simulator, the benchmark and unit tests run it without Django."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"
ALLOWED_THIRD_PARTY = {"ortools"}
FORBIDDEN = {"django", "rest_framework", "celery", "restaurant", "floor", "staff", "vision", "simulator"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_engine_module_imports_django_or_another_app():
    modules = sorted(ENGINE.glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        assert not imported_roots(module) & FORBIDDEN, module.name
