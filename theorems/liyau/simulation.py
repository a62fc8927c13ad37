"""Numeric evidence for mlcontrol §5 (Li–Yau and the backward heat equation), on point clouds.

The data are point clouds drawn once per (seed, fidelity) in d = 1, 2, 3, each with its first
point alone as the single-Dirac case I = 1; u is the heat-kernel mixture of the bullet.
Derivatives are central finite differences at steps h, h/2 and h/4: the Richardson
extrapolation of the last two is reported, and its truncation error is bounded by the change of
the extrapolation between the first and the last pair plus the error estimate of the h/4 value
(:func:`_richardson`; robust where the leading error coefficient happens to vanish), plus the
rounding of the differences: :func:`verify.stats.rounding_tol` of the size of the stencil
values' errors divided by the step (power), where a value f(y) errs by about
:math:`\\varepsilon(|f| + |y|\\,|\\nabla f|)` (its own rounding and that of the argument y, whose
coordinates are rounded to :math:`\\varepsilon|y|`).  Steps are fixed fractions of the scales
on which u varies: the kernel width :math:`\\sqrt t` and the width :math:`t/D` of the posterior
transitions between data points D apart.  Integrals are trapezoid sums on grids of spacing δ and
δ/2; for these rapidly decaying smooth integrands (sums of Gaussians times polynomials) the
trapezoid rule converges spectrally, so the difference of the two bounds the error of the finer
one.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from verify.claims import FigureSpec, Outcome, Status
from verify.stats import fit_power_law, rounding_tol
from theorems.liyau import formulas as F

__all__ = [
    "fd_laplacian",
    "fd_gradient",
    "fd_divergence",
    "fd_time",
    "linear_coefficients",
    "linear_bound",
    "quadrature_members",
    "check_li_yau_numeric",
    "check_backward_numeric",
    "check_energy_numeric",
    "check_diffusivity_numeric",
]

#: cloud sizes per dimension (d = 1, 2, 3) at quick, standard, thorough fidelity.
_SIZES = {"quick": (4, 5, 6), "standard": (6, 8, 10), "thorough": (10, 16, 20)}


def _unit(terms: int) -> float:
    """:func:`rounding_tol` per unit scale (it is linear in the scale), for elementwise use."""
    return rounding_tol(1.0, terms=terms)


def _value_error(fp: np.ndarray, fm: np.ndarray, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Size of the stencil values' rounding, per unit ε: :math:`|f| + |y|_\\infty|\\partial f|`
    (the slope from the stencil itself)."""
    slope = np.abs(fp - fm) / (2 * h)
    return np.maximum(np.abs(fp), np.abs(fm)) + np.max(np.abs(x), axis=-1) * slope


_LEVELS = (1.0, 0.5, 0.25)


