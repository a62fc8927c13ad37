"""First variations and Wasserstein gradients of functionals of discrete measures, computed
numerically from the functional alone (no closed form), so that printed gradients can be
compared with an independent reference.

For a functional :math:`f` that can be evaluated on weighted discrete measures
:math:`\\alpha = \\sum_j w_j\\delta_{y_j}` (otdiff §5.1),

.. math::

    f((1-\\varepsilon)\\alpha + \\varepsilon\\delta_x)
      = f(\\alpha) + \\varepsilon\\Big(\\delta f(\\alpha)(x) - \\int \\delta f(\\alpha)\\,d\\alpha\\Big) + O(\\varepsilon^2),

so the central difference in :math:`\\varepsilon` gives :math:`\\delta f(\\alpha)(x)` up to an
additive constant, and central differences in :math:`x` give
:math:`\\nabla_W f(\\alpha)(x) = \\nabla[\\delta f(\\alpha)](x)`.  For functionals that are
polynomials of degree two in the measure (interaction energies (18), the quadratic loss (21))
the :math:`\\varepsilon`-difference is exact for every :math:`\\varepsilon`, which is why
``eps`` defaults to 1/2; the signed weights it creates are harmless for such functionals.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from verify.stats import EPS

__all__ = ["Functional", "first_variation", "wasserstein_gradient"]

#: ``f(points (m, D), weights (m,)) -> float``: a functional of a weighted discrete measure.
Functional = Callable[[np.ndarray, np.ndarray], float]


def _check(atoms: np.ndarray, weights: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    atoms = np.atleast_2d(np.asarray(atoms, dtype=float))
    weights = np.asarray(weights, dtype=float)
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if weights.shape != (atoms.shape[0],):
        raise ValueError(f"weights must have shape ({atoms.shape[0]},), got {weights.shape}")
    if x.shape[1] != atoms.shape[1]:
        raise ValueError(f"x must have {atoms.shape[1]} columns like atoms, got shape {x.shape}")
    for name, a in (("atoms", atoms), ("weights", weights), ("x", x)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or inf")
    if not np.all(weights >= 0) or not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-12):
        raise ValueError(f"weights must be non-negative and sum to 1, got sum {weights.sum()!r}")
    return atoms, weights, x


def first_variation(f: Functional, atoms: np.ndarray, weights: np.ndarray, x: np.ndarray, eps: float = 0.5) -> np.ndarray:
    """:math:`\\delta f(\\alpha)(x) - \\int\\delta f(\\alpha)\\,d\\alpha` at each row of ``x``
    (shape ``(m,)``) by the central difference
    :math:`[f(\\alpha + \\varepsilon(\\delta_x - \\alpha)) - f(\\alpha - \\varepsilon(\\delta_x - \\alpha))]/(2\\varepsilon)`.

    ``atoms : (n, D)``, ``weights : (n,)`` a probability vector, ``x : (m, D)``.
    """
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be positive and finite, got {eps!r}")
    atoms, weights, x = _check(atoms, weights, x)
    out = np.empty(x.shape[0])
    for i, xi in enumerate(x):
        pts = np.vstack([atoms, xi[None, :]])
        plus = np.append((1 - eps) * weights, eps)
        minus = np.append((1 + eps) * weights, -eps)
        out[i] = (f(pts, plus) - f(pts, minus)) / (2 * eps)
    return out


def wasserstein_gradient(
    f: Functional, atoms: np.ndarray, weights: np.ndarray, x: np.ndarray, h: float = 1e-3, eps: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """:math:`\\nabla_W f(\\alpha)(x) = \\nabla_x\\,\\delta f(\\alpha)(x)` at each row of ``x``, and an
    error bound, both of shape ``(m, D)``.

    Central differences with steps h and h/2 combined by Richardson extrapolation
    (:math:`(4D_{h/2} - D_h)/3`); the bound is :math:`|D_{h/2} - D_h|` (which dominates the
    remaining truncation for smooth first variations) plus the rounding of the
    :math:`\\varepsilon`- and :math:`x`-differences, :math:`64\\,\\varepsilon_{mach}\\,(|f| + 1)/(\\varepsilon h)`.
    """
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be positive and finite, got {h!r}")
    atoms, weights, x = _check(atoms, weights, x)
    m, dim = x.shape
    scale = abs(f(atoms, weights)) + 1.0
    diffs = {}
    for step in (h, h / 2):
        g = np.empty((m, dim))
        for j in range(dim):
            e = np.zeros(dim)
            e[j] = step
            g[:, j] = (first_variation(f, atoms, weights, x + e, eps) - first_variation(f, atoms, weights, x - e, eps)) / (2 * step)
        diffs[step] = g
    est = (4 * diffs[h / 2] - diffs[h]) / 3
    bound = np.abs(diffs[h / 2] - diffs[h]) + 64 * EPS * scale * (atoms.shape[0] + 2) / (eps * h)
    return est, bound
