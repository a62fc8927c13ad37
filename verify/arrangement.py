"""Cells of a central hyperplane arrangement, and the exact supremum of a ReLU dual function.

For data :math:`x_i \\in \\mathbb{R}^d` put :math:`z_i = (x_i, 1) \\in \\mathbb{R}^{d+1}`.  The
dual function of the relaxed problems (PR0)/(PRε) of mlcontrol §2.4,

.. math::

    g_\\lambda(\\theta) = \\sum_{i=1}^N \\lambda_i\\, \\sigma(\\langle \\theta, z_i\\rangle),
    \\qquad \\theta = (a, b) \\in \\mathbb{R}^{d+1},

is positively homogeneous of degree one and linear on every cone of the central arrangement
:math:`\\{\\theta : \\langle \\theta, z_i\\rangle = 0\\}`: on the closed cone
:math:`C_s = \\{\\theta : s_i\\langle\\theta, z_i\\rangle \\ge 0\\}` with sign pattern
:math:`s \\in \\{\\pm 1\\}^N` it equals :math:`\\langle\\theta, v_s\\rangle`,
:math:`v_s = \\sum_{s_i = +1} \\lambda_i z_i`.  The supremum of a linear form over a closed
convex cone intersected with the unit ball is the norm of the projection onto the cone, and by
Moreau's decomposition that is a non-negative least-squares residual:

.. math::

    \\sup_{\\theta \\in C_s, |\\theta| \\le 1} \\langle \\theta, v\\rangle = |\\Pi_{C_s} v|
    = \\min_{\\mu \\ge 0} |v + G_s^\\top \\mu|, \\qquad G_s = \\operatorname{diag}(s) Z.

So :math:`\\sup_{|\\theta|\\le 1} |g_\\lambda|` is an exact maximum over the finitely many cells
(both signs of :math:`v_s`), not a maximum over a net.  The cells are enumerated through the
arrangement's vertex rays (intersections of :math:`r-1` hyperplanes in the rank-:math:`r` row
space of :math:`Z`) and, recursively, the cells of the arrangement each ray sees in its
orthogonal complement; this handles degenerate data (collinear inputs) as well as generic ones.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

__all__ = ["row_space", "arrangement_cells", "DualSup", "relu_dual_sup"]

_TOL = 1e-10


def row_space(Z: np.ndarray, tol: float = _TOL) -> np.ndarray:
    """Orthonormal basis ``(D, r)`` of the row space of ``Z``.

    Directions orthogonal to every :math:`z_i` do not change any activation, so cells and
    suprema are computed in this basis.
    """
    _, s, vt = np.linalg.svd(Z, full_matrices=False)
    rank = int(np.sum(s > tol * max(s[0], 1.0)))
    return vt[:rank].T


def _cells_2d(Z: np.ndarray) -> np.ndarray:
    """Unit interior points of the cells of a central line arrangement in the plane."""
    angles = np.mod(np.arctan2(Z[:, 0], -Z[:, 1]), np.pi)  # direction of the line z_i^⊥
    angles = np.sort(np.concatenate([angles, angles + np.pi]))
    keep = np.concatenate([[True], np.diff(angles) > _TOL])
    angles = angles[keep]
    if angles[-1] - angles[0] > 2 * np.pi - _TOL:
        angles = angles[:-1]
    nxt = np.concatenate([angles[1:], [angles[0] + 2 * np.pi]])
    mid = 0.5 * (angles + nxt)
    return np.column_stack([np.cos(mid), np.sin(mid)])


def _null_vectors(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit null vectors of a batch of ``(K, r-1, r)`` matrices and whether the rank is r-1."""
    _, s, vt = np.linalg.svd(rows)
    scale = np.maximum(s[:, 0], 1.0)
    ok = s[:, -1] > 1e-8 * scale
    return vt[:, -1, :], ok


def _cells(Z: np.ndarray) -> np.ndarray:
    """Unit interior points, one or more per cell, of the arrangement of full-rank ``Z``."""
    n, r = Z.shape
    if r == 1:
        return np.array([[1.0], [-1.0]])
    if r == 2:
        return _cells_2d(Z)
    norms = np.linalg.norm(Z, axis=1)
    subsets = np.array(list(itertools.combinations(range(n), r - 1)))
    rays, ok = _null_vectors(Z[subsets])
    rays = rays[ok]
    # one representative per line: canonical sign, then de-duplicate
    first = np.argmax(np.abs(rays) > 1e-9, axis=1)
    rays = rays * np.sign(rays[np.arange(len(rays)), first])[:, None]
    rays = np.unique(np.round(rays, 9), axis=0)
    rays /= np.linalg.norm(rays, axis=1, keepdims=True)
    points = []
    for ray in rays:
        dots = Z @ ray
        on = np.abs(dots) <= 1e-9 * norms
        q = np.linalg.svd(ray[None, :])[2][1:].T  # orthonormal basis of ray^⊥, (r, r-1)
        sub = Z[on] @ q
        basis = row_space(sub)
        local = _cells(sub @ basis) @ basis.T  # (c, r-1), unit
        off = ~on
        delta = 0.5 * np.min(np.abs(dots[off]) / norms[off]) if off.any() else 1.0
        for sign in (1.0, -1.0):
            pts = sign * ray[None, :] + delta * (local @ q.T)
            points.append(pts / np.linalg.norm(pts, axis=1, keepdims=True))
    return np.concatenate(points)


