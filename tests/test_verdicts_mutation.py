"""The verdict logic of verify.claims: what mutation testing showed untested (issue 9).

Per-kind statuses, expected verdicts, the worst z, the record a check run leaves (a crash or a
wrong return type is ``ERROR`` evidence, never an exception), run settings and seeds.
``run_check`` is called directly: ``run_claim`` may serve evidence from the process-wide
evidence cache.  See reports/MUTATION.md.
"""

from __future__ import annotations

import hashlib
import math
import re
import time

import pytest

from verify.claims import (
    Check,
    Claim,
    ClaimResult,
    Context,
    Evidence,
    Fidelity,
    FigureSpec,
    Kind,
    Mutant,
    Outcome,
    Source,
    Status,
    Verdict,
    combine,
    run_check,
)


class _Square:
    def f(self, x):
        return x * x


def _claim(expected: Verdict = Verdict.VERIFIED) -> Claim:
    return Claim(
        id="otdiff/eq-95", title="t", statement="$f(x) = x^2$", source=Source("otdiff", "eq. (95)"),
        formulas=_Square, checks=[Check("c", Kind.SYMBOLIC, lambda f, ctx: Outcome(Status.PASS, "ok"))],
        expected=expected,
    )


def _evidence(kind: Kind, status: Status, **metrics) -> Evidence:
    return Evidence(name=f"{kind.value}-{status.value}", kind=kind, status=status, summary="", metrics=metrics, seed=0, seconds=0.0)


# ---------------------------------------------------------------------------------------------
# verdict of a claim from its evidence
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statuses, verdict",
    [
        ([Status.PASS], Verdict.VERIFIED),
        ([Status.FAIL], Verdict.REFUTED),
        ([Status.ERROR], Verdict.ERROR),
        ([Status.INCONCLUSIVE], Verdict.INCONCLUSIVE),
        ([Status.INCONCLUSIVE, Status.FAIL, Status.PASS], Verdict.REFUTED),
        ([Status.ERROR, Status.INCONCLUSIVE, Status.PASS], Verdict.ERROR),
        ([Status.PASS, Status.INCONCLUSIVE, Status.PASS], Verdict.INCONCLUSIVE),
        ((s for s in [Status.PASS, Status.FAIL]), Verdict.REFUTED),  # any iterable, read once
    ],
    ids=["pass", "fail", "error", "inconclusive", "fail-outranks", "error-outranks-inconclusive", "inconclusive-outranks-pass", "generator"],
)
def test_combine_ranks_fail_error_inconclusive_pass(statuses, verdict) -> None:
    assert combine(statuses) == verdict


def test_by_kind_combines_the_statuses_of_one_kind_only() -> None:
    r = ClaimResult(
        _claim(),
        Verdict.REFUTED,
        [
            _evidence(Kind.SYMBOLIC, Status.PASS),
            _evidence(Kind.NUMERIC, Status.INCONCLUSIVE),
            _evidence(Kind.NUMERIC, Status.PASS),
            _evidence(Kind.PROPERTY, Status.ERROR),
            _evidence(Kind.PROPERTY, Status.FAIL),
        ],
    )
    assert r.by_kind(Kind.SYMBOLIC) == Status.PASS
    assert r.by_kind(Kind.NUMERIC) == Status.INCONCLUSIVE
    assert r.by_kind(Kind.PROPERTY) == Status.FAIL
    only_numeric = ClaimResult(_claim(), Verdict.VERIFIED, [_evidence(Kind.NUMERIC, Status.PASS)])
    assert only_numeric.by_kind(Kind.SYMBOLIC) is None  # no evidence of that kind
    assert only_numeric.by_kind(Kind.NUMERIC) == Status.PASS


