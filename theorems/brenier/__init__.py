"""otdiff §4.1, Static Optimal Transport: the Monge problem (9), the Kantorovich relaxation
(10) and π* = (Id, T)♯α0, Brenier's theorem (Theorem 4.1) checked in one dimension and for
Gaussians, the monotonicity of the optimal map, and the one-dimensional increasing
rearrangement.

Findings (printed means printed):

- Theorem 4.1 as printed asserts "a unique T = ∇φ such that T♯α0 = α1" with no condition on φ.
  This is false: the convexity of φ, stated in the sentence before the theorem, is missing.
  Minimal counterexample: d = 1, α0 = α1 = N(0, 1): T(x) = x = ∇(x²/2) and T(x) = −x = ∇(−x²/2)
  both push α0 to α1, and the second costs 4 > 0 in (9).  With φ convex the statement is
  Brenier's theorem, verified in one dimension and for Gaussians (otdiff/thm-4.1/corrected).
- Everything else in §4.1 holds as printed: (9) = (10) with π* = (Id, T)♯α0 optimal when an
  optimal map exists; T = ∇(convex) is monotone, and in d ≥ 2 not every monotone map is such a
  gradient (a rotation by less than π/2 is monotone but not cyclically monotone); in one
  dimension T = F1⁻¹∘F0 is the unique increasing pushforward.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, Verdict, register
from theorems.brenier import derivation, formulas, properties, simulation

__all__ = ["EQ_10", "MONOTONE", "REARRANGEMENT_1D", "THM_4_1", "THM_4_1_CORRECTED"]

_FAMILY = "brenier"
_P2 = "$\\alpha_0, \\alpha_1 \\in \\mathcal P_2(\\mathbb R^d)$ (finite second moments), as §4.1 assumes throughout"

EQ_10 = register(
    Claim(
        id="otdiff/eq-10",
        title="Monge (9) and Kantorovich (10): π* = (Id, T)♯α0 is an optimal coupling and the values coincide when an optimal map exists",
        family=_FAMILY,
        source=Source("otdiff", "§4.1, eqs. (9)–(10) and the sentence after (10)"),
        statement=(
            "the *Monge problem* seeks a measurable map $T : \\mathbb{R}^d \\rightarrow \\mathbb{R}^d$ that transports $\\alpha_0$ to $\\alpha_1$, "
            "$T_\\sharp \\alpha_0 = \\alpha_1$, while minimizing the quadratic transportation cost:\n"
            "$$(9) \\quad \\inf_{T_\\sharp \\alpha_0 = \\alpha_1} \\int_{\\mathbb{R}^d} \\|x - T(x)\\|^2 d\\alpha_0(x).$$\n"
            "[…] The Kantorovich relaxation reads\n"
            "$$(10) \\quad W_2(\\alpha_0, \\alpha_1)^2 = \\inf_{\\pi \\in \\Pi(\\alpha_0, \\alpha_1)} \\iint \\|x - y\\|^2 d\\pi(x, y).$$\n"
            "When an optimal Monge map $T$ exists, it induces an optimal coupling $\\pi^* = (\\text{Id}, T)_\\sharp \\alpha_0$, and the values of (9) "
            "and (10) coincide."
        ),
        assumptions=(
            _P2,
            "checked on discrete measures (every map between equally weighted n-point clouds is a permutation, so (9) is a finite minimum; (10) is "
            "a linear programme, solved exactly with a dual certificate and by ot.emd), and on samples of Gaussians and of Exp(1) → N(0, 1), where "
            "the sample image of the optimal map gives a Monge map between empirical measures",
            "the remarks that (9) may have no solution or an empty constraint set are illustrated by δ0 → ½(δ−1 + δ1): (9) = +∞, (10) = 1",
        ),
        formulas=formulas.Kantorovich,
        checks=(
            Check("exact-dual-certificate", Kind.SYMBOLIC, derivation.check_kantorovich_symbolic, "rational atoms: (Id, T)♯α0 certified optimal by exact dual potentials; (9) = (10)"),
            Check("emd-on-samples", Kind.NUMERIC, simulation.check_kantorovich_numeric, "ot.emd plan = (Id, T)♯α0, (9) = (10) to rounding, both ≈ W2²"),
            Check("discrete-fuzz", Kind.PROPERTY, properties.check_kantorovich_property, "drawn clouds n ≤ 4: brute-force (9) = ot.emd2 (10)"),
        ),
        mutants=(
            Mutant("coupling-transposed", "π* = (T, Id)♯α0 (the pair in the wrong order)", formulas.KantorovichTransposed),
            Mutant("cost-unsquared", "(10) with ‖x − y‖ in place of ‖x − y‖² (the W1 problem)", formulas.KantorovichUnsquared),
            Mutant("independent-coupling", "π* = α0 ⊗ α1 (the independent coupling of flow matching)", formulas.KantorovichIndependent),
        ),
        notes=(
            "TRUE as printed. If T is optimal for (9), then for every coupling π the value of (10) is at most the cost of π* = (Id, T)♯α0, which is the "
            "value of (9); conversely every map gives a coupling, so (10) ≤ (9), and equality holds when (Id, T)♯α0 is optimal — which the checks "
            "certify exactly (Bellman–Ford dual potentials) on rational instances and by ot.emd on samples. Minimal case against the transposed "
            "coupling: three atoms 0, 1, 2 → 5/2, 1/2, 3/2 (the optimal map is a 3-cycle; (T, Id)♯α0 costs 9/4 > 1/4)."
        ),
    )
)

MONOTONE = register(
    Claim(
        id="otdiff/sec-4.1-monotone",
        title="The optimal map is the gradient of a convex function, hence monotone; in d ≥ 2 not every monotone map is such a gradient",
        family=_FAMILY,
        source=Source("otdiff", "§4.1, the paragraph before Theorem 4.1"),
        statement=(
            "In particular, it shows that $T$ is the gradient of a convex function, and hence a monotone map in the sense that "
            "$\\langle T(x) - T(y), x - y \\rangle \\geq 0$ for all $(x, y) \\in \\mathbb{R}^d$. In one dimension, $T$ reduces to the unique increasing "
            "map pushing $\\alpha_0$ to $\\alpha_1$. In higher dimensions, however, the situation is more subtle, since not every monotone map is the "
            "gradient of a convex function."
        ),
        assumptions=(
            "T the optimal map; checked for Gaussians $\\alpha_i = \\mathcal N(0, \\Sigma_i)$, $\\Sigma_0 \\succ 0$, where T is the map of otdiff "
            "Proposition 4.3 (imported from the bures family): $T = \\nabla\\phi$, $\\phi(x) = \\frac12 x^\\top A x$",
            "'for all $(x, y) \\in \\mathbb R^d$' read as $x, y \\in \\mathbb R^d$ (a pair in $\\mathbb R^d \\times \\mathbb R^d$)",
            "the one-dimensional sentence is its own claim, otdiff/sec-4.1-brenier-1d",
            "'not every monotone map is the gradient of a convex function': witnessed by rotations by less than π/2 (monotone, curl ≠ 0, not cyclically "
            "monotone); in d = 1 every nondecreasing map is the derivative of its convex primitive",
        ),
        formulas=formulas.MonotoneGradient,
        checks=(
            Check("exact-gaussian-maps", Kind.SYMBOLIC, derivation.check_monotone_symbolic, "exact pairs: A = Aᵀ ⪰ 0, AΣ0A = Σ1, pairing a PSD form; rotation witness"),
            Check("emd-cyclical-monotonicity", Kind.NUMERIC, simulation.check_monotone_numeric, "ot.emd keeps x_i ↦ Tx_i, beats a monotone rotation"),
            Check("monotone-fuzz", Kind.PROPERTY, properties.check_monotone_property, "drawn pairs d ≤ 3, points, rotation angles"),
        ),
        mutants=(
            Mutant("pairing-sign", "⟨T(x) − T(y), y − x⟩ ≥ 0", formulas.MonotonePairingSign),
            Mutant("knothe-map", "the Knothe–Rosenblatt map L1L0⁻¹ (a pushforward with non-symmetric A)", formulas.MonotoneKnothe),
            Mutant("converse-always", "every monotone map is the gradient of a convex function, in every dimension", formulas.MonotoneConverseAlways),
        ),
        notes=(
            "TRUE as printed. For φ convex and C², $\\langle\\nabla\\phi(x) - \\nabla\\phi(y), x - y\\rangle = \\int_0^1 (x - y)^\\top\\nabla^2\\phi(y + s(x - y))(x - y)\\,ds \\ge 0$; "
            "for the Gaussian map the pairing is $(x - y)^\\top A(x - y)$ with A ⪰ 0. The rotation by angle θ, |θ| < π/2, satisfies "
            "$\\langle R(x) - R(y), x - y\\rangle = \\cos\\theta\\,|x - y|^2 \\ge 0$ but is not a gradient (curl 2 sin θ) and, by Rockafellar's theorem, "
            "not contained in the subdifferential of a convex function: ot.emd beats its matching on a sample."
        ),
    )
)

REARRANGEMENT_1D = register(
    Claim(
        id="otdiff/sec-4.1-brenier-1d",
        title="In one dimension the optimal map is the unique increasing map pushing α0 to α1, T = F1⁻¹∘F0",
        family=_FAMILY,
        source=Source("otdiff", "§4.1, the paragraph before Theorem 4.1 (one dimension)"),
        statement="In one dimension, $T$ reduces to the unique increasing map pushing $\\alpha_0$ to $\\alpha_1$.",
        assumptions=(
            _P2,
            "α0 without atoms (Theorem 4.1 assumes a density); the increasing map is $T = F_1^{-1}\\circ F_0$ with $F_i$ the distribution functions "
            "and $F_1^{-1}$ the quantile function, 'increasing' meaning nondecreasing",
            "optimality is checked against POT's exact ot.emd (the sorted matching) and the quantile formula "
            "$W_2^2 = \\int_0^1|F_0^{-1}(u) - F_1^{-1}(u)|^2du$",
        ),
        formulas=formulas.Rearrangement1D,
        checks=(
            Check("exact-rearrangement", Kind.SYMBOLIC, derivation.check_rearrangement_symbolic, "exact laws: T' ≥ 0, F1∘T = F0, cost = quantile W2²"),
            Check("emd-sorted-matching", Kind.NUMERIC, simulation.check_rearrangement_numeric, "KS pushforward, cost vs quantile W2², ot.emd sorted matching"),
            Check("rearrangement-fuzz", Kind.PROPERTY, properties.check_rearrangement_property, "drawn laws and points: monotone, F1∘T = F0, cyclically monotone"),
        ),
        mutants=(
            Mutant("decreasing", "the anti-monotone rearrangement F1⁻¹∘(1 − F0)", formulas.Rearrangement1DDecreasing),
            Mutant("inverse-order", "T = F0⁻¹∘F1 (composition in the wrong order)", formulas.Rearrangement1DInverse),
            Mutant("moment-matching", "the Gaussian map m1 + (s1/s0)(x − m0) beyond Gaussians", formulas.Rearrangement1DMomentMatching),
        ),
        notes=(
            "TRUE as printed. T = F1⁻¹∘F0 is nondecreasing and F1(T(x)) = F0(x), so T♯α0 = α1; any nondecreasing S with S♯α0 = α1 satisfies "
            "F1(S(x)) = F0(x) wherever S is strictly increasing, hence S = T α0-a.e. Its cost is the quantile formula (substitute u = F0(x)), and "
            "the sorted matching that ot.emd returns between samples is the empirical version of the same coupling. Minimal counterexamples: "
            "U[0, 1] → U[0, 1] for the decreasing map (T(x) = 1 − x); U[0, 1] → F(x) = x² for F0⁻¹∘F1 (T(x) = x² gives F1(T(x)) = x⁴)."
        ),
    )
)

_THM_STATEMENT = (
    "**Theorem 4.1** (Brenier [10]). *Assume $\\alpha_0$ is absolutely continuous with respect to Lebesgue measure on $\\mathbb{R}^d$. Then there is "
    "a unique $T = \\nabla \\phi$ such that $T_\\sharp \\alpha_0 = \\alpha_1$ and this $T$ is the unique solution to Monge problem (9).*"
)
_THM_ASSUMPTIONS = (
    _P2,
    "checked in one dimension (uniform, F(x) = x², exponential and normal laws) and for centred Gaussians in d = 1, 2 (exact) and d ≤ 3 (drawn)",
    "the maps that push α0 to α1 are enumerated: for Gaussians every linear gradient pushforward (the symmetric solutions of AΣ0A = Σ1, 2^d of "
    "them when the eigenvalues of $\\Sigma_0^{1/2}\\Sigma_1\\Sigma_0^{1/2}$ are simple) and non-gradient ones $A_+\\Sigma_0^{1/2}U\\Sigma_0^{-1/2}$; in 1-D "
    "the increasing and decreasing rearrangements; 'unique' is tested among these",
)
_THM_MUTANTS = (
    Mutant("concave-potential", "uniqueness among gradients of concave φ (selects the anti-monotone map)", formulas.Brenier41Concave),
    Mutant("monotone-map", "'T monotone' in place of 'T = ∇φ, φ convex'", formulas.Brenier41Monotone),
)

THM_4_1 = register(
    Claim(
        id="otdiff/thm-4.1",
        title="Brenier's theorem as printed: a unique T = ∇φ (φ unrestricted) pushes α0 to α1 and solves (9)",
        family=_FAMILY,
        source=Source("otdiff", "Theorem 4.1"),
        statement=_THM_STATEMENT,
        assumptions=(*_THM_ASSUMPTIONS, "as printed, φ is any (differentiable) function: T = ∇φ means a gradient map, i.e. a symmetric Jacobian"),
        formulas=formulas.Brenier41,
        checks=(
            Check("exact-gradient-pushforwards", Kind.SYMBOLIC, derivation.check_brenier_symbolic, "exact pairs: count admissible pushforwards, costs, Proposition 4.3"),
            Check("emd-on-samples", Kind.NUMERIC, simulation.check_brenier_numeric, "admissible pushforwards on samples: ot.emd, cost vs W2²"),
            Check("gradient-pushforward-fuzz", Kind.PROPERTY, properties.check_brenier_property, "drawn pairs, sign patterns and rotations"),
        ),
        mutants=_THM_MUTANTS,
        expected=Verdict.REFUTED,
        corrected_by="otdiff/thm-4.1/corrected",
        notes=(
            "REFUTED as printed: without 'φ convex' neither uniqueness holds. Minimal counterexample: d = 1, α0 = α1 = N(0, 1). Both T(x) = x = ∇(x²/2) "
            "and T(x) = −x = ∇(−x²/2) push α0 to α1; the second costs ∫|x − (−x)|² dα0 = 4 > 0 = the cost of the first, so it does not solve (9). "
            "Every map of the line is a gradient, so in 1-D the decreasing rearrangement F1⁻¹∘(1 − F0) is always a second 'T = ∇φ' (for "
            "Exp(1) → N(0, 1) it costs 4.806 against W2² = 1.194); for Gaussians in d dimensions the 2^d symmetric solutions of AΣ0A = Σ1 all are. "
            "The sentence before the theorem has the convexity ('T is the gradient of a convex function'); restoring it gives Brenier's theorem, "
            "otdiff/thm-4.1/corrected."
        ),
    )
)

THM_4_1_CORRECTED = register(
    Claim(
        id="otdiff/thm-4.1/corrected",
        title="Brenier's theorem (corrected): a unique T = ∇φ with φ convex pushes α0 to α1, and it is the unique solution of (9)",
        family=_FAMILY,
        source=Source("otdiff", "Theorem 4.1 (corrected: φ convex, as in the sentence before it)"),
        statement=(
            "Assume $\\alpha_0, \\alpha_1 \\in \\mathcal P_2(\\mathbb R^d)$ and $\\alpha_0$ absolutely continuous with respect to Lebesgue measure. Then there is "
            "a unique (α0-a.e.) $T = \\nabla\\phi$ **with $\\phi$ convex** such that $T_\\sharp\\alpha_0 = \\alpha_1$, and this $T$ is the unique solution to "
            "the Monge problem (9)."
        ),
        assumptions=(*_THM_ASSUMPTIONS, "φ convex: the Jacobian ∇²φ of T is symmetric positive semidefinite"),
        formulas=formulas.Brenier41Corrected,
        checks=(
            Check("exact-gradient-pushforwards", Kind.SYMBOLIC, derivation.check_brenier_symbolic, "exact pairs: one admissible pushforward, the cheapest, Proposition 4.3's"),
            Check("emd-on-samples", Kind.NUMERIC, simulation.check_brenier_numeric, "the admissible map: ot.emd keeps its matching, cost = W2²"),
            Check("gradient-pushforward-fuzz", Kind.PROPERTY, properties.check_brenier_property, "drawn pairs, sign patterns and rotations"),
        ),
        mutants=_THM_MUTANTS,
        corrects="otdiff/thm-4.1",
        notes=(
            "VERIFIED (in 1-D and for Gaussians). In 1-D the gradients of convex functions are the nondecreasing maps and the only nondecreasing "
            "pushforward is F1⁻¹∘F0 (otdiff/sec-4.1-brenier-1d); for Gaussians the only symmetric positive semidefinite solution of AΣ0A = Σ1 is the "
            "map of Proposition 4.3, the cheapest of all linear pushforwards, and ot.emd keeps its matching on samples (cyclical monotonicity)."
        ),
    )
)
