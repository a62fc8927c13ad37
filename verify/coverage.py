"""The inventory of every displayed claim of the source papers, and the suite's coverage of it.

A package of theorem families may ship ``inventory/<paper>.toml`` files: one ``[[claim]]``
table per numbered equation, proposition, theorem and unnumbered mathematical assertion of the
paper, in the paper's order, with

- ``id`` (DESIGN.md ids), ``section``, ``locator``, ``statement`` (as printed);
- ``status``: ``checked`` (``checked_by`` lists the registered claims that check it),
  ``unchecked`` (checkable, no check yet), ``not-checkable`` or ``definition`` — the last three
  with a one-sentence ``reason``.

:func:`load_inventory` reads and validates the files against the registry;
:func:`coverage_table` counts per paper and section; :func:`coverage_markdown` renders
``reports/COVERAGE.md`` with the verdicts of a run.
"""

from __future__ import annotations

import importlib
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable, Mapping, Sequence

from verify.claims import PAPERS, Registry

__all__ = ["STATUSES", "Entry", "load_inventory", "validate", "coverage_table", "coverage_text", "coverage_markdown"]

STATUSES = ("checked", "unchecked", "not-checkable", "definition")


@dataclass(frozen=True)
class Entry:
    """One displayed claim of a paper and how the suite covers it."""

    id: str
    section: str
    locator: str
    statement: str
    status: str
    checked_by: tuple[str, ...] = ()
    reason: str = ""

    @property
    def paper(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def top_section(self) -> str:
        """The section's first component ("4" for "4.1"), the unit of the coverage table."""
        return self.section.split(".", 1)[0]


def _entry(raw: Mapping, where: str) -> Entry:
    missing = [k for k in ("id", "section", "locator", "statement", "status") if k not in raw]
    if missing:
        raise ValueError(f"{where}: entry {raw.get('id', '?')!r} lacks {', '.join(missing)}")
    e = Entry(
        id=str(raw["id"]), section=str(raw["section"]), locator=str(raw["locator"]), statement=str(raw["statement"]),
        status=str(raw["status"]), checked_by=tuple(raw.get("checked_by", ())), reason=str(raw.get("reason", "")),
    )
    if e.status not in STATUSES:
        raise ValueError(f"{where}: {e.id}: status must be one of {STATUSES}, got {e.status!r}")
    if e.paper not in PAPERS:
        raise ValueError(f"{where}: {e.id}: unknown paper key {e.paper!r}")
    if e.status == "checked" and not e.checked_by:
        raise ValueError(f"{where}: {e.id}: a checked entry needs checked_by")
    if e.status != "checked" and not e.reason:
        raise ValueError(f"{where}: {e.id}: a {e.status} entry needs a reason")
    return e


def load_inventory(package: str = "theorems") -> list[Entry]:
    """Read ``<package>/inventory/*.toml`` (papers in the order of :data:`verify.claims.PAPERS`)."""
    pkg = importlib.import_module(package)
    folder = resources.files(pkg) / "inventory"
    if not folder.is_dir():
        return []
    entries: list[Entry] = []
    files = {f.name: f for f in folder.iterdir() if f.name.endswith(".toml")}
    order = [f"{p}.toml" for p in PAPERS] + sorted(set(files) - {f"{p}.toml" for p in PAPERS})
    for name in order:
        if name not in files:
            continue
        data = tomllib.loads(files[name].read_text(encoding="utf-8"))
        for raw in data.get("claim", []):
            e = _entry(raw, name)
            if e.paper != name.removesuffix(".toml"):
                raise ValueError(f"{name}: entry {e.id} belongs to paper {e.paper!r}")
            entries.append(e)
    ids = Counter(e.id for e in entries)
    dup = [i for i, n in ids.items() if n > 1]
    if dup:
        raise ValueError(f"inventory: duplicate ids {dup}")
    return entries


def validate(entries: Sequence[Entry], registry: Registry) -> list[str]:
    """Problems between the inventory and the registry: a ``checked_by`` id that is not
    registered, or a built-in claim of an inventoried paper that no entry cites."""
    registered = {c.id for c in registry.all()}
    builtin = {c.id for c in registry.all() if not c.module}  # users' --module claims are not the papers'
    problems = [f"{e.id}: checked_by names unregistered {cid}" for e in entries for cid in e.checked_by if cid not in registered]
    cited = {cid for e in entries for cid in e.checked_by}
    papers = {e.paper for e in entries}
    problems += [f"registered claim {cid} is not cited by the inventory" for cid in sorted(builtin - cited)
                 if cid.split("/", 1)[0] in papers]
    return problems


@dataclass
class Row:
    paper: str
    section: str
    counts: Counter = field(default_factory=Counter)

    @property
    def claims(self) -> int:
        return sum(self.counts[s] for s in STATUSES if s != "definition")

    @property
    def share(self) -> float:
        return self.counts["checked"] / self.claims if self.claims else 0.0

    @property
    def checkable_share(self) -> float:
        checkable = self.counts["checked"] + self.counts["unchecked"]
        return self.counts["checked"] / checkable if checkable else 0.0


def coverage_table(entries: Iterable[Entry]) -> list[Row]:
    """Counts per (paper, top-level section), then one total row per paper (section "all")."""
    rows: dict[tuple[str, str], Row] = {}
    totals: dict[str, Row] = {}
    for e in entries:
        rows.setdefault((e.paper, e.top_section), Row(e.paper, e.top_section)).counts[e.status] += 1
        totals.setdefault(e.paper, Row(e.paper, "all")).counts[e.status] += 1
    out: list[Row] = []
    for paper in PAPERS:
        secs = sorted((r for (p, _), r in rows.items() if p == paper), key=lambda r: _section_key(r.section))
        out += secs
        if paper in totals:
            out.append(totals[paper])
    return out


def _section_key(s: str) -> tuple:
    return (0, int(s), "") if s.isdigit() else (1, 0, s)


def coverage_text(entries: Sequence[Entry]) -> str:
    """The plain-text table of ``verify list --coverage``."""
    lines = [f"{'paper':10s} {'section':10s} {'claims':>6s} {'checked':>7s} {'unchecked':>9s} {'not checkable':>13s} {'definitions':>11s} {'share checked':>13s}"]
    for r in coverage_table(entries):
        c = r.counts
        sep = "-" * 86 + "\n" if r.section == "all" else ""
        lines.append(
            f"{sep}{r.paper:10s} {r.section:10s} {r.claims:6d} {c['checked']:7d} {c['unchecked']:9d} {c['not-checkable']:13d} {c['definition']:11d} "
            f"{100 * r.share:12.0f}%"
        )
    return "\n".join(lines)


def coverage_markdown(entries: Sequence[Entry], verdicts: Mapping[str, str] | None = None, link=None) -> str:
    """``reports/COVERAGE.md``: the counts, then every entry with its status and, for checked
    entries, the verdicts of the claims that check it (``verdicts``: claim id -> verdict)."""
    verdicts = verdicts or {}
    out = ["# Coverage of the source papers", ""]
    out.append(
        "Every numbered equation, proposition and theorem, and every unnumbered mathematical assertion of the three papers, "
        "with its status: **checked** (by the claims named, with their verdicts), **unchecked** (checkable; no check yet), "
        "**not checkable** by this suite (the reason in one sentence) or **definition**. Share checked = checked / (entries − definitions)."
    )
    out += ["", "| paper | section | claims | checked | unchecked | not checkable | definitions | share checked |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in coverage_table(entries):
        c = r.counts
        bold = "**" if r.section == "all" else ""
        out.append(f"| {bold}{r.paper}{bold} | {bold}{r.section}{bold} | {r.claims} | {c['checked']} | {c['unchecked']} | {c['not-checkable']} | {c['definition']} | {bold}{100 * r.share:.0f}%{bold} |")
    for paper, (_, citation) in PAPERS.items():
        mine = [e for e in entries if e.paper == paper]
        if not mine:
            continue
        out += ["", f"## `{paper}` — {citation}", "", "| id | locator | statement (as printed) | status | verdict / reason |", "|---|---|---|---|---|"]
        for e in mine:
            if e.status == "checked":
                parts = []
                for cid in e.checked_by:
                    name = link(cid) if link else f"`{cid}`"
                    parts.append(f"{name}: {verdicts.get(cid, 'not run')}")
                detail = "; ".join(parts)
            else:
                detail = e.reason
            out.append(f"| `{e.id}` | {_cell(e.locator)} | {_cell(_short(e.statement))} | {e.status} | {_cell(detail)} |")
    return "\n".join(out) + "\n"


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
