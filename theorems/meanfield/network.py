"""The linear (and general-activation) two-layer network of otdiff §6.1–§6.2 as a particle
system, computed from the risk (20)–(21) alone, so that the printed formulas of
Proposition 6.2 can be compared with an independent reference.

The mean-field velocity of neuron i is :math:`-n\\nabla_{x_i}F(X)` (the time scaling under which
gradient descent on (20) follows the Wasserstein flow (15)); by the chain rule through (19),

.. math::

    -n\\nabla_{u_i}F = -\\frac2N\\sum_k \\langle r_k, v_i\\rangle\\sigma'(\\langle z_k, u_i\\rangle)z_k, \\qquad
    -n\\nabla_{v_i}F = -\\frac2N\\sum_k r_k\\,\\sigma(\\langle z_k, u_i\\rangle), \\qquad
    r_k = G_X(z_k) - y_k.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from verify.linalg import as_spd

__all__ = [
    "identity",
    "identity_prime",
    "data_from_moments",
    "atoms_with_second_moment",
    "mean_field_velocity",
    "network_risk",
    "weighted_risk",
    "velocity_at",
]


def identity(s: np.ndarray) -> np.ndarray:
    return s


def identity_prime(s: np.ndarray) -> np.ndarray:
    return np.ones_like(s)


def data_from_moments(szz: np.ndarray, syz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A data set :math:`(z_k, y_k)_{k \\le N}`, N = 2(d + d′), whose moments are exactly
    ``szz`` (d × d, SPD) and ``syz`` (d′ × d): the points :math:`\\pm\\sqrt{D}\\,L e_j` for the
    Cholesky factor L of :math:`M = \\begin{pmatrix}S_{zz} & S_{zy}\\\\ S_{yz} & S_{yz}S_{zz}^{-1}S_{zy} + I\\end{pmatrix}`."""
    szz = as_spd("szz", szz, definite=True)
    syz = np.asarray(syz, dtype=float)
    if syz.ndim != 2 or syz.shape[1] != szz.shape[0]:
        raise ValueError(f"syz must have shape (d', {szz.shape[0]}), got {syz.shape}")
    d, dp = szz.shape[0], syz.shape[0]
    m = np.block([[szz, syz.T], [syz, syz @ np.linalg.solve(szz, syz.T) + np.eye(dp)]])
    w = np.sqrt(d + dp) * np.linalg.cholesky((m + m.T) / 2).T  # rows: ±√D (L e_j)ᵀ
    pts = np.vstack([w, -w])
    return pts[:, :d], pts[:, d:]


def atoms_with_second_moment(sig: np.ndarray) -> np.ndarray:
    """2D atoms :math:`\\pm\\sqrt{D}\\,L e_j` of a discrete measure whose second moment is
    exactly ``sig`` (D × D, SPD)."""
    sig = as_spd("sig", sig, definite=True)
    dim = sig.shape[0]
    w = np.sqrt(dim) * np.linalg.cholesky(sig).T
    return np.vstack([w, -w])


def mean_field_velocity(
    u: np.ndarray, v: np.ndarray, z: np.ndarray, y: np.ndarray,
    act: Callable = identity, act_prime: Callable = identity_prime,
) -> tuple[np.ndarray, np.ndarray]:
    """:math:`-n\\nabla_{x_i}F(X)` for every neuron, from (19)–(20): ``u : (n, d)``,
    ``v : (n, d')``, ``z : (N, d)``, ``y : (N, d')``; returns (n × d, n × d′)."""
    n, n_data = u.shape[0], z.shape[0]
    pre = z @ u.T  # (N, n)
    r = act(pre) @ v / n - y  # residuals r_k (N, d')
    coef = (r @ v.T) * act_prime(pre)  # ⟨r_k, v_i⟩σ'(⟨z_k, u_i⟩), (N, n)
    return -2.0 / n_data * coef.T @ z, -2.0 / n_data * act(pre).T @ r


def network_risk(u: np.ndarray, v: np.ndarray, z: np.ndarray, y: np.ndarray, act: Callable = identity) -> float:
    """F(X) of (20)."""
    r = act(z @ u.T) @ v / u.shape[0] - y
    return float(np.sum(r * r) / z.shape[0])


def weighted_risk(d: int, z: np.ndarray, y: np.ndarray, act: Callable = identity) -> Callable[[np.ndarray, np.ndarray], float]:
    """f(α) of (21) as a functional of a weighted discrete measure on (u, v) ∈ R^{d+d′}, for
    :mod:`verify.variation`."""

    def f(points: np.ndarray, weights: np.ndarray) -> float:
        u, v = points[:, :d], points[:, d:]
        r = act(z @ u.T) @ (weights[:, None] * v) - y
        return float(np.sum(r * r) / z.shape[0])

    return f


def velocity_at(
    x: np.ndarray, atoms_u: np.ndarray, atoms_v: np.ndarray, weights: np.ndarray, z: np.ndarray, y: np.ndarray,
    act: Callable = identity, act_prime: Callable = identity_prime,
) -> np.ndarray:
    """The Wasserstein velocity :math:`-\\nabla_W f(\\alpha)` of (21) at arbitrary points
    ``x : (m, d + d')`` for α = Σ_j w_j δ_{(u_j, v_j)}:
    :math:`-\\nabla_x\\frac2N\\sum_k\\langle r_k, v\\rangle\\sigma(\\langle u, z_k\\rangle)`,
    :math:`r_k = g_\\alpha(z_k) - y_k`.  Shape (m, d + d′)."""
    d = atoms_u.shape[1]
    u, v = x[:, :d], x[:, d:]
    r = act(z @ atoms_u.T) @ (weights[:, None] * atoms_v) - y  # (N, d')
    pre = z @ u.T  # (N, m)
    n_data = z.shape[0]
    gu = -2.0 / n_data * ((r @ v.T) * act_prime(pre)).T @ z
    gv = -2.0 / n_data * act(pre).T @ r
    return np.hstack([gu, gv])
