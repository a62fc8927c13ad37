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
