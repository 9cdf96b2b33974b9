"""Where the bundled rules and Code catalogues are: beside checker/ in a checkout, inside it once installed."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # checker/
_CHECKOUT = _PACKAGE.parent


def bundled(name: str) -> Path:
    """The bundled folder `name` ("rules" or "code_requirements")."""
    for candidate in (_PACKAGE / "bundled" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"chc's bundled {name}/ folder is missing: reinstall chc")


def default_code() -> Path:
    return bundled("code_requirements") / "2024"


def is_bundled(path: Path) -> bool:
    """Whether `path` is chc's own: its rules, or a Code catalogue it ships. Those are validated by the test suite
    (tests/test_bundled.py), so a run validates only what the user gives it, and starts at once."""
    path = path.resolve()
    return any(path.is_relative_to(bundled(name).resolve()) for name in ("rules", "code_requirements"))
