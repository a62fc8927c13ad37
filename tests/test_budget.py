"""The false-alarm budget: spends recorded per check, bounded per check and per run; power."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scipy.stats import norm

from verify.budget import Spend, detectable_effect, sample_size, total_false_alarm
from verify.claims import Check, Context, Kind, Outcome, Status, run_check
from verify.report import false_alarm_line
from verify.stats import false_alarm, multiplier, t_multiplier

ROOT = Path(__file__).resolve().parents[1]


def test_multiplier_request_is_recorded_on_the_evidence():
    def check(formulas, ctx):
        k1 = ctx.multiplier(4, share=0.5, what="four entries")
        k2 = ctx.multiplier(1, df=9, share=0.5, what="a t-test")
        return Outcome(Status.PASS, "ok", {"k1": k1, "k2": k2})

    ctx = Context(k=4.0)
    e = run_check(Check("c", Kind.NUMERIC, check), object(), ctx)
    alpha = false_alarm(4.0)
    assert e.metrics["k1"] == pytest.approx(multiplier(alpha / 2, 4))
    assert e.metrics["k2"] == pytest.approx(t_multiplier(alpha / 2, 1, 9))
    assert [s.what for s in e.spends] == ["four entries", "a t-test"]
    assert e.false_alarm == pytest.approx(alpha)  # two halves of the check's budget
    assert e.to_json()["false_alarm"] == pytest.approx(alpha) and e.to_json()["budget"][0]["m"] == 4


def test_deterministic_and_symbolic_checks_spend_nothing_and_seed_use_is_recorded():
    ok = lambda f, ctx: Outcome(Status.PASS, "exact")  # noqa: E731
    drawn = lambda f, ctx: Outcome(Status.PASS, f"{ctx.rng().random()}")  # noqa: E731
    ctx = Context()
    num = run_check(Check("n", Kind.NUMERIC, ok), object(), ctx)
    sym = run_check(Check("s", Kind.SYMBOLIC, ok), object(), ctx)
    rnd = run_check(Check("r", Kind.PROPERTY, drawn), object(), ctx)
    assert num.false_alarm == 0.0 and sym.false_alarm is None and rnd.false_alarm == 0.0
    assert not num.seeded and not sym.seeded and rnd.seeded  # run_check's own seed lookup does not count


def test_spends_do_not_leak_from_one_check_to_the_next():
    spend = lambda f, ctx: Outcome(Status.PASS, f"{ctx.multiplier(3)}")  # noqa: E731
    ok = lambda f, ctx: Outcome(Status.PASS, "exact")  # noqa: E731
    ctx = Context()
    assert len(run_check(Check("a", Kind.NUMERIC, spend), object(), ctx).spends) == 1
    assert run_check(Check("b", Kind.NUMERIC, ok), object(), ctx).spends == []


def test_minimal_detectable_effect_has_the_stated_power():
    k, se = 5.0, 0.3
    for power in (0.5, 0.9, 0.99):
        mde = detectable_effect(se, k, power)
        # P(|N(δ/se, 1)| > k) at δ = MDE reaches the power, and falls short 10 % below it.
        reach = lambda d: norm.sf(k - d / se) + norm.cdf(-k - d / se)  # noqa: E731
        assert reach(mde) >= power - 1e-12 and reach(0.9 * mde) < power
    assert detectable_effect(1.0, 5.0, 0.5) == pytest.approx(5.0)


def test_sample_size_is_the_smallest_that_detects_the_effect():
    sigma, k, effect = 2.0, 5.2, 0.05
    n = sample_size(effect, sigma, k)
    assert detectable_effect(sigma / n**0.5, k) <= effect < detectable_effect(sigma / (n - 1) ** 0.5, k)
    assert sample_size(-effect, sigma, k) == n


def test_union_bound_is_capped_at_one():
    assert total_false_alarm([0.25, 0.5]) == 0.75 and total_false_alarm([0.6, 0.7]) == 1.0 and total_false_alarm([]) == 0.0


BAD_CALLS = [
    (lambda: Context().multiplier(2, share=0.0), "share must lie in (0, 1], got 0.0"),
    (lambda: Context().alpha_for(share=1.5), "share must lie in (0, 1], got 1.5"),
    (lambda: Context().multiplier(0), "m must be a positive integer, got 0"),
    (lambda: detectable_effect(-1.0, 5.0), "se must be finite and non-negative, got -1.0"),
    (lambda: detectable_effect(1.0, 0.0), "k must be positive, got 0.0"),
    (lambda: detectable_effect(1.0, 5.0, power=1.0), "power must lie in (0, 1), got 1.0"),
    (lambda: sample_size(0.0, 1.0, 5.0), "effect must be finite and non-zero, got 0.0"),
    (lambda: sample_size(0.1, 0.0, 5.0), "sigma must be finite and positive, got 0.0"),
    (lambda: total_false_alarm([1.5]), "each alpha must lie in [0, 1], got 1.5"),
]


@pytest.mark.parametrize("call, message", BAD_CALLS)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_no_theorem_reads_the_multiplier_behind_the_budget():
    """Checks take multipliers from ``ctx.multiplier``/``ctx.alpha_for``, which record the spend;
    reading ``ctx.k`` would use the budget without declaring it."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "theorems").rglob("*.py") if re.search(r"\bctx\.k\b", p.read_text())]
    assert offenders == []


def test_every_builtin_check_stays_within_its_budget(quick_results):
    ctx = Context()
    stat = []
    for r in quick_results.values():
        for e in r.evidence + [e for m in r.mutant_results for e in m.evidence]:
            if e.false_alarm:
                assert e.false_alarm <= ctx.alpha * (1 + 1e-12), (r.claim.id, e.name, e.spends)
                stat.append(e)
    assert len(stat) >= 30  # the Monte Carlo checks of the suite, each declaring its multiplier
    line = false_alarm_line(list(quick_results.values()))
    total = float(re.search(r"P\(any false alarm in this run\) ≤ ([0-9.e-]+)", line).group(1))
    own = [e for r in quick_results.values() for e in r.evidence if e.spends and not e.shared_with]
    assert total == pytest.approx(sum(e.false_alarm for e in own), rel=1e-2) and total < 1e-4


def test_spend_json_names_its_multiplier():
    assert Spend("x", 0.1, 2.0, 3, 7).to_json() == {"what": "x", "alpha": 0.1, "m": 3, "k": 2.0, "df": 7}
