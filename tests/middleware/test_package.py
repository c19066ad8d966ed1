"""maintctl-middleware is a package of its own: it installs alone, on the standard library only."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "middleware"
SOURCE = PACKAGE / "src" / "maintctl_middleware"


def test_every_module_imports_only_the_standard_library_and_itself() -> None:
    outside: list[str] = []
    for module in sorted(SOURCE.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(), str(module))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                # _typeshed: typing only, imported under TYPE_CHECKING.
                if top not in sys.stdlib_module_names and top not in (
                    "maintctl_middleware",
                    "_typeshed",
                ):
                    outside.append(f"{module.name}: {name}")
    assert outside == []


def _can_build_wheels() -> bool:
    """setuptools builds wheels itself from 70.1; before, it needs the `wheel` package."""
    import importlib.util

    from setuptools import __version__ as setuptools_version

    major, minor = (int(part) for part in setuptools_version.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _install(target: Path) -> Path:
    """pip-install the package into `target`; the directory to import it from."""
    # No index and no build isolation: nothing is downloaded; the build uses this venv's setuptools.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-build-isolation",
            "--no-deps",
            "--target",
            str(target),
            str(PACKAGE),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (target / "maintctl_middleware" / "py.typed").exists()
    metadata = next(target.glob("maintctl_middleware-*.dist-info")) / "METADATA"
    text = metadata.read_text()
    assert "Name: maintctl-middleware" in text
    assert "Requires-Python: >=3.9" in text
    assert "Requires-Dist" not in text
    return target


def _declared() -> Path:
    """Where no wheel can be built offline: the declared metadata, and the source to import."""
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    assert project["name"] == "maintctl-middleware"
    assert project["requires-python"] == ">=3.9"
    assert project["dependencies"] == []
    return PACKAGE / "src"


def test_it_installs_alone_and_imports_in_an_interpreter_without_site_packages(
    tmp_path: Path,
) -> None:
    """A real pip install where this venv can build wheels offline, else the declared metadata.

    scripts/test also installs it (`pip install -e ./middleware`), with the index.
    """
    where = _install(tmp_path / "site") if _can_build_wheels() else _declared()
    # -I -S: no site-packages, user site or PYTHONPATH: the standard library and `where` only.
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "before = set(sys.modules);"
        "from maintctl_middleware import MaintenanceASGI, MaintenanceWSGI;"
        "import maintctl_middleware;"
        "assert maintctl_middleware.__file__.startswith(sys.argv[1]), maintctl_middleware.__file__;"
        "extra = {m.split('.')[0] for m in set(sys.modules) - before};"
        "print(sorted(extra - set(sys.stdlib_module_names) - {'maintctl_middleware'}))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe, str(where)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "[]"


def _oldest_python() -> str | None:
    """A Python 3.9 on this machine (the oldest the package promises), if any answers."""
    for name in ("python3.9", "/root/.pyenv/versions/3.9.18/bin/python"):
        found = shutil.which(name)
        if found is None:
            continue
        version = subprocess.run(
            [found, "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if version.returncode == 0 and version.stdout.strip() == "(3, 9)":
            return found
    return None


def test_it_runs_on_python_3_9_with_nothing_but_the_standard_library() -> None:
    python = _oldest_python()
    if python is None:
        pytest.skip("no Python 3.9 on this machine")
    done = subprocess.run(
        [python, "-I", "-S", str(Path(__file__).with_name("probe.py")), str(PACKAGE / "src")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok (3, 9)"
