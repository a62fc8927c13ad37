"""Find claims: the built-in theorem families and users' own claim files (``--module``).

The engine never imports a theorem family by name (imports go ``theorems -> verify``); it
imports the ``theorems`` package and each of its sub-packages dynamically, and each family
registers its claims on import.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

from verify.claims import REGISTRY, Registry

__all__ = ["load_builtin", "load_module"]

#: resolved path -> ids it registered; loading the same file again is a no-op.
_LOADED: dict[Path, list[str]] = {}


def load_builtin(package: str = "theorems") -> Registry:
    """Import every family of ``package``; return the registry they registered into."""
    pkg = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.ispkg:
            importlib.import_module(f"{package}.{info.name}")
    return REGISTRY


def load_module(path: str | Path) -> list[str]:
    """Execute a user's claim file, which calls ``verify.register``; return the new ids.

    Raises ``ValueError`` when the file does not exist, is not a ``.py`` file, or registers
    no claim.
    """
    p = Path(path)
    if p.suffix != ".py":
        raise ValueError(f"module must be a .py file, got {str(path)!r}")
    if not p.is_file():
        raise ValueError(f"module {str(path)!r} does not exist")
    key = p.resolve()
    if key in _LOADED:
        return list(_LOADED[key])
    before = {c.id for c in REGISTRY.all()}
    # A stable name (not Python's salted hash): worker processes load the same file under the
    # same name, so their results unpickle in the parent (verify.parallel).
    name = "verify_user_claims_" + hashlib.sha256(str(key).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, p)
    assert spec is not None and spec.loader is not None, f"cannot load {p}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    new = [c.id for c in REGISTRY.all() if c.id not in before]
    if not new:
        raise ValueError(f"module {str(path)!r} registered no claim (call verify.register(Claim(...)))")
    for cid in new:
        REGISTRY.get(cid).module = str(path)
    _LOADED[key] = new
    return new
