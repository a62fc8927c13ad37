"""``reports/CALIBRATION.md``: observed false alarms, z distributions, power and detectable effects.

Reads a :class:`verify.calibrate.Calibration`; the minimal detectable effect of a statistical
check is :math:`(k + z_{0.99})\\,\\mathrm{se}` (:func:`verify.budget.detectable_effect`), with
the standard error the check reported at each fidelity (the calibration run for its fidelity,
``results.json`` of the last report for standard).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

from verify.budget import DEFAULT_POWER, detectable_effect, z_power
from verify.stats import false_alarm
from verify.calibrate import Calibration, Record

__all__ = ["summary", "calibration_markdown", "z_figure"]

_UNDECIDED = ("INCONCLUSIVE", "ERROR")


def _fmt(v: float | None, spec: str = ".3g") -> str:
    return "—" if v is None else format(v, spec)


def _standard_se(results_json: dict | None) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """(claim, check) -> (se, k) reported by the last standard-fidelity report, where present."""
    out: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    if not results_json or results_json.get("environment", {}).get("fidelity") != "standard":
        return out
    for c in results_json.get("claims", []):
        for e in c.get("checks", []):
            se = e.get("metrics", {}).get("se")
            ks = [b["k"] for b in e.get("budget", []) if "k" in b]
            out[(c["id"], e["name"])] = (se if isinstance(se, (int, float)) else None, max(ks) if ks else None)
    return out


def summary(cal: Calibration) -> dict[str, Any]:
    """Counts behind the verdict of a calibration run (also the CLI's exit status)."""
    true_ids = {cid for cid, exp in cal.expected.items() if exp == "VERIFIED"}
    own = [r for r in cal.records if r.mutant is None and r.claim in true_ids]
    stat_keys = _stat_keys(own)
    undeclared = sorted({(r.claim, r.check) for r in own if (r.claim, r.check) in stat_keys and not r.alpha})
    failed = [r for r in own if r.status == "FAIL"]
    undecided = [r for r in own if r.status in _UNDECIDED]
    subjects: dict[tuple[str, str | None], list] = defaultdict(list)
    for v in cal.verdicts:
        subjects[(v.claim, v.mutant)].append(v)
    missed = {key: [v.seed for v in vs if not v.refuted] for key, vs in subjects.items()}
    missed = {key: seeds for key, seeds in missed.items() if seeds}
    expected_fa = sum(r.alpha or 0.0 for r in own if (r.claim, r.check) in stat_keys)
    return {
        "true_claims": len(true_ids),
        "check_runs": len(own),
        "statistical_checks": len(stat_keys),
        "statistical_runs": sum((r.claim, r.check) in stat_keys for r in own),
        "false_alarms": failed,
        "undecided": undecided,
        "expected_false_alarms": expected_fa,
        "subjects": len(subjects),
        "missed": missed,
        "undeclared": undeclared,
    }


def _stat_keys(own: Sequence[Record]) -> set[tuple[str, str]]:
    """Checks run as statistical: they spent budget, or they report a z (declared or not)."""
    return {(r.claim, r.check) for r in own if r.alpha or (r.seeded and r.stat_kind == "z")}


def z_figure(cal: Calibration, path: Path) -> bool:
    """Histogram of z over statistical checks of true claims, with the standard normal density;
    False when there is no z to draw."""
    true_ids = {cid for cid, exp in cal.expected.items() if exp == "VERIFIED"}
    zs = [r.stat for r in cal.records if r.mutant is None and r.claim in true_ids and r.alpha and r.stat_kind == "z"]
    if not zs:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from verify.report import write_atomic

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.hist(zs, bins=40, density=True, color="#4c72b0", alpha=0.7, label=f"z of true claims ({len(zs)} runs)")
    x = np.linspace(-5, 5, 400)
    ax.plot(x, np.exp(-x**2 / 2) / np.sqrt(2 * np.pi), "k-", lw=1, label="N(0, 1)")
    ax.set_xlabel("z (worst comparison of a check; sign kept)")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    write_atomic(path, buf.getvalue())
    return True


def _group(records: Sequence[Record]) -> dict[tuple[str, str], list[Record]]:
    out: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in records:
        out[(r.claim, r.check)].append(r)
    return out


def _counts(rs: Sequence[Record]) -> tuple[int, int, int]:
    return (sum(r.status == "PASS" for r in rs), sum(r.status == "FAIL" for r in rs), sum(r.status in _UNDECIDED for r in rs))


def calibration_markdown(cal: Calibration, env: dict[str, Any], command: str, results_json: dict | None = None,
                         figure: str | None = None) -> str:
    """The page; ``results_json`` (the last standard report) supplies standard-fidelity errors."""
    from verify.report import _table  # the report's Markdown table helper

    s = summary(cal)
    true_ids = {cid for cid, exp in cal.expected.items() if exp == "VERIFIED"}
    own = [r for r in cal.records if r.mutant is None and r.claim in true_ids]
    mut = [r for r in cal.records if r.mutant is not None]
    by_check = _group(own)
    mut_by_check = _group(mut)
    stat_keys = sorted(_stat_keys(own))
    std = _standard_se(results_json)
    n_missed = len(s["missed"])
    lines = [
        "# Calibration: false alarms and power",
        "",
        f"Reproduce: `{command}` ({cal.seconds:.0f} s on {cal.jobs} worker processes; timings aside, the same command gives the same page).",
        "",
        "A *false alarm* is a check that fails on a claim recorded as true; a *missed error* is a mutant",
        "(or a claim refuted as printed) that some seed does not refute. The suite declares, per check,",
        "the probability of a false alarm at the multiplier it uses (union bound, `verify.budget`);",
        "this page measures both rates over seeds.",
        "",
        "## Result",
        "",
        f"- Seeds 0–{cal.seeds - 1} at `{cal.fidelity}` fidelity, per-check budget α = 2Φ̄({cal.k:g}) = {false_alarm(cal.k):.2g}.",
        f"- True claims: {s['true_claims']}; check runs on them: {s['check_runs']}; "
        f"**false alarms: {len(s['false_alarms'])}**; could not decide: {len(s['undecided'])} (counted apart, never as passes).",
        f"- Statistical checks: {s['statistical_checks']}, run {s['statistical_runs']} times; expected false alarms from their declared "
        f"budgets Σα = {s['expected_false_alarms']:.2g}.",
        f"- Mutants and claims refuted as printed: {s['subjects']}; **refuted on every seed: {s['subjects'] - n_missed}**"
        + (f"; not on every seed: {n_missed} (listed below)." if n_missed else "."),
        "",
        "Which checks ran on which seeds: a check that never draws on its seed gives the same outcome at every",
        "seed and ran once (seed 0); the statistical checks of true claims (those that spend false-alarm",
        "budget) ran on every seed; the other seeded checks of true claims (hypothesis searches and random",
        "instances compared within deterministic rounding or discretisation bounds, false-alarm probability 0)",
        f"ran on seeds 0–{cal.fuzz_seeds - 1}; every mutant was refuted on every seed (by a seed-invariant check",
        "once and for all, or by its seeded checks seed by seed); the statistical checks ran on every mutant",
        f"on seeds 0–{cal.power_seeds - 1} (power).",
        "",
    ]
    if s["false_alarms"] or s["undecided"] or s["undeclared"]:
        lines += ["### Checks that fell short", ""]
        for cid, check in s["undeclared"]:
            lines.append(f"- `{cid}` {check}: reports a z but declares no false-alarm budget (its multiplier does not come from "
                         "`ctx.multiplier`); it ran on every seed as a statistical check.")
        for r in s["false_alarms"] + s["undecided"]:
            lines.append(f"- `{r.claim}` {r.check}, seed {r.seed}: {r.status}" + (f" ({r.stat_kind} = {r.stat:.3g})" if r.stat is not None else ""))
        lines.append("")
    if s["missed"]:
        lines += ["### Mutants not refuted on every seed", ""]
        for (cid, m), seeds in sorted(s["missed"].items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            lines.append(f"- `{cid}` {m or '(as printed)'}: seeds {', '.join(map(str, seeds[:20]))}{' …' if len(seeds) > 20 else ''}")
        lines.append("")
    if figure:
        lines += [f"![z under the true form]({figure})", "",
                  "*z of every statistical check of a true claim on every seed (the worst of a check's comparisons, so the spread "
                  "is wider than N(0, 1) for checks with many comparisons; the check fails only beyond its own k).*", ""]
    z99 = z_power(DEFAULT_POWER)
    lines += [
        "## Statistical checks",
        "",
        "z: the check's decisive statistic (its worst comparison); k: its multiplier. Power: how many of the mutants' runs",
        f"of the same check failed (seeds 0–{cal.power_seeds - 1}; a mutant of another formula of the claim need not move this",
        "check) and the smallest |z| among the failing runs, to compare with k. Minimal detectable",
        f"effect (MDE) at power {DEFAULT_POWER:g}: (k + {z99:.2f})·se, in units of the check's standard error and, where the check",
        "reports its se, in the statistic's own units at quick and at standard (the last report). Sample size: a mutant's",
        "|z| grows like √n, so n·((k + 2.33)/min|z|)² is the sample size at which the closest mutant the check caught is",
        "still caught with probability 0.99: the effect size the check must detect sets its sample size.",
        "",
    ]
    rows = []
    for key in stat_keys:
        rs = by_check[key]
        p, f, u = _counts(rs)
        zs = [r.stat for r in rs if r.stat_kind == "z" and r.stat is not None]
        ratio = [r.stat for r in rs if r.stat_kind == "ratio" and r.stat is not None]
        k = max((r.k for r in rs if r.k is not None), default=None)
        # Power is judged on the runs where the check caught the mutant: a mutant of another
        # formula of the claim leaves this check's statistic null, by design.
        mz = [abs(r.stat) for r in mut_by_check.get(key, []) if r.stat_kind == "z" and r.stat is not None and r.status == "FAIL"]
        mfail = sum(r.status == "FAIL" for r in mut_by_check.get(key, []))
        mruns = len(mut_by_check.get(key, []))
        se_q = statistics.median([r.se for r in rs if r.se is not None]) if any(r.se is not None for r in rs) else None
        se_s, k_s = std.get(key, (None, None))
        alpha = max((r.alpha or 0.0 for r in rs), default=0.0)
        rows.append({
            "claim": f"`{key[0]}`", "check": key[1], "α": f"{alpha:.2g}", "k": _fmt(k, ".2f"), "seeds": len(rs),
            "pass / fail / undecided": f"{p} / {f} / {u}",
            "z min / median / max": (f"{min(zs):.2f} / {statistics.median(zs):.2f} / {max(zs):.2f}" if zs else
                                     (f"ratio max {max(ratio):.2g}" if ratio else "—")),
            "max |z| / k": _fmt(max(abs(z) for z in zs) / k if zs and k else None, ".2f"),
            "min |z| of failing mutant runs": _fmt(min(mz) if mz else None, ".3g"),
            "mutant runs failed": f"{mfail}/{mruns}" if mruns else "—",
            "MDE / se": _fmt(k + z99 if k else None, ".2f"),
            # z grows like sqrt(n): the n that still gives the closest caught mutant |z| = k + z99.
            "n (quick) → n for power 0.99": (f"{rs[0].n} → {math.ceil(rs[0].n * ((k + z99) / min(mz)) ** 2)}"
                                            if mz and k and rs[0].n else "—"),
            "MDE quick": _fmt(detectable_effect(se_q, k) if se_q is not None and k else None),
            "MDE standard": _fmt(detectable_effect(se_s, k_s) if se_s is not None and k_s else None),
        })
    lines += [_table(rows) if rows else "No statistical checks in this run.\n"]
    lines += ["## Seeded checks with deterministic tolerances", "",
              f"Hypothesis searches and random instances compared within rounding or discretisation bounds (α = 0), seeds 0–{cal.fuzz_seeds - 1}.",
              ""]
    rows = []
    for key, rs in sorted(by_check.items()):
        if key in stat_keys or not any(r.seeded for r in rs):
            continue
        p, f, u = _counts(rs)
        ratio = [r.stat for r in rs if r.stat is not None]
        rows.append({"claim": f"`{key[0]}`", "check": key[1], "kind": rs[0].kind, "seeds": len(rs), "pass / fail / undecided": f"{p} / {f} / {u}",
                     "largest statistic": _fmt(max(ratio, key=abs) if ratio else None)})
    lines += [_table(rows) if rows else "None.\n"]
    invariant = [rs[0] for key, rs in sorted(by_check.items()) if not any(r.seeded for r in rs)]
    kinds = defaultdict(int)
    for r in invariant:
        kinds[r.kind] += 1
    lines += ["## Seed-invariant checks", "",
              f"{len(invariant)} checks of true claims never draw on their seed ("
              + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + "); each ran once: "
              + f"{sum(r.status == 'PASS' for r in invariant)} passed"
              + (f", {sum(r.status != 'PASS' for r in invariant)} did not (listed under 'Checks that fell short')." if any(r.status != 'PASS' for r in invariant) else "."),
              ""]
    lines += ["## Mutants", "", "Every mutant of every claim, and every claim refuted as printed, on every seed.", ""]
    subj: dict[tuple[str, str | None], list] = defaultdict(list)
    for v in cal.verdicts:
        subj[(v.claim, v.mutant)].append(v)
    rows = []
    for (cid, m), vs in sorted(subj.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        inv = all(v.invariant for v in vs)
        by = sorted({v.by for v in vs if v.by})
        rows.append({"claim": f"`{cid}`", "mutant": m or "(as printed)", "refuted on": f"{sum(v.refuted for v in vs)}/{cal.seeds} seeds",
                     "by": ", ".join(by) + (" (seed-invariant)" if inv else "")})
    lines += [_table(rows)]
    lines += ["## Environment", "", _table([env])]
    return "\n".join(lines) + "\n"

