"""Shared test set-up: hypothesis profiles and the built-in claims.

The hypothesis profile comes from ``$HYPOTHESIS_PROFILE`` (``ci`` by default: derandomised,
no example database, no deadline), so the suite is deterministic in CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from verify.claims import Context
from verify.loader import load_builtin
from verify.parallel import available_cpus, report_costs, run_claims
from verify.strategies import register_profiles

register_profiles()
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def registry():
    return load_builtin()


@pytest.fixture(scope="session")
def quick_results(registry):
    """Every built-in claim, with its mutants, at quick fidelity and seed 0 (run once, on every
    available CPU: results do not depend on the process, see verify.parallel)."""
    claims = registry.all()
    costs = report_costs(Path(__file__).resolve().parents[1] / "reports" / "results.json")  # scheduling hint only
    results = run_claims(claims, Context(fidelity="quick", seed=0), with_mutants=True, jobs=min(available_cpus(), 4), costs=costs)
    return {c.id: r for c, r in zip(claims, results)}
