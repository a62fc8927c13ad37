"""The total-variation relaxation of shallow ReLU networks: grid LPs, certificates, exact values.

mlcontrol §2.4 relaxes the ℓ¹-minimal interpolation (P0)/(Pε) to measures on the parameter set
:math:`\\Omega \\subset \\mathbb{R}^{d+1}`:

.. math::

    \\operatorname{val}(PR_\\epsilon) = \\inf_{\\mu \\in \\mathcal{M}(\\Omega)} \\|\\mu\\|_{TV}
    \\quad\\text{s.t.}\\quad \\Big|\\int_\\Omega \\sigma(\\langle a, x_i\\rangle + b)\\,d\\mu(a, b) - y_i\\Big| \\le \\epsilon.

Its dual (weak duality, for every :math:`\\lambda \\in \\mathbb{R}^N`) is

.. math::

    \\operatorname{val}(PR_\\epsilon) \\ge
    \\frac{\\langle \\lambda, y\\rangle - \\epsilon\\|\\lambda\\|_1}{\\sup_{\\theta\\in\\Omega}|g_\\lambda(\\theta)|},
    \\qquad g_\\lambda(\\theta) = \\sum_i \\lambda_i\\sigma(\\langle\\theta, z_i\\rangle),

because :math:`\\langle\\lambda, y\\rangle = \\int g_\\lambda\\,d\\mu + \\langle\\lambda, y - f\\rangle
\\le \\|\\mu\\|_{TV}\\sup|g_\\lambda| + \\epsilon\\|\\lambda\\|_1` for every feasible μ.

For the unit ball Ω, positive homogeneity of the ReLU lets every neuron move to the sphere:
:math:`w\\,\\sigma(\\langle t\\theta, z\\rangle) = (tw)\\,\\sigma(\\langle\\theta, z\\rangle)` with
:math:`|tw| \\le |w|` for :math:`0 < t \\le 1`, so a measure on Ω can be replaced by one on
:math:`\\partial\\Omega` with the same network and no larger norm.  The grid LP therefore
discretises the sphere only; its value is an upper bound (a grid measure is feasible), and its
dual rescaled by the exact supremum of :mod:`verify.arrangement` is a certified lower bound.
Column generation with the exact maximisers closes the bracket on small instances.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from verify.arrangement import arrangement_cells, relu_dual_sup

__all__ = [
    "as_data",
    "lift",
    "sphere_grid",
    "relu_features",
    "GridLP",
    "solve_lp",
    "Certificate",
    "certify",
    "Relaxed",
    "relaxed_value",
    "network_from_measure",
]


def as_data(X, y, eps: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Validate a consistent data set: ``X`` (N, d) with distinct rows, ``y`` (N,), ``eps`` ≥ 0."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty (N, d) array, got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    if len(np.unique(X, axis=0)) != X.shape[0]:
        raise ValueError("X must have distinct rows (a consistent data set, mlcontrol §2.2)")
    if not (np.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    return X, y


def lift(X: np.ndarray) -> np.ndarray:
    """:math:`z_i = (x_i, 1)`, so that :math:`\\langle a, x_i\\rangle + b = \\langle (a, b), z_i\\rangle`."""
    return np.column_stack([X, np.ones(len(X))])


def sphere_grid(M: int, dim: int, seed: int = 0) -> np.ndarray:
    """``M`` points of the unit sphere of :math:`\\mathbb{R}^{dim}` (``dim`` = d + 1).

    Equispaced angles for dim = 2, a Fibonacci lattice for dim = 3, normalised Gaussian draws
    from ``seed`` otherwise.  The grid is rotated by a seeded random rotation so that a seed
    samples Ω's discretisation.
    """
    if int(M) != M or M < 1:
        raise ValueError(f"M must be a positive integer, got {M}")
    if dim < 2:
        raise ValueError(f"dim must be >= 2, got {dim}")
    rng = np.random.default_rng(seed)
    if dim == 2:
        phi = (np.arange(M) + rng.uniform()) * 2 * np.pi / M
        return np.column_stack([np.cos(phi), np.sin(phi)])
    if dim == 3:
        k = np.arange(M) + 0.5
        zc = 1 - 2 * k / M
        phi = np.pi * (1 + 5**0.5) * k
        pts = np.column_stack([np.sqrt(1 - zc**2) * np.cos(phi), np.sqrt(1 - zc**2) * np.sin(phi), zc])
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        return pts @ q.T
    pts = rng.normal(size=(M, dim))
    return pts / np.linalg.norm(pts, axis=1, keepdims=True)


def relu_features(X: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    """:math:`\\Phi_{ij} = \\sigma(\\langle a_j, x_i\\rangle + b_j)` for neurons ``thetas`` = (a_j, b_j), (M, d+1)."""
    return np.maximum(lift(X) @ np.asarray(thetas, dtype=float).T, 0.0)


@dataclass(frozen=True)
class GridLP:
    """The relaxed problem restricted to measures on a finite set of neurons.

    ``status`` is ``"optimal"`` or ``"infeasible"`` (a coarse grid may not interpolate: that
    is a property of the grid, not of the theorem).  ``weights`` are the signed masses of the
    LP's basic solution, ``dual`` the multipliers λ.
    """

    status: str
    value: float
    weights: np.ndarray
    dual: np.ndarray
    thetas: np.ndarray

    @property
    def support(self) -> np.ndarray:
        """Indices of the atoms (weights above 1e-9 of the total mass)."""
        w = np.abs(self.weights)
        return np.flatnonzero(w > 1e-9 * max(w.sum(), 1e-300))


def solve_lp(X, y, thetas: np.ndarray, eps: float = 0.0, tol: float = 1e-7) -> GridLP:
    """Solve :math:`\\min \\|w\\|_1` s.t. :math:`|\\Phi w - y| \\le \\epsilon` with HiGHS (simplex, or interior point with crossover).

    Both return a basic solution, so at most N weights are non-zero (N equality rows,
    or N rows of which at most one side is active when ε > 0).  ``tol`` is HiGHS's primal and
    dual feasibility tolerance.
    """
    X, y = as_data(X, y, eps)
    thetas = np.asarray(thetas, dtype=float)
    phi = relu_features(X, thetas)
    n, m = phi.shape
    c = np.ones(2 * m)
    A = sparse.csc_matrix(np.hstack([phi, -phi]))  # ReLU features are about half zeros
    # HiGHS's presolve spends seconds on the grid's near-duplicate columns; the LP is tiny in rows.
    opts = {"primal_feasibility_tolerance": tol, "dual_feasibility_tolerance": tol, "presolve": False}
    if eps == 0:
        res = linprog(c, A_eq=A, b_eq=y, bounds=(0, None), method="highs", options=opts)
    else:
        res = linprog(c, A_ub=sparse.vstack([A, -A], format="csc"), b_ub=np.concatenate([y + eps, eps - y]),
                      bounds=(0, None), method="highs", options=opts)
    if res.status == 2:
        return GridLP("infeasible", np.inf, np.zeros(m), np.zeros(n), thetas)
    if res.status != 0:
        raise RuntimeError(f"HiGHS failed on the grid LP: {res.message}")
    w = res.x[:m] - res.x[m:]
    if eps == 0:
        dual = res.eqlin.marginals
    else:
        dual = res.ineqlin.marginals[:n] - res.ineqlin.marginals[n:]
    return GridLP("optimal", float(res.fun), w, np.asarray(dual, dtype=float), thetas)


@dataclass(frozen=True)
class Certificate:
    """A certified lower bound :math:`(\\langle\\lambda, y\\rangle - \\epsilon\\|\\lambda\\|_1)/\\sup|g_\\lambda|`."""

    lower: float
    sup: float
    argmax: np.ndarray
    cells: int


def certify(X, y, lam: np.ndarray, eps: float = 0.0, cells=None) -> Certificate:
    """Rescale any λ into a feasible dual point with the exact supremum over the unit ball.

    The supremum is inflated by a rounding allowance (64 ulp of :math:`\\sum|\\lambda_i||z_i|`)
    so that the bound is safe in floating point.
    """
    X, y = as_data(X, y, eps)
    Z = lift(X)
    cells = cells if cells is not None else arrangement_cells(Z)
    ds = relu_dual_sup(Z, lam, cells)
    return _certificate(y, lam, eps, Z, ds.value, ds)


def _certificate(y, lam, eps, Z, sup_value, ds) -> Certificate:
    scale = float(np.abs(lam) @ np.linalg.norm(Z, axis=1))
    sup = sup_value + 64 * np.finfo(float).eps * scale
    num = float(lam @ y - eps * np.abs(lam).sum())
    lower = num / sup if sup > 0 else (0.0 if num <= 0 else np.inf)
    return Certificate(lower, sup, ds.argmax, ds.cells)


@dataclass(frozen=True)
class Relaxed:
    """The relaxed value bracketed by column generation: ``lower ≤ val(PRε) ≤ upper``.

    ``atoms`` (K, d+1) are unit neurons and ``weights`` (K,) their signed masses: the measure
    :math:`\\sum_k w_k\\delta_{\\theta_k}` is feasible with norm ``upper``.
    """

    lower: float
    upper: float
    atoms: np.ndarray
    weights: np.ndarray
    dual: np.ndarray
    iterations: int
    history: list = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Relative width of the bracket."""
        return (self.upper - self.lower) / max(abs(self.upper), 1e-300)

    def distinct_atoms(self, tol: float = 1e-3) -> int:
        """Atoms counted after merging same-sign atoms closer than ``tol``: an optimal atom on a
        cell boundary (a kink exactly at a data input) is approached by columns from both
        sides, and the LP may keep two of them."""
        reps: list[tuple[np.ndarray, float]] = []
        for a, w in zip(self.atoms, self.weights):
            if not any(np.linalg.norm(a - b) < tol and np.sign(w) == s for b, s in reps):
                reps.append((a, np.sign(w)))
        return len(reps)


