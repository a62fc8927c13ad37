"""Flow-matching claims of otdiff §3.1–§3.3, mathai eq. (12), and the comparison with optimal
transport at the end of otdiff §4.2.

All printed statements are expected ``VERIFIED``: the Gaussian formulas of Proposition 3.2 are
the Gaussian-conditioning ones, and the symmetry statements follow from
:math:`A_t - A_t^\\top = t(1-t)\\Sigma_t^{-1}[\\Sigma_0,\\Sigma_1]\\Sigma_t^{-1}`.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, register
from theorems.flowmatching import derivation, formulas, nonuniqueness, properties, simulation

__all__ = ["PROP_3_1", "MATHAI_EQ_12", "CONVOLUTION", "PROP_3_2", "SYMMETRY", "FM_VS_OT", "NONUNIQUENESS", "NONUNIQUENESS_CORRECTED"]

_PROP31_CHECKS = (
    Check("continuity-two-point", Kind.SYMBOLIC, derivation.check_weak_continuity_two_point, "exact Bayes field solves (2) for a two-point α1"),
    Check("transport-to-interpolant", Kind.NUMERIC, simulation.check_transport_to_interpolant, "particles moved by v_t have law α_t (mixture data)"),
    Check("weak-continuity", Kind.PROPERTY, properties.check_weak_continuity_property, "d/dt E φ(Z_t) = E φ'(Z_t)·v_t(Z_t) for drawn data"),
)
_PROP31_MUTANTS = (
    Mutant("target-sign", "E[X0 − X1 | Z_t] instead of E[X1 − X0 | Z_t]", formulas.Prop31TargetSign),
    Mutant("target-drops-x0", "E[X1 | Z_t] (the −X0 dropped)", formulas.Prop31TargetDropsX0),
    Mutant("interpolant-time-swap", "Z_t = tX0 + (1−t)X1", formulas.Prop31InterpolantTimeSwap),
)

PROP_3_1 = register(
    Claim(
        id="otdiff/prop-3.1",
        title="The conditional-expectation field transports the stochastic interpolant",
        family="flowmatching",
        source=Source("otdiff", "Proposition 3.1, eqs. (7)–(8)"),
        statement=(
            "Let $(X_0, X_1) \\sim \\alpha_0 \\otimes \\alpha_1$ and define, for $t \\in (0, 1)$,\n"
            "$$(7) \\quad v_t(z) = \\mathbb{E}[X_1 - X_0 \\mid (1-t)X_0 + tX_1 = z].$$\n"
            "Then the pair $(\\alpha_t, v_t)$ satisfies the continuity equation (2) in the weak sense. "
            "[…] $v_t$ can equivalently be computed by solving the least-squares problem\n"
            "$$(8) \\quad \\min_{(v_t)_t} \\int_0^1 \\int_{\\mathbb{R}^d \\times \\mathbb{R}^d} \\|v_t((1-t)x_0 + tx_1) - (x_1 - x_0)\\|^2 d\\alpha_0(x_0) d\\alpha_1(x_1) dt.$$"
        ),
        assumptions=(
            "$\\alpha_t := \\mathrm{Law}((1-t)X_0 + tX_1)$ (otdiff §3.1); (2) is $\\partial_t\\alpha_t + \\mathrm{div}(v_t\\alpha_t) = 0$",
            "checked with $\\alpha_0$ Gaussian and $\\alpha_1$ a Gaussian mixture or a two-point law, where (7) has a closed form by Bayes",
            "(8): the conditional expectation is the least-squares regressor; the Gaussian regression check of otdiff/prop-3.2 estimates it by (8) from particles",
        ),
        formulas=formulas.Prop31,
        checks=_PROP31_CHECKS,
        mutants=_PROP31_MUTANTS,
    )
)

MATHAI_EQ_12 = register(
    Claim(
        id="mathai/eq-12",
        title="The conditional-expectation field of barycentric interpolation (same statement as otdiff Prop. 3.1)",
        family="flowmatching",
        source=Source("mathai", "eq. (12)"),
        statement=(
            "take a pair $x_0 \\sim \\alpha$ and $x_1 \\sim \\beta$, and define $\\alpha_s$ as the distribution of $(1-s)x_0 + sx_1$. "
            "It can be shown [19] that an admissible vector field is given by a simple conditional expectation:\n"
            "$$v_s(x) = \\mathbb{E}_{x_0 \\sim \\alpha, x_1 \\sim \\beta} (x_1 - x_0 \\mid (1-s)x_0 + sx_1 = x). \\quad (12)$$"
        ),
        assumptions=(
            "'admissible' means that $(\\alpha_s, v_s)$ solves the conservation equation (11), $\\partial_s\\alpha_s + \\mathrm{div}(\\alpha_s v_s) = 0$",
            "$x_0, x_1$ independent (implicit in the printed expectation over $\\alpha \\otimes \\beta$); same checks as otdiff/prop-3.1 with s for t",
        ),
        formulas=formulas.Prop31,
        checks=_PROP31_CHECKS,
        mutants=_PROP31_MUTANTS,
    )
)

CONVOLUTION = register(
    Claim(
        id="otdiff/sec-3.1-convolution",
        title="The stochastic interpolant is the convolution of the rescaled laws",
        family="flowmatching",
        source=Source("otdiff", "§3.1, after the definition of α_t"),
        statement=(
            "An alternative view is that interpolating random vectors corresponds to convolving their laws, i.e. "
            "$\\alpha_t = \\alpha_0^{1-t} * \\alpha_1^t$, where $*$ denotes convolution and $\\alpha_1^t$ is the rescaled distribution, "
            "i.e. the law of $tX_1$."
        ),
        assumptions=("$(X_0, X_1) \\sim \\alpha_0\\otimes\\alpha_1$ (independent); $\\alpha_0^{1-t}$ is the law of $(1-t)X_0$",),
        formulas=formulas.Convolution,
        checks=(
            Check("gaussian-convolution", Kind.SYMBOLIC, derivation.check_convolution_density, "convolution integral of the rescaled Gaussian laws"),
            Check("characteristic-function", Kind.NUMERIC, simulation.check_convolution_characteristic_function, "empirical cf of Z_t vs product of cfs (mixture data)"),
            Check("mixture-convolution", Kind.PROPERTY, properties.check_convolution_property, "quadrature convolution vs the density of Z_t"),
        ),
        mutants=(
            Mutant("scale-swap", "α0^t * α1^{1−t}", formulas.ConvolutionScaleSwap),
            Mutant("sqrt-scales", "scalings √(1−t) and √t", formulas.ConvolutionSqrtScales),
        ),
    )
)

_PROP32_MUTANTS = (
    Mutant("sign-flip", "A_t with +(1−t)Σ0", formulas.Prop32SignFlip),
    Mutant("sigma-linear-weight", "Σ_t with (1−t) in place of (1−t)²", formulas.Prop32SigmaLinearWeight),
    Mutant("transposed", "A_t transposed: Σ_t^{-1}(−(1−t)Σ0 + tΣ1)", formulas.Prop32Transposed),
    Mutant("time-swap", "t and 1−t exchanged", formulas.Prop32TimeSwap),
)

PROP_3_2 = register(
    Claim(
        id="otdiff/prop-3.2",
        title="Gaussian flow matching: interpolated covariance and linear field",
        family="flowmatching",
        source=Source("otdiff", "Proposition 3.2"),
        statement=(
            "If $\\alpha_0 = \\mathcal{N}(0, \\Sigma_0)$ and $\\alpha_1 = \\mathcal{N}(0, \\Sigma_1)$, then for $t \\in [0, 1]$ the interpolant is "
            "Gaussian $\\alpha_t = \\mathcal{N}(0, \\Sigma_t)$ with covariance $\\Sigma_t := (1-t)^2 \\Sigma_0 + t^2 \\Sigma_1$, and the associated "
            "velocity field is linear $v_t(z) = A_t z$ with $A_t = (-(1-t)\\Sigma_0 + t\\Sigma_1)\\Sigma_t^{-1}$."
        ),
        assumptions=("$\\Sigma_0, \\Sigma_1$ symmetric positive definite, so $\\Sigma_t$ is invertible on [0, 1]", "the velocity field is (7)"),
        formulas=formulas.Prop32,
        checks=(
            Check("gaussian-conditioning", Kind.SYMBOLIC, derivation.check_gaussian_conditioning, "Σ_t and A_t from Gaussian conditioning"),
            Check("continuity-equation", Kind.SYMBOLIC, derivation.check_continuity_equation, "Σ̇ = AΣ + ΣAᵀ for the printed pair"),
            Check("regression", Kind.NUMERIC, simulation.check_regression, "least-squares (8) on particles vs A_t"),
            Check("flow-covariance", Kind.NUMERIC, simulation.check_flow_covariance, "particles pushed by v_t have covariance Σ_t"),
            Check("conditioning-d-le-6", Kind.PROPERTY, properties.check_conditioning_property, "drawn pairs in d ≤ 6"),
        ),
        mutants=_PROP32_MUTANTS,
    )
)

SYMMETRY = register(
    Claim(
        id="otdiff/sec-3.3-symmetry",
        title="A_t is symmetric iff Σ0 and Σ1 commute; Σ0 = Id gives a gradient field and the OT map",
        family="flowmatching",
        source=Source("otdiff", "§3.3, after Proposition 3.2"),
        statement=(
            "If the covariance matrices $\\Sigma_0$ and $\\Sigma_1$ do not commute, $A_t$ is not symmetric, and $v_t$ is not a gradient field. "
            "[…] However, when $\\Sigma_0 = \\text{Id}_d$ (a common situation in practice), the flow-matching vector field $v_t$ is a gradient "
            "and coincides with the optimal transport map described in Section 4."
        ),
        assumptions=(
            "'coincides with the optimal transport map' is read as: the time-1 flow map of $v_t$ equals the Brenier map of otdiff Proposition 4.3 (a field and a map cannot be equal)",
            "$t \\in (0, 1)$; at t = 0 and t = 1 the field is symmetric for any pair",
        ),
        formulas=formulas.Prop32,
        checks=(
            Check("asymmetry-identity", Kind.SYMBOLIC, derivation.check_symmetry_identity, "A_t − A_tᵀ = t(1−t)Σ_t⁻¹[Σ0,Σ1]Σ_t⁻¹"),
            Check("commuting-flow-map", Kind.SYMBOLIC, derivation.check_commuting_flow_map, "time-1 map for commuting (incl. Σ0 = Id) pairs"),
            Check("symmetry-numeric", Kind.NUMERIC, simulation.check_symmetry_numeric, "asymmetry resolved; Σ0 = Id flow map vs Brenier"),
            Check("symmetry-fuzz", Kind.PROPERTY, properties.check_symmetry_property, "drawn pairs, d = 2…6"),
        ),
        mutants=(_PROP32_MUTANTS[0], _PROP32_MUTANTS[1], _PROP32_MUTANTS[2]),
    )
)

FM_VS_OT = register(
    Claim(
        id="otdiff/sec-4.2-fm-vs-ot",
        title="Flow-matching and optimal transport maps coincide only for commuting covariances",
        family="flowmatching",
        source=Source("otdiff", "§4.2, after Proposition 4.3"),
        statement=(
            "This proposition shows that, in general, the optimal transport map and the flow-matching map $T(x)$ (Proposition 3.2) are different. "
            "They coincide only when $\\Sigma_0$ and $\\Sigma_1$ commute, which in particular holds when $\\Sigma_0 = \\text{Id}_d$ (see Proposition 3.3)."
        ),
        assumptions=(
            "the flow-matching map is the time-1 flow map of $v_t(z) = A_tz$ (Proposition 3.2); the OT map is Brenier's (Proposition 4.3)",
            "read as an 'if and only if': commuting covariances give equal maps, non-commuting ones different maps",
            "symbolic evidence covers the commuting direction; the non-commuting direction rests on numeric and property evidence (no closed form for the flow of a non-commuting A_t)",
        ),
        formulas=formulas.Prop32,
        checks=(
            Check("commuting-flow-map", Kind.SYMBOLIC, derivation.check_commuting_flow_map, "equal maps for commuting pairs (exact)"),
            Check("maps-compared", Kind.NUMERIC, simulation.check_fm_vs_ot_numeric, "commuting vs non-commuting, against the integration budget"),
            Check("coincidence-fuzz", Kind.PROPERTY, properties.check_fm_vs_ot_property, "hypothesis hunts a non-commuting pair with equal maps"),
        ),
        mutants=(_PROP32_MUTANTS[0], _PROP32_MUTANTS[1]),
    )
)

NONUNIQUENESS = register(nonuniqueness.NONUNIQUENESS)
NONUNIQUENESS_CORRECTED = register(nonuniqueness.NONUNIQUENESS_CORRECTED)
