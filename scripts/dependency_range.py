"""Run the unit suite and the conformance run at one end of the runtime dependency ranges.

    python3 scripts/dependency_range.py newest   # the newest releases [project.dependencies] allows
    python3 scripts/dependency_range.py oldest   # every runtime dependency at its floor

Each end gets a fresh venv (``.venv-newest`` / ``.venv-oldest``) on the newest / oldest Python
found that ``requires-python`` admits. The installers (pip, hatchling) come from the lock; the
runtime dependencies do not: ``newest`` upgrades them eagerly, ``oldest`` pins each to the
lower bound of its range and checks that it got it. The test tools resolve freely to whatever
fits. ``make test-newest`` and ``make test-oldest`` run this; so does ``.ci/run``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import tomllib  # the script runs on python3 (3.11+ has tomllib); the venvs may be older

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def runtime_requirements() -> dict[str, str]:
    """``{name: specifier}`` of ``[project.dependencies]``."""
    found = {}
    for line in PYPROJECT["project"]["dependencies"]:
        match = REQUIREMENT.match(line)
        if match is None:
            sys.exit(f"cannot read the requirement {line!r} in pyproject.toml")
        found[match.group(1).lower()] = match.group(2).strip()
    return found


def floors() -> dict[str, str]:
    """``{name: floor}`` for every runtime dependency; one without a ``>=`` floor is an error."""
    pinned = {}
    for name, specifier in runtime_requirements().items():
        floor = re.search(r">=\s*([^,\s]+)", specifier)
        if floor is None:
            sys.exit(f"{name} has no '>=' floor in pyproject.toml ({specifier!r}): give it one")
        pinned[name] = floor.group(1)
    return pinned


def python_minor_versions() -> list[tuple[int, int]]:
    """The Python minor versions ``requires-python`` admits, up to 3.19."""
    floor = re.search(r">=\s*3\.(\d+)", PYPROJECT["project"]["requires-python"])
    start = int(floor.group(1)) if floor else 10
    return [(3, minor) for minor in range(start, 20)]


def find_python(version: tuple[int, int]) -> str | None:
    """An interpreter of ``version``: on PATH, else one pyenv installed (shims need activating)."""
    name = f"python{version[0]}.{version[1]}"
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    on_path = shutil.which(name)
    installed = Path(pyenv_root, "versions").glob(f"{version[0]}.{version[1]}.*/bin/{name}")
    for candidate in [*([on_path] if on_path else []), *map(str, sorted(installed))]:
        if _command(candidate, "-c", "").returncode == 0:
            return candidate
    return None


def pick_python(end: str) -> str:
    """The newest (or oldest) admitted Python found here; this one when none other is."""
    versions = python_minor_versions()
    for version in reversed(versions) if end == "newest" else versions:
        if (found := find_python(version)) is not None:
            return found
    return sys.executable


def _command(*command: str | Path, capture: bool = True) -> subprocess.CompletedProcess[str]:
    """``command`` run in the project root (its output captured, unless ``capture`` is off)."""
    argv = list(map(str, command))
    return subprocess.run(argv, cwd=ROOT, capture_output=capture, text=True, check=False)  # noqa: S603 - our own fixed commands


def run(*command: str | Path) -> None:
    """Run ``command`` in the project root; stop with its exit status if it fails."""
    print("+", " ".join(map(str, command)), flush=True)
    if status := _command(*command, capture=False).returncode:
        sys.exit(status)


def python_output(python: Path, script: str, *args: str) -> str:
    """What ``script`` prints when ``python`` runs it."""
    return _command(python, "-c", script, *args).stdout.strip()


def installed_versions(python: Path, names: list[str]) -> dict[str, str]:
    """The installed version of each of ``names`` in the venv of ``python``."""
    script = (
        "import importlib.metadata as m, sys\n"
        "for name in sys.argv[1:]: print(name, m.version(name))"
    )
    out = python_output(python, script, *names)
    return dict(line.split(" ", 1) for line in out.splitlines())


def _release(version: str) -> tuple[int, ...]:
    """``1.6`` and ``1.6.0`` alike: the release numbers without trailing zeros."""
    numbers = [int(part) for part in re.findall(r"\d+", version)]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def install(end: str, venv: Path) -> Path:
    """A fresh venv at ``venv`` with the project and its test group at ``end`` of the ranges."""
    shutil.rmtree(venv, ignore_errors=True)
    interpreter = pick_python(end)
    run(interpreter, "-m", "venv", venv)
    python = venv / "bin" / "python"
    pip = [python, "-m", "pip", "install", "--quiet"]
    run(*pip, "--constraint", LOCK, "pip", "hatchling", "editables")
    project = ["--no-build-isolation", "-e", ".", "--group", "test"]
    if end == "newest":
        run(*pip, "--upgrade", "--upgrade-strategy", "eager", *project)
    else:
        constraints = venv / "floors.txt"
        constraints.write_text("".join(f"{n}=={v}\n" for n, v in floors().items()))
        run(*pip, "--constraint", constraints, *project)
    return python


def main() -> None:
    """Install one end of the ranges, report its versions, run the suite and conformance."""
    end = sys.argv[1] if len(sys.argv) == 2 else ""  # noqa: PLR2004 - one argument
    if end not in ("newest", "oldest"):
        sys.exit("usage: dependency_range.py newest|oldest")
    venv = ROOT / f".venv-{end}"
    python = install(end, venv)
    versions = installed_versions(python, sorted(runtime_requirements()))
    python_version = python_output(python, "import platform; print(platform.python_version())")
    found = ", ".join(f"{name} {version}" for name, version in versions.items())
    print(f"{end} end: Python {python_version}, {found}", flush=True)
    if end == "oldest":
        missed = {n: v for n, v in floors().items() if _release(versions[n]) != _release(v)}
        if missed:
            sys.exit(f"the floors were not installed: got {missed}")
    stamp = venv / ".installed"
    stamp.touch()
    overrides = [f"VENV={venv.name}", f"PY={python}", f"STAMP={stamp}"]
    run("make", "--no-print-directory", "test", *overrides)
    if (ROOT.parent / "shared" / "conformance" / "run.py").exists():
        run("make", "--no-print-directory", "conformance", *overrides)


if __name__ == "__main__":
    main()
