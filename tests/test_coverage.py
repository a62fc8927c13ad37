"""The inventory of the papers' displayed claims: complete against the registry, counted per
paper and section, rendered in COVERAGE.md, and strict about malformed entries."""

from __future__ import annotations

import pytest

from verify.cli import main
from verify.coverage import STATUSES, _entry, coverage_markdown, coverage_table, load_inventory, validate
from verify.loader import load_builtin

ENTRIES = load_inventory()


def test_every_paper_is_inventoried_and_every_registered_claim_is_cited():
    assert {e.paper for e in ENTRIES} == {"otdiff", "mlcontrol", "mathai"}
    assert validate(ENTRIES, load_builtin()) == []
    assert all(e.status in STATUSES for e in ENTRIES)


def test_counts_add_up_per_paper():
    rows = coverage_table(ENTRIES)
    for paper in ("otdiff", "mlcontrol", "mathai"):
        mine = [e for e in ENTRIES if e.paper == paper]
        (total,) = [r for r in rows if r.paper == paper and r.section == "all"]
        sections = [r for r in rows if r.paper == paper and r.section != "all"]
        assert sum(total.counts.values()) == len(mine) == sum(sum(r.counts.values()) for r in sections)
        assert 0 < total.share <= 1


def test_list_coverage_prints_every_paper(capsys):
    assert main(["list", "--coverage"]) == 0
    out = capsys.readouterr().out
    for paper in ("otdiff", "mlcontrol", "mathai"):
        assert f"{paper:10s} all" in out


def test_markdown_lists_every_entry_with_verdicts():
    checked = next(e for e in ENTRIES if e.status == "checked")
    md = coverage_markdown(ENTRIES, {checked.checked_by[0]: "VERIFIED"})
    assert all(f"`{e.id}`" in md for e in ENTRIES)
    assert f"`{checked.checked_by[0]}`: VERIFIED" in md


@pytest.mark.parametrize(
    "raw,message",
    [
        ({"id": "otdiff/eq-1", "section": "2", "locator": "eq. (1)", "statement": "x"}, "lacks status"),
        ({"id": "otdiff/eq-1", "section": "2", "locator": "eq. (1)", "statement": "x", "status": "maybe"}, "status must be one of"),
        ({"id": "otdiff/eq-1", "section": "2", "locator": "eq. (1)", "statement": "x", "status": "checked"}, "needs checked_by"),
        ({"id": "otdiff/eq-1", "section": "2", "locator": "eq. (1)", "statement": "x", "status": "unchecked"}, "needs a reason"),
        ({"id": "nature/eq-1", "section": "2", "locator": "eq. (1)", "statement": "x", "status": "definition", "reason": "r"}, "unknown paper"),
    ],
)
def test_malformed_entries_are_rejected(raw, message):
    with pytest.raises(ValueError, match=message):
        _entry(raw, "test.toml")
