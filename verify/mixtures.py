"""Gaussian mixtures: sampling, densities, and exact conditional means of linear functionals.

For :math:`X_0 \\sim \\mathcal N(0, \\Sigma_0)` independent of
:math:`X_1 \\sim \\sum_k w_k \\mathcal N(\\mu_k, S_k)`, the pair
:math:`(D, Z) = (b_0X_0 + b_1X_1,\\ a_0X_0 + a_1X_1)` is, given the component k, jointly
Gaussian, so by Bayes

.. math::

    \\mathbb E[D \\mid Z = z] = \\sum_k \\pi_k(z)\\left(b_1\\mu_k + C_k\\Gamma_k^{-1}(z - a_1\\mu_k)\\right),
    \\quad \\pi_k(z) \\propto w_k\\,\\mathcal N(z; a_1\\mu_k, \\Gamma_k),

with :math:`\\Gamma_k = a_0^2\\Sigma_0 + a_1^2S_k` and :math:`C_k = a_0b_0\\Sigma_0 + a_1b_1S_k`.
This is the closed form of the flow-matching field (otdiff eq. (7)) for such data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

__all__ = ["GaussianMixture", "conditional_mean", "interpolant_samples", "log_density", "score"]


@dataclass(frozen=True)
class GaussianMixture:
    """:math:`\\sum_k w_k\\mathcal N(\\mu_k, S_k)`; ``weights (K,)``, ``means (K, d)``, ``covs (K, d, d)``."""

    weights: np.ndarray
    means: np.ndarray
    covs: np.ndarray

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=float)
        m = np.asarray(self.means, dtype=float)
        c = np.asarray(self.covs, dtype=float)
        if w.ndim != 1 or m.ndim != 2 or c.ndim != 3 or not (len(w) == len(m) == len(c)) or c.shape[1:] != (m.shape[1],) * 2:
            raise ValueError(f"weights (K,), means (K, d), covs (K, d, d) expected, got {w.shape}, {m.shape}, {c.shape}")
        if np.any(w < 0) or not np.isclose(w.sum(), 1.0, rtol=0, atol=1e-12):
            raise ValueError(f"weights must be non-negative and sum to 1, got {w.tolist()}")
        for k, s in enumerate(c):
            if not np.allclose(s, s.T) or np.linalg.eigvalsh(s)[0] < 0:
                raise ValueError(f"covs[{k}] must be symmetric positive semidefinite")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "means", m)
        object.__setattr__(self, "covs", c)

    @property
    def dim(self) -> int:
        return int(self.means.shape[1])

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` samples, shape ``(n, d)`` (components drawn by inverse CDF on one uniform each)."""
        k = np.searchsorted(np.cumsum(self.weights), rng.random(n), side="right").clip(0, len(self.weights) - 1)
        z = rng.standard_normal((n, self.dim))
        roots = np.array([_psd_root(s) for s in self.covs])
        return self.means[k] + np.einsum("nij,nj->ni", roots[k], z)


def _psd_root(s: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def _component_moments(a, sigma0, mix):
    a0, a1 = a
    means = a1 * mix.means
    gammas = a0**2 * np.asarray(sigma0, dtype=float)[None] + a1**2 * mix.covs
    for k, g in enumerate(gammas):
        if np.linalg.eigvalsh(g)[0] <= 0:
            raise ValueError(
                f"a = {tuple(a)}: the law of a0 X0 + a1 X1 has no density (component {k} covariance "
                "a0² Σ0 + a1² S_k is singular); use 0 < a0 or positive definite mixture covariances"
            )
    return means, gammas


def _points(z: np.ndarray, d: int) -> np.ndarray:
    """Query points as rows (n, d); a flat vector is read as n points when d = 1."""
    return np.asarray(z, dtype=float).reshape(-1, d)


def _log_normal(z: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    chol = np.linalg.cholesky(cov)
    sol = np.linalg.solve(chol, (z - mean).T)
    return -0.5 * np.sum(sol**2, axis=0) - np.sum(np.log(np.diag(chol))) - 0.5 * len(mean) * np.log(2 * np.pi)


def log_density(z: np.ndarray, a: tuple[float, float], sigma0: np.ndarray, mix: GaussianMixture) -> np.ndarray:
    """Log-density of :math:`Z = a_0X_0 + a_1X_1` at the rows of ``z``; the law of Z needs a
    positive definite :math:`a_0^2\\Sigma_0 + a_1^2S_k` for every k."""
    z = _points(z, mix.dim)
    means, gammas = _component_moments(a, sigma0, mix)
    logs = np.stack([np.log(w) + _log_normal(z, m, g) for w, m, g in zip(mix.weights, means, gammas)])
    return logsumexp(logs, axis=0)


def score(z: np.ndarray, a: tuple[float, float], sigma0: np.ndarray, mix: GaussianMixture) -> np.ndarray:
    """:math:`\\nabla\\log p_Z(z) = -\\sum_k \\pi_k(z)\\,\\Gamma_k^{-1}(z - a_1\\mu_k)` for
    :math:`Z = a_0X_0 + a_1X_1`, at the rows of ``z`` (n, d)."""
    z = _points(z, mix.dim)
    means, gammas = _component_moments(a, sigma0, mix)
    logs = np.stack([np.log(w) + _log_normal(z, m, g) for w, m, g in zip(mix.weights, means, gammas)])
    post = np.exp(logs - logsumexp(logs, axis=0))
    grads = np.stack([-np.linalg.solve(g, (z - m).T).T for m, g in zip(means, gammas)])
    return np.einsum("kn,knd->nd", post, grads)


def conditional_mean(
    z: np.ndarray, a: tuple[float, float], b: tuple[float, float], sigma0: np.ndarray, mix: GaussianMixture
) -> np.ndarray:
    """:math:`\\mathbb E[b_0X_0 + b_1X_1 \\mid a_0X_0 + a_1X_1 = z]` at the rows of ``z`` (n, d)."""
    a0, a1 = a
    b0, b1 = b
    z = _points(z, mix.dim)
    means, gammas = _component_moments(a, sigma0, mix)
    logs, preds = [], []
    for w, mu, m, g, s in zip(mix.weights, mix.means, means, gammas, mix.covs):
        c = a0 * b0 * np.asarray(sigma0) + a1 * b1 * s
        logs.append(np.log(w) + _log_normal(z, m, g))
        preds.append(b1 * mu + np.linalg.solve(g, (z - m).T).T @ c.T)
    logs = np.stack(logs)
    post = np.exp(logs - logsumexp(logs, axis=0))
    return np.einsum("kn,knd->nd", post, np.stack(preds))


def interpolant_samples(
    rng: np.random.Generator, a: tuple[float, float], sigma0: np.ndarray, mix: GaussianMixture, n: int
) -> np.ndarray:
    """``n`` samples of :math:`a_0X_0 + a_1X_1` with independent :math:`X_0 \\sim \\mathcal N(0,\\Sigma_0)`, :math:`X_1 \\sim` ``mix``."""
    from verify.particles import gaussian_samples

    return a[0] * gaussian_samples(rng, sigma0, n) + a[1] * mix.sample(rng, n)
