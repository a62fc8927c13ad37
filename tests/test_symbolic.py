"""sympy helpers and the exact arithmetic's square roots."""

from __future__ import annotations

import pytest
import sympy as sp

from verify.algebra import NoKnownRoot, SympyAlgebra
from verify.symbolic import zero_test


def test_zero_test_proves_disproves_and_gives_a_witness():
    x, y = sp.symbols("x y", positive=True)
    assert zero_test((x**2 - y**2) / (x - y) - x - y).proved
    z = zero_test(sp.Matrix([[x + y, 0], [0, x * y - 1]]), [{x: 2, y: 3}])
    assert z.disproved and z.witness == {"x": "2", "y": "3"} and z.value == "5"


def test_sympy_sqrtm_uses_only_verified_roots():
    a = sp.Matrix([[2, 1], [1, 3]])
    la = SympyAlgebra([a])
    assert la.sqrtm(a * a) == a
    r = la.sqrtm(sp.Matrix([[5, 4], [4, 5]]))  # Cayley–Hamilton, exact
    assert sp.simplify(r * r - sp.Matrix([[5, 4], [4, 5]])) == sp.zeros(2)
    assert la.sqrtm(sp.diag(4, 9)) == sp.diag(2, 3)
    s = sp.Symbol("s", positive=True)
    with pytest.raises(NoKnownRoot):
        la.sqrtm(sp.Matrix([[s, 1], [1, s]]))


def test_a_simplification_that_runs_out_of_time_is_undecided_not_proved(monkeypatch):
    import time

    import sympy as sp

    import verify.symbolic as S

    x = sp.Symbol("x")
    zero = (x**2 - 1) / (x - 1) - (x + 1)  # zero after cancellation; exact values at the random points
    assert S.zero_test(zero, time_limit=30.0).proved
    slow = lambda e: (time.sleep(2.0), e)[1]  # noqa: E731  a simplifier that never finishes in time
    monkeypatch.setattr(S, "_simplify_entry", slow)
    start = time.perf_counter()
    zt = S.zero_test(zero, time_limit=0.05)
    assert zt.timed_out and not zt.proved and not zt.disproved and not zt.decided
    assert time.perf_counter() - start < 1.5  # interrupted, not waited out
    with pytest.raises(ValueError, match="time_limit must be positive or None, got 0"):
        S.zero_test(zero, time_limit=0)