def _richardson(ds: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Second-order differences D at steps h, h/2, h/4: the extrapolation
    :math:`R_2 = D_3 + (D_3 - D_2)/3` and a bound on its truncation error,
    :math:`|R_2 - R_1| + |D_3 - D_2|/3`.  The error of :math:`R_2` is at most
    :math:`|R_1 - R_2|/(2^p - 1)` when it falls like :math:`h^p`, p ≥ 1, so the bound does not
    rely on the leading coefficient: a point where it vanishes (hypothesis finds such points)
    is still covered by the next order."""
    r1 = ds[1] + (ds[1] - ds[0]) / 3
    r2 = ds[2] + (ds[2] - ds[1]) / 3
    return r2, np.abs(r2 - r1) + np.abs(ds[2] - ds[1]) / 3


def fd_laplacian(fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Laplacian of ``fun`` at the rows of ``x : (m, d)`` by second differences at steps h, h/2,
    h/4 (``h`` scalar or per row): Richardson value and error bound."""
    x = np.asarray(x, dtype=float)
    d = x.shape[-1]
    h = np.broadcast_to(np.asarray(h, dtype=float), x.shape[:-1])
    f0 = fun(x)
    out, scale = [], np.abs(f0)
    for c in _LEVELS:
        hh = c * h
        tot = np.zeros_like(f0)
        for k in range(d):
            e = np.zeros(d)
            e[k] = 1.0
            fp, fm = fun(x + hh[..., None] * e), fun(x - hh[..., None] * e)
            tot = tot + (fp - 2 * f0 + fm) / hh**2
            scale = np.maximum(scale, _value_error(fp, fm, x, hh))
        out.append(tot)
    value, trunc = _richardson(out)
    return value, trunc + _unit(8 * d) * scale / (_LEVELS[-1] * h) ** 2


def fd_gradient(fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of a scalar ``fun`` at the rows of ``x : (m, d)``: central differences at h, h/2,
    h/4, Richardson value and bound, shapes ``(m, d)``."""
    x = np.asarray(x, dtype=float)
    d = x.shape[-1]
    h = np.broadcast_to(np.asarray(h, dtype=float), x.shape[:-1])
    cols, bounds = [], []
    for k in range(d):
        e = np.zeros(d)
        e[k] = 1.0
        ds, scale = [], 0.0
        for c in _LEVELS:
            hh = c * h
            fp, fm = fun(x + hh[..., None] * e), fun(x - hh[..., None] * e)
            ds.append((fp - fm) / (2 * hh))
            scale = np.maximum(scale, _value_error(fp, fm, x, hh))
        value, trunc = _richardson(ds)
        cols.append(value)
        bounds.append(trunc + _unit(4) * scale / (_LEVELS[-1] * h))
    return np.stack(cols, axis=-1), np.stack(bounds, axis=-1)


def fd_divergence(field: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Divergence of ``field : (m, d) -> (m, d)`` at the rows of ``x``: central differences of
    component k along axis k at h, h/2, h/4, Richardson value and bound."""
    x = np.asarray(x, dtype=float)
    d = x.shape[-1]
    h = np.broadcast_to(np.asarray(h, dtype=float), x.shape[:-1])
    ds, scale = [], 0.0
    for c in _LEVELS:
        hh = c * h
        tot = 0.0
        for k in range(d):
            e = np.zeros(d)
            e[k] = 1.0
            fp, fm = field(x + hh[..., None] * e)[..., k], field(x - hh[..., None] * e)[..., k]
            tot = tot + (fp - fm) / (2 * hh)
            scale = np.maximum(scale, _value_error(fp, fm, x, hh))
        ds.append(tot)
    value, trunc = _richardson(ds)
    return value, trunc + _unit(4 * d) * scale / (_LEVELS[-1] * h)


def fd_time(fun: Callable[[float], np.ndarray], t: float, k: float) -> tuple[np.ndarray, np.ndarray]:
    """d/dt of ``fun`` at t by central differences at k, k/2, k/4: Richardson value and bound."""
    ds, scale = [], 0.0
    for c in _LEVELS:
        kk = c * k
        fp, fm = np.asarray(fun(t + kk)), np.asarray(fun(t - kk))
        ds.append((fp - fm) / (2 * kk))
        scale = np.maximum(scale, np.maximum(np.abs(fp), np.abs(fm)) + abs(t) * np.abs(fp - fm) / (2 * kk))
    value, trunc = _richardson(ds)
    return value, trunc + _unit(4) * scale / (_LEVELS[-1] * k)


def linear_coefficients(method: Callable[..., Any], nargs: int, *lead: Any) -> tuple[float, np.ndarray]:
    """(constant, coefficients) of a printed expression that is affine in its last ``nargs``
    arguments (``lead`` fixed), by probing with unit vectors: the error bound of the inputs
    propagates through |coefficients| whatever slip a formula carries."""
    c0 = float(method(*lead, *([0.0] * nargs)))
    cs = []
    for j in range(nargs):
        args = [0.0] * nargs
        args[j] = 1.0
        cs.append(float(method(*lead, *args)) - c0)
    return c0, np.asarray(cs)


def linear_bound(method: Callable[..., Any], values: list[np.ndarray], bounds: list[np.ndarray], *lead: Any) -> tuple[np.ndarray, np.ndarray]:
    """Value of the printed affine expression at ``values`` and its error bound: the inputs'
    bounds through the |coefficients| plus the rounding of the sum."""
    c0, cs = linear_coefficients(method, len(values), *lead)
    val = np.asarray(method(*lead, *values), dtype=float)
    mag = abs(c0) + sum(abs(c) * np.abs(v) for c, v in zip(cs, values))
    return val, sum(abs(c) * b for c, b in zip(cs, bounds)) + _unit(len(values) + 1) * mag


def _freeze(a: np.ndarray) -> np.ndarray:
    """Cached arrays are shared by the printed form and its mutants: make them read-only."""
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _times(ctx: Any) -> tuple[float, ...]:
    return ctx.pick((0.1, 0.5), (0.05, 0.2, 1.0), (0.02, 0.05, 0.2, 1.0, 4.0))


def _diameter(points: np.ndarray) -> float:
    return float(np.max(np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)))


def _steps(points: np.ndarray, t: float) -> float:
    """Spatial step: 1/20 of the smaller of the kernel width √t and the posterior transition
    width t/D (D the data's diameter)."""
    return 0.05 * min(math.sqrt(t), t / max(_diameter(points), 1e-12))


def _time_step(pts: np.ndarray, x: np.ndarray, t: float) -> float:
    """Time step: t/50 shrunk by the rate 1 + r²/(4t) at which log u changes in t (r the
    largest distance from a query point to the data)."""
    r2 = float(np.max(np.sum((x[:, None, :] - pts) ** 2, axis=-1)))
    return 0.02 * t / (1 + r2 / (4 * t))


@functools.lru_cache(maxsize=8)
def _clouds(seed: int, fidelity: str) -> tuple:
    """((d, data (I, d), {t: query points}) for d = 1, 2, 3): query points are the data, points
    jittered around them at the kernel scale, and uniform points in the data's box ± 1."""
    rng = np.random.default_rng(seed)
    m = {"quick": 8, "standard": 24, "thorough": 80}[fidelity]
    times = {"quick": (0.1, 0.5), "standard": (0.05, 0.2, 1.0), "thorough": (0.02, 0.05, 0.2, 1.0, 4.0)}[fidelity]
    out = []
    for d, n in zip((1, 2, 3), _SIZES[fidelity]):
        pts = rng.standard_normal((n, d))
        queries = {}
        for t in times:
            near = pts[rng.integers(0, n, m)] + 1.5 * math.sqrt(2 * t) * rng.standard_normal((m, d))
            box = rng.uniform(pts.min(axis=0) - 1, pts.max(axis=0) + 1, (m, d))
            single = pts[0] + 1.5 * math.sqrt(2 * t) * rng.standard_normal((m, d))
            queries[t] = (_freeze(np.vstack([pts, near, box])), _freeze(np.vstack([pts[:1], single])))
        out.append((d, _freeze(pts), queries))
    return tuple(out)


def _cases(ctx: Any, dims: tuple[int, ...] = (1, 2, 3)):
    """(d, label, data, t, query points) for the full cloud and the single Dirac."""
    for d, pts, queries in _clouds(ctx.check_seed("liyau-clouds"), ctx.fidelity.value):
        if d not in dims:
            continue
        for t, (q_full, q_single) in queries.items():
            yield d, "I = 1", pts[:1], t, q_single
            yield d, f"I = {len(pts)}", pts, t, q_full


# --- claim 1 --------------------------------------------------------------------------------


def _log_u(f: Any, pts: np.ndarray, t: float) -> Callable[[np.ndarray], np.ndarray]:
    """log of the printed mixture built from the formula's kernel."""

    def fun(y):
        with np.errstate(divide="ignore"):
            return np.log(np.mean(np.asarray(f.kernel(y[..., None, :] - pts, t)), axis=-1))

    return fun


def _log_u_t(f: Any, pts: np.ndarray, x: np.ndarray) -> Callable[[float], np.ndarray]:
    def fun(t):
        with np.errstate(divide="ignore"):
            return np.log(np.mean(np.asarray(f.kernel(x[..., None, :] - pts, t)), axis=-1))

    return fun


def check_li_yau_numeric(f: Any, ctx: Any) -> Outcome:
    """Point clouds in d = 1, 2, 3 (and their first point alone, I = 1), two or three times,
    query points at the data, around it and in its box.  With u built from the formula's
    kernel, by finite differences of log u: (a) Δ log u against the closed form
    −d/(2t) + tr Cov_w/(4t²); (b) the heat equation, (u_t − Δu)/u = ∂_t log u − Δ log u −
    |∇ log u|² = 0; (c) Li–Yau, Δ log u − bound ≥ −(error bound); (d) equality for I = 1.
    Also the closest approach to equality (closed form) for each cloud and time."""
    rows: list[dict] = []
    worst: dict[str, tuple[float, dict | None]] = {k: (0.0, None) for k in ("closed form", "heat equation", "Li–Yau", "equality I = 1")}
    for d, label, pts, t, x in _cases(ctx):
        h = _steps(pts, t)
        L = _log_u(f, pts, t)
        lap, lap_b = fd_laplacian(L, x, h)
        grad, grad_b = fd_gradient(L, x, h)
        dt, dt_b = fd_time(_log_u_t(f, pts, x), t, _time_step(pts, x, t))
        vals = [lap, grad, dt]
        if not all(np.all(np.isfinite(v)) for v in vals):
            i = int(np.argmax(~np.isfinite(lap) | ~np.isfinite(dt)))
            return Outcome(Status.FAIL, f"log u is not finite near x = {x[i].tolist()} (d = {d}, {label}, t = {t})", {}, counterexample={"d": d, "cloud": label, "t": t, "x": x[i].tolist()}, table=rows)
        closed = F.laplacian_log(pts, x, t)
        gap_closed = F.li_yau_gap(pts, x, t)
        tol_closed = lap_b + _unit(4 * len(pts) * d) * (np.abs(closed) + d / (2 * t))
        heat = dt - lap - np.sum(grad**2, axis=-1)
        heat_b = dt_b + lap_b + 2 * np.sum(np.abs(grad) * grad_b, axis=-1) + _unit(d + 2) * (np.abs(dt) + np.abs(lap) + np.sum(grad**2, axis=-1))
        bound = float(f.bound(d, t))
        gap_fd = lap - bound
        tol_gap = lap_b + _unit(2) * (np.abs(lap) + abs(bound))
        parts = {
            "closed form": np.abs(lap - closed) / tol_closed,
            "heat equation": np.abs(heat) / heat_b,
            "Li–Yau": np.maximum(-gap_fd, 0.0) / tol_gap,
        }
        if label == "I = 1":
            parts["equality I = 1"] = np.abs(gap_fd) / tol_gap
        for name, ratio in parts.items():
            i = int(np.argmax(ratio))
            if ratio[i] > worst[name][0]:
                worst[name] = (float(ratio[i]), {"d": d, "cloud": label, "data": pts.tolist(), "t": t, "x": x[i].tolist(), "Δ log u (FD)": float(lap[i]),
                                                 "error bound": float(lap_b[i]), "closed form": float(closed[i]), "bound": bound,
                                                 "heat residual (u_t - Δu)/u": float(heat[i]), "heat bound": float(heat_b[i])})
        rel = gap_closed / (d / (2 * t))
        rows.append({"d": d, "cloud": label, "t": t, "points": len(x), "max |FD − closed| / bound": float(np.max(parts["closed form"])),
                     "max |heat residual| / bound": float(np.max(parts["heat equation"])),
                     "min (Δ log u − bound), FD": float(np.min(gap_fd)), "FD error bound": float(np.max(lap_b)),
                     "min relative gap (closed form)": float(np.min(rel))})
    metrics = {f"worst {k} (error / bound)": v[0] for k, v in worst.items()}
    conv = _fd_convergence(f, ctx)
    metrics |= {"FD convergence slope": conv["slope"], "FD convergence slope se": conv["slope_se"]}
    figs = _li_yau_figures(ctx) + [conv["figure"]] if ctx.figures else []
    for name in ("heat equation", "closed form", "Li–Yau", "equality I = 1"):
        if worst[name][0] > 1:
            return Outcome(Status.FAIL, f"{name} fails: {worst[name][0]:.3g}× the error bound (d = {worst[name][1]['d']}, {worst[name][1]['cloud']}, t = {worst[name][1]['t']})",
                           metrics, counterexample={"failed": name} | worst[name][1], table=rows, figures=figs)
    gaps = [r["min relative gap (closed form)"] for r in rows if r["cloud"] != "I = 1"]
    metrics["min relative gap, I > 1"] = min(gaps)
    return Outcome(Status.PASS, f"kernel solves the heat equation, Δ log u = closed form, Δ log u ≥ −d/(2t) with equality for I = 1 "
                   f"(d = 1, 2, 3; {len(rows)} cases); closest approach for I > 1: gap/(d/2t) = {min(gaps):.2g}", metrics, table=rows, figures=figs)


def _fd_convergence(f: Any, ctx: Any) -> dict:
    """Convergence study (reported, not a pass criterion — the Richardson bounds are): plain
    second differences of log u (formula's kernel) at h·2^{-k}, k = 0..4, on the 2-D cloud at
    the smallest time, max error against the closed form; slope 2 when the closed form is the
    limit, a plateau when it is not."""
    (_, pts, queries) = _clouds(ctx.check_seed("liyau-clouds"), ctx.fidelity.value)[1]
    t = min(queries)
    x = queries[t][0][: len(pts) + 8]  # the data and points around them
    h0 = 4 * _steps(pts, t)
    L = _log_u(f, pts, t)
    closed = F.laplacian_log(pts, x, t)
    hs, errs = [], []
    for k in range(5):
        h = h0 / 2**k
        lap = sum((L(x + h * e) - 2 * L(x) + L(x - h * e)) / h**2 for e in np.eye(2))
        hs.append(h)
        errs.append(float(np.max(np.abs(lap - closed))))
    fit = fit_power_law(hs, errs)
    fig = FigureSpec(
        "fd-convergence", "convergence", "Second differences of log u against the closed form of Δ log u (2-D cloud)",
        {"n": hs, "err": errs, "se": [0.0] * len(hs), "slope": fit.slope, "intercept": fit.intercept, "ref_slope": 2.0,
         "xlabel": "step h", "ylabel": "max |Δ_h log u − closed form|"},
        f"{len(x)} points at and around the {len(pts)}-point cloud, t = {t:g}: second order, so the closed form "
        "−d/(2t) + tr Cov_w/(4t²) is the limit of the differences (the checks use Richardson values with bounds).",
    )
    return {"slope": fit.slope, "slope_se": fit.slope_se, "figure": fig}


def _li_yau_figures(ctx: Any) -> list[FigureSpec]:
    (_, p1, _), (_, p2, _), _ = _clouds(ctx.check_seed("liyau-clouds"), ctx.fidelity.value)
    ts = np.logspace(-2, 1, 25)
    box = np.stack(np.meshgrid(np.linspace(p2[:, 0].min() - 1, p2[:, 0].max() + 1, 41), np.linspace(p2[:, 1].min() - 1, p2[:, 1].max() + 1, 41)), axis=-1).reshape(-1, 2)
    tiny = np.finfo(float).tiny
    at_data, over_box, worst_box = [], [], []
    for t in ts:
        s = 2 * t / 2  # d/(2t) with d = 2
        at_data.append(max(float(np.min(F.li_yau_gap(p2, p2, t))) / s, tiny))
        rel = F.li_yau_gap(p2, box, t) / s
        over_box.append(max(float(np.min(rel)), tiny))
        worst_box.append(float(np.max(rel)))
    fig1 = FigureSpec(
        "li-yau-gap-vs-t", "lines", "How close Li–Yau comes to equality: (Δ log u + d/2t)/(d/2t) for a 2-D cloud",
        {"x": np.log10(ts).tolist(), "series": {"min over the data points": at_data, "min over the box": over_box, "max over the box": worst_box},
         "logy": True, "xlabel": "log10 t", "ylabel": "relative gap tr Cov_w/(2dt)"},
        f"Closed form tr Cov_w(x)/(4t²) divided by d/(2t), for the {len(p2)}-point cloud in d = 2 (box: data range ± 1). The gap is ≥ 0 everywhere, "
        "0 only where the posterior is a single atom; it tends to 0 at the data as t → 0 (so −d/(2t) is approached exactly where the bound blows up) "
        "and everywhere as t → ∞.",
    )
    x = np.linspace(p1[:, 0].min() - 1.5, p1[:, 0].max() + 1.5, 121)[:, None]
    series = {}
    for t in (_times(ctx)[0], _times(ctx)[-1]):
        series[f"Δ log u, t = {t:g}"] = F.laplacian_log(p1, x, t).tolist()
        series[f"−d/(2t), t = {t:g}"] = [-1 / (2 * t)] * len(x)
    fig2 = FigureSpec(
        "li-yau-profile-1d", "lines", "Δ log u and the Li–Yau bound along the line (1-D cloud)",
        {"x": x[:, 0].tolist(), "series": series, "xlabel": "x", "ylabel": "Δ log u"},
        f"Closed form for the {len(p1)}-point cloud {np.round(p1[:, 0], 2).tolist()}; the bound is touched near the data and far away, "
        "and exceeded between points, where the posterior is split.",
    )
    return [fig1, fig2]


# --- claims 2 and 4: the backward equation and the diffusivity ------------------------------


@functools.lru_cache(maxsize=8)
def _fields(seed: int, fidelity: str) -> tuple:
    """For d = 1, 2, both clouds and every time: the query points and, relative to u(x),
    finite-difference values with bounds of u_t/u, Δu/u, div(u∇u/u)/u, div(su)/u and div s
    (u and its closed-form gradient and score from :mod:`theorems.liyau.formulas`)."""
    out = []
    for d, pts_all, queries in _clouds(seed, fidelity):
        if d == 3:
            continue
        for t, (q_full, q_single) in queries.items():
            for label, pts, x in (("I = 1", pts_all[:1], q_single), (f"I = {len(pts_all)}", pts_all, q_full)):
                h = _steps(pts, t)
                L0 = F.log_mixture(pts, x, t)
                rel = lambda y: np.exp(F.log_mixture(pts, y, t) - L0)  # noqa: E731 - u(y)/u(x)
                ut, ut_b = fd_time(lambda tt: F.log_mixture(pts, x, tt), t, _time_step(pts, x, t))
                lap, lap_b = fd_laplacian(rel, x, h)
                ratio_flux = lambda y: rel(y)[..., None] * (F.grad_mixture(pts, y, t) / F.mixture(pts, y, t)[..., None])  # noqa: E731
                su_flux = lambda y: F.score(pts, y, t) * rel(y)[..., None]  # noqa: E731
                div_ratio, div_ratio_b = fd_divergence(ratio_flux, x, h)
                div_su, div_su_b = fd_divergence(su_flux, x, h)
                div_s, div_s_b = fd_divergence(lambda y: F.score(pts, y, t), x, h)
                data = {"u_t": (ut, ut_b), "lap": (lap, lap_b), "div_ratio": (div_ratio, div_ratio_b), "div_su": (div_su, div_su_b), "div_s": (div_s, div_s_b)}
                out.append((d, label, _freeze(np.array(pts)), t, x, {k2: (_freeze(v), _freeze(b)) for k2, (v, b) in data.items()}))
    return tuple(out)


def _field_cases(ctx: Any) -> tuple:
    return _fields(ctx.check_seed("liyau-clouds"), ctx.fidelity.value)


def check_backward_numeric(f: Any, ctx: Any) -> Outcome:
    """Mixtures in d = 1, 2 (and I = 1), several t: every member of the printed chain, fed
    u_t (finite differences in t), Δu, div(u∇u/u) and div(s u) (finite differences of the
    closed-form fluxes, s the posterior-mean score), all relative to u(x), must vanish within
    the propagated error bound; the score form of Li–Yau, div s ≥ bound, with equality for
    I = 1."""
    rows, worst = [], (0.0, None)
    for d, label, pts, t, x, q in _field_cases(ctx):
        members = {
            "u_t - Δu": linear_bound(f.heat, [q["u_t"][0], q["lap"][0]], [q["u_t"][1], q["lap"][1]]),
            "u_t + Δu - 2Δu": linear_bound(f.split, [q["u_t"][0], q["lap"][0]], [q["u_t"][1], q["lap"][1]]),
            "u_t + Δu - 2 div(u ∇u/u)": linear_bound(f.ratio_form, [q["u_t"][0], q["lap"][0], q["div_ratio"][0]], [q["u_t"][1], q["lap"][1], q["div_ratio"][1]]),
            "u_t + Δu - 2 div(u ∇log u)": linear_bound(f.log_form, [q["u_t"][0], q["lap"][0], q["div_su"][0]], [q["u_t"][1], q["lap"][1], q["div_su"][1]]),
            "u_t + Δu - 2 div(s u)": linear_bound(f.score_form, [q["u_t"][0], q["lap"][0], q["div_su"][0]], [q["u_t"][1], q["lap"][1], q["div_su"][1]]),
        }
        bound = float(f.score_bound(d, t))
        div_s, div_s_b = q["div_s"]
        tol = div_s_b + _unit(2) * (np.abs(div_s) + abs(bound))
        members["div s ≥ bound"] = (np.minimum(div_s - bound, 0.0), tol)
        if label == "I = 1":
            members["div s = bound (I = 1)"] = (div_s - bound, tol)
        row = {"d": d, "cloud": label, "t": t}
        for name, (val, b) in members.items():
            ratio = np.abs(val) / b
            i = int(np.argmax(ratio))
            row[name] = float(ratio[i])
            if ratio[i] > worst[0]:
                worst = (float(ratio[i]), {"failed": name, "d": d, "cloud": label, "data": pts.tolist(), "t": t, "x": x[i].tolist(), "value / u": float(val[i]), "bound": float(b[i])})
        rows.append(row)
    metrics = {"worst error / bound": worst[0], "cases": len(rows)}
    if worst[0] > 1:
        w = worst[1]
        return Outcome(Status.FAIL, f"{w['failed']} fails: {worst[0]:.3g}× the error bound (d = {w['d']}, {w['cloud']}, t = {w['t']})", metrics, counterexample=w, table=rows)
    return Outcome(Status.PASS, f"every member of the chain vanishes and div s ≥ −d/(2t) (equality for I = 1) within the finite-difference bounds (worst {worst[0]:.2f}× the bound, {len(rows)} cases)", metrics, table=rows)


def check_diffusivity_numeric(f: Any, ctx: Any) -> Outcome:
    """Mixtures in d = 1, 2: −Δu against νΔu − (1 + ν)div(su) (finite differences relative to
    u, as in the backward check) for ν ∈ {0, 1/2, 2, 10} and the time-dependent ν(t) = t."""
    rows, worst = [], (0.0, None)
    for d, label, pts, t, x, q in _field_cases(ctx):
        for nu_label, nu in (("0", 0.0), ("1/2", 0.5), ("2", 2.0), ("10", 10.0), ("ν(t) = t", t)):
            lhs, lb = linear_bound(f.lhs, [q["lap"][0]], [q["lap"][1]])
            rhs, rb = linear_bound(f.rhs, [q["lap"][0], q["div_su"][0]], [q["lap"][1], q["div_su"][1]], nu)
            ratio = np.abs(lhs - rhs) / (lb + rb)
            i = int(np.argmax(ratio))
            rows.append({"d": d, "cloud": label, "t": t, "ν": nu_label, "max |lhs − rhs| / bound": float(ratio[i])})
            if ratio[i] > worst[0]:
                worst = (float(ratio[i]), {"d": d, "cloud": label, "data": pts.tolist(), "t": t, "nu": nu, "x": x[i].tolist(), "-Δu / u": float(lhs[i]), "rhs / u": float(rhs[i]), "bound": float(lb[i] + rb[i])})
    metrics = {"worst error / bound": worst[0], "cases": len(rows)}
    if worst[0] > 1:
        w = worst[1]
        return Outcome(Status.FAIL, f"−Δu ≠ νΔu − (1+ν)div(su): {worst[0]:.3g}× the error bound at ν = {w['nu']} (d = {w['d']}, {w['cloud']}, t = {w['t']})", metrics, counterexample=w, table=rows)
    return Outcome(Status.PASS, f"−Δu = νΔu − (1+ν)div(su) within the finite-difference bounds for 5 diffusivities (worst {worst[0]:.2f}× the bound, {len(rows)} cases)", metrics, table=rows)


# --- claim 3: the energy estimate -----------------------------------------------------------


def _grid(pts: np.ndarray, t: float, spacing: float) -> tuple[np.ndarray, float]:
    """Grid over the data's box ± 10√t: the integrands are sums of Gaussians of variance t per
    coordinate (times polynomials), below e^{-50} of their peak there, so the truncated tails
    are under the rounding of the sums (grid halving does not see truncation; this does)."""
    d = pts.shape[1]
    pad = 10 * math.sqrt(t)
    axes = [np.arange(pts[:, k].min() - pad, pts[:, k].max() + pad + spacing / 2, spacing) for k in range(d)]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)
    return mesh, spacing**d


