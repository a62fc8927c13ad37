"""The ``verify`` command line: ``list | check | report | fuzz | calibrate | bench``.

Exit status: 0 when every verdict is the one its claim records as expected (and every mutant
is refuted); 1 when a verdict contradicts it or a check crashed; 2 for usage errors (unknown
ids come with the nearest ids).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Sequence

from verify.claims import REGISTRY, Claim, ClaimResult, Context, Fidelity, Kind, Status, Verdict, run_claim

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="verify",
        description="Check closed-form claims of the source papers symbolically, numerically and with hypothesis.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser, fidelity: str) -> None:
        sp.add_argument("--fidelity", choices=[f.value for f in Fidelity], default=fidelity, help=f"run size (default {fidelity})")
        sp.add_argument("--seed", type=_seed, default=0, help="run seed (default 0)")
        sp.add_argument("--module", action="append", default=[], metavar="FILE.py", help="also register the claims of this file (repeatable)")
        sp.add_argument("--no-mutants", action="store_true", help="skip the mutants (faster; no evidence that the checks can fail)")
        sp.add_argument("--jobs", type=_non_negative, default=0,
                        help="worker processes, one theorem family per task (default 0: every available CPU; 1: this process)")

    sp = sub.add_parser("list", help="ids, titles, sources")
    sp.add_argument("--module", action="append", default=[], metavar="FILE.py")
    sp.add_argument("--coverage", action="store_true",
                    help="counts of the papers' displayed claims per paper and section: checked, unchecked, not checkable")

    sp = sub.add_parser("check", help="run the checks of the named claims (all when none is named)")
    sp.add_argument("ids", nargs="*", metavar="ID|PREFIX")
    common(sp, "standard")
    sp.add_argument("--json", action="store_true", help="print JSON to stdout instead of a table")

    sp = sub.add_parser("report", help="run the checks and write the Markdown report")
    sp.add_argument("ids", nargs="*", metavar="ID|PREFIX")
    common(sp, "standard")
    sp.add_argument("--out", default="reports", help="output directory (default reports)")

    sp = sub.add_parser("fuzz", help="hypothesis campaign on one claim's property checks")
    sp.add_argument("id", metavar="ID")
    sp.add_argument("--examples", type=_positive, default=1000, help="hypothesis examples per property check (default 1000)")
    sp.add_argument("--seed", type=_seed, default=0)
    sp.add_argument("--mutant", default=None, help="fuzz this mutant instead of the printed formula")
    sp.add_argument("--module", action="append", default=[], metavar="FILE.py")

    sp = sub.add_parser("calibrate", help="false alarms and power over many seeds, written to CALIBRATION.md")
    sp.add_argument("ids", nargs="*", metavar="ID|PREFIX")
    sp.add_argument("--seeds", type=_positive, default=200, help="seeds 0 … N−1 for the statistical checks and the mutants (default 200)")
    sp.add_argument("--fuzz-seeds", type=_positive, default=10,
                    help="seeds for the seeded checks with deterministic tolerances (default 10)")
    sp.add_argument("--power-seeds", type=_positive, default=10, help="seeds on which the statistical checks also run on every mutant (default 10)")
    sp.add_argument("--fidelity", choices=[f.value for f in Fidelity], default="quick", help="run size (default quick)")
    sp.add_argument("--jobs", type=_non_negative, default=0, help="worker processes (default 0: one per available CPU)")
    sp.add_argument("--out", default="reports", help="output directory (default reports)")
    sp.add_argument("--module", action="append", default=[], metavar="FILE.py")

    sp = sub.add_parser("bench", help="performance figures, written to BENCHMARKS.md")
    sp.add_argument("--out", default="reports", help="output directory (default reports)")
    return p


def _int_at_least(minimum: int, what: str):
    """An argparse type: an integer >= ``minimum``, with a message naming ``what``."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            v = None
        if v is None or v < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return v

    return parse


_seed = _int_at_least(0, "a non-negative integer seed")
_positive = _int_at_least(1, "a positive integer")
_non_negative = _int_at_least(0, "a non-negative integer")


def _load(modules: Sequence[str]) -> None:
    from verify.loader import load_builtin, load_module

    load_builtin()
    for m in modules:
        try:
            load_module(m)
        except ValueError as exc:
            raise UsageError(str(exc)) from None


def _select(ids: Sequence[str]) -> list[Claim]:
    try:
        return REGISTRY.select(ids)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None


