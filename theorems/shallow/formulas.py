"""The printed statements of mlcontrol §2.3–§2.5 (shallow ReLU networks and their relaxation),
their mutants, and the constructions the checks evaluate them with.

Notation of the paper: a consistent data set :math:`\\{(x_i, y_i)\\}_{i \\in [N]}` (distinct
inputs), the shallow network (2.1)

.. math::

    f_{\\text{shallow}}(x, \\Theta) = \\sum_{j \\in [P]} w_j\\,\\sigma(\\langle a_j, x\\rangle + b_j),
    \\qquad (a_j, b_j) \\in \\Omega,

σ the ReLU and Ω a compact set of :math:`\\mathbb R^{d+1}` containing a neighbourhood of 0 (the
checks take the unit ball, as Theorem 2.2 does).  Parameters are stored as rows
:math:`(w_j, a_j, b_j)` of a ``(P, d + 2)`` array.

The printed classes return the numbers the paper's sentences assert (a sufficient width, an
atom bound, a probability); a mutant is a subclass that changes one of them.  The
constructions (:func:`interpolant`, :func:`infeasible_width`, :func:`atoms_lower_bound`) are
derived facts with their proofs in the docstrings, not printed formulas.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

from verify.relaxation import as_data, lift

__all__ = [
    "ExactRepresentation",
    "WidthNMinusOne",
    "WidthPerDimension",
    "GenericWeights",
    "GenericStrictlyOver",
    "GenericWeightsCorrected",
    "GenericAboveTwoN",
    "NoGap",
    "AtomsNMinusOne",
    "HalfWidth",
    "Condensation",
    "CondensationEverywhere",
    "CondensationNever",
    "underparameterised_width",
    "affine_network_exact",
    "affine_network",
    "network",
    "interpolant",
    "interpolant_exact",
    "sign_changes",
    "infeasible_width",
    "atoms_lower_bound",
    "dead_ball",
]


# --- printed statements --------------------------------------------------------------------


class ExactRepresentation:
    """mlcontrol §2.3: for every consistent data set, :math:`P \\ge N` neurons interpolate (2.3).

    .. math:: \\exists\\,\\Theta \\in (\\mathbb R\\times\\Omega)^P:\\ f_{\\text{shallow}}(x_i, \\Theta) = y_i
              \\ \\forall i \\in [N], \\quad\\text{whenever } P \\ge N.
    """

    def sufficient_width(self, N: int, d: int) -> int:
        """The width the paper prints as sufficient for every consistent data set of N pairs."""
        return N


class WidthNMinusOne(ExactRepresentation):
    """Mutant: N − 1 neurons always suffice."""

    def sufficient_width(self, N: int, d: int) -> int:
        return max(N - 1, 1)


class WidthPerDimension(ExactRepresentation):
    """Mutant: ⌈N/(d+1)⌉ neurons always suffice (the under-parameterised regime of §3, which the
    paper says is reached only *sometimes*)."""

    def sufficient_width(self, N: int, d: int) -> int:
        return max(-(-N // (d + 1)), 1)


class GenericWeights:
    """mlcontrol §2.3: "generically with respect to :math:`\\{(a_j, b_j)\\}_{j\\in[P]}`, the basis
    functions involved are linearly independent, and the existence of weights
    :math:`\\{w_j\\}` assuring (2.3) is then guaranteed".

    Read as a probability for :math:`(a_j, b_j)` drawn uniformly from :math:`\\Omega^P` (any
    density gives the same null sets): the printed sentence says the solvable set has
    probability one.  :meth:`solvable_probability_bounds` returns the bracket ``(lo, hi)`` the
    statement asserts.
    """

    def solvable_probability_bounds(self, X: np.ndarray, P: int) -> tuple[float, float]:
        return 1.0, 1.0


class GenericStrictlyOver(GenericWeights):
    """Mutant of the printed sentence: probability one only in the strictly over-parameterised
    regime P > N (no claim at P = N)."""

    def solvable_probability_bounds(self, X: np.ndarray, P: int) -> tuple[float, float]:
        N = np.atleast_2d(np.asarray(X)).shape[0]
        return (1.0, 1.0) if P > N else (0.0, 1.0)


class GenericWeightsCorrected(GenericWeights):
    """Corrected: the solvable set and its complement both have positive probability.

    .. math:: 0 < \\rho_\\star^{(d+1)P} \\le \\Pr[\\text{solvable}] \\le 1 - \\rho^{(d+1)P} < 1,
              \\qquad \\rho = \\min\\Big(\\tfrac12, \\tfrac{1}{2\\max_i |z_i|}\\Big),

    The upper bound: every neuron in the ball :math:`B((0, \\dots, 0, -\\tfrac12), \\rho)` is
    inactive on every data point (:math:`\\langle\\theta, z_i\\rangle \\le -\\tfrac12 + \\rho|z_i| < 0`,
    :math:`z_i = (x_i, 1)`), so with every neuron there no weights interpolate non-zero data; that
    ball has volume fraction :math:`\\rho^{d+1}` of the unit ball.  The lower bound: around the
    constructive interpolant of :func:`interpolant` (P = N neurons rescaled to norm ½, feature
    matrix with smallest singular value :math:`s_\\star`) every :math:`(a_j, b_j)` within
    :math:`\\rho_\\star = s_\\star / (2\\sqrt{P}\\,\\|Z\\|_F)` keeps the features of rank N (the
    ReLU features are :math:`\\|z_i\\|`-Lipschitz in θ), inside a ball of radius
    :math:`\\rho_\\star` of the unit ball, and extra neurons (P > N) do not lower the rank.
    """

    def solvable_probability_bounds(self, X: np.ndarray, P: int) -> tuple[float, float]:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        N, d = X.shape
        if P < N:
            return 0.0, 1.0
        rho = dead_ball(X)[1]
        neurons = interpolant(X, np.ones(N))[:, 1:]
        neurons *= 0.5 / np.linalg.norm(neurons, axis=1, keepdims=True)  # room for a ball in Ω
        phi = np.maximum(lift(X) @ neurons.T, 0.0)
        s_min = np.linalg.svd(phi, compute_uv=False)[-1]
        r_star = min(s_min / (2 * np.sqrt(N) * np.linalg.norm(lift(X))), 0.5)
        lo = r_star ** ((d + 1) * N)
        return float(lo), float(1 - rho ** ((d + 1) * P))


class GenericAboveTwoN(GenericWeightsCorrected):
    """Mutant of the correction: with P ≥ 2N neurons the unsolvable set becomes null."""

    def solvable_probability_bounds(self, X: np.ndarray, P: int) -> tuple[float, float]:
        lo, hi = super().solvable_probability_bounds(X, P)
        N = np.atleast_2d(np.asarray(X)).shape[0]
        return (lo, 1.0) if P < 2 * N else (1.0, 1.0)


class NoGap:
    """mlcontrol Theorem 2.1 (No-Gap), eqs. (2.6)–(2.7), for P ≥ N.

    .. math::

        \\operatorname{val}(P_0) = \\operatorname{val}(PR_0), \\quad
        \\operatorname{Ext}(S(PR_0)) \\subseteq \\Big\\{\\sum_{j=1}^N w_j\\delta_{(a_j, b_j)} \\,\\Big|\\,
        (\\Theta_j)_{j=1}^N \\in S(P_0)\\Big\\},

    and the same for (Pε)/(PRε); the solution sets are non-empty, convex and weak-* compact;
    "the values of the primal problems become independent of P as soon as P ≥ N".
    """

    def atoms_bound(self, N: int) -> int:
        """The largest number of atoms of an extreme point of S(PR0) or S(PRε)."""
        return N

    def gapless_width(self, N: int) -> int:
        """The width from which val(P0) = val(PR0) (and val(Pε) = val(PRε))."""
        return N


class AtomsNMinusOne(NoGap):
    """Mutant: extreme points of the relaxed solution set have at most N − 1 atoms."""

    def atoms_bound(self, N: int) -> int:
        return N - 1


class HalfWidth(NoGap):
    """Mutant: val(P0) = val(PR0) already with P = ⌈N/2⌉ neurons."""

    def gapless_width(self, N: int) -> int:
        return -(-N // 2)


class Condensation:
    """mlcontrol §3 (opening paragraph): "exact representation can sometimes be achieved even
    when P < N, or even in the underparameterized regime P < N/(d+1)".

    :meth:`underparameterised_data` says for which consistent data sets a network with
    P < N/(d+1) neurons interpolates: ``"some"`` as printed (not none, not all).
    """

    def underparameterised_data(self) -> str:
        return "some"


class CondensationEverywhere(Condensation):
    """Mutant: every consistent data set is interpolated with P < N/(d+1) neurons."""

    def underparameterised_data(self) -> str:
        return "all"


class CondensationNever(Condensation):
    """Mutant: no data set is interpolated with P < N/(d+1) neurons (P = N is needed)."""

    def underparameterised_data(self) -> str:
        return "none"


def underparameterised_width(N: int, d: int) -> int:
    """The largest P with P < N/(d+1), the regime the sentence names."""
    return -(-N // (d + 1)) - 1


def affine_network_exact(c: Sequence, e, X: Sequence[Sequence]) -> list[tuple[Fraction, ...]]:
    r"""Two neurons that represent :math:`x \mapsto \langle c, x\rangle + e` exactly on the inputs:

    .. math:: \sigma(\langle c, x\rangle + B) - (B - e)\,\sigma(1), \qquad
              B = 1 - \min_i \langle c, x_i\rangle,

    the first neuron active on every input, the second the constant neuron (a, b) = (0, 1);
    both scaled into the unit ball by the ℓ¹ norm (positive homogeneity).
    """
    cq = [Fraction(v) for v in c]
    eq = Fraction(e)
    proj = [sum(ci * Fraction(xi) for ci, xi in zip(cq, x)) for x in X]
    B = 1 - min(proj)
    s = sum(abs(v) for v in cq) + abs(B)
    d = len(cq)
    return [(s, *[v / s for v in cq], B / s), (-(B - eq), *[Fraction(0)] * d, Fraction(1))]


def affine_network(c: np.ndarray, e: float, X: np.ndarray) -> np.ndarray:
    """:func:`affine_network_exact` in floating point, rows (w_j, a_j, b_j)."""
    c = np.asarray(c, dtype=float)
    X = np.atleast_2d(np.asarray(X, dtype=float))
    B = 1.0 - float(np.min(X @ c))
    s = float(np.abs(c).sum() + abs(B))
    return np.array([[s, *(c / s), B / s], [-(B - e), *np.zeros(len(c)), 1.0]])


# --- constructions and certificates --------------------------------------------------------


def network(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """:math:`f_{\\text{shallow}}(x_i, \\Theta)` for parameter rows (w_j, a_j, b_j), eq. (2.1)."""
    theta = np.asarray(theta, dtype=float)
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if theta.ndim != 2 or theta.shape[1] != X.shape[1] + 2:
        raise ValueError(f"theta must have shape (P, {X.shape[1] + 2}), got {theta.shape}")
    return np.maximum(lift(X) @ theta[:, 1:].T, 0.0) @ theta[:, 0]


def _direction(X: Sequence[Sequence[Fraction]]) -> list[Fraction]:
    """A rational direction u with distinct projections ⟨u, x_i⟩: u = (1, k, k², …) for the
    first k = 0, 1, 2, … that separates the points (a polynomial in k has finitely many roots,
    so some k works)."""
    d = len(X[0])
    k = 0
    while True:
        u = [Fraction(k) ** p if p else Fraction(1) for p in range(d)]
        proj = [sum(ui * xi for ui, xi in zip(u, x)) for x in X]
        if len(set(proj)) == len(proj):
            return u
        k += 1


def interpolant_exact(X: Sequence[Sequence], y: Sequence) -> list[tuple[Fraction, ...]]:
    """An exact rational interpolant with P = N neurons in the unit ball (the proof of §2.3).

    Project on a separating direction u, sort :math:`t_{(1)} < \\dots < t_{(N)}`, put a kink
    :math:`\\beta_1 = t_{(1)} - 1`, :math:`\\beta_j = (t_{(j-1)} + t_{(j)})/2`: the matrix
    :math:`\\sigma(t_{(i)} - \\beta_j)` is lower triangular with positive diagonal, so forward
    substitution gives the weights.  Each neuron :math:`(u, -\\beta_j)` is scaled into Ω by
    :math:`c_j = 1/(\\|u\\|_1 + |\\beta_j|)` (ℓ¹ ≥ ℓ², rational), and its weight by :math:`1/c_j`
    — positive homogeneity of the ReLU keeps the network unchanged.
    """
    Xq = [[Fraction(v) for v in x] for x in X]
    yq = [Fraction(v) for v in y]
    if len({tuple(x) for x in Xq}) != len(Xq) or len(yq) != len(Xq):
        raise ValueError("X must have distinct rows and y one label per row (a consistent data set)")
    u = _direction(Xq)
    t = [sum(ui * xi for ui, xi in zip(u, x)) for x in Xq]
    order = sorted(range(len(t)), key=lambda i: t[i])
    ts = [t[i] for i in order]
    beta = [ts[0] - 1] + [(ts[j - 1] + ts[j]) / 2 for j in range(1, len(ts))]
    w: list[Fraction] = []
    for i, ti in enumerate(ts):
        partial = sum(w[j] * max(ti - beta[j], 0) for j in range(i))
        w.append((yq[order[i]] - partial) / (ti - beta[i]))
    out = []
    norm_u = sum(abs(v) for v in u)
    for wj, bj in zip(w, beta):
        c = 1 / (norm_u + abs(bj))
        out.append((wj / c, *[c * v for v in u], -c * bj))
    return out


def interpolant(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The construction of :func:`interpolant_exact` in floating point, rows (w_j, a_j, b_j).

    The direction is the principal axis of the inputs (the separation ``min |t_(j) − t_(j−1)|``
    governs the conditioning); ties fall back to a seeded random direction.
    """
    X, y = as_data(X, y)
    N, d = X.shape
    centred = X - X.mean(axis=0)
    u = np.linalg.svd(centred, full_matrices=False)[2][0] if N > 1 else np.eye(d)[0]
    rng = np.random.default_rng(0)
    for _ in range(20):
        t = X @ u
        if len(np.unique(t)) == N:
            break
        u = rng.normal(size=d)
        u /= np.linalg.norm(u)
    else:  # pragma: no cover - distinct rows always separate for some direction
        raise ValueError("could not find a direction separating the inputs")
    order = np.argsort(t)
    ts = t[order]
    gaps = np.diff(ts)
    beta = np.concatenate([[ts[0] - 1.0], ts[:-1] + gaps / 2])
    L = np.maximum(ts[:, None] - beta[None, :], 0.0)
    from scipy.linalg import solve_triangular

    w = solve_triangular(L, y[order], lower=True)
    theta = np.column_stack([np.tile(u, (N, 1)), -beta])
    c = 1.0 / np.linalg.norm(theta, axis=1) * (1 - 1e-12)
    return np.column_stack([w / c, theta * c[:, None]])