def arrangement_cells(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sign patterns and interior points of the cells of :math:`\\{\\langle\\theta, z_i\\rangle = 0\\}`.

    Parameters
    ----------
    Z : (N, D)
        Normals :math:`z_i`, none zero.

    Returns
    -------
    patterns : (C, N)
        The sign of :math:`\\langle\\theta, z_i\\rangle` on each cell (never 0).
    points : (C, D)
        A unit vector in the interior of each cell.
    """
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2 or Z.shape[0] == 0:
        raise ValueError(f"Z must be a non-empty (N, D) array, got shape {Z.shape}")
    norms = np.linalg.norm(Z, axis=1)
    if not np.all(np.isfinite(Z)) or np.min(norms) == 0:
        raise ValueError("Z must be finite with no zero row")
    basis = row_space(Z)
    pts = _cells(Z @ basis) @ basis.T
    signs = np.sign(pts @ Z.T)
    good = np.all(np.abs(pts @ Z.T) > 1e-12 * norms, axis=1)
    signs, idx = np.unique(signs[good], axis=0, return_index=True)
    return signs.astype(int), pts[good][idx]


@dataclass(frozen=True)
class DualSup:
    """Exact :math:`\\sup_{|\\theta| \\le 1} |g_\\lambda(\\theta)|` with its per-cell maximisers.

    ``values[k]`` is the maximum of :math:`\\pm g_\\lambda` on cell ``k`` (``signs[k]`` = ±1)
    and ``points[k]`` a unit vector where it is attained; ``value`` is their maximum.
    """

    value: float
    values: np.ndarray
    points: np.ndarray
    signs: np.ndarray
    cells: int

    @property
    def argmax(self) -> np.ndarray:
        return self.points[int(np.argmax(self.values))]


def relu_dual_sup(Z: np.ndarray, lam: np.ndarray, cells: tuple | None = None,
                  floor: float | None = None) -> DualSup:
    """Exact supremum over the unit ball of :math:`|\\sum_i \\lambda_i\\sigma(\\langle\\theta, z_i\\rangle)|`.

    Parameters
    ----------
    Z : (N, D)
        Normals :math:`z_i = (x_i, 1)`.
    lam : (N,)
        Dual vector.
    cells : optional
        The output of :func:`arrangement_cells` for ``Z`` (it depends only on the data).
    floor : float, optional
        Evaluate every cell whose bound :math:`|v_s|` exceeds ``floor`` (to collect all the
        cells where :math:`|g_\\lambda| > floor`).  Without it, cells that cannot beat the best
        value found so far are skipped.  The supremum is exact either way when it exceeds
        ``floor``.
    """
    Z = np.asarray(Z, dtype=float)
    lam = np.asarray(lam, dtype=float)
    if lam.shape != (Z.shape[0],) or not np.all(np.isfinite(lam)):
        raise ValueError(f"lam must be a finite ({Z.shape[0]},) vector, got shape {lam.shape}")
    patterns, _ = cells if cells is not None else arrangement_cells(Z)
    active = patterns > 0
    V = (active * lam) @ Z  # (C, D): g = <θ, v_s> on cell s
    bound = np.linalg.norm(V, axis=1)
    order = np.argsort(-bound)
    values, points, signs = [], [], []
    best = 0.0
    for k in order:
        cut = best * (1 - 1e-12) if floor is None else float(floor)
        if bound[k] <= cut and values:
            break
        G = patterns[k][:, None] * Z
        for sgn in (1.0, -1.0):
            v = sgn * V[k]
            if np.all(G @ v >= 0):  # the unconstrained maximiser v/|v| lies in the cell
                p, val = v, bound[k]
            else:
                mu, val = nnls(G.T, -v)
                p = v + G.T @ mu
            values.append(val)
            points.append(p / val if val > 0 else np.zeros_like(v))
            signs.append(sgn)
            best = max(best, val)
    values = np.asarray(values)
    return DualSup(float(values.max()), values, np.asarray(points), np.asarray(signs), len(patterns))
