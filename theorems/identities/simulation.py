"""Numeric evidence (particles) for the identity-level claims of mathai §4–§5 and otdiff §2.

Tolerances: Monte Carlo estimates are compared with closed forms through z-scores whose
multiplier comes from the run's false-alarm budget split over all comparisons of a check
(Bonferroni, ``ctx.multiplier``, which records the spend; :mod:`verify.budget`);
identities that hold exactly for every finite sample are compared within
:func:`verify.stats.rounding_tol`; ODE transports add the Runge–Kutta error measured by step
halving.  Samples are drawn once per (seed, fidelity) and shared by the printed formulas and
their mutants (module-level caches of read-only arrays).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from verify.claims import FigureSpec, Outcome, Status
from verify.particles import gaussian_samples, integrate_particles
from verify.stats import fit_power_law, mean_se, rounding_tol, second_moment_se
from theorems.identities import formulas as F

__all__ = [
    "H",
    "complex_step_divergence",
    "complex_step_gradient",
    "complex_step_jacobian",
    "ATTENTION_SETUP",
    "check_attention_numeric",
    "check_mean_field_numeric",
    "check_regression_numeric",
    "check_family_numeric",
    "check_dacorogna_moser_numeric",
    "check_ls_problem_numeric",
    "check_ls_inversion_numeric",
    "family_path",
]


#: complex step: :math:`\\partial_iF(x) = \\operatorname{Im}F(x + ihe_i)/h` has no subtraction, so it is
#: exact to rounding for analytic F at any small h.
H = 1e-20


def complex_step_jacobian(fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """:math:`\\partial_jF_i(x)` at the rows of ``x : (n, d)``, shape ``(n, k, d)`` (``(n, d)`` for scalar F)."""
    x = np.asarray(x, dtype=complex)
    cols = []
    for j in range(x.shape[-1]):
        e = np.zeros(x.shape[-1], dtype=complex)
        e[j] = 1j * H
        cols.append(np.imag(np.asarray(fun(x + e))) / H)
    return np.stack(cols, axis=-1)


def complex_step_divergence(field: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """:math:`\\sum_i\\partial_iF_i(x)` at the rows of ``x : (n, d)`` by complex steps."""
    return np.trace(complex_step_jacobian(field, x), axis1=-2, axis2=-1)


def complex_step_gradient(fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Gradient of a scalar function at the rows of ``x : (n, d)`` by complex steps."""
    return complex_step_jacobian(fun, x)


def _k(ctx: Any, m: int) -> float:
    return ctx.multiplier(max(int(m), 1))


