"""The dependency rule of DESIGN.md, enforced by the import-linter contracts in pyproject.toml.

A forbidden module that does not exist yet (an app with no tasks.py so far) cannot be imported either,
so it is dropped before the run, and so is a source module not written yet (an app with no engine so
far): import-linter refuses contracts naming missing modules. Layers not written yet are marked optional
in the contract itself (in parentheses), which import-linter understands."""

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '"' + str(value).replace('"', '\\"') + '"'


def test_import_contracts_hold(tmp_path):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ["[tool.importlinter]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in config.items() if key != "contracts"]
    for contract in config["contracts"]:
        contract = dict(contract)
        if "forbidden_modules" in contract:
            contract["forbidden_modules"] = [m for m in contract["forbidden_modules"] if _exists(m)]
            if not contract["forbidden_modules"]:
                continue
        if "source_modules" in contract:
            contract["source_modules"] = [m for m in contract["source_modules"] if _exists(m)]
            if not contract["source_modules"]:
                continue
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in contract.items()]
    config_file = tmp_path / "importlinter.toml"
    config_file.write_text("\n".join(lines) + "\n")

    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(config_file)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