def _integrands(pts: np.ndarray, t: float, y: np.ndarray) -> dict[str, np.ndarray]:
    u = F.mixture(pts, y, t)
    gu = F.grad_mixture(pts, y, t)
    s = F.score(pts, y, t)
    div_s = F.laplacian_log(pts, y, t)
    return {"int_u2": u * u, "int_grad_u2": np.sum(gu * gu, axis=-1), "int_div_us_u": (np.sum(s * gu, axis=-1) + u * div_s) * u, "int_u2_div_s": u * u * div_s}


def quadrature_members(pts: np.ndarray, t: float, spacing: float) -> dict[str, tuple[float, float]]:
    """Trapezoid values and error bounds of ∫u², ∫|∇u|², ∫div(us)u, ∫u² div s (grids δ, δ/2)
    and of d/dt∫u² (central differences in t at k = t/20, k/2, k/4 on both grids, Richardson)."""
    out: dict[str, tuple[float, float]] = {}
    coarse, w1 = _grid(pts, t, spacing)
    fine, w2 = _grid(pts, t, spacing / 2)
    a, b = _integrands(pts, t, coarse), _integrands(pts, t, fine)
    for name in a:
        q1, q2 = float(np.sum(a[name]) * w1), float(np.sum(b[name]) * w2)
        out[name] = (q2, abs(q2 - q1) + _unit(len(fine)) * float(np.sum(np.abs(b[name])) * w2))
    k = t / 20
    ddt = {}
    for label, grid, w in (("coarse", coarse, w1), ("fine", fine, w2)):
        ddt[label] = fd_time(lambda tt: np.sum(F.mixture(pts, grid, tt) ** 2) * w, t, k)
    val, fd_b = ddt["fine"]
    out["ddt_int_u2"] = (float(val), float(fd_b) + abs(float(ddt["fine"][0]) - float(ddt["coarse"][0])))
    return out


