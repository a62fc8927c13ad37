"""`verify calibrate`: false alarms and power measured over seeds, on claims whose error rates are
known in closed form (tests/calibration_claims.py)."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest

from verify.calibrate import calibrate
from verify.calibration_report import calibration_markdown, summary
from verify.claims import REGISTRY
from verify.cli import main
from verify.loader import load_module

MODULE = str(Path(__file__).with_name("calibration_claims.py"))
SEEDS = 200


@pytest.fixture(scope="module")
def claims():
    load_module(MODULE)
    return {cid: REGISTRY.get(cid) for cid in ("mathai/eq-910", "mathai/eq-911")}


@pytest.fixture(scope="module")
def budgeted(claims):
    return calibrate([claims["mathai/eq-910"]], seeds=SEEDS, fuzz_seeds=2, power_seeds=SEEDS, jobs=1, modules=[MODULE])


def test_a_budgeted_check_has_no_false_alarm_and_z_is_standard_normal(budgeted):
    s = summary(budgeted)
    assert s["false_alarms"] == [] and s["undecided"] == [] and s["missed"] == {}
    runs = [r for r in budgeted.records if r.mutant is None]
    assert len(runs) == SEEDS and {r.seed for r in runs} == set(range(SEEDS))
    zs = [r.stat for r in runs]
    # Mean within 5 standard errors of 0, standard deviation within 5 of its own se (1/sqrt(2(n-1))).
    assert abs(statistics.fmean(zs)) < 5 / math.sqrt(SEEDS)
    assert abs(statistics.stdev(zs) - 1) < 5 / math.sqrt(2 * (SEEDS - 1)) + 0.1  # + CLT skew of x² at n = 400
    assert s["expected_false_alarms"] == pytest.approx(SEEDS * 2 * 2.866515718791939e-07, rel=1e-6)


def test_the_mutant_is_refuted_on_every_seed_with_its_z_recorded(budgeted):
    verdicts = [v for v in budgeted.verdicts if v.mutant == "doubled"]
    assert len(verdicts) == SEEDS and all(v.refuted and v.by == "monte-carlo" and not v.invariant for v in verdicts)
    mz = [abs(r.stat) for r in budgeted.records if r.mutant == "doubled"]
    assert len(mz) == SEEDS and min(mz) > 5  # a doubled second moment is tens of standard errors away


def test_a_hand_tuned_multiplier_is_exposed(claims):
    cal = calibrate([claims["mathai/eq-911"]], seeds=SEEDS, fuzz_seeds=2, power_seeds=2, jobs=1, modules=[MODULE])
    n_fail = len(summary(cal)["false_alarms"])
    # k = 1: false alarms are Binomial(200, 2Φ̄(1) = 0.317); within 5 standard deviations of 63.5.
    p = 0.31731050786291415
    assert abs(n_fail - SEEDS * p) < 5 * math.sqrt(SEEDS * p * (1 - p))
    page = calibration_markdown(cal, {"seed": "0–199"}, "verify calibrate mathai/eq-911")
    assert f"**false alarms: {n_fail}**" in page and "### Checks that fell short" in page
    assert summary(cal)["undeclared"] == [("mathai/eq-911", "monte-carlo")] and "declares no false-alarm budget" in page


def test_calibrate_command_writes_the_page_and_rejects_bad_settings(tmp_path, capsys, claims):
    code = main(["calibrate", "mathai/eq-910", "--module", MODULE, "--seeds", "6", "--fuzz-seeds", "2", "--power-seeds", "2",
                 "--jobs", "1", "--out", str(tmp_path)])
    assert code == 0
    page = (tmp_path / "CALIBRATION.md").read_text()
    assert "Reproduce: `verify calibrate mathai/eq-910 --seeds 6" in page and "## Environment" in page and "numpy" in page
    assert "| `mathai/eq-910` | doubled | 6/6 seeds | monte-carlo |" in page
    assert "[1/1] 1 claims from mathai/eq-910, seeds 1–5" in capsys.readouterr().err  # progress
    assert main(["calibrate", "mathai/eq-910", "--module", MODULE, "--seeds", "5", "--fuzz-seeds", "6"]) == 2
    with pytest.raises(ValueError, match="seeds must be a positive integer, got 0"):
        calibrate([claims["mathai/eq-910"]], seeds=0)