def sign_changes(x: np.ndarray, y: np.ndarray) -> int:
    """Sign changes of the non-zero labels along the sorted 1-D inputs."""
    s = np.sign(np.asarray(y, dtype=float)[np.argsort(np.asarray(x, dtype=float).ravel())])
    s = s[s != 0]
    return int(np.sum(s[1:] != s[:-1]))


def infeasible_width(X: np.ndarray, y: np.ndarray, P: int) -> str | None:
    """A proof that no P-neuron network interpolates the data, or ``None``.

    - P = 0 and some :math:`y_i \\ne 0`;
    - P = 1 and the labels take both signs: :math:`w\\sigma(\\cdot)` has the sign of w;
    - d = 1 and S ≥ P + 2 sign changes: a P-neuron network is continuous piecewise affine with
      at most P kinks, hence at most P + 1 pieces; between two consecutive non-zero labels of
      opposite signs it vanishes, these open intervals are disjoint, a non-zero affine piece
      vanishes at most once, and a piece that vanishes identically holds no non-zero label, so
      it lies inside one interval.  Each interval needs its own piece: S ≤ P + 1.
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if X.shape[0] == 1 and X.shape[1] != 1 and np.ndim(y) == 1 and len(y) != 1:
        X = X.T
    y = np.asarray(y, dtype=float)
    if P == 0 and np.any(y != 0):
        return "P = 0 and the labels are not all 0"
    if P == 1 and np.any(y > 0) and np.any(y < 0):
        return "one neuron w·σ(·) has the sign of w, the labels take both signs"
    if X.shape[1] == 1:
        S = sign_changes(X[:, 0], y)
        if S >= P + 2:
            return f"d = 1: {S} sign changes need at least {S + 1} affine pieces, P = {P} neurons give at most {P + 1}"
    return None


def atoms_lower_bound(X: np.ndarray, y: np.ndarray) -> int:
    """The fewest atoms any feasible measure of (PR0) can have, from :func:`infeasible_width`:
    an atomic measure with K atoms *is* a K-neuron network (2.5)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    K = 0
    while infeasible_width(X, y, K) is not None:
        K += 1
    return K


def dead_ball(X: np.ndarray) -> tuple[np.ndarray, float]:
    """A ball of Ω on which every neuron is inactive on every input: centre
    :math:`(0, \\dots, 0, -\\tfrac12)` and radius :math:`\\rho = \\min(\\tfrac12, 1/(2\\max_i|z_i|))`
    (see :class:`GenericWeightsCorrected`)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Z = lift(X)
    centre = np.zeros(Z.shape[1])
    centre[-1] = -0.5
    rho = min(0.5, 1.0 / (2 * np.max(np.linalg.norm(Z, axis=1))))
    return centre, float(rho)
