"""Markdown report pages, PNG figures and JSON for claim results.

Layout under the output directory::

    index.md                      one row per claim, refuted claims and their corrections
    claims/<paper>/<label>.md     one page per claim
    figures/<paper>__<label>__<name>.png

Every file is written atomically (temporary file in the same directory, then ``os.replace``),
so a crash never leaves half a report.  Pages contain no dates: the same seed gives the same
files, timings aside.
"""

from __future__ import annotations

import json
import os
import platform
import posixpath
import tempfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from verify.budget import total_false_alarm
from verify.claims import ClaimResult, Evidence, FigureSpec, Kind, Status, Verdict

__all__ = [
    "environment",
    "results_json",
    "write_atomic",
    "write_report",
    "claim_page_path",
    "render_figure",
]

_MARK = {Status.PASS: "PASS", Status.FAIL: "**FAIL**", Status.INCONCLUSIVE: "undecided", Status.ERROR: "**ERROR**", None: "—"}


def environment(seed: int, fidelity: str) -> dict[str, Any]:
    """Versions, seed and fidelity that reproduce a run."""
    import hypothesis
    import mpmath
    import scipy
    import sympy

    try:
        import ot

        pot = ot.__version__
    except Exception:  # POT is optional for reading reports
        pot = "not installed"
    try:
        from importlib.metadata import version

        suite = version("closed-form-verify")
    except Exception:  # running from a source tree without installed metadata
        suite = "source tree"
    return {
        "verify": suite,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sympy": sympy.__version__,
        "mpmath": mpmath.__version__,
        "hypothesis": hypothesis.__version__,
        "pot": pot,
        "seed": seed,
        "fidelity": fidelity,
    }