def test_as_expected_compares_with_the_recorded_verdict() -> None:
    mutant = Mutant("cube", "x^3", _Square)
    for verdict in Verdict:
        # the printed formulas: as recorded by the claim (VERIFIED, or REFUTED for a known slip)
        assert ClaimResult(_claim(), verdict, []).as_expected == (verdict == Verdict.VERIFIED)
        assert ClaimResult(_claim(Verdict.REFUTED), verdict, []).as_expected == (verdict == Verdict.REFUTED)
        # a mutant must be refuted, whatever the claim records
        assert ClaimResult(_claim(), verdict, [], mutant).as_expected == (verdict == Verdict.REFUTED)
        assert ClaimResult(_claim(Verdict.REFUTED), verdict, [], mutant).as_expected == (verdict == Verdict.REFUTED)


def test_worst_z_is_the_largest_absolute_z() -> None:
    ev = [
        _evidence(Kind.NUMERIC, Status.PASS, z=1.5),
        _evidence(Kind.NUMERIC, Status.PASS, z=-3.25),
        _evidence(Kind.SYMBOLIC, Status.PASS),  # no z: ignored
        _evidence(Kind.PROPERTY, Status.PASS, z=2),
    ]
    assert ClaimResult(_claim(), Verdict.VERIFIED, ev).worst_z == 3.25
    # se = 0 with a difference gives an infinite z (verify.stats.z_score)
    infinite = ev + [_evidence(Kind.NUMERIC, Status.FAIL, z=-math.inf)]
    assert ClaimResult(_claim(), Verdict.REFUTED, infinite).worst_z == math.inf
    assert ClaimResult(_claim(), Verdict.VERIFIED, ev[2:3]).worst_z is None
    assert ClaimResult(_claim(), Verdict.VERIFIED, []).worst_z is None


# ---------------------------------------------------------------------------------------------
# run_check: the record of one check
# ---------------------------------------------------------------------------------------------


def test_run_check_records_the_outcome_seed_and_time() -> None:
    seen = {}
    fig = FigureSpec("f", "lines", "title", {"x": [1]})

    def check(formulas, ctx):
        seen["name"] = ctx.check_name
        seen["formulas"] = formulas
        time.sleep(0.02)
        return Outcome(Status.FAIL, "f(3) = 27", {"z": 4.0}, counterexample={"x": 3}, steps=["s"], table=[{"a": 1}], figures=[fig])

    ctx = Context(seed=5)
    formulas = _Square()
    e = run_check(Check("moments", Kind.NUMERIC, check), formulas, ctx)
    assert seen == {"name": "moments", "formulas": formulas}
    assert (e.name, e.kind, e.status, e.summary) == ("moments", Kind.NUMERIC, Status.FAIL, "f(3) = 27")
    assert e.metrics == {"z": 4.0} and e.counterexample == {"x": 3}
    assert e.steps == ["s"] and e.table == [{"a": 1}] and e.figures == [fig]
    assert e.seed == Context(seed=5).check_seed("moments")
    assert 0.02 <= e.seconds < 5.0
    assert e.traceback is None


def test_a_crash_is_error_evidence_with_summary_and_traceback() -> None:
    def crash(formulas, ctx):
        raise ZeroDivisionError("division by zero in the closed form")

    e = run_check(Check("crash", Kind.PROPERTY, crash), _Square(), Context(seed=1))
    assert (e.name, e.kind, e.status) == ("crash", Kind.PROPERTY, Status.ERROR)
    assert e.summary == "ZeroDivisionError: division by zero in the closed form"
    assert e.traceback.startswith("Traceback") and "in crash" in e.traceback
    assert e.seed == Context(seed=1).check_seed("crash")
    assert 0.0 <= e.seconds < 5.0
    assert combine([Status.PASS, e.status]) == Verdict.ERROR


def test_the_traceback_of_a_deep_crash_is_bounded() -> None:
    # evidence is written into the JSON report: a crash 30 calls deep (alternating functions,
    # so Python does not fold repeated frames) gives a traceback of at most 8 frames that still
    # ends with the exception
    def ping(n):
        return pong(n - 1) if n else 1 / 0

    def pong(n):
        return ping(n - 1)

    e = run_check(Check("deep", Kind.NUMERIC, lambda formulas, ctx: ping(30)), _Square(), Context())
    assert e.status == Status.ERROR
    assert 1 <= e.traceback.count('File "') <= 8
    assert e.traceback.rstrip().endswith("ZeroDivisionError: division by zero")


