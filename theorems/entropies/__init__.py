"""Generalised entropies (16) and McCann's condition, otdiff §5.2.

Findings (printed means printed; the flow of (16) is derived from §5.1, δf = g'(ρ)):

- The relation after (16), :math:`s g'(s) = \\tilde g'(s)`, contradicts the paper's own first
  example: with g(s) = s log s it gives :math:`\\tilde g(s) = s^2(2\\log s + 1)/4`, not the heat
  equation of Theorem 5.1.  The flow of (16) is :math:`\\mathrm{div}(\\rho g''(\\rho)\\nabla\\rho)`,
  so :math:`\\tilde g'(s) = s g''(s)` (``otdiff/eq-16/corrected``).
- With the true flow, :math:`g(s) = s^{p-1}/(p-1)` gives
  :math:`\\partial_t\\rho = \\frac{p-2}{p-1}\\Delta\\rho^{p-1}`: slow diffusion only for p > 2; p = 2
  does not move and 1 < p < 2 is a backward diffusion.  The printed range p > 1 is refuted
  (``otdiff/eq-16/porous-medium/corrected``: p > 2).
- McCann's theorem as printed (its hypotheses are stronger than McCann's) holds, but the
  printed example g(s) = s log s does not meet the printed hypothesis 'increasing' (g' < 0 on
  (0, 1/e)); it does meet McCann's own condition (``otdiff/sec-5.2-mccann/examples/corrected``).
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, Verdict, register
from theorems.entropies import derivation, formulas, properties, simulation

__all__ = ["EQ_16", "EQ_16_CORRECTED", "POROUS", "POROUS_CORRECTED", "MCCANN", "MCCANN_EXAMPLES", "MCCANN_EXAMPLES_CORRECTED"]

_FAMILY = "entropies"
_FLOW = (
    "(16): $f(\\alpha) = \\int g(\\frac{d\\alpha}{dx})\\,dx$; its Wasserstein gradient flow is (15) with $\\delta f(\\alpha) = g'(\\rho)$, "
    "$\\rho = d\\alpha/dx$ (otdiff §5.1), i.e. $\\partial_t\\rho = \\mathrm{div}(\\rho\\nabla g'(\\rho))$",
)
_RELATION_CHECKS = (
    Check("flow-of-16", Kind.SYMBOLIC, derivation.check_relation_symbolic, "generic g and ρ, d = 1, 2"),
    Check("grid", Kind.NUMERIC, simulation.check_relation_numeric, "δf of the discretised functional, FD on two grids"),
    Check("relation-fuzz", Kind.PROPERTY, properties.check_relation_property, "drawn g, Gaussian bumps and points"),
)
_STATEMENT_16 = (
    "$$(16) \\quad f(\\alpha) = \\int g\\left(\\frac{d\\alpha}{dx}\\right) dx,$$ for a one-dimensional function $g(s)$, give rise to nonlinear "
    "diffusions of the type $\\frac{\\partial \\alpha_t}{\\partial t} = \\Delta(\\tilde{g}(\\alpha_t))$, where $\\tilde{g}$ is defined by the relation "
    "$s g'(s) = \\tilde{g}'(s)$. For instance, $g(s) = s \\log(s)$ corresponds to Theorem 5.1"
)

EQ_16 = register(Claim(
    id="otdiff/eq-16",
    title="Generalised entropies: the flow of (16) is Δ(g̃(α)) with s g'(s) = g̃'(s) (as printed)",
    family=_FAMILY,
    source=Source("otdiff", "§5.2, eq. (16) and the sentence after it"),
    statement=_STATEMENT_16,
    assumptions=_FLOW,
    formulas=formulas.Eq16,
    checks=_RELATION_CHECKS,
    mutants=(
        Mutant("no-s", "g̃' = g'", formulas.Eq16NoS),
        Mutant("s-squared", "g̃' = s² g''", formulas.Eq16SecondDerivativeSquared),
    ),
    expected=Verdict.REFUTED,
    corrected_by="otdiff/eq-16/corrected",
    notes=(
        "REFUTED as printed, by the paper's own example: for $g(s) = s\\log s$ the relation gives $\\tilde g(s) = s^2(2\\log s + 1)/4$, so the "
        "claimed flow is $\\Delta(\\rho^2(2\\log\\rho + 1)/4)$ instead of the heat equation $\\Delta\\rho$ of Theorem 5.1; at $\\rho = 2e^{-x^2/2}$, "
        "$x = 0$: flow $-2$, claimed $-4 - 4\\log 2$. The flow of (16) is $\\mathrm{div}(\\rho g''(\\rho)\\nabla\\rho)$, i.e. $\\tilde g'(s) = s g''(s)$ "
        "($\\tilde g = sg' - g$, the pressure). The printed relation would hold for $f = \\int g(\\rho)\\,d\\alpha$ with $g = \\log$, a different (16)."
    ),
))

EQ_16_CORRECTED = register(Claim(
    id="otdiff/eq-16/corrected",
    title="Generalised entropies: the flow of (16) is Δ(g̃(α)) with g̃'(s) = s g''(s) (corrected)",
    family=_FAMILY,
    source=Source("otdiff", "§5.2, the relation after (16) (corrected)"),
    statement=("For $f(\\alpha) = \\int g(\\frac{d\\alpha}{dx})\\,dx$, the Wasserstein gradient flow is $\\partial_t\\alpha_t = \\Delta(\\tilde g(\\alpha_t))$ with "
               "$$\\tilde g'(s) = s\\,g''(s)$$ (equivalently $\\tilde g(s) = s g'(s) - g(s)$); $g(s) = s\\log s$ gives $\\tilde g(s) = s$, Theorem 5.1."),
    assumptions=_FLOW,
    formulas=formulas.Eq16Corrected,
    checks=_RELATION_CHECKS,
    mutants=(
        Mutant("as-printed", "g̃' = s g'", formulas.Eq16CorrectedAsPrinted),
        Mutant("s-squared", "g̃' = s² g''", formulas.Eq16CorrectedSSquared),
        Mutant("no-s", "g̃' = g''", formulas.Eq16CorrectedNoS),
    ),
    corrects="otdiff/eq-16",
))

_POROUS_CHECKS = (
    Check("coefficients", Kind.SYMBOLIC, derivation.check_porous_symbolic, "∂ρ = cΔρ^m, c and m over the range"),
    Check("second-moment", Kind.NUMERIC, simulation.check_porous_numeric, "d/dt∫x²ρ of the flow from N(0, 1), quadrature"),
    Check("range-fuzz", Kind.PROPERTY, properties.check_porous_property, "drawn p in the range"),
)

POROUS = register(Claim(
    id="otdiff/eq-16/porous-medium",
    title="g(s) = s^{p−1}/(p−1), p > 1, yields the porous medium (slow diffusion) equation (as printed)",
    family=_FAMILY,
    source=Source("otdiff", "§5.2, after (16)"),
    statement="$g(s) = s^{p-1}/(p-1)$ with $p > 1$ yields the porous medium (slow diffusion) equation [64].",
    assumptions=_FLOW + ("'porous medium (slow diffusion) equation': $\\partial_t\\rho = c\\,\\Delta(\\rho^m)$ with $c > 0$, $m > 1$",),
    formulas=formulas.PorousMedium,
    checks=_POROUS_CHECKS,
    mutants=(Mutant("from-half", "the range p > 1/2", formulas.PorousMediumFromHalf),),
    expected=Verdict.REFUTED,
    corrected_by="otdiff/eq-16/porous-medium/corrected",
    notes=(
        "REFUTED as printed: the flow of (16) with $g(s) = s^{p-1}/(p-1)$ is $\\partial_t\\rho = \\frac{p-2}{p-1}\\Delta(\\rho^{p-1})$. "
        "At $p = 2$, $g(s) = s$ and f is the mass: nothing moves; for $1 < p < 2$ the coefficient is negative (p = 3/2: "
        "$\\partial_t\\rho = -\\Delta\\sqrt\\rho$), a backward, ill-posed diffusion that concentrates mass (from N(0, 1), $d/dt\\int x^2\\rho < 0$). "
        "Slow diffusion holds exactly for $p > 2$. (With the printed relation $sg' = \\tilde g'$ the example would read $\\Delta(\\rho^p/p)$, "
        "slow diffusion for p > 1 — the printed range matches the refuted relation, not the flow.)"
    ),
))

POROUS_CORRECTED = register(Claim(
    id="otdiff/eq-16/porous-medium/corrected",
    title="g(s) = s^{p−1}/(p−1) yields slow diffusion ∂ρ = ((p−2)/(p−1))Δρ^{p−1} exactly for p > 2 (corrected)",
    family=_FAMILY,
    source=Source("otdiff", "§5.2, after (16) (corrected range)"),
    statement="$g(s) = s^{p-1}/(p-1)$ with $p > 2$ yields the porous medium (slow diffusion) equation $\\partial_t\\rho = \\frac{p-2}{p-1}\\Delta(\\rho^{p-1})$.",
    assumptions=_FLOW,
    formulas=formulas.PorousMediumCorrected,
    checks=_POROUS_CHECKS + (
        Check("jko-barenblatt", Kind.NUMERIC, simulation.check_porous_jko, "Lagrangian JKO particles (p = 3) vs the Barenblatt solution"),
    ),
    mutants=(
        Mutant("as-printed", "the range p > 1", formulas.PorousMediumCorrectedAsPrinted),
        Mutant("from-three-halves", "the range p > 3/2", formulas.PorousMediumCorrectedFromThreeHalves),
    ),
    corrects="otdiff/eq-16/porous-medium",
))

MCCANN = register(Claim(
    id="otdiff/sec-5.2-mccann",
    title="McCann's condition: geodesic convexity of (16) (as printed)",
    family=_FAMILY,
    source=Source("otdiff", "§5.2, McCann [60]"),
    statement=(
        "A celebrated and non-trivial theorem by McCann [60] states that a functional of the form (16), with $g : \\mathbb{R}^+ \\rightarrow \\mathbb{R}$, "
        "is geodesically convex on $\\mathcal{P}(\\mathbb{R}^d)$ provided that $g(0) = 0$, $g$ is convex, increasing, super-linear, and the map "
        "$s \\mapsto g(s^{-d})s^d$ is convex and decreasing. In particular, if $(\\alpha_t)_{t \\in [0,1]}$ is a Benamou–Brenier geodesic solving (11), "
        "then the function $t \\mapsto f(\\alpha_t)$ is convex."
    ),
    assumptions=(
        "checked on geodesics where f(α_t) is explicit: dilations of uniform laws and Bures geodesics between Gaussians (d ≤ 3)",
        "candidate entropies: s², s^{3/2}, s log s and a piecewise g_pw (convex, increasing, super-linear, g(0) = 0, linear on [1, 2]) that "
        "fails the last condition for d ≥ 2: without that condition the conclusion fails (its mutants)",
    ),
    formulas=formulas.McCann,
    checks=(
        Check("dilations", Kind.SYMBOLIC, derivation.check_mccann_symbolic, "exact second derivative along dilation geodesics"),
        Check("geodesics", Kind.NUMERIC, simulation.check_mccann_numeric, "second differences along dilations and Bures geodesics"),
        Check("convexity-fuzz", Kind.PROPERTY, properties.check_mccann_property, "drawn g, d, density and t"),
    ),
    mutants=(
        Mutant("no-last-condition", "the condition on s ↦ g(s^{-d})s^d dropped", formulas.McCannNoLastCondition),
        Mutant("one-dimensional", "the last condition taken with d = 1", formulas.McCannOneDimensional),
    ),
    notes=("The printed hypotheses are stronger than McCann's (he needs only g(0) = 0 and $s\\mapsto s^dg(s^{-d})$ convex non-increasing), "
           "so the printed theorem holds; the example s log s does not meet them (otdiff/sec-5.2-mccann/examples)."),
))

_EXAMPLE_CHECKS = (
    Check("conditions", Kind.SYMBOLIC, derivation.check_examples_symbolic, "each condition exactly (solveset on (0, ∞)), d ≤ 3"),
    Check("conditions-grid", Kind.NUMERIC, simulation.check_examples_numeric, "each condition on a log grid of s"),
    Check("examples-fuzz", Kind.PROPERTY, properties.check_examples_property, "drawn example, q, d and s"),
)

MCCANN_EXAMPLES = register(Claim(
    id="otdiff/sec-5.2-mccann/examples",
    title="The examples s^q (q > 1) and s log s satisfy McCann's printed conditions (as printed)",
    family=_FAMILY,
    source=Source("otdiff", "§5.2, after McCann's theorem"),
    statement="Examples of such $g$ include $g(s) = s^q$ for $q > 1$ and the Shannon entropy $g(s) = s \\log(s)$.",
    assumptions=("'such g': g meeting the printed conditions of otdiff/sec-5.2-mccann (g(0) = 0 as the limit at 0⁺)",),
    formulas=formulas.McCannExamples,
    checks=_EXAMPLE_CHECKS,
    mutants=(Mutant("q-from-half", "s^q for q > 1/2", formulas.McCannExamplesQFromHalf),),
    expected=Verdict.REFUTED,
    corrected_by="otdiff/sec-5.2-mccann/examples/corrected",
    notes=("REFUTED as printed: $g(s) = s\\log s$ is not increasing — $g'(s) = \\log s + 1 < 0$ on $(0, 1/e)$, e.g. $g'(1/(2e)) = -\\log 2$. "
           "It meets every other printed condition, and McCann's own hypothesis (no monotonicity), under which the entropy is displacement convex."),
))

MCCANN_EXAMPLES_CORRECTED = register(Claim(
    id="otdiff/sec-5.2-mccann/examples/corrected",
    title="s^q (q > 1) and s log s satisfy McCann's own condition (corrected)",
    family=_FAMILY,
    source=Source("otdiff", "§5.2, after McCann's theorem (McCann's hypothesis)"),
    statement=("$g(s) = s^q$ ($q > 1$) and $g(s) = s\\log s$ satisfy McCann's condition: $g(0) = 0$ and $s \\mapsto s^d g(s^{-d})$ convex and "
               "non-increasing on $(0, \\infty)$, for every $d$; hence (16) is geodesically convex for them."),
    assumptions=("McCann (1997), 'A convexity principle for interacting gases': no monotonicity or super-linearity of g is needed",),
    formulas=formulas.McCannExamplesCorrected,
    checks=_EXAMPLE_CHECKS,
    mutants=(
        Mutant("with-increasing", "the printed 'increasing' kept", formulas.McCannExamplesCorrectedWithIncreasing),
        Mutant("q-from-half", "s^q for q > 1/2", formulas.McCannExamplesCorrectedQFromHalf),
    ),
    corrects="otdiff/sec-5.2-mccann/examples",
))
