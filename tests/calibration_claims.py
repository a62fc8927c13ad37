"""Claims for the calibration tests: one Monte Carlo check that takes its multiplier from the
false-alarm budget, and the same check with a hand-picked multiplier of 1 (about 32 % false
alarms), which calibration must expose."""

import numpy as np

from verify import Check, Claim, Kind, Mutant, Outcome, Source, Status, register

SIGMA, N = 1.3, 400


class SecondMoment:
    def value(self, sigma):
        return sigma**2


class Doubled(SecondMoment):
    def value(self, sigma):
        return 2 * sigma**2


def _z(formulas, ctx):
    x2 = (SIGMA * ctx.rng().standard_normal(N)) ** 2
    se = x2.std(ddof=1) / np.sqrt(N)
    return float((x2.mean() - formulas.value(SIGMA)) / se), float(se)


def budgeted(formulas, ctx):
    z, se = _z(formulas, ctx)
    k = ctx.multiplier(1)
    return Outcome(Status.PASS if abs(z) <= k else Status.FAIL, f"z = {z:.2f}, k = {k:.2f}", {"z": z, "se": se, "n": N})


def hand_tuned(formulas, ctx):
    z, se = _z(formulas, ctx)
    return Outcome(Status.PASS if abs(z) <= 1.0 else Status.FAIL, f"z = {z:.2f}, k = 1", {"z": z, "se": se, "n": N})


for cid, check in (("mathai/eq-910", budgeted), ("mathai/eq-911", hand_tuned)):
    register(Claim(
        id=cid, title="Second moment of a centred Gaussian (calibration test claim)",
        statement="$$\\mathbb E[X^2] = \\sigma^2$$", source=Source("mathai", "test example"),
        formulas=SecondMoment, checks=(Check("monte-carlo", Kind.NUMERIC, check),),
        mutants=(Mutant("doubled", "2 sigma^2", Doubled),),
    ))
