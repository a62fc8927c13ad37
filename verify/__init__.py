"""Symbolic-numeric verification of closed-form results: the engine.

A user's own claim file needs only this namespace::

    from verify import Check, Claim, Kind, Mutant, Outcome, Source, Status, register
"""

from verify.claims import (
    Check,
    Claim,
    Context,
    Evidence,
    FigureSpec,
    Fidelity,
    Kind,
    Mutant,
    Outcome,
    Source,
    Status,
    Verdict,
    register,
    run_claim,
)

__all__ = [
    "Check",
    "Claim",
    "Context",
    "Evidence",
    "FigureSpec",
    "Fidelity",
    "Kind",
    "Mutant",
    "Outcome",
    "Source",
    "Status",
    "Verdict",
    "register",
    "run_claim",
]

__version__ = "0.1.0"
