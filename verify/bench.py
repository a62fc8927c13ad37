"""Speed and robustness of :func:`verify.linalg.bures_distance` against POT.

Compares, on the same inputs and in the same process, this suite's squared Bures distance
(otdiff, Proposition 4.3)

.. math::

    W_2^2 = \\operatorname{Tr}\\Bigl(\\Sigma_0 + \\Sigma_1
            - 2\\bigl(\\Sigma_0^{1/2}\\Sigma_1\\Sigma_0^{1/2}\\bigr)^{1/2}\\Bigr)

with ``ot.gaussian.bures_wasserstein_distance`` (zero means; POT returns :math:`W_2`, which
is squared here before comparing).  :func:`run_benchmarks` measures, and
:func:`benchmarks_markdown` renders a ``reports/BENCHMARKS.md``-style document; nothing is
written to disk here.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
import time
import warnings
from typing import Any, Callable, Iterable, Sequence

import mpmath
import numpy as np
import scipy

from verify.linalg import (
    bures_distance,
    bures_distance_sq,
    bures_distance_sq_mp,
    known_answer_pair,
    random_orthogonal,
    random_spd,
)

__all__ = ["run_benchmarks", "benchmarks_markdown"]

#: Condition number of both covariances (and of the map T) in the timed known-answer pairs.
TIMING_COND: float = 100.0
#: Largest dimension at which the 50-digit mpmath reference is used.
MP_MAX_DIM: int = 20
#: Dimension of the robustness cases.
ROBUST_DIM: int = 10
#: Relative error below which a returned value counts as correct in the robustness table.
OK_RTOL: float = 1e-12

_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _pot_w2_sq(sigma0: np.ndarray, sigma1: np.ndarray) -> Any:
    """POT's Bures-Wasserstein distance with zero means, squared (may be NaN or complex)."""
    import ot  # POT is an independent oracle; imported lazily

    z = np.zeros(sigma0.shape[0])
    return ot.gaussian.bures_wasserstein_distance(z, z, sigma0, sigma1) ** 2


def _pot_w2(sigma0: np.ndarray, sigma1: np.ndarray) -> Any:
    import ot

    z = np.zeros(sigma0.shape[0])
    return ot.gaussian.bures_wasserstein_distance(z, z, sigma0, sigma1)


def _default_repeats(d: int) -> int:
    if d <= 20:
        return 101
    if d <= 200:
        return 31
    return 7