def results_json(results: Sequence[ClaimResult], env: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of ``verify check --json`` (DESIGN.md)."""
    return {"claims": [r.to_json() for r in results], "environment": env}


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def claim_page_path(claim_id: str) -> str:
    """Relative path of a claim's page under the report directory: ``claims/otdiff/prop-4.3.md``."""
    return "claims/" + claim_id + ".md"


_page_rel = claim_page_path


def _link(from_id: str, to_id: str) -> str:
    """Relative link from one claim page to another."""
    start = posixpath.dirname(claim_page_path(from_id))
    return posixpath.relpath(claim_page_path(to_id), start)


def _fig_name(claim_id: str, fig: FigureSpec) -> str:
    return claim_id.replace("/", "__") + "__" + fig.name + ".png"


def _fmt(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f == 0:
            return "0"
        if not np.isfinite(f):
            return str(f)
        return f"{f:.4g}"
    if isinstance(v, (list, tuple)) and len(v) > 8:
        return f"[{len(v)} values]"
    return str(v).replace("|", "\\|").replace("\n", " ")


def _table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return ""
    cols: list[str] = []
    for r in rows:
        for c in r:
            if c not in cols:
                cols.append(c)
    lines = ["| " + " | ".join(c.replace("|", "\\|") for c in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(c, "")) for c in cols) + " |")
    return "\n".join(lines) + "\n"


# --- figures ------------------------------------------------------------------------------


def render_figure(fig: FigureSpec, path: Path) -> None:
    """Draw ``fig`` with matplotlib (Agg) and write a PNG atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import io

    f, ax = plt.subplots(figsize=(6.0, 4.2), dpi=100)
    d = fig.data
    if fig.kind == "convergence":
        n = np.asarray(d["n"], dtype=float)
        err = np.asarray(d["err"], dtype=float)
        se = np.asarray(d.get("se", np.zeros_like(err)), dtype=float)
        ax.errorbar(n, err, yerr=se, fmt="o", capsize=3, label="estimate ± 1 se")
        fit = np.exp(d["intercept"]) * n ** d["slope"]
        ax.plot(n, fit, "--", label=f"fit: slope {d['slope']:.2f}")
        ref = err[0] * (n / n[0]) ** d["ref_slope"]
        ax.plot(n, ref, ":", color="gray", label=f"reference slope {d['ref_slope']:g}")
        for label, ys in d.get("extra", {}).items():
            ax.plot(n, ys, "s", mfc="none", alpha=0.6, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(d.get("xlabel", "n"))
        ax.set_ylabel(d.get("ylabel", "error"))
        ax.legend(fontsize=8)
    elif fig.kind == "ellipses":
        import matplotlib.cm as cm

        panels = d.get("panels") or [{"title": "", "covariances": d["covariances"]}]
        plt.close(f)
        f, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 1.2, 4.2), dpi=100, squeeze=False)
        theta = np.linspace(0, 2 * np.pi, 200)
        circle = np.stack([np.cos(theta), np.sin(theta)])

        def outline(cov):
            w, v = np.linalg.eigh(np.asarray(cov, dtype=float))
            return v @ (np.sqrt(np.maximum(w, 0))[:, None] * circle)

        for ax, panel in zip(axes[0], panels):
            for t, cov in zip(d["t"], panel["covariances"]):
                p = outline(cov)
                ax.plot(p[0], p[1], color=cm.viridis(float(t)), label=f"t = {t:g}")
            for cov, style, label in zip(d.get("ends", []), ("k--", "r--"), ("Σ0", "Σ1")):
                p = outline(cov)
                ax.plot(p[0], p[1], style, lw=0.8, label=label)
            ax.set_aspect("equal")
            ax.set_title(panel["title"], fontsize=9)
        axes[0][-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
        ax = axes[0][0]
        f.suptitle(fig.title, fontsize=10)
    elif fig.kind == "trajectories":
        styles = ["-", "--", ":"]
        for (label, traj), style in zip(d["series"].items(), styles):
            arr = np.asarray(traj, dtype=float)  # (times, particles, 2)
            for j in range(arr.shape[1]):
                ax.plot(arr[:, j, 0], arr[:, j, 1], style, color=f"C{j}", label=label if j == 0 else None)
            ax.plot(arr[-1, :, 0], arr[-1, :, 1], "o" if style == "-" else "x", color="k", ms=4)
        ax.plot(np.asarray(traj)[0, :, 0], np.asarray(traj)[0, :, 1], "s", color="gray", ms=4, label="start")
        ax.set_aspect("equal")
        ax.legend(fontsize=8)
    elif fig.kind == "scatter":
        lims = np.asarray(d["series"][next(iter(d["series"]))], dtype=float)
        lo, hi = lims.min(axis=0) - 1.0, lims.max(axis=0) + 1.0
        for (label, pts), marker in zip(d["series"].items(), ["o", "x", "+", "s"]):
            arr = np.asarray(pts, dtype=float)
            inside = np.all(np.isfinite(arr), axis=1) & np.all((arr >= lo) & (arr <= hi), axis=1)
            out = len(arr) - int(inside.sum())
            note = f", {out} outside the frame" if out else ""
            ax.plot(arr[inside, 0], arr[inside, 1], marker, ms=3, alpha=0.6, label=f"{label} ({int(inside.sum())} shown{note})")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_aspect("equal")
        ax.legend(fontsize=8)
    elif fig.kind == "lines":
        for label, ys in d["series"].items():
            ax.plot(d["x"], ys, d.get("style", "o-"), ms=3, label=label)
        for (label, (px, py)), marker in zip(d.get("points", {}).items(), ["o", "x", "s", "^"]):
            ax.plot(px, py, marker, ms=5, mfc="none", label=label)
        if d.get("logy"):
            ax.set_yscale("log")
        if d.get("logx"):
            ax.set_xscale("log")
        if d.get("equal"):
            ax.set_aspect("equal")
        ax.set_xlabel(d.get("xlabel", ""))
        ax.set_ylabel(d.get("ylabel", ""))
        ax.legend(fontsize=8)
    else:
        raise ValueError(f"fig.kind must be 'convergence', 'ellipses', 'trajectories', 'scatter' or 'lines', got {fig.kind!r}")
    if fig.kind != "ellipses":
        ax.set_title(fig.title, fontsize=10)
    f.tight_layout()
    buf = io.BytesIO()
    f.savefig(buf, format="png", metadata={"Software": None})
    plt.close(f)
    write_atomic(path, buf.getvalue())


# --- pages --------------------------------------------------------------------------------


def _kind_cell(r: ClaimResult, kind: Kind) -> str:
    return _MARK[r.by_kind(kind)]


def _mutant_cell(r: ClaimResult) -> str:
    if not r.mutant_results:
        return "—"
    rejected = sum(m.verdict == Verdict.REFUTED for m in r.mutant_results)
    return f"{rejected}/{len(r.mutant_results)}"


def false_alarm_line(results: Sequence[ClaimResult]) -> str:
    """The run's false-alarm budget (:mod:`verify.budget`): the union bound over every check of
    the printed formulas (mutants excluded: their failures are the point), evidence shared
    between claims counted once."""
    own = [e for r in results for e in r.evidence if not e.shared_with and e.kind != Kind.SYMBOLIC]
    stat = [e for e in own if e.spends]
    total = total_false_alarm(e.false_alarm or 0.0 for e in stat)
    comparisons = sum(sp.m for e in stat for sp in e.spends)
    return (
        f"False-alarm budget: {len(stat)} statistical checks ({comparisons} comparisons) may fail a correct formula by chance, "
        f"each with probability at most {max((e.false_alarm or 0.0 for e in stat), default=0.0):.2g}; "
        f"**P(any false alarm in this run) ≤ {total:.2g}** (union bound). The other {len(own) - len(stat)} numeric and property "
        "checks (every hypothesis example included) compare exact or rounding- and discretisation-bounded quantities: "
        "no false-alarm probability. `verify calibrate` measures both rates (CALIBRATION.md)."
    )


def _index(results: Sequence[ClaimResult], env: dict[str, Any], command: str) -> str:
    lines = [
        "# Verification report",
        "",
        "One row per claim. Verdicts: **VERIFIED** (every check passed), **REFUTED** (a check failed",
        "decisively), **INCONCLUSIVE** (none failed, some could not decide), **ERROR** (a check crashed).",
        "'Mutants' counts the deliberately wrong variants of the formula that the same checks rejected.",
        "",
        f"Reproduce: `{command}`",
        "",
        false_alarm_line(results),
        "",
        "| id | title | verdict | symbolic | numeric | property | mutants rejected | worst z | time (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        wz = r.worst_z
        lines.append(
            f"| [{r.claim.id}]({_page_rel(r.claim.id)}) | {r.claim.title} | **{r.verdict.value}** | "
            f"{_kind_cell(r, Kind.SYMBOLIC)} | {_kind_cell(r, Kind.NUMERIC)} | {_kind_cell(r, Kind.PROPERTY)} | "
            f"{_mutant_cell(r)} | {'—' if wz is None else f'{wz:.2f}'} | {r.seconds:.1f} |"
        )
    counts = {v: sum(r.verdict == v for r in results) for v in Verdict}
    lines += ["", "Totals: " + ", ".join(f"{v.value} {c}" for v, c in counts.items()), ""]
    checks = [e for r in results for e in r.evidence]
    lines.append(
        "Checks: "
        + ", ".join(f"{s.value} {sum(e.status == s for e in checks)}" for s in Status)
        + " (undecided checks are counted apart, never as passes)."
    )
    undecided = [(r.claim.id, e) for r in results for e in r.evidence if e.status == Status.INCONCLUSIVE and not e.shared_with]
    if undecided:
        lines += ["", "Checks that could not decide (neither pass nor fail):", ""]
        lines += [f"- [{cid}]({_page_rel(cid)}) {e.kind.value} {e.name}: {e.summary}" for cid, e in undecided]

    refuted = [r for r in results if r.verdict == Verdict.REFUTED]
    lines += ["", "## Refuted claims", ""]
    if refuted:
        for r in refuted:
            corr = f" — corrected by [{r.claim.corrected_by}]({_page_rel(r.claim.corrected_by)})" if r.claim.corrected_by else " — no correction yet"
            lines.append(f"- [{r.claim.id}]({_page_rel(r.claim.id)}){corr}")
    else:
        lines.append("None among the claims in this report.")
    lines += ["", "## Environment", "", _table([env])]
    return "\n".join(lines) + "\n"


def _evidence_section(e: Evidence, claim_id: str, fig_prefix: str) -> list[str]:
    out = [f"### {e.kind.value}: {e.name} — {_MARK[e.status]}", "", e.summary, ""]
    if e.steps:
        out += [s + "\n" for s in e.steps]
    if e.table:
        out += [_table(e.table)]
    if e.metrics:
        out += ["Metrics: " + ", ".join(f"{k} = {_fmt(v)}" for k, v in e.metrics.items()), ""]
    for fig in e.figures:
        out += [f"![{fig.title}]({fig_prefix}{_fig_name(claim_id, fig)})", "", f"*{fig.caption}*", ""]
    if e.counterexample is not None:
        out += ["Counterexample:", "", "```json", json.dumps(e.counterexample, indent=2, default=str, ensure_ascii=False), "```", ""]
    if e.traceback:
        out += ["```", e.traceback.rstrip(), "```", ""]
    if e.spends:
        parts = [f"{sp.what}: k = {sp.k:.2f} over {sp.m} comparison{'s' if sp.m > 1 else ''}" + (f" (Student t, {sp.df} df)" if sp.df else "")
                 if sp.k is not None else f"{sp.what}: α = {sp.alpha:.2g}" for sp in e.spends]
        out += [f"False-alarm probability on a correct formula ≤ {e.false_alarm:.2g} ({'; '.join(parts)}).", ""]
    elif e.kind != Kind.SYMBOLIC:
        out += ["Deterministic tolerance (exact, rounding or discretisation bound): no false-alarm probability.", ""]
    shared = f", evidence shared with {e.shared_with} (same formulas and check)" if e.shared_with else ""
    out.append(f"*seed {e.seed}, {e.seconds:.2f} s{shared}*\n")
    return out


def _claim_page(r: ClaimResult, env: dict[str, Any], command: str) -> str:
    c = r.claim
    fig_prefix = posixpath.relpath("figures", posixpath.dirname(claim_page_path(c.id))) + "/"
    lines = [
        f"# {c.id}: {c.title}",
        "",
        f"**Verdict: {r.verdict.value}**" + ("" if r.as_expected else f" (the claim records {c.expected.value})"),
        "",
        f"Source: `{c.source.paper}`, {c.source.locator} — {c.source.citation}.",
        "",
        "## Statement as printed",
        "",
        c.statement,
        "",
    ]
    if c.assumptions:
        lines += ["## Assumptions", ""] + [f"- {a}" for a in c.assumptions] + [""]
    if c.notes:
        lines += ["## Notes", "", c.notes, ""]
    if c.corrects:
        lines += [f"This is the corrected form of [{c.corrects}]({_link(c.id, c.corrects)}).", ""]
    if c.corrected_by:
        lines += [f"Corrected statement: [{c.corrected_by}]({_link(c.id, c.corrected_by)}).", ""]
    for kind, heading in ((Kind.SYMBOLIC, "Derivation (symbolic)"), (Kind.NUMERIC, "Numeric evidence"), (Kind.PROPERTY, "Property evidence (hypothesis)")):
        ev = [e for e in r.evidence if e.kind == kind]
        if ev:
            lines += [f"## {heading}", ""]
            for e in ev:
                lines += _evidence_section(e, c.id, fig_prefix)
    if r.mutant_results:
        lines += [
            "## Mutants",
            "",
            "Deliberately wrong variants of the printed formulas, run through the same checks; each must be REFUTED.",
            "",
            "| mutant | description | verdict | failing checks |",
            "|---|---|---|---|",
        ]
        for m in r.mutant_results:
            failing = ", ".join(e.name for e in m.evidence if e.status == Status.FAIL) or "none"
            lines.append(f"| {m.mutant.name} | {m.mutant.description} | **{m.verdict.value}** | {failing} |")
        lines.append("")
        for m in r.mutant_results:
            failed = [e for e in m.evidence if e.status == Status.FAIL]
            if not failed:
                continue
            lines += [f"### Mutant {m.mutant.name}", ""]
            lines += [f"- {e.kind.value} {e.name}: {e.summary}" for e in failed]
            first = next((e for e in failed if e.counterexample is not None), None)
            if first is not None:
                lines += ["", f"Counterexample ({first.name}):", "", "```json",
                          json.dumps(first.counterexample, indent=2, default=str, ensure_ascii=False), "```"]
            lines.append("")
    lines += [
        "## Reproduce",
        "",
        "```",
        f"verify check {c.id} --fidelity {env['fidelity']} --seed {env['seed']}" + (f" --module {c.module}" if c.module else ""),
        "```",
        "",
        "## Environment",
        "",
        _table([env]),
    ]
    return "\n".join(lines) + "\n"


def write_report(
    results: Sequence[ClaimResult],
    out_dir: str | os.PathLike,
    env: dict[str, Any],
    command: str = "verify report",
    inventory: Sequence[Any] = (),
) -> list[Path]:
    """Write index, claim pages, figures and ``results.json`` under ``out_dir``; return paths.

    With an ``inventory`` (:func:`verify.coverage.load_inventory`), also ``COVERAGE.md`` with the
    verdicts of this run."""
    out = Path(out_dir)
    written: list[Path] = []
    for r in results:
        for e in r.evidence:
            for fig in e.figures:
                p = out / "figures" / _fig_name(r.claim.id, fig)
                render_figure(fig, p)
                written.append(p)
        p = out / _page_rel(r.claim.id)
        write_atomic(p, _claim_page(r, env, command))
        written.append(p)
    p = out / "index.md"
    write_atomic(p, _index(results, env, command))
    written.append(p)
    p = out / "results.json"
    write_atomic(p, json.dumps(results_json(results, env), indent=1, ensure_ascii=False) + "\n")
    written.append(p)
    if inventory:
        from verify.coverage import coverage_markdown

        verdicts = {r.claim.id: r.verdict.value for r in results}
        p = out / "COVERAGE.md"
        page = coverage_markdown(inventory, verdicts, link=lambda cid: f"[`{cid}`]({_page_rel(cid)})")
        page += "\n## Reproduce\n\n```\n" + command + "\n```\n\n## Environment\n\n" + _table([env])
        write_atomic(p, page)
        written.append(p)
    return written
