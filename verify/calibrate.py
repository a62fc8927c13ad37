"""Measured error rates: every check of every claim and mutant over many seeds.

A check's declared false-alarm probability (:mod:`verify.budget`) is a bound; this module
measures what happens.  It runs the suite at one fidelity over seeds :math:`0,\\dots,S-1` and
records, per check, the outcome and the statistic behind it (a z-score where the check makes one).

Which checks run on which seeds (decided from a full run at seed 0):

- a check that never drew on its seed (``Evidence.seeded`` false) gives the same outcome at
  every seed; it runs once, at seed 0;
- a *statistical* check of a claim recorded as true (it spent false-alarm budget at seed 0)
  runs on every seed: these are the checks whose false-alarm rate is a probability;
- the other seeded checks of true claims (hypothesis searches and random instances compared
  within deterministic rounding or discretisation bounds, false-alarm probability 0) run on
  the first ``fuzz_seeds`` seeds;
- a mutant (and a claim refuted as printed) must be refuted on every seed.  When a check that
  does not draw on its seed refutes it at seed 0 it is refuted on every seed, exactly;
  otherwise its seeded checks run on every seed, stopping at the first that fails;
- the statistical checks also run on every mutant for the first ``power_seeds`` seeds: the
  smallest |z| among mutants measures the check's power.

Seeds are split into chunks, one task per (family, chunk), run in worker processes.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from typing import Callable, Sequence

from verify.claims import Claim, ClaimResult, Context, Evidence, Fidelity, Status, Verdict

__all__ = ["Record", "MutantRecord", "Calibration", "calibrate", "statistic"]

#: Metrics that carry a check's decisive statistic, in order of preference.  z-like statistics
#: are compared with the multiplier k; ratios "error over bound" fail above 1.
_Z_KEYS = ("z", "max_z", "max |z|")
_RATIO_KEYS = ("worst_error_over_bound", "worst_error_over_budget", "worst_over_bound", "worst_error_over_tol",
               "worst_residual_over_bound", "worst error / bound")


def statistic(e: Evidence) -> tuple[str, float] | None:
    """The statistic a check reports: ``("z", value)`` or ``("ratio", value)``; ``None`` when
    it reports neither (an exact comparison, or a check that stopped before computing it)."""
    for kind, keys in (("z", _Z_KEYS), ("ratio", _RATIO_KEYS)):
        for key in keys:
            v = e.metrics.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                return kind, float(v)
    return None


def _z_stat(e: Evidence) -> bool:
    st = statistic(e)
    return st is not None and st[0] == "z"


@dataclass(frozen=True)
class Record:
    """One check on one seed, on the printed formulas (``mutant`` None) or a mutant."""

    claim: str
    mutant: str | None
    check: str
    kind: str
    seed: int
    status: str
    stat_kind: str | None
    stat: float | None
    k: float | None
    alpha: float | None
    seeded: bool
    seconds: float
    se: float | None = None
    n: int | None = None


@dataclass(frozen=True)
class MutantRecord:
    """Whether a mutant (or a claim refuted as printed: ``mutant`` None) was refuted on a seed,
    and by which check; ``invariant`` when that check does not draw on its seed."""

    claim: str
    mutant: str | None
    seed: int
    refuted: bool
    by: str | None
    invariant: bool


@dataclass
class Calibration:
    """Everything :func:`calibrate` measured, and the settings that reproduce it."""

    seeds: int
    fuzz_seeds: int
    power_seeds: int
    fidelity: str
    k: float
    records: list[Record] = field(default_factory=list)
    verdicts: list[MutantRecord] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    jobs: int = 1


def _record(claim_id: str, mutant: str | None, e: Evidence, seed: int) -> Record:
    st = statistic(e)
    ks = [s.k for s in e.spends if s.k is not None]
    se = e.metrics.get("se")
    se = float(se) if isinstance(se, (int, float)) and not isinstance(se, bool) and math.isfinite(se) else None
    n = e.metrics.get("n")
    n = int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) and n >= 1 else None
    return Record(claim_id, mutant, e.name, e.kind.value, seed, e.status.value, st[0] if st else None, st[1] if st else None,
                  max(ks) if ks else None, e.false_alarm, e.seeded, e.seconds, se, n)


def _plan(results: Sequence[ClaimResult]) -> dict[str, dict]:
    """Per claim id, from the seed-0 run: which checks to repeat and how to refute its mutants."""
    plan: dict[str, dict] = {}
    for r in results:
        true_claim = r.claim.expected == Verdict.VERIFIED
        # Statistical: declared (it spent budget) or not (it reports a z without spending, so its
        # multiplier was picked by hand); both run on every seed, and the second kind is flagged.
        stat = [e.name for e in r.evidence if e.seeded and not e.shared_with and (e.spends or _z_stat(e))]
        fuzz = [e.name for e in r.evidence if e.seeded and not e.shared_with and e.name not in stat]
        to_refute: dict[str | None, list[str] | None] = {}
        subjects = [(m.mutant.name, m) for m in r.mutant_results]
        if not true_claim:
            subjects.append((None, r))
        for name, res in subjects:
            if any(e.status == Status.FAIL and not e.seeded for e in res.evidence):
                to_refute[name] = None  # refuted by a seed-invariant check: on every seed
            else:
                # Seeded checks, those that failed at seed 0 first, cheapest first.
                seeded = [e for e in res.evidence if e.seeded]
                seeded.sort(key=lambda e: (e.status != Status.FAIL, e.seconds))
                to_refute[name] = [e.name for e in seeded]
        plan[r.claim.id] = {"true": true_claim, "stat": stat if true_claim else [], "fuzz": fuzz if true_claim else [],
                            "power": stat, "refute": to_refute}
    return plan


def _run_named(claim: Claim, formulas_cls: type, names: Sequence[str], ctx: Context, label: str) -> dict[str, Evidence]:
    from verify.claims import _cached_check

    formulas = formulas_cls()
    by_name = {c.name: c for c in claim.checks}
    return {n: _cached_check(by_name[n], formulas, ctx, label) for n in names}


def _task(args: tuple) -> tuple[list[Record], list[MutantRecord]]:
    claim_ids, seeds, plan, fidelity, k, fuzz_seeds, power_seeds, modules = args
    from verify.loader import load_builtin, load_module

    registry = load_builtin()
    for path in modules:
        load_module(path)
    records: list[Record] = []
    verdicts: list[MutantRecord] = []
    for seed in seeds:
        ctx = Context(fidelity=fidelity, seed=seed, k=k)
        for cid in claim_ids:
            claim, p = registry.get(cid), plan[cid]
            names = list(p["stat"]) + (list(p["fuzz"]) if seed < fuzz_seeds else [])
            for n, e in _run_named(claim, claim.formulas, names, ctx, cid).items():
                if not e.shared_with:
                    records.append(_record(cid, None, e, seed))
            mutants = {m.name: m for m in claim.mutants}
            for mname, order in p["refute"].items():
                formulas_cls = mutants[mname].formulas if mname is not None else claim.formulas
                label = f"{cid} [mutant {mname}]" if mname else cid
                mctx = Context(fidelity=fidelity, seed=seed, k=k, mutant=mname is not None)
                ran: dict[str, Evidence] = {}
                if seed < power_seeds and p["power"]:
                    ran = _run_named(claim, formulas_cls, p["power"], mctx, label)
                    records += [_record(cid, mname or "(as printed)", e, seed) for e in ran.values()]
                if order is None:
                    continue  # refuted at seed 0 by a seed-invariant check; recorded by the parent
                by = next((n for n, e in ran.items() if e.status == Status.FAIL), None)
                for n in order:
                    if by is not None:
                        break
                    e = ran.get(n) or _run_named(claim, formulas_cls, [n], mctx, label)[n]
                    if e.status == Status.FAIL:
                        by = n
                verdicts.append(MutantRecord(cid, mname, seed, by is not None, by, False))
    return records, verdicts


def calibrate(
    claims: Sequence[Claim],
    *,
    seeds: int = 200,
    fuzz_seeds: int = 10,
    power_seeds: int = 10,
    fidelity: Fidelity | str = Fidelity.QUICK,
    k: float = 5.0,
    jobs: int = 1,
    chunk: int = 10,
    modules: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Run ``claims`` (with their mutants) over seeds 0 … ``seeds`` − 1; see the module docstring
    for which checks repeat on which seeds."""
    for name, v in (("seeds", seeds), ("fuzz_seeds", fuzz_seeds), ("power_seeds", power_seeds), ("jobs", jobs), ("chunk", chunk)):
        if not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if fuzz_seeds > seeds or power_seeds > seeds:
        raise ValueError(f"fuzz_seeds ({fuzz_seeds}) and power_seeds ({power_seeds}) cannot exceed seeds ({seeds})")
    from verify.parallel import report_costs, run_claims, worker_pool

    fidelity = Fidelity(fidelity).value
    say = progress or (lambda message: None)
    start = time.perf_counter()
    out = Calibration(seeds, fuzz_seeds, power_seeds, fidelity, k, jobs=jobs)
    say(f"seed 0: every check of {len(claims)} claims and their mutants")
    costs = report_costs()
    results = run_claims(claims, Context(fidelity=fidelity, seed=0, k=k), with_mutants=True, jobs=jobs,
                         modules=modules, costs=costs)
    plan = _plan(results)
    for r in results:
        out.expected[r.claim.id] = r.claim.expected.value
        out.records += [_record(r.claim.id, None, e, 0) for e in r.evidence if not e.shared_with]
        for m in r.mutant_results:
            out.records += [_record(r.claim.id, m.mutant.name, e, 0) for e in m.evidence if e.name in plan[r.claim.id]["power"]]
        for mname, order in plan[r.claim.id]["refute"].items():
            res = next((m for m in r.mutant_results if m.mutant.name == mname), None) if mname else r
            fails = [e for e in res.evidence if e.status == Status.FAIL]
            inv = next((e for e in fails if not e.seeded), None)
            by = inv or (fails[0] if fails else None)
            # A seed-invariant refutation holds on every seed: one record per seed says so.
            for s in range(seeds if inv is not None else 1):
                out.verdicts.append(MutantRecord(r.claim.id, mname, s, by is not None, by.name if by else None, inv is not None))
    say(f"seed 0 done in {time.perf_counter() - start:.0f} s; seeds 1–{seeds - 1} next")
    families: dict[str, list[str]] = defaultdict(list)
    for c in claims:
        families[c.family or c.module or c.id].append(c.id)
    tasks = []
    for lo in range(1, seeds, chunk):
        for ids in families.values():
            sub = {cid: plan[cid] for cid in ids}
            if any(p["stat"] or p["fuzz"] or any(v is not None for v in p["refute"].values()) or p["power"] for p in sub.values()):
                tasks.append((tuple(ids), tuple(range(lo, min(seeds, lo + chunk))), sub, fidelity, k, fuzz_seeds, power_seeds,
                              tuple(sorted({c.module for c in claims if c.module} | set(modules)))))
    # Costliest families first, so that the last tasks to finish are small ones.
    tasks.sort(key=lambda a: -sum(costs.get(cid, 0.0) for cid in a[0]) * (2 if a[1][0] < max(fuzz_seeds, power_seeds) else 1))
    done = 0

    def finished(a: tuple) -> None:
        say(f"[{done}/{len(tasks)}] {len(a[0])} claims from {a[0][0]}, seeds {a[1][0]}–{a[1][-1]} ({time.perf_counter() - start:.0f} s)")

    if jobs == 1:
        for a in tasks:
            rec, ver = _task(a)
            out.records += rec
            out.verdicts += ver
            done += 1
            finished(a)
    else:
        with worker_pool(jobs) as pool:
            futures = {pool.submit(_task, a): a for a in tasks}
            for fut in as_completed(futures):
                rec, ver = fut.result()
                out.records += rec
                out.verdicts += ver
                done += 1
                finished(futures[fut])
    out.records.sort(key=lambda r: (r.claim, r.mutant or "", r.check, r.seed))
    out.verdicts.sort(key=lambda v: (v.claim, v.mutant or "", v.seed))
    out.seconds = time.perf_counter() - start
    return out
