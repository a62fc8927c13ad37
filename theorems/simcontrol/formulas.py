"""The printed statements of mlcontrol §3.2 (simultaneous control of neural ODEs by piecewise
constant controls), their mutants, the constructive controls the checks exhibit, and the lower
bounds that refute the mutants.

The model is the neural ODE (3.3)/(3.4) with the ReLU,

.. math::

    \\dot x(t) = \\sum_{i\\in[P]} w_i(t)\\,\\sigma(\\langle a_i(t), x(t)\\rangle + b_i(t)),
    \\qquad t \\in (0, T),

(P = 1 is (3.6)).  Controls are piecewise constant: a sequence of :class:`Piece` objects
(duration τ, ``W`` of shape ``(d, P)`` whose columns are the :math:`w_i`, ``A`` of shape
``(P, d)`` whose rows are the :math:`a_i`, ``b`` of shape ``(P,)``); a *switch* is a time at
which the control (W, A, b) jumps, so L switches means at least L + 1 pieces.

**The construction** (:meth:`TwoStepControl.controls`, derived here, not printed).  Pick integer
directions :math:`n_1, n_2` (points of the moment curve :math:`(1, k, \\dots, k^{d-1})`) with
distinct projections :math:`\\langle n_1, x_i\\rangle` and :math:`\\langle n_2, y_i\\rangle`, and
meeting points :math:`z_i` with :math:`\\langle n_1, z_i\\rangle = \\langle n_1, x_i\\rangle`,
:math:`\\langle n_2, z_i\\rangle = \\langle n_2, y_i\\rangle`.  A piece whose neurons all have
normal :math:`a_i = n` and weights :math:`w_i \\perp n` has :math:`AW = 0`, so
:math:`\\langle n, x\\rangle` is constant along its trajectories and its flow is the *shear*

.. math:: x \\mapsto x + \\tau\\,W\\sigma(Ax + b) = x + G(\\langle n, x\\rangle),
          \\qquad G(s) = \\sum_j \\beta_j\\,\\sigma(s - c_j),\\ \\beta_j \\perp n .

With kinks :math:`c_j` just below the sorted projections the system
:math:`G(s_i) = z_i - x_i` is lower triangular (the shallow interpolant of mlcontrol §2.3, one
neuron per point).  Step 1 spreads the N neurons of the shear :math:`X \\to Z` over
:math:`\\lceil N/P\\rceil` pieces of P neurons (shears along the same normal commute and add up);
step 2 builds the shear :math:`Y \\to Z` the same way and runs it backwards in time (pieces in
reverse order, weights negated).  That is :math:`2\\lceil N/P\\rceil` pieces, i.e.
:math:`2\\lceil N/P\\rceil - 1` switches — exactly the count of Theorem 3.3, and
:math:`2N - 1 \\le 3N` for Theorem 3.1.  With rational data everything is rational, and the flow
is exact.

**Lower bounds** (:func:`infeasibility_certificate`, proofs in its docstring): d = 1 flows are
increasing; one piece of (3.6) moves every point along the same w; two pieces of (3.6) cannot
realise a cycle :math:`y_{i_1} = x_{i_2}, \\dots, y_{i_k} = x_{i_1}`; an autonomous field with two
neurons in the plane has no periodic orbit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

__all__ = [
    "Piece",
    "Controls",
    "relu",
    "node_field",
    "as_data",
    "exact",
    "separating_direction",
    "meeting_points",
    "shear_interpolant",
    "shear_pieces",
    "construction_switches",
    "pad",
    "piece_map",
    "flow",
    "find_cycle",
    "infeasibility_certificate",
    "realise",
    "TwoStepControl",
    "SimultaneousControl",
    "DimensionOne",
    "OneSwitchPerPoint",
    "StepsSwapped",
    "DepthWidth",
    "OneStepPerGroup",
    "HighDimensionalCount",
    "ReversalWithoutSign",
    "DepthWidthProduct",
    "ProductDepthTimesWidth",
    "ProductDivisorWidths",
    "DepthWidthProductCorrected",
    "CorrectedEveryWidth",
    "CorrectedTightUpper",
    "divisors",
]


# --- controls and the printed vector field ---------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """One constant piece of a control: duration ``tau`` and ``W`` (d, P), ``A`` (P, d), ``b`` (P,)."""

    tau: Any
    W: np.ndarray
    A: np.ndarray
    b: np.ndarray

    def same_control(self, other: "Piece") -> bool:
        """Whether the two pieces carry the same control value (W, A, b) (durations aside)."""
        return (
            self.W.shape == other.W.shape
            and bool(np.all(self.W == other.W))
            and bool(np.all(self.A == other.A))
            and bool(np.all(self.b == other.b))
        )


@dataclass(frozen=True)
class Controls:
    """Piecewise constant controls on [0, T] as a sequence of pieces (time order)."""

    pieces: tuple[Piece, ...]

    @property
    def T(self) -> Any:
        return sum((p.tau for p in self.pieces[1:]), self.pieces[0].tau)

    @property
    def width(self) -> int:
        return int(self.pieces[0].W.shape[1])

    def switches(self) -> int:
        """Number of jumps of t ↦ (W(t), A(t), b(t)): consecutive pieces with different values."""
        return sum(not p.same_control(q) for p, q in zip(self.pieces, self.pieces[1:]))

    def breakpoints(self) -> list[Any]:
        """Times at which the control jumps."""
        out, t = [], self.pieces[0].tau
        for p, q in zip(self.pieces, self.pieces[1:]):
            if not p.same_control(q):
                out.append(t)
            t = t + q.tau
        return out


def relu(z: np.ndarray) -> np.ndarray:
    """σ(s) = max(s, 0) elementwise (float arrays and object arrays of Fractions alike)."""
    return np.maximum(z, 0)


def node_field(x: np.ndarray, W: np.ndarray, A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The vector field of (3.3)/(3.4) at the particles ``x`` (n, d).

    .. math:: \\dot x = W\\boldsymbol\\sigma(Ax + b) = \\sum_{i\\in[P]} w_i\\,\\sigma(\\langle a_i, x\\rangle + b_i)

    mlcontrol, eqs. (3.3)–(3.4) (eq. (3.6) for P = 1), σ the ReLU.  Returns (n, d).
    """
    return relu(x @ A.T + b) @ W.T


