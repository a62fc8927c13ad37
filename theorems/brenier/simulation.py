"""Particle evidence for otdiff §4.1, with POT's exact ``ot.emd`` as the oracle.

Two facts make the sample checks exact rather than statistical:

- in one dimension the optimal coupling of two empirical measures with n equal atoms is the
  sorted matching (its cost is :math:`\\frac1n\\sum_i(x_{(i)} - y_{(i)})^2`);
- a map is contained in the gradient of a convex function iff it is cyclically monotone
  (Rockafellar), so for such a map the identity matching :math:`x_i \\mapsto T(x_i)` is an
  optimal coupling of :math:`\\{x_i\\}` and :math:`\\{T(x_i)\\}` on *every* sample: ``ot.emd``
  may not beat it by more than rounding.  A map that is not cyclically monotone is beaten on a
  large enough sample.

Statistical comparisons (a transport cost against the quantile or Bures value; the law of
:math:`F_1(T(X))` against U[0, 1]) use k standard errors or a Kolmogorov–Smirnov p-value, with
the check's false-alarm budget split over the comparisons (Bonferroni, :mod:`verify.stats`).
Samples and the formula-independent optimal plans are computed once per (seed, fidelity) and
shared by the printed formulas and their mutants.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from scipy import stats

from theorems.brenier import formulas as F
from theorems.bures.formulas import Prop43
from verify.algebra import NumpyAlgebra
from verify.claims import FigureSpec, Outcome, Status
from verify.linalg import bures_distance_sq, inv_sqrtm_sym, sqrtm_sym
from verify.particles import exact_ot, gaussian_samples, push_linear, second_moment
from verify.stats import mean_se, rounding_tol, z_score

__all__ = [
    "SIGMA0",
    "SIGMA1",
    "quantile_w2_sq",
    "emd_gap",
    "gaussian_witnesses",
    "check_rearrangement_numeric",
    "check_brenier_numeric",
    "check_monotone_numeric",
    "check_kantorovich_numeric",
]

#: the non-commuting Gaussian pair of the numeric checks (the property checks draw others)
SIGMA0 = np.array([[2.0, 0.6], [0.6, 0.5]])
SIGMA1 = np.array([[1.0, -0.8], [-0.8, 2.5]])
LA = NumpyAlgebra()

#: 1-D pairs (α0, α1) of the numeric checks
PAIRS_1D = (
    (F.uniform(0, 1), F.power(2)),
    (F.normal(0, 1), F.exponential(1)),
    (F.exponential(1), F.uniform(-1, 1)),
)


def _k(ctx: Any, m: int) -> float:
    """Normal multiplier for m simultaneous comparisons sharing the check's false-alarm budget."""
    return ctx.multiplier(m)