def relaxed_value(X, y, eps: float = 0.0, rtol: float = 1e-9, max_iter: int = 60,
                  seed: int = 0) -> Relaxed:
    """Exchange method on the exact dual supremum: add every cell's violating maximiser.

    Starts from one interior point per arrangement cell (their features contain a triangular
    N-subset, so the first LP is feasible) plus a sphere grid; stops when the certified bracket
    is narrower than ``rtol`` (relative) or the dual is feasible.  HiGHS runs at feasibility
    tolerance 1e-10, so brackets much below 1e-10 are not to be expected.
    """
    X, y = as_data(X, y, eps)
    Z = lift(X)
    cells = arrangement_cells(Z)
    thetas = np.concatenate([cells[1], sphere_grid(64, Z.shape[1], seed)])
    history = []
    lp = cert = None
    for it in range(1, max_iter + 1):
        lp = solve_lp(X, y, thetas, eps, tol=1e-10)
        if lp.status != "optimal":
            raise RuntimeError("the starting columns do not interpolate the data")
        ds = relu_dual_sup(Z, lp.dual, cells, floor=1.0)
        cert = _certificate(y, lp.dual, eps, Z, max(ds.value, 1.0), ds)  # sup ≤ 1 when no cell exceeds the floor
        history.append((it, len(thetas), lp.value, cert.lower))
        if ds.value <= 1 + 1e-12 or lp.value - cert.lower <= rtol * abs(lp.value):
            break
        new = ds.points[ds.values > 1 + rtol]
        thetas = np.concatenate([thetas[lp.support], new, thetas])
        thetas = np.unique(np.round(thetas, 15), axis=0)
    sup = lp.support
    atoms, weights, upper = lp.thetas[sup], lp.weights[sup], lp.value
    if eps == 0 and len(sup):
        # polish: the LP meets its rows to HiGHS's tolerance only; on the support (independent
        # columns of a basic solution) least squares meets them to rounding, which makes the
        # atomic measure feasible in the sense the checks test.  Kept only if it is no worse.
        phi = relu_features(X, atoms)
        polished, *_ = np.linalg.lstsq(phi, y, rcond=None)
        if np.all(np.sign(polished) == np.sign(weights)) and abs(np.abs(polished).sum() - upper) <= 1e-6 * upper:
            weights, upper = polished, max(float(np.abs(polished).sum()), cert.lower)
    return Relaxed(cert.lower, upper, atoms, weights, lp.dual, it, history)


def network_from_measure(atoms: np.ndarray, weights: np.ndarray, P: int) -> np.ndarray:
    """Parameters Θ = rows (w_j, a_j, b_j) of a P-neuron network (2.1) for an atomic measure (2.5).

    Pads with zero-weight neurons; raises when the measure has more than P atoms.
    """
    atoms = np.asarray(atoms, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if len(weights) > P:
        raise ValueError(f"P = {P} is smaller than the number of atoms {len(weights)}")
    theta = np.zeros((P, atoms.shape[1] + 1))
    theta[: len(weights), 0] = weights
    theta[: len(weights), 1:] = atoms
    if len(weights) < P:
        theta[len(weights):, -1] = 1.0  # the neuron a = 0, b = 1 with weight 0
    return theta