@functools.lru_cache(maxsize=8)
def _energy_cases(seed: int, fidelity: str) -> tuple:
    """(d, label, data, t, τ, quadratures, closed forms, ∫u²(τ)) for d = 1, 2, both clouds and
    every time (τ the largest); the quadratures do not depend on the formula, so they are
    computed once and shared by the printed form and its mutants."""
    out = []
    clouds = _clouds(seed, fidelity)
    times = tuple(clouds[0][2])
    tau = max(times)
    for d, pts_all, _ in clouds:
        if d == 3:
            continue
        for label, pts in (("I = 1", pts_all[:1]), (f"I = {len(pts_all)}", pts_all)):
            e_tau = F.energy_integrals(pts, tau)["int_u2"]
            for t in times:
                out.append((d, label, pts, t, tau, quadrature_members(pts, t, 0.6 * math.sqrt(t)), F.energy_integrals(pts, t), e_tau))
    return tuple(out)


def check_energy_numeric(f: Any, ctx: Any) -> Outcome:
    """Mixtures in d = 1, 2 (and I = 1), several t: the four integrals by trapezoid sums (error
    by grid halving) and d/dt∫u² by differences in t; the printed members lhs, middle, right
    must agree and right ≥ bound within the propagated bounds, with equality for I = 1; the
    integrals agree with their closed forms; the a priori consequence
    ∫u²(t) ≤ (τ/t)^d ∫u²(τ), t < τ, holds (the factor blows up as t → 0⁺)."""
    rows, worst = [], (0.0, None)
    for d, label, pts, t, tau, q, ref, e_tau in _energy_cases(ctx.check_seed("liyau-clouds"), ctx.fidelity.value):
        m = {
            "lhs": linear_bound(f.lhs, [q["ddt_int_u2"][0], q["int_grad_u2"][0]], [q["ddt_int_u2"][1], q["int_grad_u2"][1]]),
            "middle": linear_bound(f.middle, [q["int_div_us_u"][0]], [q["int_div_us_u"][1]]),
            "right": linear_bound(f.right, [q["int_u2_div_s"][0]], [q["int_u2_div_s"][1]]),
            "bound": linear_bound(f.bound, [q["int_u2"][0]], [q["int_u2"][1]], d, t),
        }
        m = {k: (float(v), float(b)) for k, (v, b) in m.items()}
        checks = {
            "lhs = middle": abs(m["lhs"][0] - m["middle"][0]) / (m["lhs"][1] + m["middle"][1]),
            "middle = right": abs(m["middle"][0] - m["right"][0]) / (m["middle"][1] + m["right"][1]),
            "right ≥ bound": max(m["bound"][0] - m["right"][0], 0.0) / (m["right"][1] + m["bound"][1]),
        }
        if label == "I = 1":
            checks["right = bound (I = 1)"] = abs(m["right"][0] - m["bound"][0]) / (m["right"][1] + m["bound"][1])
        closed = max(abs(q[k][0] - ref[k2]) / (q[k][1] + _unit(len(pts) ** 2) * abs(ref[k2])) for k, k2 in
                     (("int_u2", "int_u2"), ("int_grad_u2", "int_grad_u2"), ("int_u2_div_s", "int_u2_div_s")))
        checks["quadrature = closed form"] = closed
        a_priori = ref["int_u2"] / (e_tau * (tau / t) ** d)
        checks["a priori ∫u²(t) ≤ (τ/t)^d ∫u²(τ)"] = max(a_priori - 1.0, 0.0) / _unit(4)
        row = {"d": d, "cloud": label, "t": t, "lhs": m["lhs"][0], "middle": m["middle"][0], "right": m["right"][0], "bound": m["bound"][0],
               "error bound": m["lhs"][1] + m["middle"][1], "∫u²(t)/((τ/t)^d ∫u²(τ))": a_priori}
        rows.append(row)
        for name, r in checks.items():
            if r > worst[0]:
                worst = (float(r), {"failed": name, "d": d, "cloud": label, "data": pts.tolist(), "t": t} | {k: v[0] for k, v in m.items()} | {"error bound": m["lhs"][1] + m["middle"][1]})
    metrics = {"worst error / bound": worst[0], "cases": len(rows)}
    figs = _energy_figures(ctx) if ctx.figures else []
    if worst[0] > 1:
        w = worst[1]
        return Outcome(Status.FAIL, f"{w['failed']} fails: {worst[0]:.3g}× the error bound (d = {w['d']}, {w['cloud']}, t = {w['t']})", metrics, counterexample=w, table=rows, figures=figs)
    return Outcome(Status.PASS, f"lhs = middle = right ≥ −(d/2t)∫u² by quadrature (equality for I = 1), closed forms and the a priori bound confirmed (worst {worst[0]:.2f}× the bound, {len(rows)} cases)",
                   metrics, table=rows, figures=figs)


def _energy_figures(ctx: Any) -> list[FigureSpec]:
    (_, p1, _), (_, p2, _), _ = _clouds(ctx.check_seed("liyau-clouds"), ctx.fidelity.value)
    ts = np.logspace(-2, 1, 31)
    series = {}
    for name, pts in (("1-D cloud", p1), ("2-D cloud", p2), ("single Dirac (I = 1)", p2[:1])):
        d = pts.shape[1]
        series[name] = [F.energy_integrals(pts, t)["int_u2_div_s"] / F.energy_integrals(pts, t)["int_u2"] / (d / (2 * t)) for t in ts]
    return [FigureSpec(
        "energy-rate", "lines", "∫u² div s / ∫u² in units of d/(2t) (the printed bound is −1)",
        {"x": np.log10(ts).tolist(), "series": series, "xlabel": "log10 t", "ylabel": "(∫u² div s / ∫u²) / (d/2t)"},
        "Closed forms (verified by quadrature in the check). A single Dirac sits on the bound −1 at every t (the constant d/(2t) of the "
        "estimate cannot be improved); clouds stay above it and approach it as t → 0 and t → ∞.",
    )]