def _machine() -> dict[str, Any]:
    import ot

    info: dict[str, Any] = {
        "kind": "machine",
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "POT": ot.__version__,
        "mpmath": mpmath.__version__,
        "cpu_count": os.cpu_count(),
    }
    try:
        info["cpus_available"] = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        info["cpus_available"] = os.cpu_count()
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        info["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # show_config layout differs between numpy versions
        info["blas"] = "unknown"
    env = {k: os.environ[k] for k in _BLAS_ENV if k in os.environ}
    info["blas_threads_env"] = ", ".join(f"{k}={v}" for k, v in env.items()) or "unset (BLAS default)"
    return info


def _time_pair(
    f: Callable[[], Any], g: Callable[[], Any], repeats: int
) -> tuple[list[float], list[float]]:
    """Interleaved timings of ``f`` and ``g`` (one warm-up call each) so both see the same load."""
    f()
    g()
    tf: list[float] = []
    tg: list[float] = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        t1 = time.perf_counter()
        g()
        t2 = time.perf_counter()
        tf.append(t1 - t0)
        tg.append(t2 - t1)
    return tf, tg


def _rel(value: Any, ref: float) -> float:
    try:
        v = complex(value)
    except (TypeError, ValueError):
        return math.nan
    if v.imag != 0 or not math.isfinite(v.real):
        return math.nan
    return abs(v.real - ref) / abs(ref) if ref != 0 else abs(v.real)


def _outcome(fn: Callable[[], Any], ref: float | None) -> str:
    """Classify one call: ok / error message / NaN / complex / wrong by X / silently returns X."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = fn()
    except Exception as exc:  # any failure is recorded, not raised
        msg = str(exc).splitlines()[0] if str(exc) else ""
        if len(msg) > 110:
            msg = msg[:107] + "..."
        return f"error: {type(exc).__name__}: {msg}"
    arr = np.asarray(value)
    if np.iscomplexobj(arr) and np.any(arr.imag != 0):
        return f"complex ({complex(arr.item()):.3g})"
    v = float(np.real(arr))
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf"
    if ref is None:
        return f"silently returns {v:.6g} (input is invalid)"
    err = abs(v - ref) / abs(ref) if ref != 0 else abs(v)
    if err <= OK_RTOL:
        return f"ok (rel. err. {err:.1e})"
    return f"wrong by {err:.1e} (relative)"


def _int_psd(rng: np.random.Generator, d: int, rank: int) -> np.ndarray:
    """Exactly rank-``rank`` PSD matrix ``F F^T`` with small-integer ``F`` (exact in float64)."""
    f = rng.integers(-5, 6, size=(d, rank)).astype(np.float64)
    return f @ f.T


def _robustness_cases(rng: np.random.Generator, d: int) -> list[tuple[str, np.ndarray, np.ndarray, bool]]:
    """(name, sigma0, sigma1, valid input?)."""
    cases: list[tuple[str, np.ndarray, np.ndarray, bool]] = []
    cases.append(
        (f"rank-deficient PSD pair (ranks {d // 2} and {d - 1}, exact)",
         _int_psd(rng, d, d // 2), _int_psd(rng, d, d - 1), True)
    )
    cases.append(
        ("both condition numbers 1e10",
         random_spd(rng, d, cond=1e10), random_spd(rng, d, cond=1e10), True)
    )
    good = random_spd(rng, d, cond=10.0)
    nan_in = good.copy()
    nan_in[0, 1] = nan_in[1, 0] = np.nan
    cases.append(("NaN entry in sigma0", nan_in, random_spd(rng, d, cond=10.0), False))
    asym = good.copy()
    asym[0, 1] += 1e-2 * float(np.abs(good).max())
    cases.append(
        ("non-symmetric sigma0 (one entry off by 1% of max)",
         asym, random_spd(rng, d, cond=10.0), False)
    )
    lam = np.exp(rng.uniform(0.0, math.log(10.0), size=d))
    lam[0] = -0.5
    q = random_orthogonal(rng, d)
    indef = (q * lam) @ q.T
    indef = 0.5 * (indef + indef.T)
    cases.append(("indefinite sigma0 (one eigenvalue -0.5)", indef, random_spd(rng, d, cond=10.0), False))
    return cases


def run_benchmarks(
    dims: Sequence[int] = (10, 100, 500), repeats: int | None = None, seed: int = 0
) -> list[dict[str, Any]]:
    """Time :func:`verify.linalg.bures_distance` against POT and record robustness outcomes.

    Parameters
    ----------
    dims : sequence of int
        Dimensions of the timed known-answer pairs (:func:`verify.linalg.known_answer_pair`,
        condition number :data:`TIMING_COND` for :math:`\\Sigma_0` and :math:`T`).
    repeats : int, optional
        Timed calls per implementation and dimension; default 101 (d <= 20), 31 (d <= 200),
        7 (larger).  Times are the median (and minimum) of :func:`time.perf_counter` spans,
        the two implementations interleaved call by call.
    seed : int
        Seed of the :class:`numpy.random.Generator` that draws every input.

    Returns
    -------
    list of dict
        One ``kind="machine"`` row, one ``kind="timing"`` row per dimension and one
        ``kind="robustness"`` row per failure-mode input.
    """
    if repeats is not None and (isinstance(repeats, bool) or int(repeats) != repeats or repeats < 1):
        raise ValueError(f"repeats must be a positive integer or None, got {repeats!r}")
    dims = [int(d) for d in dims]
    if any(d < 1 for d in dims):
        raise ValueError(f"dims must be positive integers, got {dims}")
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = [_machine()]
    for d in dims:
        s0, s1, known = known_answer_pair(rng, d, cond=TIMING_COND)
        if d <= MP_MAX_DIM:
            ref = float(bures_distance_sq_mp(s0, s1))
            ref_name = "mpmath 50 digits"
        else:
            ref = known
            ref_name = "known answer Tr((I-T)S0(I-T))"
        n = repeats if repeats is not None else _default_repeats(d)
        t_ours, t_pot = _time_pair(lambda: bures_distance(s0, s1), lambda: _pot_w2(s0, s1), n)
        ours_med = statistics.median(t_ours)
        pot_med = statistics.median(t_pot)
        rows.append(
            {
                "kind": "timing",
                "d": d,
                "cond": TIMING_COND,
                "repeats": n,
                "ours_s": ours_med,
                "pot_s": pot_med,
                "ours_min_s": min(t_ours),
                "pot_min_s": min(t_pot),
                "speedup": pot_med / ours_med,
                "reference": ref_name,
                "w2_sq": ref,
                "known_answer_rel_err": abs(known - ref) / ref if d <= MP_MAX_DIM else None,
                "ours_rel_err": _rel(bures_distance_sq(s0, s1), ref),
                "pot_rel_err": _rel(_pot_w2_sq(s0, s1), ref),
            }
        )
    for name, s0, s1, valid in _robustness_cases(rng, ROBUST_DIM):
        ref = float(bures_distance_sq_mp(s0, s1)) if valid else None
        rows.append(
            {
                "kind": "robustness",
                "case": name,
                "d": ROBUST_DIM,
                "valid_input": valid,
                "reference": ref,
                "ours": _outcome(lambda: bures_distance_sq(s0, s1), ref),
                "pot": _outcome(lambda: _pot_w2_sq(s0, s1), ref),
            }
        )
    return rows


def _fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _fmt_err(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    return "0" if x == 0 else f"{x:.1e}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def benchmarks_markdown(rows: Iterable[dict[str, Any]]) -> str:
    """Render :func:`run_benchmarks` rows as a Markdown document (``reports/BENCHMARKS.md``).

    Parameters
    ----------
    rows : iterable of dict
        Output of :func:`run_benchmarks`.

    Returns
    -------
    str
        The document; the caller writes it.
    """
    rows = list(rows)
    machine = next((r for r in rows if r.get("kind") == "machine"), None)
    timing = [r for r in rows if r.get("kind") == "timing"]
    robust = [r for r in rows if r.get("kind") == "robustness"]
    out: list[str] = []
    out.append("# Benchmarks: Bures distance (otdiff, Proposition 4.3)")
    out.append("")
    out.append(
        "`verify.linalg.bures_distance` (Cholesky factors, nuclear norm of `L0.T @ L1` by SVD) "
        "against `ot.gaussian.bures_wasserstein_distance` with zero means (POT: `sqrtm` by "
        "`eigh` twice, then the trace). Both return W2; the errors below are for W2^2 = "
        "Tr(S0 + S1 - 2 (S0^1/2 S1 S0^1/2)^1/2)."
    )
    out.append("")
    if machine is not None:
        out.append("## Machine")
        out.append("")
        for key in (
            "platform", "processor", "python", "numpy", "scipy", "POT", "mpmath",
            "cpu_count", "cpus_available", "blas", "blas_threads_env",
        ):
            if key in machine:
                out.append(f"- {key}: {machine[key]}")
        out.append("")
    if timing:
        out.append("## Speed and accuracy")
        out.append("")
        out.append(
            f"Inputs: for every d the same known-answer pair for both implementations "
            f"(`verify.linalg.known_answer_pair`: S0 and T random SPD with condition number "
            f"{timing[0]['cond']:g}, S1 = T S0 T, exact W2^2 = Tr((I-T) S0 (I-T)) without matrix "
            f"square roots). Reference: mpmath 50-digit `bures_distance_sq_mp` for d <= "
            f"{MP_MAX_DIM}, the known answer for larger d. Times: median (min) of "
            "`time.perf_counter` spans over the stated repeats, the two implementations "
            "interleaved call by call in one process after a warm-up call each; speed-up = "
            "POT median / ours median."
        )
        out.append("")
        out.append(
            "| d | repeats | ours median (min) | POT median (min) | speed-up | reference "
            "| rel. err. ours | rel. err. POT |"
        )
        out.append("|---:|---:|---:|---:|---:|---|---:|---:|")
        for r in timing:
            out.append(
                f"| {r['d']} | {r['repeats']} | {_fmt_time(r['ours_s'])} ({_fmt_time(r['ours_min_s'])}) "
                f"| {_fmt_time(r['pot_s'])} ({_fmt_time(r['pot_min_s'])}) | {r['speedup']:.1f}x "
                f"| {r['reference']} | {_fmt_err(r['ours_rel_err'])} | {_fmt_err(r['pot_rel_err'])} |"
            )
        out.append("")
        mp_rows = [r for r in timing if r["reference"].startswith("mpmath")]
        if mp_rows:
            worst = max(r["known_answer_rel_err"] for r in mp_rows)
            out.append(
                f"Where both references exist (d <= {MP_MAX_DIM}) the known answer agrees with "
                f"mpmath to {_fmt_err(worst)} relative (the rounding of T S0 T when S1 is stored)."
            )
            out.append("")
        out.append(
            "Timings are wall-clock on a shared machine: a competing process inflates medians "
            "(multi-threaded BLAS suffers most); the minimum is the less noisy figure."
        )
        out.append("")
    if robust:
        out.append("## Failure modes")
        out.append("")
        out.append(
            f"d = {robust[0]['d']}. Valid inputs are compared with the mpmath 50-digit reference "
            f"(ok means relative error <= {OK_RTOL:g}); invalid inputs should raise an error."
        )
        out.append("")
        out.append("| input | verify.linalg | POT |")
        out.append("|---|---|---|")
        for r in robust:
            out.append(f"| {_cell(r['case'])} | {_cell(r['ours'])} | {_cell(r['pot'])} |")
        out.append("")
    return "\n".join(out)
