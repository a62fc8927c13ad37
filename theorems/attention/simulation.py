"""Particle evidence for otdiff §7.1–§7.2: tokens moved by attention layers against the
covariance ODE (30), the blow-up example, and finite differences of the log-partition φ.

Tokens.  Every replicate is an *antithetic*, moment-matched sample of
:math:`\\mathcal N(0, \\Sigma_0)`: n/2 draws whitened so that their second moment is exactly
:math:`\\Sigma_0` (:func:`verify.particles.gaussian_samples`), together with their negatives.
The empirical measure is then symmetric, like the Gaussian: its mean and odd moments vanish
exactly, :math:`\\Gamma_\\theta` of a symmetric measure is odd, so the symmetry is kept by the
dynamics, and no O(n^{-1/2}) mean drift is amplified by V.

Errors and their budgets (never a tuned constant):

* finite depth: (26) is the explicit Euler scheme of (28) with step 1/T; the O(1/T) error is
  removed by Richardson extrapolation (T and 2T layers on the same tokens), and the remaining
  O(T^{-2}) error is measured on one replicate with 4T layers;
* finite n: the O(1/n) bias of the mean of the second moment (self-normalised attention, and
  the whitening of each sample) is removed by Richardson extrapolation in n: each replicate runs
  n tokens and, independently, two sets of n/2 tokens, and uses 2·S(n) − mean S(n/2); what
  remains is O(n^{-2}).  (Halves cut from the n tokens would not do: the bias depends on the
  size of the whitened block, so they must be whitened on their own, hence independent.)
* sampling: R independent replicates, Student-t multiplier with R − 1 degrees of freedom,
  Bonferroni over the compared entries (:mod:`verify.stats`).

The particle runs do not depend on the formula under test: they are computed once per (seed,
fidelity) and cached; every mutant reuses them.  The n² cost of attention is the bottleneck,
hence the small ``quick`` sizes.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from verify.claims import FigureSpec, Fidelity, Outcome, Status
from verify.linalg import as_spd
from verify.particles import gaussian_samples
from verify.stats import fit_power_law, mean_se, rounding_tol

__all__ = [
    "SIGMA0",
    "Q",
    "K",
    "V",
    "BLOWUP_SIGMA0",
    "BLOWUP_LAMBDA",
    "BLOWUP_TIMES",
    "attention_field",
    "attention_at",
    "tilted_gaussian_field",
    "antithetic_tokens",
    "transformer_layers",
    "covariance_path",
    "gauss_hermite_measure",
    "check_covariance_particles",
    "check_blow_up_ode",
    "check_blow_up_particles",
    "check_potential_numeric",
]

#: Initial covariance and attention parameters of the Theorem 7.1 particle check: neither Q,
#: K, V nor QᵀK is symmetric; ‖VΣ0KᵀQ‖₂ ≈ 0.67, so the corrected covariance moves visibly on
#: [0, 1] (Σ12 from 0.3 to about −0.01) without blowing up, and the printed (30) stays finite too.
#: The logits are kept small, ‖B‖₂² ≈ 0.035 with B = Σ0^{1/2}KᵀQΣ0^{1/2}: one token y = Σ^{1/2}u
#: weighs on the attention like e^{|Bu|²/2} on average over the queries, whose variance is
#: finite only when ‖B‖₂² < 1/2 (and the variance of the variance when < 1/4); beyond, the
#: particle average converges more slowly than n^{-1/2} (measured: about n^{-0.3} at ‖B‖₂² = 0.56).
#: Both ODEs are invariant under (Q, K, V) → (cQ, cK, V/c²), so small logits cost nothing.
#: What remains heavy-tailed is the self-attention of (26): token i weighs on itself with
#: e^{⟨Qx_i, Kx_i⟩}/n, so a rare large token biases its own velocity by O(e^{c|x_i|²}/n).
SIGMA0 = np.array([[1.0, 0.3], [0.3, 0.6]])
Q = np.array([[-0.25, -0.4], [-0.05, 0.15]])
K = np.array([[0.35, 0.05], [-0.15, -0.25]])
V = np.array([[1.6, 4.0], [0.8, -2.8]])
#: The blow-up example: Q = K = Id, V = λ Id; eigenvalues of Σ0 are 0.05 and 0.02, so
#: t* = 1/(2λ·0.05) = 1.  A small Σ0 keeps the attention logits ⟨x_i, x_j⟩ small, so that n
#: tokens represent the tilted measure well until Σ has grown several-fold.
BLOWUP_SIGMA0 = np.array([[0.035, 0.015], [0.015, 0.035]])
BLOWUP_LAMBDA = 10.0
#: Times at which the particles are compared with the closed form (fractions of t* = 1).
BLOWUP_TIMES = (0.25, 0.5, 0.75, 0.85)


def _square(name: str, a: Any, d: int) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if arr.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}) to match the tokens, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def attention_field(tokens: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Finite-token attention (26)–(27) at every token, all replicates at once.

    .. math::

        \\Gamma_\\theta[\\alpha_n](x_i) = \\sum_j \\frac{e^{\\langle Qx_i, Kx_j\\rangle}}{\\sum_\\ell e^{\\langle Qx_i, Kx_\\ell\\rangle}} Vx_j,
        \\qquad \\alpha_n = \\frac1n\\sum_j\\delta_{x_j}.

    Parameters
    ----------
    tokens : (n, d) or (R, n, d)
        Token positions (R independent replicates).
    q, k, v : (d, d)
        Query, key and value matrices.

    Returns
    -------
    numpy.ndarray, the shape of ``tokens``.
    """
    x = np.asarray(tokens, dtype=float)
    if x.ndim not in (2, 3) or x.shape[-2] < 1:
        raise ValueError(f"tokens must have shape (n, d) or (R, n, d), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("tokens contain NaN or inf")
    d = x.shape[-1]
    q, k, v = (_square(name, m, d) for name, m in (("q", q), ("k", k), ("v", v)))
    return _field(x if x.ndim == 3 else x[None], q, k, v).reshape(x.shape)


def attention_at(queries: np.ndarray, tokens: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(27) for the empirical measure of ``tokens`` (n, d), evaluated at ``queries`` (m, d):
    :math:`\\Gamma_\\theta[\\alpha_n](x) = \\sum_j \\mathrm{softmax}_j\\langle Qx, Kx_j\\rangle\\,Vx_j`,
    shape (m, d).  The closed form for Gaussian tokens is :func:`tilted_gaussian_field`."""
    xq = np.asarray(queries, dtype=float)
    xt = np.asarray(tokens, dtype=float)
    if xt.ndim != 2 or xt.shape[0] < 1:
        raise ValueError(f"tokens must have shape (n, d), got {xt.shape}")
    if xq.ndim != 2 or xq.shape[1] != xt.shape[1]:
        raise ValueError(f"queries must have shape (m, {xt.shape[1]}) to match the tokens, got {xq.shape}")
    if not (np.all(np.isfinite(xq)) and np.all(np.isfinite(xt))):
        raise ValueError("queries and tokens must be finite")
    d = xt.shape[1]
    q, k, v = (_square(name, m, d) for name, m in (("q", q), ("k", k), ("v", v)))
    logits = (xq @ q.T) @ (xt @ k.T).T
    w = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (w @ (xt @ v.T)) / w.sum(axis=1, keepdims=True)


def _field(x: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    logits = (x @ q.T) @ np.swapaxes(x @ k.T, 1, 2)
    logits -= logits.max(axis=2, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=2, keepdims=True)
    return logits @ (x @ v.T)


def tilted_gaussian_field(sigma: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Closed form of (27) for :math:`\\alpha = \\mathcal N(0, \\Sigma)`: the matrix
    :math:`A = V\\Sigma K^\\top Q` of the linear field :math:`\\Gamma_\\theta[\\alpha](x) = Ax`
    (the tilted Gaussian is :math:`\\mathcal N(\\Sigma K^\\top Qx, \\Sigma)`).  The particle
    counterpart is :func:`attention_field`."""
    s = as_spd("sigma", sigma, definite=True)
    d = s.shape[0]
    q, k, v = (_square(name, m, d) for name, m in (("q", q), ("k", k), ("v", v)))
    return v @ s @ k.T @ q


def antithetic_tokens(rng: np.random.Generator, sigma0: np.ndarray, n: int, reps: int) -> np.ndarray:
    """``reps`` replicates of n tokens: n/2 moment-matched draws of N(0, Σ0) and their
    negatives, shape (reps, n, d); each replicate's second moment is exactly Σ0."""
    s = as_spd("sigma0", sigma0, definite=True)
    if isinstance(n, bool) or int(n) != n or n < 2 * s.shape[0] or n % 2:
        raise ValueError(f"n must be an even integer >= 2d = {2 * s.shape[0]}, got {n!r}")
    if isinstance(reps, bool) or int(reps) != reps or reps < 1:
        raise ValueError(f"reps must be a positive integer, got {reps!r}")
    half = np.stack([gaussian_samples(rng, s, n // 2, exact_moments=True) for _ in range(int(reps))])
    return np.concatenate([half, -half], axis=1)


def _moments(x: np.ndarray) -> np.ndarray:
    return np.einsum("rni,rnj->rij", x, x) / x.shape[1]


def transformer_layers(tokens: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray, layers: int) -> np.ndarray:
    """Apply ``layers`` attention layers (26) with step 1/T (T = ``layers``) to every replicate
    and return the second moments after each layer, shape (R, T + 1, d, d) (index 0: the input).

    .. math:: x_i \\mapsto x_i + \\frac1T\\,\\Gamma_\\theta[\\alpha_n](x_i).
    """
    x = np.asarray(tokens, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"tokens must have shape (R, n, d), got {x.shape}")
    if isinstance(layers, bool) or int(layers) != layers or layers < 1:
        raise ValueError(f"layers must be a positive integer, got {layers!r}")
    d = x.shape[2]
    q, k, v = (_square(name, m, d) for name, m in (("q", q), ("k", k), ("v", v)))
    out = [_moments(x)]
    for _ in range(int(layers)):
        x = x + _field(x, q, k, v) / layers
        out.append(_moments(x))
    return np.stack(out, axis=1)


def covariance_path(f: Any, sigma0: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray, times, *, rtol: float = 1e-11) -> tuple[np.ndarray, float | None]:
    """Solve the formula's covariance ODE :math:`\\dot\\Sigma = F(\\Sigma)` (``f.sigma_dot``)
    from Σ0 with ``solve_ivp`` (DOP853), returning Σ at ``times`` and the time at which
    ‖Σ‖ exceeded 10⁸‖Σ0‖ (None if it did not before the last time).  Entries after a blow-up
    are NaN.  No symmetry is imposed: a right-hand side that is not symmetric shows up."""
    s0 = as_spd("sigma0", sigma0, definite=True)
    d = s0.shape[0]
    q, k, v = (_square(name, m, d) for name, m in (("q", q), ("k", k), ("v", v)))
    ts = np.asarray(times, dtype=float)
    if ts.ndim != 1 or ts.size < 1 or np.any(ts < 0) or np.any(np.diff(ts) < 0):
        raise ValueError(f"times must be a non-empty non-decreasing 1-D array of t >= 0, got {times!r}")
    limit = 1e8 * float(np.abs(s0).max())

    def rhs(t, y):
        return np.asarray(f.sigma_dot(y.reshape(d, d), q, k, v), dtype=float).ravel()

    def blow(t, y):
        return limit - float(np.abs(y).max())

    blow.terminal = True
    sol = solve_ivp(rhs, (0.0, float(ts[-1])), s0.ravel(), method="DOP853", rtol=rtol, atol=rtol * 1e-3 * float(np.abs(s0).max()),
                    dense_output=True, events=blow)
    t_blow = float(sol.t_events[0][0]) if sol.t_events[0].size else None
    out = np.full((ts.size, d, d), np.nan)
    ok = ts <= (t_blow if t_blow is not None else ts[-1])
    if np.any(ok):
        out[ok] = sol.sol(ts[ok]).T.reshape(-1, d, d)
    return out, t_blow


def _k(ctx: Any, m: int, reps: int) -> float:
    return ctx.multiplier(m, df=reps - 1)


# --- Theorem 7.1: tokens through attention layers -------------------------------------------


@functools.lru_cache(maxsize=4)
def _attention_runs(seed: int, fidelity: Fidelity) -> dict:
    """The particle runs of the Theorem 7.1 check (independent of the formula under test)."""
    pick = {Fidelity.QUICK: 0, Fidelity.STANDARD: 1, Fidelity.THOROUGH: 2}[fidelity]
    n, reps = (200, 400, 800)[pick], (12, 24, 40)[pick]
    layers = 8  # T; Richardson with 2T, the budget with 4T
    rng = np.random.default_rng(seed)
    union = antithetic_tokens(rng, SIGMA0, n, reps)
    a = antithetic_tokens(rng, SIGMA0, n // 2, reps)
    b = antithetic_tokens(rng, SIGMA0, n // 2, reps)

    def richardson(x: np.ndarray, t: int) -> np.ndarray:
        # Moments at the common times j/T: every second layer of the 2T run.
        return 2 * transformer_layers(x, Q, K, V, 2 * t)[:, ::2] - transformer_layers(x, Q, K, V, t)

    u = richardson(union, layers)
    h = (richardson(a, layers) + richardson(b, layers)) / 2
    # Richardson's own residual, O(T^-2): (4/3)|R(T) − R(2T)| on replicate 0.
    fine = richardson(union[:1], 2 * layers)[:, ::2]
    out = {
        "n": n, "reps": reps, "layers": layers, "times": np.linspace(0, 1, layers + 1),
        "extrapolated": 2 * u - h, "union": u, "halves": h,
        "depth_budget": 4 / 3 * np.abs(u[0, -1] - fine[0, -1]),
        "euler_error_2T": float(np.abs(transformer_layers(union[:1], Q, K, V, 2 * layers)[0, -1] - u[0, -1]).max()),
    }
    if fidelity != Fidelity.QUICK:
        out["n_study"] = _n_study(rng, n, reps, layers, u[:, -1], np.concatenate([richardson(a, layers)[:, -1], richardson(b, layers)[:, -1]]))
        out["t_study"] = _t_study(union[:1])
    return out


def _n_study(rng, n, reps, layers, s_union, s_halves) -> dict:
    """Second moments at t = 1 (Richardson in T) for n/8, n/4 (fresh runs), n/2 (the halves)
    and n (the unions)."""
    per_n = {n // 2: s_halves, n: s_union}
    for m in (n // 8, n // 4):
        x = antithetic_tokens(rng, SIGMA0, m, reps)
        per_n[m] = 2 * transformer_layers(x, Q, K, V, 2 * layers)[:, -1] - transformer_layers(x, Q, K, V, layers)[:, -1]
    return dict(sorted(per_n.items()))


def _t_study(tokens: np.ndarray) -> dict:
    """Depth study on one replicate: S(T) at t = 1 for T = 4 … 64 against 2S(256) − S(128)."""
    ref = 2 * transformer_layers(tokens, Q, K, V, 256)[0, -1] - transformer_layers(tokens, Q, K, V, 128)[0, -1]
    grid = [4, 8, 16, 32, 64]
    return {"T": grid, "err": [float(np.abs(transformer_layers(tokens, Q, K, V, t)[0, -1] - ref).max()) for t in grid]}


def check_covariance_particles(f: Any, ctx: Any) -> Outcome:
    """n tokens of N(0, Σ0) through T attention layers (26) (Euler, step 1/T, t ∈ [0, 1]),
    non-symmetric Q, K, V; the second moment at t = 1 (Richardson in depth and in n, mean of R
    replicates) against the formula's covariance ODE solved by ``solve_ivp`` (rtol 1e-11).
    Every entry: |mean − Σ_f(1)| ≤ k·se + depth budget, k Student-t (R − 1 df), Bonferroni over
    the d² entries (the ODE of a formula need not stay symmetric).  A formula whose ODE blows
    up before t = 1 fails outright (the particles stay finite).

    Figures (standard fidelity): entries along t, formula ODE vs particles; the error at t = 1
    against n (slope −1/2 for a correct formula, a plateau otherwise); the Euler error against
    the depth T (slope −1)."""
    run = _attention_runs(ctx.check_seed(), ctx.fidelity)
    times, est = run["times"], run["extrapolated"]
    reps, d = run["reps"], SIGMA0.shape[0]
    path, t_blow = covariance_path(f, SIGMA0, Q, K, V, times)
    figs = _covariance_figures(f, run, path) if ctx.figures else []
    metrics: dict[str, Any] = {"n": run["n"], "reps": reps, "layers": f"{run['layers']} and {2 * run['layers']} (Richardson)"}
    if t_blow is not None and t_blow < times[-1]:
        return Outcome(Status.FAIL, f"the formula's covariance ODE blows up at t = {t_blow:.3f} < 1 while the tokens stay finite",
                       metrics | {"blow_up_time": t_blow}, counterexample={"Sigma0": SIGMA0.tolist(), "Q": Q.tolist(), "K": K.tolist(), "V": V.tolist(), "blow_up_time": t_blow},
                       figures=figs)
    mean, se = mean_se(est[:, -1])
    target = path[-1]
    m = d * d
    k = _k(ctx, m, reps)
    tol = k * se + run["depth_budget"]
    z = (mean - target) / se
    bias, bias_se = mean_se(run["halves"][:, -1] - run["union"][:, -1])
    rows = [
        {"entry": f"({i + 1},{j + 1})", "particles (extrapolated)": mean[i, j], "se": se[i, j], "formula ODE Σ(1)": target[i, j],
         "z": z[i, j], "tolerance k·se + depth budget": tol[i, j], "n bias estimate S(n/2) − S(n)": bias[i, j]}
        for i in range(d) for j in range(d)
    ]
    worst = np.unravel_index(int(np.argmax(np.abs(mean - target) / tol)), (d, d))
    metrics |= {"z": float(z[worst]), "k": k, "max_error": float(np.abs(mean - target).max()), "depth_budget": float(run["depth_budget"].max()),
                "euler_error_2T": run["euler_error_2T"], "n_bias_estimate": float(np.abs(bias).max()), "n_bias_se": float(bias_se.max())}
    metrics |= _study_metrics(run, target)
    if np.all(np.abs(mean - target) <= tol):
        return Outcome(Status.PASS, f"tokens after the attention layers have covariance Σ(1) of the formula's ODE: max|z| = {np.abs(z).max():.2f} ≤ k = {k:.1f} "
                       f"(n = {run['n']}, R = {reps})", metrics, table=rows, figures=figs)
    i, j = worst
    return Outcome(
        Status.FAIL,
        f"tokens after the attention layers do not follow the formula's ODE: entry ({i + 1},{j + 1}) {mean[i, j]:.4f} ± {se[i, j]:.4f} vs {target[i, j]:.4f} (|z| = {abs(z[i, j]):.0f} > k = {k:.1f})",
        metrics,
        counterexample={"Sigma0": SIGMA0.tolist(), "Q": Q.tolist(), "K": K.tolist(), "V": V.tolist(), "t": 1.0,
                        "particles Sigma(1)": mean.tolist(), "se": se.tolist(), "formula ODE Sigma(1)": target.tolist()},
        table=rows,
        figures=figs,
    )


def _study_metrics(run: dict, target: np.ndarray) -> dict:
    if "n_study" not in run:
        return {}
    ns, rms, rse = _n_errors(run, target)
    fit = fit_power_law(ns, rms, rse)
    tfit = fit_power_law(run["t_study"]["T"], run["t_study"]["err"])
    return {"n_slope": fit.slope, "n_slope_se": fit.slope_se, "depth_slope": tfit.slope, "depth_slope_se": tfit.slope_se}


def _n_errors(run: dict, target: np.ndarray) -> tuple[list, list, list]:
    ns, rms, rse = [], [], []
    for n, s in run["n_study"].items():
        e2 = np.sum((s - target) ** 2, axis=(1, 2))
        m2, se2 = mean_se(e2)
        ns.append(n)
        rms.append(float(np.sqrt(m2)))
        rse.append(float(se2 / (2 * np.sqrt(m2))))  # delta method for the square root
    return ns, rms, rse


def _covariance_figures(f: Any, run: dict, path: np.ndarray) -> list[FigureSpec]:
    times = run["times"]
    mean = run["extrapolated"].mean(axis=0)
    series = {f"formula ODE Σ{i + 1}{j + 1}": path[:, i, j].tolist() for i in range(2) for j in range(2)}
    series |= {f"particles Σ{i + 1}{j + 1}": mean[:, i, j].tolist() for i, j in ((0, 0), (0, 1), (1, 1))}
    figs = [FigureSpec("covariance-entries", "lines", "Covariance entries: the formula's ODE vs tokens through attention layers",
                       {"x": times.tolist(), "series": series, "xlabel": "depth t", "ylabel": "entry of Σ_t"},
                       f"Mean over {run['reps']} replicates of n = {run['n']} antithetic tokens, Richardson-extrapolated in depth and in n; "
                       "the formula's series are solve_ivp on its right-hand side (Σ12 and Σ21 differ when it is not symmetric).")]
    ns, rms, rse = _n_errors(run, path[-1])
    fit = fit_power_law(ns, rms, rse)
    figs.append(FigureSpec("n-convergence", "convergence", "RMS error at t = 1 against the number of tokens",
                           {"n": ns, "err": rms, "se": rse, "slope": fit.slope, "intercept": fit.intercept, "ref_slope": -0.5,
                            "xlabel": "tokens n", "ylabel": "RMS ‖S_n(1) − Σ(1)‖_F"},
                           "Root-mean-square Frobenius error of the replicates' second moment at t = 1 against the formula's Σ(1): "
                           "slope −1/2 (sampling) for the right ODE, a plateau for a wrong one.  Each replicate is Richardson-extrapolated "
                           "in depth only; rare large tokens attend to themselves (weight e^{⟨Qx, Kx⟩}/n), which makes single replicates "
                           "heavy-tailed and the RMS noisy at small n."))
    ts = run["t_study"]
    tfit = fit_power_law(ts["T"], ts["err"])
    figs.append(FigureSpec("depth-convergence", "convergence", "Euler (layer) error at t = 1 against the depth T",
                           {"n": ts["T"], "err": ts["err"], "se": [0.0] * len(ts["T"]), "slope": tfit.slope, "intercept": tfit.intercept, "ref_slope": -1.0,
                            "xlabel": "layers T", "ylabel": "max |S_T(1) − S_∞(1)|"},
                           "Same tokens, T layers of (26) against the Richardson limit of 128 and 256 layers: first order in 1/T."))
    return figs


# --- the blow-up example --------------------------------------------------------------------


def _rk4(x: np.ndarray, field, t0: float, t1: float, steps: int) -> np.ndarray:
    h = (t1 - t0) / steps
    for _ in range(steps):
        k1 = field(x)
        k2 = field(x + h / 2 * k1)
        k3 = field(x + h / 2 * k2)
        k4 = field(x + h * k3)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


@functools.lru_cache(maxsize=4)
def _blow_up_runs(seed: int, fidelity: Fidelity) -> dict:
    """Tokens of N(0, Σ0) moved by (28) with Q = K = Id, V = λ Id (RK4, ``steps`` per segment
    between the comparison times; the blow-up rate grows like 1/(t* − t), so a fourth-order
    integrator is far cheaper than Euler at equal accuracy).  Moments at BLOWUP_TIMES for the
    unions and the halves, and the step-halving error on replicate 0."""
    pick = {Fidelity.QUICK: 0, Fidelity.STANDARD: 1, Fidelity.THOROUGH: 2}[fidelity]
    n, reps, steps = (160, 300, 600)[pick], (12, 16, 30)[pick], 3
    eye = np.eye(2)

    def field(x):
        return _field(x, eye, eye, BLOWUP_LAMBDA * eye)

    def run(x, m):
        out, t = [], 0.0
        for t1 in BLOWUP_TIMES:
            x = _rk4(x, field, t, t1, m)
            t = t1
            out.append(_moments(x))
        return np.stack(out, axis=1)

    rng = np.random.default_rng(seed)
    union = antithetic_tokens(rng, BLOWUP_SIGMA0, n, reps)
    a = antithetic_tokens(rng, BLOWUP_SIGMA0, n // 2, reps)
    b = antithetic_tokens(rng, BLOWUP_SIGMA0, n // 2, reps)
    u = run(union, steps)
    h = (run(a, steps) + run(b, steps)) / 2
    fine = run(union[:1], 2 * steps)
    return {"n": n, "reps": reps, "steps": steps, "extrapolated": 2 * u - h, "union": u,
            "rk4_budget": 16 / 15 * np.abs(u[0] - fine[0])}


@functools.lru_cache(maxsize=4)
def _blow_up_solves(q: tuple, k: tuple, v: tuple) -> tuple[dict, dict]:
    """solve_ivp on the derived ODE from BLOWUP_SIGMA0 until λ_max(Σ) ≥ M·λ_max(Σ0), for
    M ∈ {10⁶, 10⁸} and rtol ∈ {1e-9, 1e-11}.  Depends on (Q, K, V) only, not on the closed
    form or the blow-up time under test, so mutants reuse it."""
    from theorems.attention.derivation import derived_rhs

    qm, km, vm = (np.array(a).reshape(2, 2) for a in (q, k, v))
    s0 = BLOWUP_SIGMA0
    mu0 = float(np.linalg.eigvalsh(s0)[-1])

    def solve(big: float, rtol: float):
        def blow(t, y):
            return big * mu0 - float(np.linalg.eigvalsh(y.reshape(2, 2))[-1])

        blow.terminal = True
        return solve_ivp(lambda t, y: derived_rhs(y.reshape(2, 2), qm, km, vm).ravel(), (0.0, 10.0), s0.ravel(), method="DOP853",
                         rtol=rtol, atol=rtol * 1e-3 * mu0, events=blow, dense_output=True)

    sols = {(big, rtol): solve(big, rtol) for big in (1e6, 1e8) for rtol in (1e-9, 1e-11)}
    events = {key: (float(sol.t_events[0][0]) if sol.t_events[0].size else math.inf) for key, sol in sols.items()}
    return sols, events


def check_blow_up_ode(f: Any, ctx: Any) -> Outcome:
    """The example's ODE, Σ̇ = VΣKᵀQΣ + ΣQᵀKΣVᵀ with (Q, K, V) of the formula, solved by
    ``solve_ivp`` until λ_max(Σ) exceeds M·λ_max(Σ0) (event; M = 10⁶ and 10⁸, rtol 1e-9 and
    1e-11): the blow-up time t* is bracketed by the event times, extrapolated in 1/M, with a
    budget measured from the two M and the two tolerances.  The formula's t* must match within
    that budget, and its closed form must match the ODE at 0.1 t* … 0.999 t* within the
    solver's measured error."""
    s0, lam = BLOWUP_SIGMA0, BLOWUP_LAMBDA
    q, k, v = (np.asarray(m, dtype=float) for m in f.example_parameters(lam, 2))
    sols, events = _blow_up_solves(tuple(q.ravel()), tuple(k.ravel()), tuple(v.ravel()))
    t6, t8 = events[(1e6, 1e-11)], events[(1e8, 1e-11)]
    if not math.isfinite(t8):
        return Outcome(Status.FAIL, "the example's ODE did not blow up before t = 10", counterexample={"Sigma0": s0.tolist(), "lambda": lam})
    t_hat = t8 + (t8 - t6) / 99  # the gap to t* is proportional to 1/M
    budget = abs(t8 - t6) / 99 + abs(events[(1e8, 1e-9)] - t8) + rounding_tol(t8, terms=8)
    got = float(f.blow_up_time(s0, lam))
    rows = [{"quantity": "blow-up time t*", "ODE (event, extrapolated)": t_hat, "formula": got, "budget": budget}]
    ok_time = math.isfinite(got) and abs(got - t_hat) <= budget
    fine, coarse = sols[(1e8, 1e-11)], sols[(1e8, 1e-9)]
    worst = 0.0
    for frac in (0.1, 0.5, 0.9, 0.99, 0.999):
        t = frac * t_hat
        ode = fine.sol(t).reshape(2, 2)
        err_solver = float(np.abs(coarse.sol(t) - fine.sol(t)).max()) / float(np.abs(ode).max())
        with np.errstate(all="ignore"):
            try:
                cf = np.asarray(f.closed_form(s0, lam, t), dtype=float)
            except np.linalg.LinAlgError:
                cf = np.full((2, 2), np.nan)
        rel = float(np.abs(cf - ode).max() / np.abs(ode).max()) if np.all(np.isfinite(cf)) else math.inf
        tol = 10 * err_solver + rounding_tol(1.0, terms=8, cond=1 / (1 - frac))
        worst = max(worst, rel / tol)
        rows.append({"quantity": f"Σ at t = {frac} t*", "λ_max ODE": float(np.linalg.eigvalsh((ode + ode.T) / 2)[-1]),
                     "λ_max formula": float(np.linalg.eigvalsh((cf + cf.T) / 2)[-1]) if np.all(np.isfinite(cf)) else math.nan,
                     "relative error": rel, "budget": tol})
    metrics = {"t_star_ode": t_hat, "t_star_formula": got, "budget": budget, "closed_form_worst_error_over_budget": worst}
    figs = [_blow_up_figure(f, ctx, fine, t_hat)] if ctx.figures else []
    if ok_time and worst <= 1:
        return Outcome(Status.PASS, f"the ODE blows up at t* = {t_hat:.9f} (formula {got:.9f}, budget {budget:.1e}); closed form = ODE up to 0.999 t*",
                       metrics, table=rows, figures=figs)
    what = "blow-up time" if not ok_time else "closed form"
    return Outcome(Status.FAIL, f"the example's {what} disagrees with the ODE: t* = {t_hat:.6f} (ODE) vs {got:.6g} (formula); closed-form error {worst:.3g}× the budget",
                   metrics, counterexample={"Sigma0": s0.tolist(), "lambda": lam, "t* ODE": t_hat, "t* formula": got, "closed form error / budget": worst},
                   table=rows, figures=figs)


def _blow_up_figure(f: Any, ctx: Any, sol, t_hat: float) -> FigureSpec:
    fracs = [0.0, *BLOWUP_TIMES, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999]
    ts = [fr * t_hat for fr in fracs]
    lam_ode = [float(np.linalg.eigvalsh(sol.sol(t).reshape(2, 2))[-1]) for t in ts]
    lam_cf = []
    for t in ts:
        with np.errstate(all="ignore"):
            try:
                c = np.asarray(f.closed_form(BLOWUP_SIGMA0, BLOWUP_LAMBDA, t), dtype=float)
                lam_cf.append(float(np.linalg.eigvalsh((c + c.T) / 2)[-1]) if np.all(np.isfinite(c)) else math.nan)
            except np.linalg.LinAlgError:
                lam_cf.append(math.nan)
    run = _blow_up_runs(ctx.check_seed("blow-up-particles"), ctx.fidelity)
    mean = run["extrapolated"].mean(axis=0)
    lam_p = [float(np.linalg.eigvalsh(mean[j])[-1]) for j in range(len(BLOWUP_TIMES))]
    particles = [float(np.linalg.eigvalsh(BLOWUP_SIGMA0)[-1])] + lam_p + [math.nan] * (len(fracs) - 1 - len(lam_p))
    return FigureSpec("blow-up", "lines", "Blow-up example (Q = K = Id, V = λ Id): λ_max(Σ_t) towards t*",
                      {"x": ts, "series": {"ODE (solve_ivp)": lam_ode, "closed form of the formula": lam_cf, "tokens (mean of replicates)": particles},
                       "logy": True, "xlabel": "t", "ylabel": "λ_max(Σ_t)"},
                      f"Σ0 with eigenvalues 0.05 and 0.02, λ = {BLOWUP_LAMBDA:g}, t* = 1; tokens (n = {run['n']}, RK4) up to 0.85 t*.")


def check_blow_up_particles(f: Any, ctx: Any) -> Outcome:
    """Tokens of N(0, Σ0) moved by the attention dynamics (28) of the example follow the
    formula's closed form Σ_t up to 0.85 t* (Σ has grown almost seven-fold): extrapolated
    second moments (in n), mean of R replicates, against the closed form at 0.25, 0.5, 0.75 and
    0.85 t*; k Student-t with Bonferroni over all entries; RK4 budget by step halving."""
    run = _blow_up_runs(ctx.check_seed(), ctx.fidelity)
    est, reps = run["extrapolated"], run["reps"]
    m = len(BLOWUP_TIMES) * 4
    k = _k(ctx, m, reps)
    rows, worst, cex = [], (0.0, 0.0), None
    for j, t in enumerate(BLOWUP_TIMES):
        mean, se = mean_se(est[:, j])
        with np.errstate(all="ignore"):
            try:
                cf = np.asarray(f.closed_form(BLOWUP_SIGMA0, BLOWUP_LAMBDA, t), dtype=float)
            except np.linalg.LinAlgError:
                cf = np.full((2, 2), np.inf)
        tol = k * se + run["rk4_budget"][j]
        ratio = np.abs(mean - cf) / tol if np.all(np.isfinite(cf)) else np.full((2, 2), np.inf)
        z = (mean - cf) / se
        rows += [{"t": t, "entry": f"({a + 1},{b + 1})", "tokens": mean[a, b], "se": se[a, b], "closed form": cf[a, b], "z": z[a, b], "tolerance": tol[a, b]}
                 for a, b in ((0, 0), (0, 1), (1, 1))]
        if float(ratio.max()) > worst[0]:
            idx = np.unravel_index(int(np.argmax(ratio)), (2, 2))
            worst = (float(ratio.max()), float(z[idx]) if np.isfinite(z[idx]) else math.inf)
            cex = {"Sigma0": BLOWUP_SIGMA0.tolist(), "lambda": BLOWUP_LAMBDA, "t": t, "tokens": mean.tolist(), "se": se.tolist(), "closed form": cf.tolist()}
    metrics = {"n": run["n"], "reps": reps, "k": k, "z": worst[1], "worst_error_over_tolerance": worst[0], "rk4_budget": float(run["rk4_budget"].max())}
    if worst[0] <= 1:
        return Outcome(Status.PASS, f"tokens follow the closed form up to 0.85 t* (worst {worst[0]:.2f} of the tolerance, k = {k:.1f}, n = {run['n']}, R = {reps})",
                       metrics, table=rows)
    return Outcome(Status.FAIL, f"tokens do not follow the closed form: at t = {cex['t']} the error is {worst[0]:.1f}× the tolerance (|z| = {abs(worst[1]):.0f})",
                   metrics, counterexample=cex, table=rows)


# --- §7.2 potential case ----------------------------------------------------------------------


def gauss_hermite_measure(sigma: np.ndarray, nodes: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Tensor Gauss–Hermite quadrature of N(0, Σ): atoms L z_i (LLᵀ = Σ, Cholesky) and
    weights summing to 1.  For integrands e^{cᵀz} it is exact up to
    :math:`\\sum |c|^{2m}/(2m)!` (m nodes per axis), below rounding for |c| ≤ 2 and m = 20."""
    s = as_spd("sigma", sigma, definite=True)
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    d = s.shape[0]
    grids = np.meshgrid(*([z] * d), indexing="ij")
    pts = np.stack([g.ravel() for g in grids], axis=1)
    wts = np.prod(np.stack(np.meshgrid(*([w] * d), indexing="ij"), axis=-1).reshape(-1, d), axis=1)
    return pts @ np.linalg.cholesky(s).T, wts / wts.sum()


def _fd_gradient(f: Any, x: np.ndarray, atoms, w, q, k, h: float) -> np.ndarray:
    cols = [(f.phi(x + h * e, atoms, w, q, k) - f.phi(x - h * e, atoms, w, q, k)) / (2 * h) for e in np.eye(x.shape[1])]
    return np.stack(cols, axis=1)


def check_potential_numeric(f: Any, ctx: Any) -> Outcome:
    """∇φ[α] by central differences (steps h and h/2, Richardson; error bound |D_{h/2} − D_h|
    plus the rounding ε|φ|/h) against Γ_θ[α] with the printed V, at 10 query points, for
    random point clouds (d = 2 and 3, 20 atoms, random weights and Q, K) and for α = N(0, Σ0)
    through its Gauss–Hermite measure, where both must also equal QᵀKΣKᵀQx."""
    rng = ctx.rng()
    h = 1e-2
    cases = []
    for d in (2, 3):
        atoms = rng.normal(size=(20, d))
        w = rng.dirichlet(np.ones(20))
        cases.append((f"point cloud, d = {d}", atoms, w, rng.normal(scale=0.6, size=(d, d)), rng.normal(scale=0.6, size=(d, d)), rng.normal(size=(10, d)), None))
    atoms, w = gauss_hermite_measure(SIGMA0)
    qg, kg = rng.normal(scale=0.6, size=(2, 2)), rng.normal(scale=0.6, size=(2, 2))
    cases.append(("Gaussian N(0, Σ0)", atoms, w, qg, kg, 0.5 * rng.normal(size=(10, 2)), qg.T @ kg @ SIGMA0 @ kg.T @ qg))
    rows, worst, cex = [], 0.0, None
    for label, atoms, w, q, k, x, gauss in cases:
        d1, d2 = _fd_gradient(f, x, atoms, w, q, k, h), _fd_gradient(f, x, atoms, w, q, k, h / 2)
        grad = d2 + (d2 - d1) / 3
        phi_scale = float(np.abs(f.phi(x, atoms, w, q, k)).max()) + 1
        bound = np.abs(d2 - d1) + 8 * len(w) * np.finfo(float).eps * phi_scale / (h / 2)
        gam = np.asarray(f.gamma(x, atoms, w, q, k, f.value_matrix(q, k)))
        ratio = float(np.max(np.abs(grad - gam) / bound))
        row = {"measure": label, "max |∇φ − Γ|": float(np.abs(grad - gam).max()), "max FD bound": float(bound.max()), "error / bound": ratio}
        if gauss is not None:
            closed = x @ gauss.T
            gerr = float(np.max(np.abs(grad - closed) / bound))
            row["max |∇φ − QᵀKΣKᵀQx| / bound"] = gerr
            ratio = max(ratio, gerr)
        rows.append(row)
        if ratio > worst:
            worst = ratio
            i = int(np.argmax(np.abs(grad - gam).max(axis=1)))
            cex = {"measure": label, "x": x[i].tolist(), "Q": q.tolist(), "K": k.tolist(), "grad phi (FD)": grad[i].tolist(), "Gamma": gam[i].tolist()}
    metrics = {"queries": 30, "h": h, "worst_error_over_bound": worst}
    if worst <= 1:
        return Outcome(Status.PASS, f"finite differences of φ equal Γ_θ with V = QᵀK on point clouds and on N(0, Σ0) (worst {worst:.2g} of the FD bound)", metrics, table=rows)
    return Outcome(Status.FAIL, f"∇φ (finite differences) ≠ Γ_θ: {worst:.3g}× the FD error bound", metrics, counterexample=cex, table=rows)