def test_a_check_returning_something_else_is_error_evidence() -> None:
    e = run_check(Check("sloppy", Kind.SYMBOLIC, lambda formulas, ctx: True), _Square(), Context())
    assert e.status == Status.ERROR
    assert e.summary == "TypeError: check 'sloppy' returned bool, expected Outcome"
    assert "TypeError" in e.traceback


def test_run_check_records_seed_use_and_budget_per_check() -> None:
    ctx = Context(seed=2)

    def seeded(formulas, ctx):
        ctx.rng().standard_normal()
        ctx.multiplier(m=2)
        return Outcome(Status.PASS, "ok")

    def deterministic(formulas, ctx):
        return Outcome(Status.PASS, "ok")

    a = run_check(Check("seeded", Kind.NUMERIC, seeded), _Square(), ctx)
    b = run_check(Check("deterministic", Kind.SYMBOLIC, deterministic), _Square(), ctx)
    assert a.seeded and not b.seeded
    assert [(s.what, s.m) for s in a.spends] == [("seeded", 2)]
    assert b.spends == []  # nothing carried over from the previous check


# ---------------------------------------------------------------------------------------------
# run settings and seeds
# ---------------------------------------------------------------------------------------------


def test_context_settings() -> None:
    assert Context(k=0.5).k == 0.5  # any positive multiplier
    assert Context(fidelity="thorough").fidelity is Fidelity.THOROUGH
    for fidelity, value in (("quick", 1), ("standard", 2), ("thorough", 3)):
        assert Context(fidelity=fidelity).pick(1, 2, 3) == value


def test_check_seed_is_a_stable_hash_of_run_seed_and_check_name() -> None:
    # seeds are written into reports: the derivation must not change between runs or versions
    def expected(seed: int, name: str) -> int:
        return int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:4], "little")

    assert Context(seed=0).check_seed("exact") == expected(0, "exact") == 3091352544
    assert Context(seed=7).check_seed("a") == 735500674
    ctx = Context(seed=123)
    ctx.check_name = "moments"
    assert ctx.check_seed() == expected(123, "moments")  # defaults to the running check
    assert ctx.check_seed("other") == expected(123, "other")
    assert all(0 <= Context(seed=s).check_seed("x") < 2**32 for s in range(20))


BAD_CALLS = [
    ("k-zero", lambda: Context(k=0.0), ValueError, r"^k must be positive, got 0\.0$"),
    ("k-negative", lambda: Context(k=-1.0), ValueError, r"^k must be positive, got -1\.0$"),
    ("k-nan", lambda: Context(k=float("nan")), ValueError, r"^k must be positive, got nan$"),
    ("seed-float", lambda: Context(seed=1.5), ValueError, r"^seed must be a non-negative integer, got 1\.5$"),
    ("seed-str", lambda: Context(seed="3"), ValueError, r"^seed must be a non-negative integer, got '3'$"),
    ("fidelity", lambda: Context(fidelity="fast"), ValueError, r"'fast' is not a valid Fidelity"),
]


@pytest.mark.parametrize("call, exc, pattern", [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS])
def test_bad_settings_raise_a_clear_error(call, exc, pattern) -> None:
    with pytest.raises(exc) as info:
        call()
    assert re.search(pattern, str(info.value)), str(info.value)


def test_a_boolean_seed_is_rejected_and_a_crash_keeps_the_frame_that_raised():
    import pytest

    from verify.claims import Check, Context, Kind, run_check

    with pytest.raises(ValueError, match="seed must be a non-negative integer, got True"):
        Context(seed=True)

    def deep(n):
        if n == 0:
            raise RuntimeError("raised at the bottom")
        return deep(n - 1)

    e = run_check(Check("crash", Kind.NUMERIC, lambda f, ctx: deep(20)), object(), Context())
    assert e.status.value == "ERROR" and "deep(n - 1)" in e.traceback and e.traceback.rstrip().endswith("raised at the bottom")
    assert 'raise RuntimeError("raised at the bottom")' in e.traceback
