"""Property evidence (hypothesis) for otdiff Proposition 3.3, Tweedie's identity and the
gradient statement: hypothesis draws the data (mixture weights, means, variances — small
variances make near point clouds), the time and the point; any failure shrinks."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from verify.claims import Outcome
from verify.mixtures import GaussianMixture, conditional_mean, score
from verify.properties import outcome, search_in
from verify.stats import rounding_tol

__all__ = ["check_field_property", "check_tweedie_property", "check_gradient_property"]


@st.composite
def data(draw, dim: int = 1):
    k = draw(st.integers(1, 3))
    raw = draw(st.lists(st.floats(0.2, 1.0), min_size=k, max_size=k))
    means = np.array(draw(st.lists(st.lists(st.floats(-3.0, 3.0), min_size=dim, max_size=dim), min_size=k, max_size=k)))
    variances = np.array(draw(st.lists(st.floats(0.01, 2.0), min_size=k, max_size=k)))
    return {
        "weights": np.array(raw) / sum(raw),
        "means": means,
        "variances": variances,
        "t": draw(st.floats(0.05, 0.95)),
        "x": np.array(draw(st.lists(st.floats(-4.0, 4.0), min_size=dim, max_size=dim))),
    }


def _mix(p: dict) -> GaussianMixture:
    d = p["means"].shape[1]
    return GaussianMixture(p["weights"], p["means"], p["variances"][:, None, None] * np.eye(d)[None])


PINNED = [
    {"weights": np.array([1.0]), "means": np.array([[0.0]]), "variances": np.array([1.0]), "t": 0.25, "x": np.array([1.0])},
    {"weights": np.array([0.5, 0.5]), "means": np.array([[-1.0], [1.0]]), "variances": np.array([0.01, 0.01]), "t": 0.7, "x": np.array([0.5])},
]


def check_field_property(f: Any, ctx: Any) -> Outcome:
    """For drawn 1-D data, t and x: the formula fed the exact score of α_t equals (7) by Bayes,
    to rounding (amplified by the largest component gain 1/((1−t)² + t²v))."""

    def predicate(p):
        mix, t, x = _mix(p), p["t"], p["x"][None, :]
        a = (1 - t, t)
        truth = conditional_mean(x, a, (-1.0, 1.0), np.eye(1), mix)[0, 0]
        got = float(np.asarray(f.field(x, t, score(x, a, np.eye(1), mix)))[0, 0])
        cond = 1.0 / ((1 - t) ** 2 + t**2 * float(p["variances"].min()))
        tol = rounding_tol(abs(truth) + float(np.abs(x).max()) + 3.0, terms=32, cond=cond / min(t, 1 - t))
        if abs(got - truth) <= tol:
            return True, {}
        return False, {"failed": "formula = (7)", "field (7)": truth, "formula": got}

    return outcome(search_in(ctx, data(), predicate, pinned=PINNED), "formula = (7) with the exact score")


def check_tweedie_property(f: Any, ctx: Any) -> Outcome:
    """For drawn 1-D and 2-D mixture priors, σ and z: Bayes posterior mean = the formula."""

    @st.composite
    def params(draw):
        p = draw(data(dim=draw(st.integers(1, 2))))
        p["sigma"] = draw(st.floats(0.05, 3.0))
        return p

    def predicate(p):
        mix, sig, z = _mix(p), p["sigma"], p["x"][None, :]
        d = z.shape[1]
        truth = conditional_mean(z, (sig, 1.0), (0.0, 1.0), np.eye(d), mix)[0]
        got = np.asarray(f.posterior_mean(z, sig, score(z, (sig, 1.0), np.eye(d), mix)))[0]
        tol = rounding_tol(float(np.abs(z).max()) + 3.0, terms=32, cond=max(1.0, max(sig**2, 1.0) / (sig**2 + float(p["variances"].min()))))
        if np.max(np.abs(got - truth)) <= tol:
            return True, {}
        return False, {"failed": "E[Y | Z = z] = formula", "Bayes": truth.tolist(), "formula": got.tolist()}

    return outcome(search_in(ctx, params(), predicate), "Tweedie's identity")


def check_gradient_property(f: Any, ctx: Any) -> Outcome:
    """For drawn 2-D data and t: the Jacobian of (7) (α0 = N(0, Σ0) of the setting) is
    symmetric, by central differences with Richardson's error estimate (h, h/2)."""

    def predicate(p):
        mix, t, x = _mix(p), p["t"], p["x"][None, :]
        s0 = np.asarray(f.reference_cov(2))
        a = (1 - t, t)
        jac = {}
        for h in (1e-3, 5e-4):
            cols = [(conditional_mean(x + h * e, a, (-1.0, 1.0), s0, mix) - conditional_mean(x - h * e, a, (-1.0, 1.0), s0, mix))[0] / (2 * h) for e in np.eye(2)]
            jac[h] = np.stack(cols, axis=1)
        asym = abs(jac[5e-4][0, 1] - jac[5e-4][1, 0])
        bound = 4 * float(np.abs(jac[5e-4] - jac[1e-3]).max()) / 3 + rounding_tol(float(np.abs(jac[5e-4]).max()) + 1, terms=8) / 5e-4
        if asym <= bound:
            return True, {}
        return False, {"failed": "Jacobian of (7) symmetric", "asymmetry": asym, "bound": bound}

    return outcome(search_in(ctx, data(dim=2), predicate, examples=(15, 60, 400)), "(7) is a gradient field")