# --- data ---------------------------------------------------------------------------------


def exact(values: Any) -> np.ndarray:
    """Object array of Fractions with the exact values of ``values`` (ints, Fractions, floats)."""
    arr = np.asarray(values, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"values must be finite, got {v!r} at {idx}")
        out[idx] = Fraction(v)
    return out


def as_data(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a data set of the theorems: X, Y of the same shape (N, d), finite, with
    :math:`x_i \\ne x_j` and :math:`y_i \\ne y_j` for i ≠ j.  Object arrays (Fractions) stay
    exact; anything else becomes float64."""
    is_exact = isinstance(X, np.ndarray) and X.dtype == object
    Xa = exact(X) if is_exact else np.asarray(X, dtype=float)
    Ya = exact(Y) if is_exact else np.asarray(Y, dtype=float)
    if Xa.ndim != 2 or Xa.shape[0] < 1 or Xa.shape[1] < 1:
        raise ValueError(f"X must have shape (N, d) with N, d >= 1, got {Xa.shape}")
    if Ya.shape != Xa.shape:
        raise ValueError(f"Y must have the shape of X {Xa.shape}, got {Ya.shape}")
    if not is_exact and not (np.all(np.isfinite(Xa)) and np.all(np.isfinite(Ya))):
        raise ValueError("X and Y must be finite (got NaN or inf)")
    for name, M in (("X", Xa), ("Y", Ya)):
        rows = [tuple(r) for r in M]
        if len(set(rows)) < len(rows):
            i = next(k for k, r in enumerate(rows) if rows.count(r) > 1)
            j = next(k for k in range(i + 1, len(rows)) if rows[k] == rows[i])
            raise ValueError(f"{name} has repeated points: rows {i} and {j} are both {list(map(float, M[i]))}; "
                             "the theorems need distinct inputs and distinct targets")
    return Xa, Ya


# --- the two-step construction ------------------------------------------------------------


def _moment(k: int, d: int, is_exact: bool) -> np.ndarray:
    v = [k**j for j in range(d)]
    return exact(v) if is_exact else np.asarray(v, dtype=float)


def _candidates(limit: int):
    yield 0
    for k in range(1, limit + 1):
        yield k
        yield -k


def separating_direction(points: np.ndarray, avoid: int | None = None, look: int = 5) -> tuple[int, np.ndarray]:
    """An integer direction :math:`n = (1, k, \\dots, k^{d-1})` with distinct projections
    :math:`\\langle n, p_i\\rangle`; among the first ``look`` admissible k (in the order 0, 1, −1,
    2, …, skipping ``avoid``) the one with the largest normalised gap
    :math:`\\min_{i\\ne j}|\\langle n, p_i - p_j\\rangle| / |n|`.

    For each pair the projection difference is a non-zero polynomial of degree ≤ d − 1 in k, so at
    most :math:`(d-1)\\binom N2` values of k fail and the scan always ends.  Returns (k, n).
    """
    N, d = points.shape
    is_exact = points.dtype == object
    if is_exact:
        look = 1  # exact arithmetic does not care about conditioning: the first admissible k
    limit = (d - 1) * N * (N - 1) // 2 + look + 2
    best: tuple[Any, int, np.ndarray] | None = None
    found = 0
    for k in _candidates(limit):
        if k == avoid:
            continue
        n = _moment(k, d, is_exact)
        s = sorted(points @ n)
        gaps = [s[i + 1] - s[i] for i in range(N - 1)]
        if any(g == 0 for g in gaps):
            continue
        score = (min(gaps) ** 2 / (n @ n)) if gaps else 1
        if best is None or score > best[0]:
            best = (score, k, n)
        found += 1
        if found >= look:
            break
    assert best is not None, "the moment-curve scan always finds a direction"
    return best[1], best[2]


def meeting_points(X: np.ndarray, Y: np.ndarray, n1: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Points :math:`z_i = y_i + \\mu_i m` with :math:`m = n_1 - \\frac{\\langle n_1, n_2\\rangle}{|n_2|^2}n_2`,
    so that :math:`\\langle n_2, z_i\\rangle = \\langle n_2, y_i\\rangle` and
    :math:`\\langle n_1, z_i\\rangle = \\langle n_1, x_i\\rangle` (needs :math:`n_1 \\nparallel n_2`)."""
    m = n1 - (n1 @ n2) / (n2 @ n2) * n2
    denom = n1 @ m
    if denom == 0:
        raise ValueError(f"n1 = {list(n1)} and n2 = {list(n2)} must not be parallel")
    mu = ((X - Y) @ n1) / denom
    return Y + mu[:, None] * m[None, :]


def shear_interpolant(s: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, list[Any], list[np.ndarray]]:
    """Kinks and weights of :math:`G(s) = \\sum_j \\beta_j\\sigma(s - c_j)` with
    :math:`G(s_i) = D_i` for distinct :math:`s_i`.

    Sorted :math:`s_{(1)} < \\dots < s_{(N)}`, kinks :math:`c_1 = s_{(1)} - h`,
    :math:`c_j = (s_{(j-1)} + s_{(j)})/2` (h half the smallest gap, 1 for N = 1): neuron j is
    active at :math:`s_{(k)}` iff j ≤ k, a lower triangular system with diagonal
    :math:`s_{(k)} - c_k > 0`.  Returns (order, kinks, betas) in sorted order.
    """
    order = np.argsort(s, kind="stable")
    ss = [s[i] for i in order]
    N = len(ss)
    if any(ss[k + 1] == ss[k] for k in range(N - 1)):
        raise ValueError(f"s must be distinct, got {list(map(float, ss))}")
    h = min(ss[k + 1] - ss[k] for k in range(N - 1)) / 2 if N > 1 else 1
    c = [ss[0] - h] + [(ss[k - 1] + ss[k]) / 2 for k in range(1, N)]
    betas: list[np.ndarray] = []
    for k in range(N):
        acc = D[order[k]]
        for j in range(k):
            acc = acc - betas[j] * (ss[k] - c[j])
        betas.append(acc / (ss[k] - c[k]))
    return order, c, betas


def _zeros(shape: tuple[int, ...], is_exact: bool) -> np.ndarray:
    return np.full(shape, Fraction(0), dtype=object) if is_exact else np.zeros(shape)


def shear_pieces(P0: np.ndarray, D: np.ndarray, n: np.ndarray, P: int, tau: Any) -> list[Piece]:
    """Pieces of width P whose composed flow is the shear :math:`p \\mapsto p + G(\\langle n, p\\rangle)`
    with :math:`G(\\langle n, p_i\\rangle) = D_i` (all :math:`D_i \\perp n`): the N neurons of
    :func:`shear_interpolant` in groups of P consecutive kinks, one group per piece, padded with
    zero neurons."""
    is_exact = P0.dtype == object
    _, c, betas = shear_interpolant(P0 @ n, D)
    N, d = P0.shape
    pieces = []
    for g in range(math.ceil(N / P)):
        W, A, b = _zeros((d, P), is_exact), _zeros((P, d), is_exact), _zeros((P,), is_exact)
        for col, j in enumerate(range(g * P, min((g + 1) * P, N))):
            W[:, col] = betas[j] / tau
            A[col] = n
            b[col] = -c[j]
        pieces.append(Piece(tau, W, A, b))
    return pieces


def construction_switches(N: int, P: int) -> int:
    """Switches of the two-step construction: :math:`2\\lceil N/P\\rceil` pieces, so
    :math:`2\\lceil N/P\\rceil - 1` switches."""
    return 2 * math.ceil(N / P) - 1


def pad(ctrl: Controls, L: int) -> Controls:
    """The same flow map with exactly L switches: the last piece v on τ becomes (m + 1)v on
    τ/(m + 1) (the same shear, since AW = 0) followed by m null pieces (W = 0, A = 0, b = j),
    m = L − current switches."""
    m = L - ctrl.switches()
    if m < 0:
        raise ValueError(f"L = {L} is below the {ctrl.switches()} switches the controls already have")
    if m == 0:
        return ctrl
    last = ctrl.pieces[-1]
    is_exact = last.W.dtype == object
    tau = last.tau / (m + 1)
    d, P = last.W.shape
    one = Fraction(1) if is_exact else 1.0
    nulls = [Piece(tau, _zeros((d, P), is_exact), _zeros((P, d), is_exact), np.full((P,), one * (j + 1), dtype=last.b.dtype))
             for j in range(m)]
    return Controls((*ctrl.pieces[:-1], Piece(tau, last.W * (m + 1), last.A, last.b), *nulls))


def piece_map(piece: Piece, x: np.ndarray) -> np.ndarray:
    """Exact flow of a piece with :math:`AW = 0` (normals orthogonal to weights):
    :math:`x \\mapsto x + \\tau W\\sigma(Ax + b)` (``derivation`` proves it).  Exact (object)
    arrays only; raises ``ValueError`` when :math:`AW \\ne 0`."""
    if x.dtype != object:
        raise ValueError("piece_map is exact: pass object arrays of Fractions (use the integrators for floats)")
    AW = piece.A @ piece.W
    if not np.all(AW == 0):
        raise ValueError(f"piece_map needs A W = 0, got A W = {AW.tolist()}")
    return x + piece.tau * node_field(x, piece.W, piece.A, piece.b)


def flow(ctrl: Controls, X: np.ndarray) -> np.ndarray:
    """Exact flow map :math:`\\Phi_T` of the controls on exact particles ``X`` (N, d)."""
    x = X
    for p in ctrl.pieces:
        x = piece_map(p, x)
    return x


# --- lower bounds ---------------------------------------------------------------------------


def find_cycle(X: np.ndarray, Y: np.ndarray) -> list[int] | None:
    """Indices :math:`i_1, \\dots, i_k` (k ≥ 2) with :math:`y_{i_1} = x_{i_2}, \\dots, y_{i_k} = x_{i_1}`."""
    rows = {tuple(r): i for i, r in enumerate(X)}
    nxt = {i: rows.get(tuple(Y[i])) for i in range(len(X))}
    for start in range(len(X)):
        path, i = [start], nxt[start]
        while i is not None and i not in path and len(path) <= len(X):
            path.append(i)
            i = nxt[i]
        if i == start and len(path) >= 2:
            return path
    return None


def _num(v: Fraction) -> str:
    """A rational as written: p/q when short, else the float it came from."""
    return str(v) if v.denominator <= 10**6 else repr(float(v))


def _positively_parallel(u: np.ndarray, v: np.ndarray) -> bool:
    minors = [u[k] * v[m] - u[m] * v[k] for k in range(len(u)) for m in range(k + 1, len(u))]
    return all(x == 0 for x in minors) and u @ v > 0


def infeasibility_certificate(X: Any, Y: Any, P: int, L: int) -> str | None:
    """A proof that no piecewise constant control of width P with at most L switches maps
    :math:`x_i \\mapsto y_i` (any T), or None.  Exact: floats are read as the rationals they are.

    - L < 0 is not a number of switches.
    - d = 1: each piece is the flow of a Lipschitz field on ℝ, an increasing map, and so is the
      composition; an order reversal :math:`x_i < x_j`, :math:`y_i > y_j` is impossible.
    - P = 1, L = 0: one piece of (3.6) moves a point by
      :math:`w\\,s_0(e^{c\\tau} - 1)/c` (:math:`s_0 = \\sigma(\\langle a, x\\rangle + b) \\ge 0`,
      :math:`c = \\langle a, w\\rangle`): every displacement is a non-negative multiple of w.
    - P = 1, L ≤ 1, a cycle :math:`y_{i_1} = x_{i_2}, \\dots, y_{i_k} = x_{i_1}` (k ≥ 2): point i
      moves by :math:`\\alpha_i w^1 + \\beta_i w^2`, α, β ≥ 0, and the displacements of a cycle sum
      to 0.  If :math:`w^1, w^2` are independent all α, β vanish, yet the points move; otherwise
      all motion is along one vector v, the cycle lies on a line parallel to v that both pieces
      leave invariant, and on it the flow is increasing: an increasing map permuting a finite
      set is the identity.
    - d = 2, P ≤ 2, L = 0, a cycle: :math:`\\Phi_{kT}(x_{i_1}) = x_{i_1}` makes the orbit of
      :math:`x_{i_1}` periodic; a periodic orbit of a planar Lipschitz field encloses an
      equilibrium (Brouwer on the invariant disk, then t → 0); but every equilibrium of
      :math:`w_1\\sigma(\\ell_1) + w_2\\sigma(\\ell_2)` lies in an unbounded connected set of
      equilibria ({ℓ₁ ≤ 0, ℓ₂ ≤ 0}, a half-plane when one weight vanishes, or, where both neurons
      are active and :math:`w_2 = \\mu w_1`, μ < 0, a ray of the line
      :math:`\\ell_1 + \\mu\\ell_2 = 0` — both its ends finite would put both at the corner
      ℓ₁ = ℓ₂ = 0), which would cross the orbit.
    """
    Xe, Ye = as_data(exact(X), exact(Y))
    N, d = Xe.shape
    if int(P) != P or P < 1:
        raise ValueError(f"P must be a positive integer, got {P!r}")
    if L < 0:
        return f"L = {L} < 0 is not a number of switches"
    if d == 1:
        for i in range(N):
            for j in range(N):
                if Xe[i, 0] < Xe[j, 0] and Ye[i, 0] > Ye[j, 0]:
                    return (f"d = 1: flows on ℝ are increasing, but x_{i} = {_num(Xe[i, 0])} < x_{j} = {_num(Xe[j, 0])} "
                            f"while y_{i} = {_num(Ye[i, 0])} > y_{j} = {_num(Ye[j, 0])}")
    if P == 1 and L == 0:
        D = Ye - Xe
        moving = [i for i in range(N) if any(v != 0 for v in D[i])]
        for i in moving:
            for j in moving:
                if i < j and not _positively_parallel(D[i], D[j]):
                    return (f"P = 1, L = 0: one piece moves every point along the same w, but the displacements "
                            f"y_{i} − x_{i} = {[_num(v) for v in D[i]]} and y_{j} − x_{j} = {[_num(v) for v in D[j]]} "
                            "are not positive multiples of each other")
    if d >= 2 and (P == 1 and L <= 1 or d == 2 and P <= 2 and L == 0):
        cyc = find_cycle(Xe, Ye)
        if cyc is not None:
            what = " → ".join(str(i) for i in (*cyc, cyc[0]))
            if P == 1 and L <= 1:
                return (f"P = 1, L = {L}: the targets form the cycle {what} (y_i = x_next); two pieces of (3.6) cannot "
                        "realise a cycle (its displacements α_i w¹ + β_i w², α, β ≥ 0, sum to zero, so the motion is along one "
                        "line, on which flows are increasing)")
            return (f"d = 2, P = {P}, L = 0: the targets form the cycle {what}, which would be a periodic orbit of an autonomous "
                    "field with two neurons; such a field has no periodic orbit (every equilibrium lies in an unbounded "
                    "connected set of equilibria, while a periodic orbit encloses one)")
    return None


def realise(formulas: Any, X: np.ndarray, Y: np.ndarray, T: Any, P: int) -> tuple[str, Any, int]:
    """Decide the claimed count on one data set: ``("controls", Controls, L)`` when the
    construction meets it (padded to exactly L switches when the claim says "with L"),
    ``("proof", str, L)`` when :func:`infeasibility_certificate` refutes it, ``("undecided",
    needed switches, L)`` otherwise."""
    N, d = X.shape
    L = int(formulas.switches(N, P))
    if d >= 2:
        ctrl = formulas.controls(X, Y, T, P)
        if ctrl.switches() <= L:
            return "controls", (pad(ctrl, L) if formulas.exact_count else ctrl), L
    proof = infeasibility_certificate(X, Y, P, L)
    if proof is not None:
        return "proof", proof, L
    return "undecided", construction_switches(N, P), L


# --- printed statements: Theorems 3.1 and 3.3 ----------------------------------------------------


class TwoStepControl:
    """The neural ODE (3.3)/(3.4) and the constructive controls that exhibit the simultaneous
    control of Theorems 3.1 and 3.3 (the construction is derived in this module's docstring; the
    survey prints only the existence statements)."""

    #: whether the theorem says "with L switches" (True) or "with at most L switches" (False)
    exact_count: bool = True

    def field(self, x: np.ndarray, W: np.ndarray, A: np.ndarray, b: np.ndarray) -> np.ndarray:
        """mlcontrol eqs. (3.3)–(3.4): :math:`\\dot x = \\sum_i w_i\\sigma(\\langle a_i, x\\rangle + b_i)`."""
        return node_field(x, W, A, b)

    def min_dim(self) -> int:
        """The smallest dimension the theorem covers ("Let the dimension d ≥ 2")."""
        return 2

    def widths(self, N: int) -> tuple[int, ...]:
        return tuple(range(1, N + 2))

    def switches(self, N: int, P: int) -> int:
        raise NotImplementedError

    def reverse(self, pieces: Sequence[Piece]) -> list[Piece]:
        """Time reversal: the flow of −v over τ inverts the flow of v over τ; pieces run backwards."""
        return [Piece(p.tau, -p.W, p.A, p.b) for p in reversed(pieces)]

    def concatenate(self, first: Sequence[Piece], second: Sequence[Piece]) -> tuple[Piece, ...]:
        """Step 1 (X → Z), then step 2 (Z → Y)."""
        return (*first, *second)

    def controls(self, X: Any, Y: Any, T: Any, P: int) -> Controls:
        """Piecewise constant controls of width P on [0, T] with
        :math:`2\\lceil N/P\\rceil - 1` switches whose flow maps :math:`x_i \\mapsto y_i`.

        Exact (Fractions in, Fractions out) for object arrays, float64 otherwise.  Raises
        ``ValueError`` for d < 2, P < 1, T ≤ 0 or an inconsistent data set.
        """
        X, Y = as_data(X, Y)
        N, d = X.shape
        if d < 2:
            raise ValueError(f"the construction needs d >= 2 (two independent directions), got d = {d}")
        if int(P) != P or P < 1:
            raise ValueError(f"P must be a positive integer, got {P!r}")
        if not T > 0:
            raise ValueError(f"T must be positive, got {T!r}")
        is_exact = X.dtype == object
        T = Fraction(T) if is_exact else float(T)
        k1, n1 = separating_direction(X)
        _, n2 = separating_direction(Y, avoid=k1)
        Z = meeting_points(X, Y, n1, n2)
        tau = T / (2 * math.ceil(N / P))
        forward = shear_pieces(X, Z - X, n1, int(P), tau)
        backward = shear_pieces(Y, Z - Y, n2, int(P), tau)
        return Controls(self.concatenate(forward, self.reverse(backward)))


class SimultaneousControl(TwoStepControl):
    """mlcontrol Theorem 3.1 (simultaneous controllability, P = 1): for d ≥ 2 and a consistent
    data set there are piecewise constant controls :math:`(w, a, b) \\in \\mathcal S_1` with *at
    most* L = 3N switches such that the flow of (3.6) satisfies (3.7),
    :math:`\\Phi_T(x_i; w, a, b) = y_i`."""

    exact_count = False

    def widths(self, N: int) -> tuple[int, ...]:
        return (1,)

    def switches(self, N: int, P: int = 1) -> int:
        return 3 * N


class DimensionOne(SimultaneousControl):
    """Mutant: the theorem also holds in dimension d = 1."""

    def min_dim(self) -> int:
        return 1


class OneSwitchPerPoint(SimultaneousControl):
    """Mutant: at most L = N − 1 switches (one constant piece per point)."""

    def switches(self, N: int, P: int = 1) -> int:
        return N - 1


class StepsSwapped(SimultaneousControl):
    """Mutant of the construction: the time-reversed step Z → Y is run before the step X → Z."""

    def concatenate(self, first: Sequence[Piece], second: Sequence[Piece]) -> tuple[Piece, ...]:
        return (*second, *first)


class DepthWidth(TwoStepControl):
    """mlcontrol Theorem 3.3 (depth versus width): for d ≥ 2, P ≥ 1 and a consistent data set
    there are piecewise constant controls :math:`(W, A, b) \\in \\mathcal S_P` with
    :math:`L = 2\\lceil N/P\\rceil - 1` switches such that the flow of (3.3) satisfies (3.7)."""

    exact_count = True

    def switches(self, N: int, P: int) -> int:
        return 2 * math.ceil(N / P) - 1


class OneStepPerGroup(DepthWidth):
    """Mutant: :math:`L = \\lceil N/P\\rceil - 1` (one piece per group of P points: the factor 2 dropped)."""

    def switches(self, N: int, P: int) -> int:
        return math.ceil(N / P) - 1


class HighDimensionalCount(DepthWidth):
    """Mutant: :math:`L = 2\\lceil N/P\\rceil - 2`, the count §3.2 prints for d > N, used in d = 2."""

    def switches(self, N: int, P: int) -> int:
        return 2 * math.ceil(N / P) - 2


class ReversalWithoutSign(DepthWidth):
    """Mutant of the construction: step 2 runs the pieces of Y → Z backwards without negating w."""

    def reverse(self, pieces: Sequence[Piece]) -> list[Piece]:
        return list(reversed(pieces))


# --- the sentence after Theorem 3.3: "the product L·P remains invariant" ---------------------------


def divisors(N: int) -> tuple[int, ...]:
    return tuple(P for P in range(1, N + 1) if N % P == 0)


class DepthWidthProduct:
    """mlcontrol §3.2, after Theorem 3.3: "the overall complexity of the NODE, quantified by the
    product of the number of switches (L) and the number of neurons (P), remains invariant",
    read with the L of Theorem 3.3 over the widths 1 ≤ P ≤ N (where L decreases with P)."""

    def switches(self, N: int, P: int) -> int:
        """Theorem 3.3: :math:`L = 2\\lceil N/P\\rceil - 1`."""
        return 2 * math.ceil(N / P) - 1

    def complexity(self, L: Any, P: Any) -> Any:
        """The printed measure of complexity: L·P."""
        return L * P

    def widths(self, N: int) -> tuple[int, ...]:
        """The widths over which the complexity is claimed invariant."""
        return tuple(range(1, N + 1))

    def bounds(self, N: int, P: int) -> tuple[int, int] | None:
        """Claimed bounds on the complexity for every P ≥ 1 (none printed)."""
        return None


class ProductDepthTimesWidth(DepthWidthProduct):
    """Mutant: the number of layers times the width, (L + 1)·P, is invariant for every P ≤ N."""

    def complexity(self, L: Any, P: Any) -> Any:
        return (L + 1) * P


class ProductDivisorWidths(DepthWidthProduct):
    """Mutant: L·P is invariant over the widths that divide N."""

    def widths(self, N: int) -> tuple[int, ...]:
        return divisors(N)


class DepthWidthProductCorrected(DepthWidthProduct):
    """Corrected: the number of neurons over all layers is

    .. math:: (L + 1)P = 2P\\lceil N/P\\rceil = 2N + 2r, \\qquad r = P\\lceil N/P\\rceil - N \\in [0, P - 1],

    so it equals 2N for every width P dividing N (the invariance), and
    :math:`2N \\le (L+1)P \\le 2N + 2P - 2` for every P ≥ 1, while
    :math:`L\\cdot P = 2N + 2r - P` decreases with P.
    """

    def complexity(self, L: Any, P: Any) -> Any:
        return (L + 1) * P

    def widths(self, N: int) -> tuple[int, ...]:
        return divisors(N)

    def bounds(self, N: int, P: int) -> tuple[int, int] | None:
        return 2 * N, 2 * N + 2 * P - 2


class CorrectedEveryWidth(DepthWidthProductCorrected):
    """Mutant of the correction: (L + 1)P = 2N for every width P ≤ N."""

    def widths(self, N: int) -> tuple[int, ...]:
        return tuple(range(1, N + 1))


class CorrectedTightUpper(DepthWidthProductCorrected):
    """Mutant of the correction: the upper bound 2N + P − 1."""

    def bounds(self, N: int, P: int) -> tuple[int, int] | None:
        return 2 * N, 2 * N + P - 1
