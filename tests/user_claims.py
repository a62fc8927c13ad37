"""A user's own claim file, as `verify check --module FILE.py` loads it (used by the tests).

Two claims about the Gaussian second moment E[X^2] = sigma^2: one printed correctly, one with a
slip (E[X^2] = sigma), each with a Monte Carlo check whose tolerance is k standard errors.
"""

import numpy as np

from verify import Check, Claim, Kind, Mutant, Outcome, Source, Status, register


class SecondMoment:
    def value(self, sigma):
        return sigma**2


class Slip(SecondMoment):
    def value(self, sigma):
        return sigma


class Doubled(SecondMoment):
    def value(self, sigma):
        return 2 * sigma**2


def monte_carlo(formulas, ctx):
    sigma, n = 1.7, ctx.pick(20_000, 100_000, 1_000_000)
    x2 = (sigma * ctx.rng().standard_normal(n)) ** 2
    est, se = x2.mean(), x2.std(ddof=1) / np.sqrt(n)
    z = (est - formulas.value(sigma)) / se
    status = Status.PASS if abs(z) <= ctx.multiplier() else Status.FAIL
    return Outcome(status, f"E[X^2] = {est:.4f} ± {se:.4f}, z = {z:.2f}", {"z": float(z), "n": n},
                   counterexample=None if status == Status.PASS else {"sigma": sigma})


register(Claim(
    id="mathai/eq-900", title="Second moment of a centred Gaussian (user claim, true)",
    statement="$$\\mathbb E[X^2] = \\sigma^2$$", source=Source("mathai", "user example"),
    formulas=SecondMoment, checks=(Check("monte-carlo", Kind.NUMERIC, monte_carlo),),
    mutants=(Mutant("doubled", "2 sigma^2", Doubled),),
))

register(Claim(
    id="mathai/eq-901", title="Second moment of a centred Gaussian (user claim, false)",
    statement="$$\\mathbb E[X^2] = \\sigma$$", source=Source("mathai", "user example"),
    formulas=Slip, checks=(Check("monte-carlo", Kind.NUMERIC, monte_carlo),),
))
