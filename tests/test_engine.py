"""The engine: verdict rules, registry, check execution, JSON shape, statistics helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from verify.claims import (
    Check,
    Claim,
    Context,
    Kind,
    Mutant,
    Outcome,
    Registry,
    Source,
    Status,
    Verdict,
    combine,
    run_claim,
)
from verify.stats import false_alarm, fit_power_law, mean_se, multiplier, rounding_tol, second_moment_se, z_score


@pytest.mark.parametrize(
    "statuses,verdict",
    [
        ([Status.PASS, Status.PASS], Verdict.VERIFIED),
        ([Status.PASS, Status.FAIL], Verdict.REFUTED),
        ([Status.PASS, Status.INCONCLUSIVE], Verdict.INCONCLUSIVE),
        ([Status.PASS, Status.ERROR], Verdict.ERROR),
        ([Status.ERROR, Status.FAIL], Verdict.REFUTED),
        ([Status.INCONCLUSIVE, Status.ERROR], Verdict.ERROR),
        ([], Verdict.INCONCLUSIVE),
    ],
)
def test_verdict_rules(statuses, verdict):
    assert combine(statuses) == verdict


class _Square:
    def f(self, x):
        return x * x


class _Cube(_Square):
    def f(self, x):
        return x * x * x


def _exact(formulas, ctx):
    ok = formulas.f(3) == 9
    return Outcome(Status.PASS if ok else Status.FAIL, "f(3) = 9" if ok else f"f(3) = {formulas.f(3)}", counterexample=None if ok else {"x": 3})


def _crash(formulas, ctx):
    raise RuntimeError("boom")


def _claim(checks, cid="otdiff/eq-99"):
    return Claim(
        id=cid, title="t", statement="$f(x) = x^2$", source=Source("otdiff", "eq. (99)"), formulas=_Square,
        checks=checks, mutants=(Mutant("cube", "x^3", _Cube),),
    )


def test_checks_run_on_printed_formulas_and_on_mutants():
    r = run_claim(_claim([Check("exact", Kind.SYMBOLIC, _exact)]), Context(), with_mutants=True)
    assert r.verdict == Verdict.VERIFIED and r.as_expected
    (m,) = r.mutant_results
    assert m.verdict == Verdict.REFUTED and m.as_expected
    assert m.evidence[0].counterexample == {"x": 3}


def test_figures_are_built_only_for_printed_formulas_above_quick():
    seen = []

    def record(formulas, ctx):
        seen.append((type(formulas).__name__, ctx.figures))
        return _exact(formulas, ctx)

    claim = _claim([Check("exact", Kind.SYMBOLIC, record)], cid="otdiff/eq-98")
    run_claim(claim, Context(fidelity="standard", seed=5), with_mutants=True)
    run_claim(claim, Context(fidelity="quick", seed=5), with_mutants=True)
    assert seen == [("_Square", True), ("_Cube", False), ("_Square", False), ("_Cube", False)]


def test_a_crashing_check_is_an_error_with_traceback_not_a_verdict():
    r = run_claim(_claim([Check("exact", Kind.SYMBOLIC, _exact), Check("crash", Kind.NUMERIC, _crash)]), Context())
    assert r.verdict == Verdict.ERROR
    (e,) = [e for e in r.evidence if e.name == "crash"]
    assert e.status == Status.ERROR and "boom" in e.summary and "RuntimeError" in e.traceback


def test_json_has_the_fields_of_the_design():
    r = run_claim(_claim([Check("exact", Kind.SYMBOLIC, _exact)]), Context(seed=3), with_mutants=True)
    j = r.to_json()
    for key in ("id", "title", "verdict", "statement", "source", "corrected_by", "corrects", "checks"):
        assert key in j
    assert j["source"] == {"paper": "otdiff", "file": "002_13ecbaca6d942f78.txt", "locator": "eq. (99)"}
    (c,) = j["checks"]
    assert set(c) >= {"name", "kind", "status", "summary", "metrics", "seed", "seconds"}
    assert j["mutants"][0]["failed_checks"] == ["exact"]


def test_seeds_are_stable_and_differ_between_checks():
    ctx = Context(seed=7)
    assert ctx.check_seed("a") == Context(seed=7).check_seed("a")
    assert ctx.check_seed("a") != ctx.check_seed("b")
    assert ctx.rng("a").standard_normal() == Context(seed=7).rng("a").standard_normal()


def test_registry_selects_by_prefix_and_suggests_near_ids():
    reg = Registry()
    reg.add(_claim([Check("exact", Kind.SYMBOLIC, _exact)], "otdiff/prop-4.3"))
    reg.add(_claim([Check("exact", Kind.SYMBOLIC, _exact)], "otdiff/thm-4.2"))
    assert [c.id for c in reg.select(["otdiff"])] == ["otdiff/prop-4.3", "otdiff/thm-4.2"]
    assert [c.id for c in reg.select(["otdiff/thm"])] == ["otdiff/thm-4.2"]
    with pytest.raises(KeyError, match="did you mean otdiff/prop-4.3"):
        reg.select(["otdiff/prop-4.4"])
    with pytest.raises(ValueError, match="already registered"):
        reg.add(_claim([Check("exact", Kind.SYMBOLIC, _exact)], "otdiff/prop-4.3"))


BAD_CALLS = [
    (lambda: _claim([Check("x", Kind.SYMBOLIC, _exact)], "prop-4.3"), ValueError, "claim id 'prop-4.3'"),
    (lambda: _claim([Check("x", Kind.SYMBOLIC, _exact)], "mathai/prop-1"), ValueError, "names paper 'mathai'"),
    (lambda: _claim([]), ValueError, "has no checks"),
    (lambda: Source("nature", "p. 1"), ValueError, "paper must be one of"),
    (lambda: Context(seed=-1), ValueError, "seed must be"),
    (lambda: Context(fidelity="fast"), ValueError, "fast"),
    (lambda: mean_se([1.0]), ValueError, "x needs at least 2"),
    (lambda: mean_se([1.0, math.nan]), ValueError, "x contains NaN"),
    (lambda: z_score(1.0, math.inf, 1.0), ValueError, "finite"),
    (lambda: z_score(1.0, 1.0, -1.0), ValueError, "se must be"),
    (lambda: multiplier(0.0), ValueError, "alpha must"),
    (lambda: multiplier(0.1, 0), ValueError, "m must"),
    (lambda: false_alarm(-1.0), ValueError, "k must"),
    (lambda: second_moment_se(np.eye(2), 0), ValueError, "n must"),
    (lambda: fit_power_law([1, 2], [1, 2]), ValueError, "at least 3"),
    (lambda: fit_power_law([1, 2, 3], [1, -2, 3]), ValueError, "err must be positive"),
    (lambda: rounding_tol(math.nan), ValueError, "scale must"),
]


@pytest.mark.parametrize("call,exc,message", BAD_CALLS)
def test_bad_input_raises_a_clear_error(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_multiplier_matches_the_false_alarm_budget():
    assert multiplier(false_alarm(5.0)) == pytest.approx(5.0)
    assert false_alarm(multiplier(1e-3, m=10), m=10) == pytest.approx(1e-3)


def test_power_law_fit_recovers_slope_within_its_error_bar():
    rng = np.random.default_rng(1)
    n = np.array([100, 200, 400, 800, 1600, 3200])
    hits = 0
    for _ in range(200):
        se = 0.05 * 3.0 * n**-0.5
        err = 3.0 * n**-0.5 + se * rng.standard_normal(n.size)
        fit = fit_power_law(n, err, se)
        hits += abs(fit.slope + 0.5) <= 2 * fit.slope_se
    assert hits >= 180  # two-sigma coverage is 95 %: 190 expected, 180 is 3.2 sd below


def test_second_moment_standard_error_matches_simulation():
    rng = np.random.default_rng(2)
    sigma = np.array([[2.0, 0.6], [0.6, 0.5]])
    root = np.linalg.cholesky(sigma)
    n, reps = 200, 2000
    est = np.array([(lambda x: x.T @ x / n)(rng.standard_normal((n, 2)) @ root.T) for _ in range(reps)])
    sd = est.std(axis=0, ddof=1)
    # sd of a sample sd with 2000 replicates is about 1.6 % of it: allow 5 of those.
    np.testing.assert_allclose(sd, second_moment_se(sigma, n), rtol=5 * 0.016)


def test_identical_checks_of_two_claims_share_evidence_and_time_once():
    first = _claim([Check("exact", Kind.SYMBOLIC, _exact)], "otdiff/eq-97")
    second = Claim(
        id="mathai/eq-97", title="t", statement="s", source=Source("mathai", "eq. (97)"), formulas=_Square,
        checks=[Check("exact", Kind.SYMBOLIC, _exact)],
    )
    a = run_claim(first, Context(seed=11))
    b = run_claim(second, Context(seed=11))
    assert a.evidence[0].shared_with is None and b.evidence[0].shared_with == "otdiff/eq-97"
    assert b.seconds == 0 and b.verdict == a.verdict


def test_parallel_runner_validates_jobs_and_runs_sequentially_with_one_job():
    from verify.parallel import run_claims

    claim = _claim([Check("exact", Kind.SYMBOLIC, _exact)], cid="otdiff/eq-96")
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        run_claims([claim], Context(), jobs=0)
    (r,) = run_claims([claim], Context(), with_mutants=True, jobs=1)
    assert r.claim is claim and r.verdict == Verdict.VERIFIED and r.mutant_results[0].verdict == Verdict.REFUTED
