"""otdiff Proposition 3.3: the printed form is refuted with the minimal exact counterexample,
the correction is verified, and the score used by every check agrees with finite differences."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from verify.mixtures import GaussianMixture, log_density, score
from theorems.tweedie import PROP_3_3, PROP_3_3_CORRECTED, derivation, formulas


def test_printed_form_has_the_minimal_counterexample_and_a_verified_correction(quick_results):
    assert derivation.minimal_counterexample(formulas.Prop33()) == {
        "alpha1": "delta_0", "t": "1/3", "x": "1", "field (7)": "-3/2", "formula": "3/8",
    }
    assert derivation.minimal_counterexample(formulas.Prop33Corrected()) is None
    assert PROP_3_3.corrected_by == PROP_3_3_CORRECTED.id and PROP_3_3_CORRECTED.corrects == PROP_3_3.id
    assert quick_results[PROP_3_3.id].verdict.value == "REFUTED"
    assert quick_results[PROP_3_3_CORRECTED.id].verdict.value == "VERIFIED"


def test_printed_and_corrected_forms_agree_only_at_one_half():
    x, s = np.array([1.3]), np.array([-0.4])
    for t in (0.2, 0.5, 0.8):
        same = np.allclose(formulas.Prop33().field(x, t, s), formulas.Prop33Corrected().field(x, t, s))
        assert same == (t == 0.5)


@given(st.floats(0.05, 0.95), st.lists(st.floats(-3, 3), min_size=2, max_size=2))
def test_mixture_score_matches_finite_differences(t, point):
    mix = GaussianMixture(np.array([0.3, 0.7]), np.array([[1.0, 0.0], [-1.0, 1.0]]), np.array([np.eye(2) * 0.1, np.diag([0.2, 0.05])]))
    z, a, h = np.array([point]), (1 - t, t), 1e-5
    fd = [(log_density(z + h * e, a, np.eye(2), mix) - log_density(z - h * e, a, np.eye(2), mix))[0] / (2 * h) for e in np.eye(2)]
    g = score(z, a, np.eye(2), mix)[0]
    # central differences: truncation h²·|∂³ log p|/6 and rounding ε|log p|/h
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(g).max()))
