"""Run several claims in worker processes.

Claims are independent and every random draw is seeded from (run seed, check name), so a
claim's result does not depend on the process that computes it: the parallel run gives the
same verdicts and numbers as the sequential one.  Workers are started with ``spawn`` (no
inherited BLAS or sympy state) and load the built-in families (and any ``--module`` files)
themselves.  Each task is one theorem family, so evidence shared between two claims of a
family that print the same statement (``Evidence.shared_with``) is still computed once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Sequence

from verify.claims import Claim, ClaimResult, Context, run_claim

__all__ = ["available_cpus", "run_claims", "report_costs", "worker_pool"]

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_START = "spawn"  # fresh interpreters: no inherited BLAS threads or caches (fork measured no faster)


def available_cpus() -> int:
    """CPUs this process may use (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def report_costs(path: str | os.PathLike = "reports/results.json") -> dict[str, float]:
    """Seconds per claim (with its mutants) recorded by the last ``verify report``: a scheduling
    hint only (the costliest families start first); empty when there is no such file."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return {c["id"]: float(c.get("seconds") or 0.0) for c in data.get("claims", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _worker(args: tuple) -> list[ClaimResult]:
    claim_ids, fidelity, seed, k, examples, with_mutants, modules = args
    from verify.loader import load_builtin, load_module

    registry = load_builtin()
    for path in modules:
        load_module(path)
    ctx = Context(fidelity=fidelity, seed=seed, k=k, examples=examples)
    return [run_claim(registry.get(cid), ctx, with_mutants=with_mutants) for cid in claim_ids]


def run_claims(
    claims: Sequence[Claim],
    ctx: Context,
    *,
    with_mutants: bool = False,
    jobs: int = 1,
    modules: Sequence[str] = (),
    on_result: Callable[[ClaimResult], None] | None = None,
    costs: dict[str, float] | None = None,
) -> list[ClaimResult]:
    """``run_claim`` for each claim, in ``jobs`` worker processes when jobs > 1 (results in the
    order of ``claims``, attached to the caller's Claim objects).  ``on_result`` is called in
    this process for each claim as its family's task completes (progress display).  ``costs``
    (claim id -> seconds, e.g. :func:`report_costs`) orders the tasks costliest first; without
    it the families with most claims go first."""
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if jobs == 1 or len({_group(c) for c in claims}) < 2:
        results = []
        for c in claims:
            results.append(run_claim(c, ctx, with_mutants=with_mutants))
            if on_result is not None:
                on_result(results[-1])
        return results
    # Claims registered from users' files are re-registered in each worker from the same files.
    modules = tuple(sorted(set(modules) | {c.module for c in claims if c.module}))
    # One task per theorem family: its claims share symbolic and particle caches, which a
    # worker builds once; the costliest families go first so the last task is a small one.
    groups: dict[str, list[str]] = {}
    for c in claims:
        groups.setdefault(_group(c), []).append(c.id)
    costs = costs or {}
    order = sorted(groups.values(), key=lambda ids: (sum(costs.get(i, 0.0) for i in ids), len(ids)), reverse=True)
    args = [(ids, ctx.fidelity.value, ctx.seed, ctx.k, ctx.examples, with_mutants, tuple(modules)) for ids in order]
    by_id: dict[str, ClaimResult] = {}
    own = {c.id: c for c in claims}
    with worker_pool(min(jobs, len(order))) as pool:
        for fut in as_completed([pool.submit(_worker, a) for a in args]):
            for r in fut.result():
                _attach(r, own[r.claim.id])
                by_id[r.claim.id] = r
                if on_result is not None:
                    on_result(r)
    return [by_id[c.id] for c in claims]


@contextlib.contextmanager
def worker_pool(jobs: int):
    """A pool of ``jobs`` spawned worker processes with one BLAS thread each: the workers
    already use every CPU, and oversubscribed BLAS threads make the parallel run slower than
    the sequential one.  Spawned children read the environment at start-up; the parent's
    settings are restored afterwards."""
    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update({k: "1" for k in _THREAD_VARS})
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(_START)) as pool:
            yield pool
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _group(c: Claim) -> str:
    """The task a claim belongs to: its family (users' claims: their file)."""
    return c.family or c.module or c.id


def _attach(r: ClaimResult, claim: Claim) -> None:
    r.claim = claim
    for m in r.mutant_results:
        m.claim = claim
