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
