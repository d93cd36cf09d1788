"""environment.yml (conda / Binder) must install what pyproject.toml asks for, the conda way."""

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAME = {"torch": "pytorch-cpu"}  # conda-forge's CPU-only PyTorch


def split(requirement: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", requirement.strip())
    assert match, requirement
    return match.group(1).lower(), match.group(2).replace(" ", "")


def test_environment_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    wanted = {CONDA_NAME.get(name, name): spec for name, spec in map(split, project["dependencies"])}
    conda = dict(split(d) for d in env["dependencies"] if isinstance(d, str))
    assert conda.pop("python") == "=3.11", "Python must be pinned for Binder"
    assert conda.pop("pip") == ""
    assert conda == wanted


def test_environment_is_conda_forge_only_cpu_and_installs_the_project():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"]
    names = [split(d)[0] for d in env["dependencies"] if isinstance(d, str)]
    assert "pytorch" not in names and "pytorch-cpu" in names
    pip_section = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section == [["-e ."]]


def test_python_pin_satisfies_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