class _Progress:
    """Progress on stderr: a rich spinner on a terminal, one line per claim otherwise."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total = total
        self.quiet = quiet
        self.live = None
        self.done = 0
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.live = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(), console=Console(stderr=True), transient=True,
            )
            self.task = self.live.add_task("starting", total=total)
            self.live.start()

    def say(self, message: str) -> None:
        if self.live is not None:
            self.live.update(self.task, description=message[:70])

    def claim_done(self, r: ClaimResult) -> None:
        self.done += 1
        if self.live is not None:
            self.live.update(self.task, advance=1)
        elif not self.quiet:
            mut = f", mutants rejected {sum(m.verdict == Verdict.REFUTED for m in r.mutant_results)}/{len(r.mutant_results)}" if r.mutant_results else ""
            print(f"[{self.done}/{self.total}] {r.claim.id}: {r.verdict.value} ({r.seconds:.1f} s{mut})", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()


def _run(claims: Sequence[Claim], args: argparse.Namespace) -> list[ClaimResult]:
    from verify.parallel import available_cpus, report_costs, run_claims

    jobs = args.jobs or available_cpus()
    progress = _Progress(len(claims))
    try:
        if jobs == 1:
            results = []
            for c in claims:
                r = run_claim(c, Context(fidelity=args.fidelity, seed=args.seed, progress=progress.say), with_mutants=not args.no_mutants)
                results.append(r)
                progress.claim_done(r)
            return results
        progress.say(f"{len(claims)} claims in {jobs} worker processes")
        return run_claims(claims, Context(fidelity=args.fidelity, seed=args.seed), with_mutants=not args.no_mutants, jobs=jobs,
                          modules=args.module, on_result=progress.claim_done, costs=report_costs())
    finally:
        progress.close()


def _exit_code(results: Sequence[ClaimResult]) -> int:
    bad = False
    for r in results:
        if not r.as_expected or any(e.status == Status.ERROR for e in r.evidence):
            bad = True
        for m in r.mutant_results:
            if not m.as_expected or any(e.status == Status.ERROR for e in m.evidence):
                bad = True
    return 1 if bad else 0


def _print_table(results: Sequence[ClaimResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="verify check")
    for col in ("id", "verdict", "expected", "symbolic", "numeric", "property", "mutants rejected", "worst z", "time (s)"):
        t.add_column(col)
    for r in results:
        cells = []
        for k in (Kind.SYMBOLIC, Kind.NUMERIC, Kind.PROPERTY):
            statuses = [e.status for e in r.evidence if e.kind == k]
            cells.append(" ".join(f"{sum(s == x for s in statuses)}{x.value[0]}" for x in Status if any(s == x for s in statuses)) or "—")
        mut = f"{sum(m.verdict == Verdict.REFUTED for m in r.mutant_results)}/{len(r.mutant_results)}" if r.mutant_results else "—"
        wz = r.worst_z
        t.add_row(r.claim.id, r.verdict.value, r.claim.expected.value, *cells, mut, "—" if wz is None else f"{wz:.2f}", f"{r.seconds:.1f}")
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(t)
    console.print("Check counts: P = pass, F = fail, I = could not decide, E = error.")
    for r in results:
        for e in r.evidence:
            if e.status != Status.PASS:
                console.print(f"[bold]{r.claim.id}[/] {e.name}: {e.status.value} — {e.summary}", markup=True, highlight=False)
        for m in r.mutant_results:
            if not m.as_expected:
                console.print(f"[bold]{r.claim.id}[/] mutant {m.mutant.name} was NOT refuted: the checks cannot see this slip", markup=True)


def cmd_list(args: argparse.Namespace) -> int:
    _load(args.module)
    if args.coverage:
        from verify.coverage import coverage_text, load_inventory, validate

        entries = load_inventory()
        print(coverage_text(entries))
        problems = validate(entries, REGISTRY)
        for p in problems:
            print(f"inventory: {p}", file=sys.stderr)
        return 1 if problems else 0
    for c in REGISTRY.all():
        print(f"{c.id:34s} {c.source.paper}, {c.source.locator:30s} {c.title}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from verify.report import environment, results_json

    _load(args.module)
    claims = _select(args.ids)
    results = _run(claims, args)
    if args.json:
        print(json.dumps(results_json(results, environment(args.seed, args.fidelity)), indent=1, ensure_ascii=False))
    else:
        _print_table(results)
    return _exit_code(results)


def cmd_report(args: argparse.Namespace) -> int:
    from verify.report import environment, write_report

    _load(args.module)
    claims = _select(args.ids)
    results = _run(claims, args)
    parts = ["verify", "report", *args.ids, "--fidelity", args.fidelity, "--seed", str(args.seed)]
    for m in args.module:
        parts += ["--module", m]
    if args.out != "reports":
        parts += ["--out", args.out]
    from verify.coverage import load_inventory

    paths = write_report(results, args.out, environment(args.seed, args.fidelity), " ".join(shlex.quote(p) for p in parts),
                         inventory=load_inventory())
    print(f"wrote {len(paths)} files under {args.out}/ (index: {Path(args.out) / 'index.md'})")
    return _exit_code(results)


def cmd_fuzz(args: argparse.Namespace) -> int:
    _load(args.module)
    try:
        claim = REGISTRY.get(args.id)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    mutant = None
    if args.mutant is not None:
        names = [m.name for m in claim.mutants]
        if args.mutant not in names:
            raise UsageError(f"unknown mutant {args.mutant!r} of {claim.id}; its mutants are {', '.join(names) or 'none'}")
        mutant = claim.mutants[names.index(args.mutant)]
    if not any(c.kind == Kind.PROPERTY for c in claim.checks):
        raise UsageError(f"{claim.id} has no property checks to fuzz")
    ctx = Context(fidelity=Fidelity.THOROUGH, seed=args.seed, examples=args.examples)
    start = time.perf_counter()
    result = run_claim(claim, ctx, mutant=mutant, kinds=[Kind.PROPERTY])
    label = claim.id + (f" [mutant {mutant.name}]" if mutant else "")
    found = False
    for e in result.evidence:
        print(f"{label} {e.name}: {e.status.value} — {e.summary} ({e.metrics.get('examples', '?')} examples)")
        if e.counterexample is not None:
            found = True
            print("minimal counterexample:")
            print(json.dumps(e.counterexample, indent=2, default=str, ensure_ascii=False))
        if e.traceback:
            print(e.traceback, file=sys.stderr)
    print(f"{time.perf_counter() - start:.1f} s")
    if any(e.status == Status.ERROR for e in result.evidence):
        return 1
    if mutant is not None or claim.expected == Verdict.REFUTED:
        return 0 if found else 1
    # The printed claim: success only when every property check decided and passed.
    return 0 if all(e.status == Status.PASS for e in result.evidence) else 1


def cmd_calibrate(args: argparse.Namespace) -> int:
    from verify.calibrate import calibrate
    from verify.calibration_report import calibration_markdown, summary, z_figure
    from verify.parallel import available_cpus
    from verify.report import environment, write_atomic

    _load(args.module)
    claims = _select(args.ids)
    jobs = args.jobs or available_cpus()

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:  # settings are validated before any check runs
        cal = calibrate(claims, seeds=args.seeds, fuzz_seeds=args.fuzz_seeds, power_seeds=args.power_seeds, fidelity=args.fidelity,
                        jobs=jobs, modules=args.module, progress=say)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    parts = ["verify", "calibrate", *args.ids, "--seeds", str(args.seeds), "--fuzz-seeds", str(args.fuzz_seeds),
             "--power-seeds", str(args.power_seeds), "--fidelity", args.fidelity]
    for m in args.module:
        parts += ["--module", m]
    if args.out != "reports":
        parts += ["--out", args.out]
    out = Path(args.out)
    try:
        with open(out / "results.json", encoding="utf-8") as fh:
            standard = json.load(fh)
    except (OSError, ValueError):
        standard = None
    fig = "figures/calibration-z.png" if z_figure(cal, out / "figures" / "calibration-z.png") else None
    env = environment(0, args.fidelity) | {"seed": f"0–{args.seeds - 1}"}
    path = out / "CALIBRATION.md"
    write_atomic(path, calibration_markdown(cal, env, " ".join(shlex.quote(p) for p in parts), standard, fig))
    s = summary(cal)
    print(f"wrote {path}: {len(s['false_alarms'])} false alarms, {len(s['undecided'])} undecided, "
          f"{s['subjects'] - len(s['missed'])}/{s['subjects']} mutants refuted on every seed ({cal.seconds:.0f} s)")
    return 1 if s["false_alarms"] or s["missed"] or s["undeclared"] or any(r.status == "ERROR" for r in s["undecided"]) else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from verify.bench import benchmarks_markdown, run_benchmarks
    from verify.report import write_atomic

    rows = run_benchmarks()
    path = Path(args.out) / "BENCHMARKS.md"
    write_atomic(path, benchmarks_markdown(rows))
    print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = {"list": cmd_list, "check": cmd_check, "report": cmd_report, "fuzz": cmd_fuzz, "calibrate": cmd_calibrate,
               "bench": cmd_bench}[args.command]
    try:
        return handler(args)
    except UsageError as exc:
        print(f"verify {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