def _freeze(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _fid(ctx: Any) -> str:
    return ctx.fidelity.value


def _z_outcome(rows: list[dict], zs: np.ndarray, budgets: np.ndarray, ses: np.ndarray, k: float, what: str, metrics: dict, figures: list | None = None) -> Outcome:
    """PASS when every |error| ≤ k·se + budget; FAIL naming the worst comparison otherwise."""
    ratio = np.abs(zs) / np.maximum(k + budgets / np.maximum(ses, 1e-300), 1e-300)
    ratio = np.where(np.isfinite(ratio), ratio, np.inf)
    worst = int(np.argmax(ratio))
    metrics = dict(metrics) | {"z": float(zs[worst]) if np.isfinite(zs[worst]) else str(zs[worst]), "k": k, "comparisons": len(zs)}
    if ratio[worst] <= 1:
        return Outcome(Status.PASS, f"{what}: max |z| = {float(np.max(np.abs(zs))):.2f} ≤ k = {k:.2f} ({len(zs)} comparisons)", metrics, table=rows, figures=figures or [])
    return Outcome(Status.FAIL, f"{what} fails: |z| = {abs(float(zs[worst])):.3g} > k = {k:.2f} at {rows[worst].get('case', '')}", metrics, counterexample=rows[worst], table=rows, figures=figures or [])


# --- mathai eq. (13): tokens drawn from a Gaussian --------------------------------------------------

#: Parameters of the attention checks: Q^T K is not symmetric, so a Q/K transposition shows.
ATTENTION_SETUP = {
    "mean": np.array([0.5, -0.25]),
    "cov": np.array([[1.0, 0.3], [0.3, 0.5]]),
    "Q": np.array([[0.6, 0.2], [-0.1, 0.4]]),
    "K": np.array([[0.3, -0.5], [0.4, 0.2]]),
    "V": np.array([[1.0, 0.5], [-0.3, 0.8]]),
    "queries": np.array([[0.0, 0.0], [1.0, 0.5], [-0.8, 1.0], [0.5, -1.2]]),
}


@functools.lru_cache(maxsize=4)
def _tokens(seed: int, fidelity: str) -> dict:
    rng = np.random.default_rng(seed)
    # eq. (13) builds the full P x P matrix M: sizes stay below a few thousand tokens.
    sizes = {"quick": (100, 200, 400), "standard": (150, 450, 1350), "thorough": (400, 1600, 6400)}[fidelity]
    s = ATTENTION_SETUP
    big = s["mean"] + gaussian_samples(rng, s["cov"], sizes[-1])
    return {"sizes": sizes, "tokens": _freeze(big)}


def _ratio_se(w: np.ndarray, y: np.ndarray, est: np.ndarray) -> np.ndarray:
    """Delta-method standard error of the self-normalised average :math:`\\sum w_qy_q/\\sum w_q`:
    :math:`\\sqrt{\\sum_q w_q^2|y_q - \\hat A|^2}/\\sum_q w_q` per coordinate."""
    return np.sqrt(np.sum(w[:, None] ** 2 * (y - est[None]) ** 2, axis=0)) / np.sum(w)


def _tilted_reference(queries: np.ndarray, tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(self-normalised average over the random tokens only, its delta-method se, the exact
    change made by also counting the query tokens) for each query, independently of any
    formula class."""
    s = ATTENTION_SETUP
    y = tokens @ s["V"].T
    allt = np.vstack([queries, tokens])
    yall = allt @ s["V"].T
    ests, ses, shifts = [], [], []
    for x in queries:
        b = s["K"].T @ s["Q"] @ x
        lw = tokens @ b
        w = np.exp(lw - lw.max())
        est = w @ y / w.sum()
        ests.append(est)
        ses.append(_ratio_se(w, y, est))
        lwa = allt @ b
        wa = np.exp(lwa - lwa.max())
        shifts.append(np.abs(wa @ yall / wa.sum() - est))
    return np.array(ests), np.array(ses), np.array(shifts)


def check_attention_numeric(f: Any, ctx: Any) -> Outcome:
    """P tokens: four fixed query tokens and P i.i.d. tokens from :math:`\\mathcal N(m, \\Sigma)`
    (d = 2).  As P grows, eq. (13) at a query token tends to the tilted mean
    :math:`V(m + \\Sigma K^\\top Qx)`; each coordinate is compared with it with the delta-method
    standard error of the self-normalised average, plus the exact contribution of the four
    query tokens (computed); Bonferroni over all P, queries and coordinates.  Also the
    barycentric facts at scale: M > 0, rows summing to one, and the output inside the hull of
    the values (support function in 16 directions), to rounding."""
    data = _tokens(ctx.check_seed("identities-tokens"), _fid(ctx))
    s = ATTENTION_SETUP
    q = s["queries"]
    closed = F.gaussian_attention(q, s["Q"], s["K"], s["V"], s["mean"], s["cov"])
    rows, zs, ses, budgets, errs, err_se = [], [], [], [], [], []
    k = _k(ctx, len(data["sizes"]) * closed.size)
    dirs = np.stack([np.cos(np.arange(16) * np.pi / 8), np.sin(np.arange(16) * np.pi / 8)], axis=-1)
    for P in data["sizes"]:
        toks = data["tokens"][:P]
        X = np.vstack([q, toks])
        with np.errstate(over="ignore", invalid="ignore"):
            M = np.asarray(f.weights(X, s["Q"], s["K"]), dtype=float)
            A = np.asarray(f.apply(X, s["Q"], s["K"], s["V"]), dtype=float)[: len(q)]
        vals = X @ s["V"].T
        row_err = float(np.max(np.abs(M.sum(axis=1) - 1))) if np.all(np.isfinite(M)) else math.inf
        if not (np.all(np.isfinite(M)) and np.all(M > 0) and row_err <= rounding_tol(1.0, terms=len(X))):
            case = {"case": f"P = {P}", "failed": "M > 0 with rows summing to 1", "max |row sum − 1|": row_err, "min M": float(np.nanmin(M))}
            return Outcome(Status.FAIL, f"M is not a positive row-stochastic matrix at P = {P} (max |row sum − 1| = {row_err:.3g})", {"P": P}, counterexample=case)
        supp = vals @ dirs.T
        hull = float(np.max((A @ dirs.T) - supp.max(axis=0)[None])) if np.all(np.isfinite(A)) else math.inf
        if hull > rounding_tol(float(np.max(np.abs(supp))), terms=len(X)):
            case = {"case": f"P = {P}", "failed": "A_p in the convex hull of the values", "excess over the support function": hull}
            return Outcome(Status.FAIL, f"an output lies outside the hull of the values at P = {P} (excess {hull:.3g})", {"P": P}, counterexample=case)
        est, se, shift = _tilted_reference(q, toks)
        err = A - closed
        errs.append(float(np.mean(np.abs(est - closed))))
        err_se.append(float(np.mean(se)))
        for i in range(len(q)):
            for j in range(closed.shape[1]):
                z = err[i, j] / se[i, j]
                zs.append(z)
                ses.append(se[i, j])
                budgets.append(shift[i, j])
                rows.append({"case": f"P = {P}, query {q[i].tolist()}, coordinate {j + 1}", "P": P, "attention (13)": float(A[i, j]), "V(m + ΣKᵀQx)": float(closed[i, j]),
                             "se": float(se[i, j]), "query-token budget": float(shift[i, j]), "z": float(z)})
        if not np.all(np.abs(err) <= k * se + shift):  # decided already: no need for larger P
            break
    metrics: dict[str, Any] = {"P": list(data["sizes"][: len(errs)])}
    figs = []
    if len(errs) == len(data["sizes"]):
        fit = fit_power_law(data["sizes"], errs)
        metrics |= {"rate": fit.slope, "rate_se": fit.slope_se, "reference rate": -0.5}
    if ctx.figures and len(errs) == len(data["sizes"]):
        figs.append(FigureSpec("attention-convergence", "convergence", "Attention of P Gaussian tokens vs the mean-field limit V(m + ΣKᵀQx)",
                               {"n": list(data["sizes"]), "err": errs, "se": err_se, "slope": fit.slope, "intercept": fit.intercept, "ref_slope": -0.5,
                                "xlabel": "tokens P", "ylabel": "mean |A(X)_p − V(m + ΣKᵀQx_p)|"},
                               "Mean error over four query tokens and two coordinates; dotted: the Monte Carlo rate P^{-1/2}."))
    return _z_outcome(rows, np.array(zs), np.array(budgets), np.array(ses), k, "eq. (13) on Gaussian tokens → V(m + ΣKᵀQx); M row-stochastic, outputs in the hull", metrics, figs)


# --- mathai §5: mean-field attention ---------------------------------------------------------------


def check_mean_field_numeric(f: Any, ctx: Any) -> Outcome:
    """(a) exact for every finite token set (P = 200, d = 2): :math:`\\mathcal A_\\omega(\\mu)(x[p]) = A_\\omega(X)_p`,
    :math:`A_\\omega` equivariant under a random permutation and unchanged when every token is
    duplicated, to rounding; (b) Gaussian μ by tensor Gauss–Hermite quadrature (orders n and
    2n; their difference is the quadrature budget) against :math:`V(m + \\Sigma K^\\top Qx)`;
    (c) i.i.d. Gaussian tokens: the empirical field against the same closed form, delta-method
    z-scores."""
    s = ATTENTION_SETUP
    rng = np.random.default_rng(ctx.check_seed("identities-mean-field"))
    X = s["mean"] + gaussian_samples(rng, s["cov"], 200)
    with np.errstate(over="ignore", invalid="ignore"):
        A = np.asarray(f.apply(X, s["Q"], s["K"], s["V"]), dtype=float)
        mf = np.asarray(f.field(X, s["Q"], s["K"], s["V"], F.EmpiricalMeasure(X)), dtype=float)
        perm = rng.permutation(len(X))
        Ap = np.asarray(f.apply(X[perm], s["Q"], s["K"], s["V"]), dtype=float)
        Ad = np.asarray(f.apply(np.vstack([X, X]), s["Q"], s["K"], s["V"]), dtype=float)[: len(X)]
    scale = float(np.max(np.abs(X @ s["V"].T)))
    # exp(S) carries a relative rounding of ε|S| (the argument's own rounding): condition 1 + max|S|.
    tol = rounding_tol(scale, terms=2 * len(X), cond=1.0 + float(np.max(np.abs((X @ s["Q"].T) @ (X @ s["K"].T).T))))
    for what, diff in (("A(μ)(x[p]) = A(X)_p", mf - A), ("permutation equivariance", Ap - A[perm]), ("duplication invariance", Ad - A)):
        err = float(np.max(np.abs(diff))) if np.all(np.isfinite(diff)) else math.inf
        if not err <= tol:
            i = int(np.nanargmax(np.abs(np.where(np.isfinite(diff), diff, np.inf)).max(axis=1)))
            cex = {"case": what, "failed": what, "P": len(X), "token": X[i].tolist(), "max |difference|": err, "rounding bound": tol}
            return Outcome(Status.FAIL, f"{what} fails on 200 Gaussian tokens: max |difference| = {err:.3g} > {tol:.3g}", {"P": len(X)}, counterexample=cex)
    q = s["queries"]
    closed = F.gaussian_attention(q, s["Q"], s["K"], s["V"], s["mean"], s["cov"])
    n1 = ctx.pick(10, 14, 20)
    with np.errstate(over="ignore", invalid="ignore"):
        g1 = np.asarray(f.field(q, s["Q"], s["K"], s["V"], F.GaussHermiteMeasure(s["mean"], s["cov"], n1)), dtype=float)
        g2 = np.asarray(f.field(q, s["Q"], s["K"], s["V"], F.GaussHermiteMeasure(s["mean"], s["cov"], 2 * n1)), dtype=float)
    budget = np.abs(g1 - g2) + rounding_tol(float(np.max(np.abs(closed))), terms=(2 * n1) ** 2)
    gh_err = np.abs(g2 - closed)
    if not np.all(gh_err <= budget):
        i, j = np.unravel_index(int(np.nanargmax(np.where(np.isfinite(gh_err / budget), gh_err / budget, np.inf))), gh_err.shape)
        cex = {"case": "Gauss–Hermite", "query": q[i].tolist(), "coordinate": int(j) + 1, "A(N(m, Σ)) by quadrature": float(g2[i, j]), "V(m + ΣKᵀQx)": float(closed[i, j]), "quadrature budget": float(budget[i, j])}
        return Outcome(Status.FAIL, f"the mean-field field of N(m, Σ) (quadrature) is {g2[i, j]:.6g}, not V(m + ΣKᵀQx) = {closed[i, j]:.6g}", {"order": 2 * n1}, counterexample=cex)
    data = _tokens(ctx.check_seed("identities-tokens"), _fid(ctx))
    toks = data["tokens"]
    with np.errstate(over="ignore", invalid="ignore"):
        est = np.asarray(f.field(q, s["Q"], s["K"], s["V"], F.EmpiricalMeasure(toks)), dtype=float)
    ref, se, _ = _tilted_reference(q, toks)
    rows, zs = [], []
    for i in range(len(q)):
        for j in range(closed.shape[1]):
            z = (est[i, j] - closed[i, j]) / se[i, j]
            zs.append(z)
            rows.append({"case": f"query {q[i].tolist()}, coordinate {j + 1}", "A(μ_P)(x)": float(est[i, j]), "V(m + ΣKᵀQx)": float(closed[i, j]), "se": float(se[i, j]), "z": float(z)})
    metrics = {"P (identities)": len(X), "Gauss–Hermite order": 2 * n1, "max quadrature error": float(np.max(gh_err)), "P (Monte Carlo)": len(toks)}
    zs = np.array(zs)
    return _z_outcome(rows, zs, np.zeros_like(zs), np.array([r["se"] for r in rows]), _k(ctx, len(zs)),
                      "A(μ)(x[p]) = A(X)_p, permutation/duplication exact; A(N(m, Σ)) = V(m + ΣKᵀQx) by quadrature and by particles", metrics)


# --- mathai §4: the regression -------------------------------------------------------------------------

_REG_GAUSS = {"mean": np.array([1.0, -0.5]), "cov": np.array([[1.5, 0.4], [0.4, 0.6]])}
#: three data points close enough that the posterior over them stays uncertain at s ≤ 1/2: the
#: residual r = target − (12) vanishes where the posterior is certain, so for well separated
#: clusters (or s near 1) E[r·h] is a rare-event mean whose studentised value has heavy tails.
_REG_DATA = np.array([[0.5, 0.5], [-0.5, 0.25], [0.25, -0.75]])
_REG_DATA_TIMES = (0.25, 0.5)


@functools.lru_cache(maxsize=4)
def _regression_samples(seed: int, fidelity: str) -> dict:
    rng = np.random.default_rng(seed)
    n = {"quick": 10_000, "standard": 40_000, "thorough": 400_000}[fidelity]
    x0 = rng.standard_normal((n, 2))
    x1 = _REG_GAUSS["mean"] + gaussian_samples(rng, _REG_GAUSS["cov"], n)
    y0 = rng.standard_normal((n, 2))
    idx = rng.integers(0, len(_REG_DATA), n)
    return {"x0": _freeze(x0), "x1": _freeze(x1), "y0": _freeze(y0), "xi": _freeze(_REG_DATA[idx])}


def check_regression_numeric(f: Any, ctx: Any) -> Outcome:
    """(a) Gaussian data (:math:`x^i \\sim \\mathcal N(m, \\Sigma)`, one :math:`x_0` each): ordinary
    least squares of the printed target on [1, printed input] at s = 1/4, 1/2, 3/4 — the
    minimiser of the printed loss over affine g — against the affine conditional expectation
    (12), with the exact OLS standard errors (the residual is Gaussian, independent of the
    input); (b) three data points: the residual target − (12) at the printed input must be
    orthogonal to every function of the input (normal equations of the unrestricted least
    squares); tested against 1, z and Gaussian bumps at the data, at s = 1/4, 1/2, z-scores."""
    S = _regression_samples(ctx.check_seed("identities-regression"), _fid(ctx))
    n = len(S["x0"])
    rows, zs, ses = [], [], []
    k = _k(ctx, 3 * 6 + len(_REG_DATA_TIMES) * (3 + len(_REG_DATA)) * 2)

    def decided() -> bool:  # a comparison already exceeds k: no need to compute the rest
        return bool(np.any(np.abs(np.array(zs)) > k))

    for s in (0.25, 0.5, 0.75):
        if decided():
            break
        z = np.asarray(f.point(S["x0"], S["x1"], s), dtype=float)
        y = np.asarray(f.target(S["x0"], S["x1"]), dtype=float)
        Z = np.column_stack([np.ones(n), z])
        gram = Z.T @ Z
        coef = np.linalg.solve(gram, Z.T @ y)  # (3, 2): intercept, slopes
        resid = y - Z @ coef
        sig2 = np.sum(resid**2, axis=0) / (n - 3)
        se = np.sqrt(np.outer(np.diag(np.linalg.inv(gram)), sig2))
        c0 = F.conditional_field_gaussian(np.zeros((1, 2)), s, _REG_GAUSS["mean"], _REG_GAUSS["cov"])[0]
        B = F.conditional_field_gaussian(np.eye(2), s, _REG_GAUSS["mean"], _REG_GAUSS["cov"]) - c0
        ref = np.vstack([c0, B])  # rows: intercept, d/dz1, d/dz2 (columns: output coordinate)
        names = ["intercept", "∂/∂z1", "∂/∂z2"]
        for a in range(3):
            for j in range(2):
                zz = (coef[a, j] - ref[a, j]) / se[a, j]
                zs.append(zz)
                ses.append(se[a, j])
                rows.append({"case": f"Gaussian data, s = {s}, {names[a]} of coordinate {j + 1}", "least squares": float(coef[a, j]), "(12)": float(ref[a, j]), "se": float(se[a, j]), "z": float(zz)})
    for s in _REG_DATA_TIMES:
        if decided():
            break
        z = np.asarray(f.point(S["y0"], S["xi"], s), dtype=float)
        y = np.asarray(f.target(S["y0"], S["xi"]), dtype=float)
        r = y - F.conditional_field_empirical(z, s, _REG_DATA)
        tests = {"1": np.ones(n), "z1": z[:, 0], "z2": z[:, 1]}
        for i, c in enumerate(_REG_DATA):
            tests[f"bump at s·x^{i + 1}"] = np.exp(-np.sum((z - s * c) ** 2, axis=-1) / (2 * (1 - s) ** 2))
        for name, h in tests.items():
            for j in range(2):
                m, se = mean_se(r[:, j] * h)
                zz = float(m / se)
                zs.append(zz)
                ses.append(float(se))
                rows.append({"case": f"3 data points, s = {s}, E[residual_{j + 1} · {name}]", "estimate": float(m), "reference": 0.0, "se": float(se), "z": zz})
    zs = np.array(zs)
    return _z_outcome(rows, zs, np.zeros_like(zs), np.array(ses), k, "least squares of the printed loss = (12): Gaussian OLS and the normal equations on data", {"n": n})


# --- fields that leave a Gaussian unchanged ------------------------------------------------------


def family_path(domain: str, d: int, rng: np.random.Generator) -> dict:
    """A base Gaussian path with its transporting field: isotropic domain
    :math:`\\alpha_t = \\mathcal N(0, (1+t)^2\\mathrm{Id})`, :math:`v = x/(1+t)`; Gaussian domain
    :math:`\\alpha_t = \\mathcal N(tm_1, (1+t)^2\\Sigma_0)`, :math:`v = m_1 + (x - tm_1)/(1+t)`."""
    if domain == "isotropic":
        S0, m1 = np.eye(d), np.zeros(d)
    else:
        a = rng.standard_normal((d, d))
        S0 = a @ a.T / d + 0.3 * np.eye(d)
        m1 = rng.standard_normal(d)
    return {"S0": S0, "m1": m1, "mean": lambda t: t * m1, "cov": lambda t: (1 + t) ** 2 * S0, "v": lambda t, x: m1 + (x - t * m1) / (1 + t)}


def _law_z(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """z-scores of the empirical mean and second moment about the true mean (Isserlis se)."""
    n, d = x.shape
    mz = (x.mean(axis=0) - mean) / np.sqrt(np.diag(cov) / n)
    c = x - mean
    S = c.T @ c / n
    se = second_moment_se(cov, n)
    iu = np.triu_indices(d)
    cz = ((S - cov) / se)[iu]
    names = [f"mean_{i + 1}" for i in range(d)] + [f"cov_{i + 1}{j + 1}" for i, j in zip(*iu)]
    return np.concatenate([mz, cz]), np.concatenate([np.sqrt(np.diag(cov) / n), se[iu]]), names


@functools.lru_cache(maxsize=4)
def _family_setup(seed: int, fidelity: str, domain: str) -> list[dict]:
    rng = np.random.default_rng(seed)
    n = {"quick": 4000, "standard": 20_000, "thorough": 400_000}[fidelity]
    cases = []
    for d in (2, 3):
        path = family_path(domain, d, rng)
        x0 = gaussian_samples(rng, path["S0"], n)
        cases.append({"d": d, "path": path, "x0": _freeze(x0), "G": _freeze(rng.standard_normal((d, d))), "b": _freeze(rng.standard_normal(d))})
    return cases


def _affine_flow(field: Callable[[float, np.ndarray], np.ndarray], d: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The time-1 map :math:`x \\mapsto Px + q` of an affine field, from RK4 on the d + 1 points
    0, e_1, …, e_d (the flow of an affine field is affine: the matrix is propagated once, not
    one ODE per particle)."""
    pts = np.vstack([np.zeros(d), np.eye(d)])
    out = integrate_particles(field, pts, 0.0, 1.0, steps)
    return (out[1:] - out[0]).T, out[0]


def check_family_numeric(f: Any, ctx: Any) -> Outcome:
    """Particles of :math:`\\alpha_0` moved by :math:`v_t + w_t`, w_t the family member of a
    random generator at :math:`\\alpha_t`, for a base path of the claim's domain (d = 2, 3): adding
    w must not change the evolution, so the particles at t = 1 are compared with :math:`\\alpha_1`
    (mean and second-moment z-scores).  The fields are affine, so the time-1 map is the RK4 flow
    of the d + 1 points 0, e_i applied to every particle; budget: the change between 10 and 20
    RK4 steps."""
    rows, zs, ses, budgets = [], [], [], []
    cases = _family_setup(ctx.check_seed("identities-family"), _fid(ctx), f.domain)
    k = _k(ctx, sum(c["d"] + c["d"] * (c["d"] + 1) // 2 for c in cases))
    for case in cases:
        if zs and not np.all(np.abs(np.array(zs)) * np.array(ses) <= k * np.array(ses) + np.array(budgets)):
            break  # decided by the first case
        path, G, b, d = case["path"], case["G"], case["b"], case["d"]

        def field(t, x, path=path, G=G, b=b):
            return path["v"](t, x) + f.field(x, G, b, path["mean"](t), path["cov"](t))

        with np.errstate(over="ignore", invalid="ignore"):
            P20, q20 = _affine_flow(field, d, 20)
            P10, q10 = _affine_flow(field, d, 10)
            x20 = case["x0"] @ P20.T + q20
            x10 = case["x0"] @ P10.T + q10
        m1, S1 = path["mean"](1.0), path["cov"](1.0)
        z, se, names = _law_z(x20, m1, S1)
        z10, _, _ = _law_z(x10, m1, S1)
        bud = np.abs(z - z10) * se
        for name, zz, s_, bb in zip(names, z, se, bud):
            zs.append(zz)
            ses.append(s_)
            budgets.append(bb)
            rows.append({"case": f"d = {d}, {name}", "d": d, "statistic": name, "z": float(zz), "se": float(s_), "RK4 budget": float(bb),
                         "generator G": case["G"].tolist(), "b": case["b"].tolist(), "Sigma_0": path["S0"].tolist(), "m_1": path["m1"].tolist()})
    zs = np.array(zs)
    zs = np.where(np.isfinite(zs), zs, np.inf)
    return _z_outcome(rows, zs, np.array(budgets), np.array(ses), k, "particles moved by v + w keep the law α_t", {"n": len(case["x0"])})


# --- otdiff eq. (3) ------------------------------------------------------------------------------------

_DM_PATHS = (
    ("translation", np.array([0.0, 0.0]), np.array([1.0, 0.5]), 1.0, 0.0),
    ("translation and dilation", np.array([0.3, -0.2]), np.array([0.5, -1.0]), 0.8, 0.4),
)


@functools.lru_cache(maxsize=4)
def _dm_samples(seed: int, fidelity: str) -> np.ndarray:
    n = {"quick": 10_000, "standard": 100_000, "thorough": 1_000_000}[fidelity]
    return _freeze(np.random.default_rng(seed).standard_normal((n, 2)))


def check_dacorogna_moser_numeric(f: Any, ctx: Any) -> Outcome:
    """Weak form of (2) with particles: for :math:`X \\sim \\alpha_t = \\mathcal N(m_t, s_t^2\\mathrm{Id}_2)`
    and Gaussian bumps f (width τ = 0.8 s, centred at and around the mean),
    :math:`\\frac{d}{dt}\\mathbb E f(X_t) = \\mathbb E[\\nabla f(X)\\cdot v_t(X)]` with v from (3) built on the
    explicit Newtonian potential; Monte Carlo mean and standard error (finite fourth moment for
    τ² < 4s²/3) against the closed-form derivative; Bonferroni over paths and bumps.  And the
    printed remark that (3) is not in general a gradient: curl v ≠ 0 (complex steps) at
    m + s(1, 1) on the translating Gaussian.  Reported: the speed of v at the mean (the (6)
    field moves it at ṁ)."""
    Z = _dm_samples(ctx.check_seed("identities-dm"), _fid(ctx))
    rows, zs, ses = [], [], []
    centre_speed = {}
    label, m, md, s, sd = _DM_PATHS[0]
    xs = (m + s * np.array([1.0, 1.0]))[None]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        jac = complex_step_jacobian(lambda y: f.velocity(F.newton_gradient_dt(y, m, md, s, sd), F.planar_gaussian_density(y, m, s)), xs)[0]
    curl = float(jac[1, 0] - jac[0, 1])
    curl_tol = rounding_tol(float(np.sum(np.abs(jac))), terms=32, cond=2.0)
    if not abs(curl) > curl_tol:
        cex = {"case": f"{label}, x = {xs[0].tolist()}", "failed": "(3) is not in general a gradient field (printed remark)", "curl v": curl, "rounding bound": curl_tol}
        return Outcome(Status.FAIL, f"curl v = {curl:.3g} at {xs[0].tolist()} on the translating Gaussian: v is a gradient there, against the printed remark", {}, counterexample=cex)
    k = _k(ctx, 4 * len(_DM_PATHS))
    for label, m, md, s, sd in _DM_PATHS:
        if zs and np.max(np.abs(zs)) > k:
            break  # decided on the first path
        x = m + s * Z
        alpha = F.planar_gaussian_density(x, m, s)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            v = np.asarray(f.velocity(F.newton_gradient_dt(x, m, md, s, sd), alpha), dtype=float)
            vc = np.asarray(f.velocity(F.newton_gradient_dt(m[None] + 1e-4 * s, m, md, s, sd), F.planar_gaussian_density(m[None] + 1e-4 * s, m, s)), dtype=float)[0]
        centre_speed[label] = vc.tolist()
        tau = 0.8 * s
        for c in (m, m + s * np.array([1.0, 0.0]), m + s * np.array([0.0, 1.0]), m + s * np.array([0.7, 0.7])):
            fx = np.exp(-np.sum((x - c) ** 2, axis=-1) / (2 * tau * tau))
            integrand = np.sum(-(x - c) / (tau * tau) * fx[:, None] * v, axis=-1)
            ref = F.bump_expectation_dt(m, md, s, sd, c, tau)
            if not np.all(np.isfinite(integrand)):
                cex = {"case": f"{label}, bump at {np.round(c, 3).tolist()}", "failed": "E[∇f·v] finite"}
                return Outcome(Status.FAIL, f"∇f·v is not finite on the {label} path", {}, counterexample=cex)
            est, se = mean_se(integrand)
            zz = float((est - ref) / se)
            zs.append(zz)
            ses.append(float(se))
            rows.append({"case": f"{label}, bump at {np.round(c, 3).tolist()}", "path": label, "E[∇f·v] (particles)": float(est), "d/dt E f (closed form)": ref, "se": float(se), "z": zz})
    zs = np.array(zs)
    metrics = {"n": len(Z), "v at the mean (translation path, ṁ = (1, 0.5))": centre_speed["translation"], "curl v at m + s(1, 1) (translation path)": curl}
    figs = _dm_figures(f) if ctx.figures else []
    return _z_outcome(rows, zs, np.zeros_like(zs), np.array(ses), k, "weak form of (2) with the (3) field on planar Gaussian paths", metrics, figs)


def _dm_figures(f: Any) -> list[FigureSpec]:
    """Speed of the (3) field along rays from the mean of the translating Gaussian, against the
    least-squares field (6), which is the translation ṁ itself."""
    label, m, md, s, sd = _DM_PATHS[0]
    r = np.linspace(0.0, 3.0, 61)[1:]
    series = {}
    for name, u in (("(3) along ṁ", md / np.linalg.norm(md)), ("(3) across ṁ", np.array([-md[1], md[0]]) / np.linalg.norm(md))):
        x = m + r[:, None] * s * u
        v = np.asarray(f.velocity(F.newton_gradient_dt(x, m, md, s, sd), F.planar_gaussian_density(x, m, s)), dtype=float)
        series[name] = np.linalg.norm(v, axis=-1).tolist()
    series["(6): the translation ṁ"] = [float(np.linalg.norm(md))] * len(r)
    return [FigureSpec("dacorogna-moser-speed", "lines", "Speed of the Dacorogna–Moser field on a translating Gaussian",
                       {"x": r.tolist(), "series": series, "xlabel": "|x − m| / s", "ylabel": "|v(x)|", "logy": True},
                       "The (3) field moves the mean at |ṁ|/2 and the tails ever faster (∝ e^{|x−m|²/2s²}/|x−m|²: infinite kinetic energy), "
                       "while the least-squares field (6) is the rigid translation.")]


# --- otdiff eqs. (4)–(6): transport along Gaussian paths -----------------------------------------------


@functools.lru_cache(maxsize=4)
def _ls_setup(seed: int, fidelity: str) -> list[dict]:
    rng = np.random.default_rng(seed)
    n = {"quick": 2000, "standard": 10_000, "thorough": 200_000}[fidelity]
    paths = [F.GaussianPath([0.0, 0.0], [1.0, -1.0], [[2.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 3.0]])]
    a, b = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    paths.append(F.GaussianPath(rng.standard_normal(3), rng.standard_normal(3), a @ a.T / 3 + 0.3 * np.eye(3), b @ b.T / 3 + 0.3 * np.eye(3)))
    out = []
    for p in paths:
        x0 = p.m0 + gaussian_samples(rng, p.S0, n)
        xh = p.mean(0.5) + gaussian_samples(rng, p.cov(0.5), n)
        J = rng.standard_normal((p.d, p.d))
        out.append({"path": p, "x0": _freeze(x0), "xh": _freeze(xh), "J": _freeze(J - J.T)})
    return out


def _transport_check(velocity: Callable[[Any, float, np.ndarray], np.ndarray], ctx: Any, what: str) -> Outcome:
    """Particles of :math:`\\alpha_0` moved by ``velocity(path, t, x)`` (RK4, 8 steps per unit
    time; budget: the change from 4 steps, which over-estimates the error of the finer run by the
    factor 2⁴ − 1 = 15) against :math:`\\alpha_{1/2}` and :math:`\\alpha_1`; and the
    first-order optimality :math:`\\mathbb E_{\\alpha_{1/2}}[v\\cdot w] = 0` for
    :math:`w = J\\Sigma^{-1}(x - m) \\in \\mathcal H_\\alpha` (Monte Carlo z)."""
    rows, zs, ses, budgets = [], [], [], []
    cases = _ls_setup(ctx.check_seed("identities-ls"), _fid(ctx))
    k = _k(ctx, sum(2 * (c["path"].d + c["path"].d * (c["path"].d + 1) // 2) + 1 for c in cases))
    for case in cases:
        p = case["path"]

        def field(t, x, p=p):
            return np.asarray(velocity(p, t, x), dtype=float)

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fine, coarse = case["x0"], case["x0"]
            for t0, t1 in ((0.0, 0.5), (0.5, 1.0)):
                fine = integrate_particles(field, fine, t0, t1, 4)
                coarse = integrate_particles(field, coarse, t0, t1, 2)
                z, se, names = _law_z(fine, p.mean(t1), p.cov(t1))
                z10, _, _ = _law_z(coarse, p.mean(t1), p.cov(t1))
                for name, zz, s_, bb in zip(names, z, se, np.abs(z - z10) * se):
                    zs.append(zz)
                    ses.append(s_)
                    budgets.append(bb)
                    rows.append({"case": f"d = {p.d}, t = {t1}, {name}", "statistic": name, "t": t1, "z": float(zz), "se": float(s_), "RK4 budget": float(bb), "S0": p.S0.tolist(), "S1": p.S1.tolist()})
                if not np.all(np.abs(np.array(zs)) * np.array(ses) <= k * np.array(ses) + np.array(budgets)):
                    break  # decided: no need to move the particles further
        if not np.all(np.abs(np.array(zs)) * np.array(ses) <= k * np.array(ses) + np.array(budgets)):
            break
            xh = case["xh"]
            v = field(0.5, xh)
            w = (xh - p.mean(0.5)) @ np.linalg.solve(p.cov(0.5), case["J"].T)
            m_, se_ = mean_se(np.sum(v * w, axis=-1)) if np.all(np.isfinite(v)) else (math.inf, 1.0)
            zs.append(float(m_ / se_))
            ses.append(float(se_))
            budgets.append(0.0)
            rows.append({"case": f"d = {p.d}, t = 0.5, E[v·w], w = JΣ⁻¹(x − m) ∈ H_α", "statistic": "orthogonality", "t": 0.5, "estimate": float(m_), "se": float(se_), "z": float(m_ / se_)})
    zs = np.where(np.isfinite(np.array(zs)), np.array(zs), np.inf)
    return _z_outcome(rows, zs, np.array(budgets), np.array(ses), k, what, {"n": len(case["x0"])})


def check_ls_problem_numeric(f: Any, ctx: Any) -> Outcome:
    """(5) on Gaussian paths (d = 2 non-commuting endpoints; d = 3 random): particles moved by
    :math:`v_t = \\nabla\\psi_t` (ψ the potential of the path, :math:`\\operatorname{div}(\\alpha\\nabla\\psi) = -\\partial_t\\alpha`)
    follow :math:`\\alpha_t`, and v is L²(α)-orthogonal to :math:`\\mathcal H_\\alpha` (first-order
    optimality of (4))."""
    return _transport_check(lambda p, t, x: f.optimal_field(p.grad_psi(x, t)), ctx, "particles moved by (5) follow α_t; v ⟂ H_α")


def check_ls_inversion_numeric(f: Any, ctx: Any) -> Outcome:
    """(6) on Gaussian paths: :math:`\\nabla\\Delta_\\alpha^{-1}(\\partial_t\\alpha) = -\\nabla\\psi_t` there;
    particles moved by :math:`v_t` from (6) follow :math:`\\alpha_t`, and v ⟂ :math:`\\mathcal H_\\alpha`."""
    return _transport_check(lambda p, t, x: f.velocity(-p.grad_psi(x, t), np.exp(p.log_density(x, t))), ctx, "particles moved by (6) follow α_t; v ⟂ H_α")
