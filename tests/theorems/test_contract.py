"""The contract every built-in claim honours at quick fidelity: the printed form gets the
verdict the claim records, with evidence of all three kinds, every mutant is refuted by the
same checks with a counterexample, and no kind of evidence is decorative (each rejects some
mutant)."""

from __future__ import annotations

import pytest

from verify.claims import Kind, Status
from verify.loader import load_builtin

CLAIMS = load_builtin().all()


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_printed_claim_gets_its_recorded_verdict_from_all_three_kinds(quick_results, claim):
    r = quick_results[claim.id]
    assert r.verdict == claim.expected, [(e.name, e.status, e.summary) for e in r.evidence]
    assert {e.kind for e in r.evidence} == {Kind.SYMBOLIC, Kind.NUMERIC, Kind.PROPERTY}
    assert not any(e.status in (Status.ERROR, Status.INCONCLUSIVE) for e in r.evidence)


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_every_mutant_is_refuted_with_a_counterexample(quick_results, claim):
    # One test per claim (not per mutant): the message names every mutant that falls short.
    short = []
    for m in quick_results[claim.id].mutant_results:
        failing = [e for e in m.evidence if e.status == Status.FAIL]
        if m.verdict.value != "REFUTED" or not failing or any(e.counterexample is None for e in failing) \
                or any(e.status == Status.ERROR for e in m.evidence):
            short.append((m.mutant.name, m.verdict.value, [(e.name, e.status.value, e.summary) for e in m.evidence]))
    assert claim.mutants and len(quick_results[claim.id].mutant_results) == len(claim.mutants)
    assert short == []


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_each_kind_of_evidence_rejects_some_mutant(quick_results, claim):
    r = quick_results[claim.id]
    for kind in Kind:
        assert any(e.kind == kind and e.status == Status.FAIL for m in r.mutant_results for e in m.evidence), (
            f"{claim.id}: no {kind.value} check rejects any mutant"
        )