def _tanh_sinh(h: float, t_max: float = 3.2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes u, 1 − u (computed separately, no cancellation) and weights of the tanh–sinh rule
    on (0, 1) with step h, truncated where 1 − u reaches the float64 resolution."""
    t = np.arange(-t_max, t_max + h / 2, h)
    s = 0.5 * math.pi * np.sinh(t)
    u = 1.0 / (1.0 + np.exp(-2.0 * s))
    v = 1.0 / (1.0 + np.exp(2.0 * s))
    w = h * 0.5 * math.pi * np.cosh(t) / (2.0 * np.cosh(s) ** 2)
    keep = (u > 0) & (v > 0) & (u < 1) & (v < 1)
    return u[keep], v[keep], w[keep]


@functools.lru_cache(maxsize=None)
def quantile_w2_sq(law0: F.Law1D, law1: F.Law1D, decreasing: bool = False) -> tuple[float, float]:
    """:math:`\\int_0^1|F_0^{-1}(u) - F_1^{-1}(u)|^2du` (W2² in one dimension) by the tanh–sinh
    rule (double-exponential decay of the node weights absorbs the logarithmic endpoint
    singularities of unbounded quantile functions), with the error estimated by step halving;
    ``decreasing=True`` pairs u with 1 − u (the cost of the decreasing rearrangement)."""
    vals = []
    for h in (1 / 16, 1 / 32):
        u, v, w = _tanh_sinh(h)
        q1 = law1.quantile(v) if decreasing else law1.quantile(u)
        g = (law0.quantile(u) - q1) ** 2
        vals.append(float(np.sum(w * g)))
    # the truncated end intervals (0, u_min) and (1 − v_min, 1): g grows at most like log² there,
    # so each contributes at most about 2 ε g(ε)
    tail = 2.0 * (u[0] * g[0] + v[-1] * g[-1])
    return vals[1], abs(vals[1] - vals[0]) + float(tail) + rounding_tol(abs(vals[1]), terms=len(u))


def emd_gap(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, np.ndarray]:
    """(identity-matching cost, optimal cost, rounding tolerance, plan) between the uniform
    empirical measures on the rows of x and y: the identity matching x_i ↦ y_i is optimal iff
    the gap is within the tolerance (:func:`verify.stats.rounding_tol` over n terms)."""
    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    ident = float(np.mean(np.sum((x - y) ** 2, axis=1)))
    w, plan = exact_ot(x, y)
    scale = float(np.mean(np.sum(x**2, 1)) + np.mean(np.sum(y**2, 1)) + ident)
    return ident, w, rounding_tol(scale, terms=len(x)), plan


# --- §4.1, one dimension ------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _samples_1d(seed: int, fidelity: str) -> tuple:
    """Per pair: a Monte Carlo sample of α0, and for ``ot.emd`` independent samples x ~ α0,
    y ~ α1 with the optimal plan between them (formula independent)."""
    rng = np.random.default_rng(seed)
    n_mc = {"quick": 5_000, "standard": 50_000, "thorough": 2_000_000}[fidelity]
    n_e = {"quick": 100, "standard": 300, "thorough": 1000}[fidelity]
    out = []
    for law0, law1 in PAIRS_1D:
        x_mc = law0.sample(rng, n_mc)
        x_e, y_e = law0.sample(rng, n_e), law1.sample(rng, n_e)
        w, plan = exact_ot(x_e[:, None], y_e[:, None])
        out.append((law0, law1, x_mc, x_e, y_e, w, plan))
    return tuple(out)


def _in_support(law: F.Law1D, t: np.ndarray) -> np.ndarray:
    lo, hi = law.support
    slack = rounding_tol(max(abs(lo) if math.isfinite(lo) else 0.0, abs(hi) if math.isfinite(hi) else 0.0, 1.0), terms=4)
    return (t >= lo - slack) & (t <= hi + slack)


def check_rearrangement_numeric(f: Any, ctx: Any) -> Outcome:
    """Three 1-D pairs.  For the printed :math:`T = F_1^{-1}\\circ F_0` on a sample of α0:
    (i) T(X) stays in the support of α1 and :math:`F_1(T(X))` is uniform (Kolmogorov–Smirnov),
    i.e. :math:`T_\\sharp\\alpha_0 = \\alpha_1`; (ii) :math:`E|X - T(X)|^2` equals the quantile
    formula :math:`\\int_0^1|F_0^{-1} - F_1^{-1}|^2` within k standard errors; (iii) the decreasing
    rearrangement costs more (paired z); (iv) ``ot.emd`` between independent samples returns the
    sorted matching, with cost :math:`\\frac1n\\sum(x_{(i)} - y_{(i)})^2` to rounding, and between
    {x_i} and {T(x_i)} the identity matching (T cyclically monotone)."""
    cases = _samples_1d(ctx.check_seed("brenier-1d-samples"), ctx.fidelity.value)
    m = 3 * len(cases)
    k = _k(ctx, m)
    alpha = ctx.alpha / m  # the KS test is one of the m comparisons that k was split over
    rows = []

    def fail(summary: str, cex: dict) -> Outcome:
        return Outcome(Status.FAIL, summary, {"pairs": len(rows)}, counterexample=cex, table=rows)

    for law0, law1, x_mc, x_e, y_e, w_xy, plan_xy in cases:
        label = f"{law0} → {law1}"
        try:
            t = np.asarray(f.map_1d(x_mc, law0, law1), dtype=float)
        except (ValueError, FloatingPointError) as exc:
            return fail(f"{label}: the printed map cannot be evaluated: {exc}", {"pair": label, "error": str(exc)})
        outside = ~_in_support(law1, t) | ~np.isfinite(t)
        if np.any(outside):
            i = int(np.argmax(outside))
            return fail(f"{label}: T(x) = {t[i]:.4g} lies outside the support {law1.support} of α1 (at x = {x_mc[i]:.4g})",
                        {"pair": label, "x": float(x_mc[i]), "T(x)": float(t[i]), "support of alpha1": list(law1.support), "fraction outside": float(np.mean(outside))})
        ks = stats.kstest(np.clip(law1.cdf(t), 0.0, 1.0), "uniform")
        c = (x_mc - t) ** 2
        est, se = mean_se(c)
        w2, qerr = quantile_w2_sq(law0, law1)
        z = z_score(float(est), w2, float(math.hypot(float(se), qerr)))
        dec = law1.quantile(1 - law0.cdf(x_mc))
        dm, dse = mean_se((x_mc - dec) ** 2 - c)
        z_dec = float(dm / dse) if dse > 0 else (math.inf if dm > 0 else 0.0)
        row = {"α0 → α1": label, "n": len(x_mc), "E|X − T(X)|²": float(est), "se": float(se), "quantile W2²": w2, "z": z,
               "KS p of F1(T(X))": float(ks.pvalue), "decreasing − T (z)": z_dec}
        rows.append(row)
        if ks.pvalue < alpha:
            return fail(f"{label}: F1(T(X)) is not uniform (KS D = {ks.statistic:.3g}, p = {ks.pvalue:.2g} < {alpha:.2g}): T does not push α0 to α1",
                        {"pair": label, "KS statistic": float(ks.statistic), "p": float(ks.pvalue), "n": len(x_mc)})
        if abs(z) > k:
            return fail(f"{label}: E|X − T(X)|² = {est:.5f} ± {se:.5f}, quantile W2² = {w2:.5f} (z = {z:.1f})",
                        {"pair": label, "E|X-T(X)|^2": float(est), "se": float(se), "W2^2 (quantile formula)": w2, "z": z})
        if z_dec < k:
            return fail(f"{label}: the decreasing rearrangement is not more expensive than T (paired z = {z_dec:.2f} < {k:.2f})",
                        {"pair": label, "cost(T)": float(est), "cost(decreasing) - cost(T)": float(dm), "se": float(dse)})
        # exact sample structure
        order_x, order_y = np.argsort(x_e), np.argsort(y_e)
        sorted_plan = np.zeros_like(plan_xy)
        sorted_plan[order_x, order_y] = 1.0 / len(x_e)
        sorted_cost = float(np.mean((x_e[order_x] - y_e[order_y]) ** 2))
        tol = rounding_tol(float(np.mean(x_e**2) + np.mean(y_e**2) + sorted_cost), terms=len(x_e))
        assert abs(w_xy - sorted_cost) <= tol and np.allclose(plan_xy, sorted_plan, atol=0.5 / len(x_e)), (label, w_xy, sorted_cost)
        ident, w, gtol, _ = emd_gap(x_e, f.map_1d(x_e, law0, law1))
        row |= {"emd = sorted matching": True, "emd cost": w_xy, "identity gap for T": ident - w}
        if ident - w > gtol:
            return fail(f"{label}: ot.emd beats the matching x_i ↦ T(x_i) by {ident - w:.3e} (> rounding {gtol:.1e}): T is not monotone",
                        {"pair": label, "identity cost": ident, "emd cost": w, "n": len(x_e)})
    figs = _figures_1d(f, cases) if ctx.figures else []
    worst = max(abs(r["z"]) for r in rows)
    return Outcome(
        Status.PASS,
        f"on {len(rows)} pairs T♯α0 = α1 (KS), E|X − T(X)|² = quantile W2² (worst |z| = {worst:.2f} ≤ {k:.2f}), the decreasing map costs more, "
        "ot.emd returns the sorted matching and keeps x_i ↦ T(x_i)",
        {"pairs": len(rows), "z": worst, "k": k},
        table=rows,
        figures=figs,
    )


def _figures_1d(f: Any, cases: tuple) -> list[FigureSpec]:
    law0, law1, _, x_e, y_e, _, _ = cases[1]
    grid = np.linspace(np.quantile(x_e, 0.005), np.quantile(x_e, 0.995), 200)
    return [FigureSpec(
        "emd-partners-on-the-map", "lines", f"ot.emd partners lie on T = F1⁻¹∘F0 ({law0} → {law1})",
        {"x": grid.tolist(), "series": {"printed T = F1⁻¹∘F0": np.asarray(f.map_1d(grid, law0, law1)).tolist()}, "style": "-",
         "points": {"ot.emd partners (x_(i), y_(i)) of independent samples": (np.sort(x_e).tolist(), np.sort(y_e).tolist())},
         "xlabel": "x ~ α0", "ylabel": "partner in α1"},
        f"{len(x_e)} independent draws of each law; the exact optimal plan (ot.emd) matches the i-th smallest x with the i-th smallest y, "
        "and these pairs scatter around the graph of the printed increasing rearrangement (quantile coupling).",
    )]


# --- Theorem 4.1 ------------------------------------------------------------------------------------


def _rotation(theta: float) -> np.ndarray:
    return np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])


def gaussian_witnesses(s0: np.ndarray, s1: np.ndarray, extra: tuple = ()) -> list[tuple[str, np.ndarray]]:
    """Linear maps pushing N(0, Σ0) to N(0, Σ1): the symmetric solutions
    :math:`A_\\varepsilon = \\Sigma_0^{-1/2}Q\\,\\mathrm{diag}(\\varepsilon\\sqrt\\lambda)Q^\\top\\Sigma_0^{-1/2}`
    of :math:`A\\Sigma_0A = \\Sigma_1` (:math:`\\Sigma_0^{1/2}\\Sigma_1\\Sigma_0^{1/2} = Q\\Lambda Q^\\top`; all
    the linear gradient pushforwards when λ is simple) and :math:`A_+\\Sigma_0^{1/2}U\\Sigma_0^{-1/2}`
    for the orthogonal U in ``extra`` ((label, U) pairs)."""
    r0, ir0 = sqrtm_sym(s0), inv_sqrtm_sym(s0)
    lam, q = np.linalg.eigh(r0 @ s1 @ r0)
    lam = np.clip(lam, 0.0, None)
    d = len(s0)
    out = []
    for bits in range(2**d):
        eps = np.array([-1.0 if bits >> i & 1 else 1.0 for i in range(d)])
        a = ir0 @ (q * (eps * np.sqrt(lam))) @ q.T @ ir0
        out.append(("A_ε, ε = (" + ", ".join("+" if e > 0 else "−" for e in eps) + ")", (a + a.T) / 2))
    a_plus = out[0][1]
    for label, u in extra:
        out.append((label, a_plus @ r0 @ u @ ir0))
    return out


@functools.lru_cache(maxsize=8)
def _brenier_cases(seed: int, fidelity: str) -> tuple:
    rng = np.random.default_rng(seed)
    n = {"quick": 120, "standard": 300, "thorough": 1000}[fidelity]
    n_mc = {"quick": 5_000, "standard": 50_000, "thorough": 2_000_000}[fidelity]
    law0, law1 = F.exponential(1), F.normal(0, 1)
    x1 = law0.sample(rng, n)
    x1_mc = law0.sample(rng, n_mc)
    eye = np.eye(2)
    iso = gaussian_witnesses(eye, eye, (("rotation by π/4 (monotone, not a gradient)", _rotation(math.pi / 4)),
                                        ("rotation by 3π/4", _rotation(3 * math.pi / 4)),
                                        ("reflection across the line at angle π/6", np.array([[math.cos(math.pi / 3), math.sin(math.pi / 3)], [math.sin(math.pi / 3), -math.cos(math.pi / 3)]]))))
    nc = gaussian_witnesses(SIGMA0, SIGMA1, (("A_+ Σ0^{1/2} U Σ0^{-1/2}, U = rotation by π/8", _rotation(math.pi / 8)),
                                             ("A_+ Σ0^{1/2} U Σ0^{-1/2}, U = rotation by π/2", _rotation(math.pi / 2)),
                                             ("A_+ Σ0^{1/2} U Σ0^{-1/2}, U = reflection", np.diag([1.0, -1.0]))))
    xi = gaussian_samples(rng, eye, n)
    xn = gaussian_samples(rng, SIGMA0, n)
    return (("1-D: Exp(1) → N(0, 1)", law0, law1, x1, x1_mc),
            ("d = 2: Σ0 = Σ1 = Id", eye, eye, iso, xi),
            ("d = 2: non-commuting pair", SIGMA0, SIGMA1, nc, xn))


def _linear_cost(a: np.ndarray, s0: np.ndarray) -> float:
    m = np.eye(len(s0)) - a
    return float(np.trace(m @ s0 @ m.T))


def check_brenier_numeric(f: Any, ctx: Any) -> Outcome:
    """Three cases (1-D Exp(1) → N(0, 1) with its two rearrangements; Gaussians in d = 2 with
    every linear gradient pushforward and some non-gradient ones).  Among the maps pushing α0 to
    α1, exactly one may be admissible for the theorem's class of potentials; on a sample x, ``ot.emd``
    must keep x_i ↦ T(x_i) (a necessary condition for T to solve (9)), its cost must equal W2²
    (quantile formula, or Bures) and be the least of all the pushforwards, and for Gaussians it
    must be the map of Proposition 4.3."""
    rows = []
    cases = _brenier_cases(ctx.check_seed("brenier-thm-samples"), ctx.fidelity.value)
    k = _k(ctx, 2 * len(cases))
    for case in cases:
        name = case[0]
        if name.startswith("1-D"):
            _, law0, law1, x, x_mc = case
            pts = np.quantile(x_mc, np.linspace(0.02, 0.98, 16))
            maps = []
            for label, sign in (("increasing F1⁻¹∘F0", 1.0), ("decreasing F1⁻¹∘(1 − F0)", -1.0)):
                fn = (lambda z, s=sign: law1.quantile(law0.cdf(z) if s > 0 else 1 - law0.cdf(z)))
                jac = sign * law0.pdf(pts) / law1.pdf(fn(pts))
                maps.append((label, fn, [np.array([[j]]) for j in jac], 1.0))
            w2_ref, ref_err = quantile_w2_sq(law0, law1)
            costs = {}
            for label, fn, _, _ in maps:
                est, se = mean_se((x_mc - fn(x_mc)) ** 2)
                costs[label] = (float(est), float(math.hypot(float(se), ref_err)))
            tol = rounding_tol(1.0, terms=4)
        else:
            _, s0, s1, witnesses, x = case
            maps = [(label, (lambda z, a=a: push_linear(z.reshape(len(z), -1), a)), [a], float(np.linalg.norm(a, 2))) for label, a in witnesses]
            costs = {label: (_linear_cost(a, s0), 0.0) for label, a in witnesses}
            w2_ref, ref_err = bures_distance_sq(s0, s1), 0.0
            tol = rounding_tol(float(np.trace(s0) + np.trace(s1)), terms=8, cond=float(np.linalg.cond(s0)))
        admissible = []
        for label, fn, jacs, scale in maps:
            try:
                ok = all(f.admissible(j, tol * scale) for j in jacs)
            except (ValueError, TypeError) as exc:
                return Outcome(Status.FAIL, f"{name}: admissible() raised: {exc}", counterexample={"case": name, "map": label, "error": str(exc)}, table=rows)
            if ok:
                ident, w, gtol, _ = emd_gap(x, fn(x))
                admissible.append({"map": label, "transport cost": costs[label][0], "W2^2": w2_ref, "emd gap": ident - w, "rounding": gtol})
        least = min(c for c, _ in costs.values())
        rows.append({"case": name, "pushforwards": len(maps), "admissible": len(admissible),
                     "admissible maps": "; ".join(a["map"] for a in admissible), "least cost": least, "W2²": w2_ref})
        if len(admissible) != 1:
            what = f"{len(admissible)} admissible maps push α0 to α1 (uniqueness fails)" if admissible else "no admissible map pushes α0 to α1"
            return Outcome(Status.FAIL, f"{name}: {what}", {"cases": len(rows)}, counterexample={"case": name, "admissible": admissible, "W2^2": w2_ref}, table=rows)
        adm = admissible[0]
        c, se = costs[adm["map"]]
        z = z_score(c, w2_ref, se) if se > 0 else (0.0 if abs(c - w2_ref) <= tol * 16 else math.inf)
        others = [costs[lab][0] - c for lab in costs if lab != adm["map"]]
        problems = []
        if adm["emd gap"] > adm["rounding"]:
            problems.append(f"ot.emd beats x_i ↦ T(x_i) by {adm['emd gap']:.3e}")
        if abs(z) > k:
            problems.append(f"its cost {c:.5f} is not W2² = {w2_ref:.5f} (z = {z:.1f})")
        if others and min(others) <= 0:
            problems.append(f"another pushforward is as cheap (cost difference {min(others):.3g})")
        if not name.startswith("1-D"):
            a = dict(witnesses)[adm["map"]]
            p43 = np.asarray(Prop43().map(s0, s1, LA))
            if np.max(np.abs(a - p43)) > tol * max(1.0, float(np.linalg.norm(p43, 2))):
                problems.append("it is not the map of Proposition 4.3")
        rows[-1] |= {"cost of the admissible map": c, "z": z, "emd gap": adm["emd gap"]}
        if problems:
            return Outcome(Status.FAIL, f"{name}: the admissible map {adm['map']} does not solve (9): " + "; ".join(problems), {"cases": len(rows)},
                           counterexample={"case": name, "admissible": adm, "problems": problems}, table=rows)
    return Outcome(Status.PASS, f"in {len(rows)} cases exactly one admissible map pushes α0 to α1; ot.emd keeps its matching, it costs W2² and less than every other pushforward",
                   {"cases": len(rows), "k": k}, table=rows)


# --- §4.1: monotonicity -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _monotone_samples(seed: int, fidelity: str) -> tuple:
    rng = np.random.default_rng(seed)
    n = {"quick": 120, "standard": 300, "thorough": 1000}[fidelity]
    x_iso = gaussian_samples(rng, np.eye(2), n)
    rot = _rotation(math.pi / 4)
    x1 = rng.standard_normal((n, 1)) * 2.0
    t1 = x1 + np.sin(x1) / 2  # nondecreasing: T' = 1 + cos(x)/2 ≥ 1/2
    x_nc = gaussian_samples(rng, SIGMA0, n, exact_moments=True)
    return x_iso, rot, emd_gap(x_iso, push_linear(x_iso, rot)), x1, t1, emd_gap(x1, t1), x_nc


def _pairings(f: Any, x: np.ndarray, tx: np.ndarray) -> np.ndarray:
    """The printed pairing divided by :math:`|x_i - x_j|^2`, for all pairs i < j."""
    p = np.asarray(f.pairing(tx[:, None, :], tx[None, :, :], x[:, None, :], x[None, :, :]), dtype=float)
    d2 = np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)
    iu = np.triu_indices(len(x), 1)
    return p[iu] / d2[iu]


def check_monotone_numeric(f: Any, ctx: Any) -> Outcome:
    """The converse on samples: the rotation by π/4 is monotone (every printed pairing of the
    sample ≥ 0) yet ``ot.emd`` beats x_i ↦ Rx_i — not cyclically monotone, so not the gradient
    of a convex function (Rockafellar) — while the nondecreasing x ↦ x + sin(x)/2 of the line is
    kept; the formula must agree (d = 1 yes, d = 2 no).  Then the printed Gaussian map on a
    moment-matched sample: second moment of T(X) = Σ1 exactly, every pairing ≥ 0, A symmetric,
    and ``ot.emd`` keeps x_i ↦ T(x_i)."""
    x_iso, rot, (ident, w, gtol, _), x1, t1, (ident1, w1, gtol1, _), x = _monotone_samples(ctx.check_seed("brenier-monotone"), ctx.fidelity.value)
    rows = []
    p_rot = _pairings(f, x_iso, push_linear(x_iso, rot))
    rot_monotone = float(p_rot.min()) >= -rounding_tol(1.0, terms=8)
    rows.append({"case": "rotation by π/4, d = 2", "min pairing / |x − y|²": float(p_rot.min()), "emd gap": ident - w, "rounding": gtol,
                 "formula: monotone ⇒ ∇convex": f.monotone_is_gradient_of_convex(2)})
    rows.append({"case": "x ↦ x + sin(x)/2, d = 1", "emd gap": ident1 - w1, "rounding": gtol1, "formula: monotone ⇒ ∇convex": f.monotone_is_gradient_of_convex(1)})
    if rot_monotone and ident - w > gtol and f.monotone_is_gradient_of_convex(2):
        return Outcome(Status.FAIL, f"the formula says monotone maps of the plane are gradients of convex functions, but the rotation by π/4 is monotone "
                       f"(min pairing / |x − y|² = {p_rot.min():.3f}) and ot.emd beats its matching by {ident - w:.3f}: not cyclically monotone",
                       counterexample={"map": "rotation by pi/4", "identity cost": ident, "emd cost": w, "n": len(x_iso)}, table=rows)
    if not f.monotone_is_gradient_of_convex(1) and ident1 - w1 <= gtol1:
        return Outcome(Status.FAIL, "the formula denies that nondecreasing maps of the line are gradients of convex functions",
                       counterexample={"map": "x + sin(x)/2", "emd gap": ident1 - w1}, table=rows)
    try:
        a = np.asarray(f.gaussian_map(SIGMA0, SIGMA1, LA), dtype=float)
    except ValueError as exc:
        return Outcome(Status.FAIL, f"the printed map cannot be evaluated: {exc}", counterexample={"error": str(exc)}, table=rows)
    y = push_linear(x, a)
    anorm = float(np.linalg.norm(a, 2))
    cond = float(np.linalg.cond(SIGMA0))
    s_hat = second_moment(y)
    mom_err = float(np.max(np.abs(s_hat - SIGMA1)))
    mom_tol = rounding_tol(float(np.linalg.norm(SIGMA1, 2)), terms=int(np.log2(len(x))) + 4, cond=cond) * max(1.0, anorm) ** 2
    pair = _pairings(f, x, y)
    p_tol = rounding_tol(anorm, terms=8, cond=cond)
    sym_err = float(np.max(np.abs(a - a.T)))
    ident2, w2, gtol2, _ = emd_gap(x, y)
    rows.append({"case": "Proposition 4.3 map, non-commuting pair", "max |Ŝ(TX) − Σ1|": mom_err, "tol": mom_tol, "min pairing / |x − y|²": float(pair.min()), "pairing tol": p_tol,
                 "max |A − Aᵀ|": sym_err, "emd gap": ident2 - w2, "rounding": gtol2})
    problems = []
    if mom_err > mom_tol:
        problems.append(f"T(X) has second moment off Σ1 by {mom_err:.2e} (moment-matched sample, rounding {mom_tol:.1e})")
    if pair.min() < -p_tol:
        iu = np.triu_indices(len(x), 1)
        m = int(np.argmin(pair))
        i, j = iu[0][m], iu[1][m]
        problems.append(f"pairing < 0: ⟨T(x) − T(y), x − y⟩ / |x − y|² = {pair.min():.3f} at x = {x[i].round(4).tolist()}, y = {x[j].round(4).tolist()}")
    if sym_err > rounding_tol(anorm, terms=8, cond=cond):
        problems.append(f"A is not symmetric (|A − Aᵀ| = {sym_err:.2e}): not a gradient")
    if ident2 - w2 > gtol2:
        problems.append(f"ot.emd beats x_i ↦ T(x_i) by {ident2 - w2:.3e}: not cyclically monotone")
    if problems:
        return Outcome(Status.FAIL, "the printed Gaussian map: " + "; ".join(problems), {"n": len(x)},
                       counterexample={"Sigma0": SIGMA0.tolist(), "Sigma1": SIGMA1.tolist(), "A": a.tolist(), "problems": problems}, table=rows)
    return Outcome(Status.PASS, f"rotation by π/4: monotone, beaten by ot.emd (gap {ident - w:.3f}) — not ∇convex, as the text says; the printed Gaussian map "
                   f"pushes Σ0 to Σ1 exactly, is symmetric, every pairing ≥ 0 (min ⟨T(x) − T(y), x − y⟩/|x − y|² = {pair.min():.3g}) and ot.emd keeps its matching (n = {len(x)})",
                   {"n": len(x), "rotation_gap": ident - w, "min_pairing_ratio": float(pair.min())}, table=rows)


# --- (9)–(10) --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _kantorovich_cases(seed: int, fidelity: str) -> tuple:
    """(label, x, y, σ, reference W2², se source) with y a shuffled image of x under the optimal
    map, T(x_i) = y_{σ(i)}; formula independent."""
    rng = np.random.default_rng(seed)
    n = {"quick": 120, "standard": 300, "thorough": 1000}[fidelity]
    from verify.linalg import brenier_map

    x = gaussian_samples(rng, SIGMA0, n)
    tx = push_linear(x, brenier_map(SIGMA0, SIGMA1))
    law0, law1 = F.exponential(1), F.normal(0, 1)
    x1 = law0.sample(rng, n)[:, None]
    tx1 = law1.quantile(law0.cdf(x1))
    out = []
    for label, xs, txs, ref in (("Gaussians, d = 2", x, tx, bures_distance_sq(SIGMA0, SIGMA1)), ("Exp(1) → N(0, 1)", x1, tx1, quantile_w2_sq(law0, law1)[0])):
        perm = rng.permutation(n)
        y = txs[perm]
        sigma = np.argsort(perm)  # y[sigma[i]] = txs[i]
        out.append((label, xs, y, sigma, ref))
    return tuple(out)


def check_kantorovich_numeric(f: Any, ctx: Any) -> Outcome:
    """Samples x of α0 and y = T(x) shuffled (T the optimal map: Bures in d = 2, the increasing
    rearrangement in 1-D), so T(x_i) = y_{σ(i)} is a Monge map between the empirical measures.
    ``ot.emd`` solves (10) with the printed ground cost; the printed
    :math:`\\pi^\\star = (\\mathrm{Id}, T)_\\sharp\\alpha_0` must have the right marginals, be the
    ``ot.emd`` plan and cost its value to rounding, and the printed Monge value (9) must equal
    it; the Monge value also estimates the population W2² within k standard errors."""
    rows = []
    cases = _kantorovich_cases(ctx.check_seed("brenier-kantorovich"), ctx.fidelity.value)
    k = _k(ctx, len(cases))
    import ot

    for label, x, y, sigma, ref in cases:
        n = len(x)
        a = np.full(n, 1.0 / n)
        try:
            cost = np.asarray(f.ground_cost(x, y), dtype=float)
            plan = np.asarray(f.induced_coupling(a, sigma, n), dtype=float)
            v9 = float(f.monge_cost(x, y[sigma], a))
            v_pi = float(f.kantorovich_cost(plan, x, y))
        except (ValueError, TypeError) as exc:
            return Outcome(Status.FAIL, f"{label}: the printed formulas cannot be evaluated: {exc}", counterexample={"case": label, "error": str(exc)}, table=rows)
        emd_plan, log = ot.emd(a, a, cost, numItermax=max(100_000, 50 * n * n), log=True)
        if int(log.get("result_code", 1)) != 1:
            raise RuntimeError(f"ot.emd did not converge: {log.get('warning')}")
        v10 = float(np.sum(emd_plan * cost))
        tol = rounding_tol(float(np.max(np.abs(cost))), terms=n)
        marg = float(max(np.max(np.abs(plan.sum(1) - a)), np.max(np.abs(plan.sum(0) - a))))
        per = np.sum((x - y[sigma]) ** 2, axis=1)
        est, se = mean_se(per)
        z = z_score(float(est), ref, float(se))
        row = {"case": label, "n": n, "(10) by ot.emd": v10, "printed π* cost": v_pi, "(9) printed": v9, "max marginal error": marg,
               "π* = emd plan": bool(np.allclose(plan, emd_plan, atol=0.5 / n)), "population W2²": ref, "z": z}
        rows.append(row)
        problems = []
        if marg > rounding_tol(1.0, terms=n):
            problems.append(f"π* is not in Π(α0, α1) (marginal error {marg:.2e})")
        if v_pi - v10 > tol:
            problems.append(f"π* costs {v_pi:.6g} > the optimum {v10:.6g} of (10)")
        if abs(v9 - v10) > tol:
            problems.append(f"(9) = {v9:.6g} ≠ (10) = {v10:.6g}")
        if abs(z) > k:
            problems.append(f"the Monge cost {est:.5f} ± {se:.5f} is not W2² = {ref:.5f} (z = {z:.1f})")
        if problems:
            return Outcome(Status.FAIL, f"{label}: " + "; ".join(problems), {"cases": len(rows)},
                           counterexample={"case": label, "n": n, "(10)": v10, "pi* cost": v_pi, "(9)": v9, "marginal error": marg, "problems": problems}, table=rows)
    return Outcome(Status.PASS, f"in {len(rows)} cases (Id, T)♯α0 is the ot.emd plan, (9) = (10) to rounding, and both estimate W2² (worst |z| = {max(abs(r['z']) for r in rows):.2f})",
                   {"cases": len(rows), "z": max(abs(r["z"]) for r in rows), "k": k}, table=rows)
