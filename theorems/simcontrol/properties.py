"""Property checks of mlcontrol §3.2: hypothesis draws small consistent data sets on a coarse
rational grid (so the construction and its flow are exact and a failure shrinks to a readable
data set) and, for the product sentence, sizes and widths.

Data sets: dimension from the claim's minimum to 3 (shrinking to the minimum), N ≤ 5 distinct
inputs and distinct targets with coordinates in (1/2)ℤ ∩ [−2, 2], a time horizon T ∈ {1, 1/2, 3},
a width P allowed by the claim, and (optionally) the first two targets swapped onto the first two
inputs — the cycle that the lower bounds of :func:`theorems.simcontrol.formulas.infeasibility_certificate`
exploit.  The minimal swap is pinned.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from theorems.simcontrol import formulas as F
from verify.claims import Outcome
from verify.properties import outcome, search_in

__all__ = ["data_sets", "check_construction_property", "check_product_property"]


@st.composite
def data_sets(draw, formulas: Any, max_n: int = 5) -> dict:
    """``{"X", "Y"}`` (exact (N, d) arrays), ``"T"``, ``"P"`` — a consistent data set."""
    d = draw(st.integers(formulas.min_dim(), 3))
    n = draw(st.integers(1, max_n))
    point = st.tuples(*[st.integers(-4, 4) for _ in range(d)])
    X = draw(st.lists(point, min_size=n, max_size=n, unique=True))
    Y = draw(st.lists(point, min_size=n, max_size=n, unique=True))
    if n >= 2 and draw(st.booleans()):
        Y[0], Y[1] = X[1], X[0]
        used = {Y[0], Y[1]}
        for j in range(2, n):  # keep the targets distinct: move a colliding one off the grid box
            while Y[j] in used:
                Y[j] = (Y[j][0] + 9, *Y[j][1:])
            used.add(Y[j])
    T = draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(3)]))
    P = draw(st.sampled_from(formulas.widths(n)))
    return {"X": F.exact(X) / 2, "Y": F.exact(Y) / 2, "T": T, "P": P}


def _pinned(formulas: Any) -> list[dict]:
    d = max(formulas.min_dim(), 1)
    if d == 1:
        X, Y = [[0], [1]], [[1], [0]]
    else:
        X, Y = [[0] * d, [1] + [0] * (d - 1)], [[1] + [0] * (d - 1), [0] * d]
    return [{"X": F.exact(X), "Y": F.exact(Y), "T": Fraction(1), "P": P} for P in (1, 2) if P in formulas.widths(2)]


def check_construction_property(formulas: Any, ctx: Any) -> Outcome:
    """Every drawn data set: controls with the claimed count whose exact flow hits every target,
    or a certificate that the claimed count is too small (a failure); data sets where the
    construction needs more switches and no certificate decides are counted as undecided."""
    undecided = [0]

    def predicate(ex: dict) -> tuple[bool, dict]:
        X, Y, T, P = ex["X"], ex["Y"], ex["T"], ex["P"]
        kind, obj, L = F.realise(formulas, X, Y, T, P)
        if kind == "proof":
            return False, {"failed": f"no control of width {P} with {L} switches exists: {obj}", "L": L}
        if kind == "undecided":
            undecided[0] += 1
            return True, {}
        count = obj.switches()
        if not (count == L if formulas.exact_count else count <= L):
            return False, {"failed": f"the controls have {count} switches, the claim {'exactly' if formulas.exact_count else 'at most'} {L}", "L": L}
        out = F.flow(obj, X)
        if not (bool((out == Y).all()) and obj.T == T):
            return False, {"failed": "the exact flow misses the targets", "L": L, "Phi_T(x_i)": [[str(v) for v in r] for r in out]}
        return True, {}

    res = search_in(ctx, data_sets(formulas), predicate, pinned=_pinned(formulas), examples=(20, 100, 1000))
    if res.found:
        ex = res.example
        res.example = {"X": [[str(v) for v in r] for r in ex["X"]], "Y": [[str(v) for v in r] for r in ex["Y"]], "T": str(ex["T"]), "P": ex["P"]}
    out = outcome(res, "simultaneous control with the claimed switches", "drawn data sets (N ≤ 5, d ≤ 3)")
    out.metrics["undecided"] = undecided[0]
    if not res.found and undecided[0]:
        out.summary += f" ({undecided[0]} undecided: the construction needs more switches and no certificate applies)"
    return out


def check_product_property(formulas: Any, ctx: Any) -> Outcome:
    """Drawn N ≤ 60 and two claimed widths: equal complexity; a drawn P ≤ 2N: within the
    claimed bounds."""

    @st.composite
    def drawn(draw):
        N = draw(st.integers(1, 60))
        ws = formulas.widths(N)
        return {"N": N, "P1": draw(st.sampled_from(ws)), "P2": draw(st.sampled_from(ws)), "P3": draw(st.integers(1, 2 * N))}

    def predicate(ex: dict) -> tuple[bool, dict]:
        N = ex["N"]
        c = {p: formulas.complexity(formulas.switches(N, ex[p]), ex[p]) for p in ("P1", "P2", "P3")}
        if c["P1"] != c["P2"]:
            return False, {"failed": f"complexity {c['P1']} at P = {ex['P1']} but {c['P2']} at P = {ex['P2']}"}
        bounds = formulas.bounds(N, ex["P3"])
        if bounds is not None and not bounds[0] <= c["P3"] <= bounds[1]:
            return False, {"failed": f"complexity {c['P3']} at P = {ex['P3']} outside [{bounds[0]}, {bounds[1]}]"}
        return True, {}

    pinned = [{"N": 2, "P1": 1, "P2": 2, "P3": 2}, {"N": 3, "P1": 1, "P2": 2, "P3": 2}, {"N": 3, "P1": 1, "P2": 3, "P3": 2}]
    pinned = [p for p in pinned if p["P1"] in formulas.widths(p["N"]) and p["P2"] in formulas.widths(p["N"])]
    res = search_in(ctx, drawn(), predicate, pinned=pinned, examples=(30, 200, 2000))
    return outcome(res, "the claimed invariance of the complexity and its bounds", "drawn (N, P) (N ≤ 60)")
