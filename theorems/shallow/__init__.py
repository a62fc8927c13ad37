"""mlcontrol §2.3–§2.6 and the opening of §3: exact representation by shallow ReLU networks,
the no-gap relaxation (Theorem 2.1), the generalisation bound (Theorem 2.2) and condensation.

Findings (printed means printed, Ω the unit ball of :math:`\\mathbb R^{d+1}`):

- exact representation with P ≥ N, Theorem 2.1 (no gap, at most N atoms, values independent of
  P ≥ N) and the condensation sentence hold as printed;
- the sentence of §2.3 that "generically with respect to (a_j, b_j)" interpolating weights exist
  is false: neurons inactive on every input form an open set of Ω, so the parameters without
  weights have positive probability (x = 0, P = 1: one half; x = (0, 1), P = 2: 41/64);
- (2.11) of Theorem 2.2 is false: the graph map x ↦ (x, f(x)) is √(1 + Lip²)-Lipschitz, not
  Lip-Lipschitz.  Train {(0, 0), (1, 1)}, test {(0, 1), (2, −2)}, f = σ(x): left side 5/2, right
  side 1 + √2.  (2.13) holds as printed.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, Verdict, register
from theorems.shallow import derivation, formulas, generalization, properties, simulation

__all__ = ["REPRESENTATION", "GENERIC", "GENERIC_CORRECTED", "NO_GAP", "CONDENSATION", "THM_2_2", "THM_2_2_CORRECTED"]

_FAMILY = "shallow"
_SETTING = (
    "σ = ReLU, Ω the closed unit ball of $\\mathbb R^{d+1}$ (a compact set containing a neighbourhood of 0, as §2.2 asks; "
    "Theorem 2.2 takes the unit ball)",
    "a consistent data set: the inputs $x_i \\in \\mathbb R^d$ are distinct; labels $y_i \\in \\mathbb R$",
)

REPRESENTATION = register(
    Claim(
        id="mlcontrol/sec-2.3-exact-representation",
        title="Shallow ReLU networks with P ≥ N neurons interpolate every consistent data set of N points",
        family=_FAMILY,
        source=Source("mlcontrol", "§2.3 Exact representation, eq. (2.3)"),
        statement=(
            "when $\\sigma$ is continuous, $\\sigma(s)=0$ for $s\\leq 0$, and $\\sigma(s)>0$ for $s>0$ (for instance the ReLU), and $\\Omega$ is a compact "
            "subset of $\\mathbb{R}^{d+1}$ containing a neighborhood of 0, for any consistent dataset $\\{(x_{i},y_{i})\\}_{i\\in[N]}\\subset\\mathbb{R}^{d+1}$, "
            "and $P\\geq N$, there exists $\\Theta\\in(\\mathbb{R}\\times\\Omega)^{P}$ such that, $f_{\\textnormal{shallow}}$ as in (2.1) satisfies\n"
            "$$f_{\\textnormal{shallow}}(x_{i},\\Theta)=y_{i},\\,\\forall i\\in[N]. \\qquad (2.3)$$\n"
            "[…] In some particular cases, exact representation might be achieved with fewer neurons. But, according to the theorem, $P=N$ suffices "
            "for all consistent datasets of $N$ pairs."
        ),
        assumptions=(*_SETTING, "checked for the ReLU; zero-weight neurons pad a network to any P > N"),
        formulas=formulas.ExactRepresentation,
        checks=(
            Check("exact-construction", Kind.SYMBOLIC, derivation.check_representation_symbolic, "rational data, d = 1, 2, 3: exact interpolant in the unit ball"),
            Check("float-construction", Kind.NUMERIC, simulation.check_representation_numeric, "N up to 20 (40 thorough), ill-conditioned inputs; residual vs rounding bound"),
            Check("representation-fuzz", Kind.PROPERTY, properties.check_representation_property, "drawn data sets N ≤ 20, d ≤ 3"),
        ),
        mutants=(
            Mutant("width-n-minus-1", "P = N − 1 always suffices", formulas.WidthNMinusOne),
            Mutant("width-per-dimension", "P = ⌈N/(d+1)⌉ always suffices (§3's under-parameterised regime, reached only sometimes)", formulas.WidthPerDimension),
        ),
        notes=(
            "TRUE as printed. Proof used by the checks: on a direction u separating the inputs, kinks between consecutive projections make the feature "
            "matrix lower triangular with positive diagonal; positive homogeneity of the ReLU scales each neuron into Ω. Minimal case against "
            "narrower networks: x = (0, 1), y = (1, −1) needs two neurons, since one neuron w·σ(·) has the sign of w."
        ),
    )
)

GENERIC = register(
    Claim(
        id="mlcontrol/sec-2.3-exact-representation/generic",
        title="'Generically in (a_j, b_j), the features are independent and interpolating weights exist'",
        family=_FAMILY,
        source=Source("mlcontrol", "§2.3 Exact representation, the paragraph after (2.3)"),
        statement=(
            "The choice of the parameters $\\Theta$ assuring exact representation is not unique. Indeed, generically with respect to "
            "$\\{(a_{j},b_{j})\\}_{j\\in[P]}$, the basis functions involved are linearly independent, and the existence of weights "
            "$\\{w_{j}\\}_{j\\in[P]}$ assuring (2.3) is then guaranteed. We are therefore in the regime known as overparameterized."
        ),
        assumptions=(
            *_SETTING,
            "P ≥ N (the regime of the paragraph); 'generically' read as: for all $(a_j, b_j)$ outside a null set of $\\Omega^P$ — equivalently, with "
            "probability one for parameters drawn from a density (uniform on $\\Omega^P$ in the checks); the weaker reading 'outside a closed nowhere "
            "dense set' fails too, since the bad set contains an open set",
        ),
        formulas=formulas.GenericWeights,
        checks=(
            Check("exact-probabilities", Kind.SYMBOLIC, derivation.check_generic_symbolic, "Pr[weights exist] exactly for x = 0 and x = (0, 1)"),
            Check("monte-carlo", Kind.NUMERIC, simulation.check_generic_numeric, "uniform neurons in the unit ball, rank of the features"),
            Check("dead-ball", Kind.PROPERTY, properties.check_generic_property, "drawn data: an open ball of Ω where every neuron is inactive"),
        ),
        mutants=(Mutant("strictly-over", "probability one only for P > N (no claim at P = N)", formulas.GenericStrictlyOver),),
        expected=Verdict.REFUTED,
        corrected_by="mlcontrol/sec-2.3-exact-representation/generic/corrected",
        notes=(
            "REFUTED. A neuron with $\\langle a, x_i\\rangle + b < 0$ for every i contributes the zero feature, and that condition is open: around "
            "$(a, b) = (0, -\\tfrac12)$ a ball of radius $\\rho = \\min(\\tfrac12, 1/(2\\max_i|(x_i, 1)|))$ of such neurons. With every neuron there no weights "
            "fit non-zero labels, so the set of parameters without interpolating weights has probability at least $\\rho^{(d+1)P} > 0$. Minimal "
            "counterexample: d = 1, N = P = 1, x = 0: weights exist iff b > 0, probability 1/2. For x = (0, 1) and P = 2 the exact probability is 23/64. "
            "The non-uniqueness of Θ and the existence of interpolants (the surrounding claims) are true."
        ),
    )
)

GENERIC_CORRECTED = register(
    Claim(
        id="mlcontrol/sec-2.3-exact-representation/generic/corrected",
        title="Corrected: the parameters with interpolating weights, and those without, both have positive measure",
        family=_FAMILY,
        source=Source("mlcontrol", "§2.3 Exact representation, the paragraph after (2.3) (corrected)"),
        statement=(
            "For $P \\geq N$ and $(a_j, b_j)$ uniform on $\\Omega^P$:\n"
            "$$0 < \\rho_\\star^{(d+1)N} \\leq \\Pr\\big[\\exists\\, w:\\ f_{\\textnormal{shallow}}(x_i, \\Theta) = y_i\\ \\forall i\\big] \\leq 1 - \\rho^{(d+1)P} < 1,$$\n"
            "$\\rho = \\min(\\tfrac12, 1/(2\\max_i|z_i|))$, $z_i = (x_i, 1)$; $\\rho_\\star = s_\\star/(2\\sqrt N\\|Z\\|_F)$ with $s_\\star$ the smallest "
            "singular value of the features of the constructive interpolant scaled to norm ½. The set of good parameters is open and non-empty, "
            "and so is the set of bad ones."
        ),
        assumptions=_SETTING,
        formulas=formulas.GenericWeightsCorrected,
        checks=(
            Check("exact-probabilities", Kind.SYMBOLIC, derivation.check_generic_symbolic, "exact probabilities inside the bracket"),
            Check("monte-carlo", Kind.NUMERIC, simulation.check_generic_numeric, "Monte Carlo probabilities inside the bracket"),
            Check("dead-ball", Kind.PROPERTY, properties.check_generic_property, "the dead ball on drawn data"),
        ),
        mutants=(Mutant("null-above-2n", "with P ≥ 2N neurons the bad set becomes null", formulas.GenericAboveTwoN),),
        corrects="mlcontrol/sec-2.3-exact-representation/generic",
        notes="VERIFIED: the upper bound by the dead ball, the lower bound by the stability of the constructive interpolant (the ReLU features are |z_i|-Lipschitz in θ).",
    )
)

NO_GAP = register(
    Claim(
        id="mlcontrol/thm-2.1",
        title="No-Gap: val(P0) = val(PR0), val(Pε) = val(PRε) for P ≥ N; extreme relaxed solutions have at most N atoms",
        family=_FAMILY,
        source=Source("mlcontrol", "Theorem 2.1 (No-Gap), eqs. (2.6)–(2.7), and the paragraph after it"),
        statement=(
            "When $P\\geq N$, the solution sets of (PR0) and (PRϵ), denoted respectively by $S(PR_0)$ and $S(PR_\\epsilon)$, are nonempty, convex and "
            "compact in the weak-* sense. Moreover,\n"
            "$$\\textnormal{val}(P_0)=\\textnormal{val}(PR_0),\\quad \\textnormal{Ext}\\bigl(S(PR_0)\\bigr)\\subseteq\\left\\{\\sum_{j=1}^{N}w_{j}\\delta_{(a_{j},b_{j})}\\,\\Big|\\,"
            "(\\Theta_{j})_{j=1}^{N}\\in S(P_0)\\right\\}, \\qquad (2.6)$$\n"
            "$$\\textnormal{val}(P_\\epsilon)=\\textnormal{val}(PR_\\epsilon),\\quad \\textnormal{Ext}\\bigl(S(PR_\\epsilon)\\bigr)\\subseteq\\left\\{\\sum_{j=1}^{N}w_{j}\\delta_{(a_{j},b_{j})}\\,\\Big|\\,"
            "(\\Theta_{j})_{j=1}^{N}\\in S(P_\\epsilon)\\right\\}, \\qquad (2.7)$$\n"
            "[…] In light of this result, the values of the primal problems become independent of $P$ as soon as $P\\geq N$."
        ),
        assumptions=(
            *_SETTING,
            "(P0): $\\inf \\sum_j|w_j|$ s.t. $\\sum_j w_j\\sigma(\\langle a_j, x_i\\rangle + b_j) = y_i$; (Pε): $|\\cdot - y_i| \\le \\epsilon$; (PR0)/(PRε): the same over "
            "Radon measures on Ω with the TV norm",
            "by positive homogeneity of the ReLU a neuron tθ (0 < t ≤ 1) is the neuron θ with weight scaled by t, so measures on the sphere ∂Ω suffice; "
            "the grid LPs discretise the sphere",
            "the inclusion's right-hand side is read with P = N neurons (its tuples have N entries)",
            "compactness and convexity are the standard facts of a TV-minimisation with linear constraints; the checks exhibit the minimisers "
            "(non-emptiness) and test the values, the atom count and the width",
        ),
        formulas=formulas.NoGap,
        checks=(
            Check("exact-instance", Kind.SYMBOLIC, derivation.check_nogap_symbolic, "x = (0, 1), y = (1, −1): val = 1 + √2 with an exact dual certificate"),
            Check("certified-lp", Kind.NUMERIC, simulation.check_nogap_numeric, "grid LPs with certified bounds, exact brackets, atoms, widths"),
            Check("nonconvex-training", Kind.NUMERIC, simulation.check_nonconvex_numeric, "(P0) with P = N by L-BFGS from several starts"),
            Check("no-gap-fuzz", Kind.PROPERTY, properties.check_nogap_property, "drawn data sets, d ≤ 3, ε ∈ {0, 0.25}"),
        ),
        mutants=(
            Mutant("atoms-n-minus-1", "extreme points have at most N − 1 atoms", formulas.AtomsNMinusOne),
            Mutant("half-width", "val(P0) = val(PR0) already with P = ⌈N/2⌉", formulas.HalfWidth),
        ),
        notes=(
            "TRUE as printed. The no-gap equality is shown constructively: column generation with the exact dual supremum brackets val(PRε) to "
            "≤ 1e-9 and its optimal measure has at most N atoms, so it *is* a network with P = N neurons. The atom bound N is attained "
            "(x = (0, 1), y = (1, −1) needs a positive and a negative atom), and narrower networks can be infeasible (d = 1: S sign changes "
            "of the labels need S − 1 neurons)."
        ),
    )
)

CONDENSATION = register(
    Claim(
        id="mlcontrol/sec-3-condensation",
        title="Condensation: some data sets are represented exactly with P < N/(d+1) neurons",
        family=_FAMILY,
        source=Source("mlcontrol", "§3, opening paragraphs (condensation)"),
        statement=(
            "Indeed, even when starting from a continuum of parameters, $\\ell^{1}$-optimal minimizers involve only $N$ neurons. Condensation also "
            "accounts for the fact that exact representation can sometimes be achieved even when $P<N$, or even in the underparameterized regime "
            "$P<N/(d+1)$. However, a complete characterization of the datasets that can be exactly represented with $P<N$ neurons remains out of reach."
        ),
        assumptions=(*_SETTING, "'sometimes': for some consistent data sets and not for all; the first sentence is Theorem 2.1's atom count "
                     "(mlcontrol/thm-2.1)", "gradient-descent dynamics of condensation are not checked: the claim checked is the existence statement"),
        formulas=formulas.Condensation,
        checks=(
            Check("exact-instances", Kind.SYMBOLIC, derivation.check_condensation_symbolic, "affine data, 2 neurons, exact; an exact impossibility"),
            Check("affine-and-alternating", Kind.NUMERIC, simulation.check_condensation_numeric, "2-neuron fits, atoms of the ℓ¹-optimal measure"),
            Check("condensation-fuzz", Kind.PROPERTY, properties.check_condensation_property, "drawn data sets, half affine"),
        ),
        mutants=(
            Mutant("everywhere", "every data set is represented with P < N/(d+1) neurons", formulas.CondensationEverywhere),
            Mutant("never", "no data set is represented with P < N/(d+1) neurons", formulas.CondensationNever),
        ),
        notes=(
            "TRUE as printed. Affine labels $y_i = \\langle c, x_i\\rangle + e$ need two neurons, $\\sigma(\\langle c, x\\rangle + B) - (B - e)\\sigma(1)$, "
            "whatever N: below N/(d+1) as soon as N > 2(d+1). Labels of both signs at three points of a line cannot be fitted by one neuron "
            "(1 < 3/2), and alternating labels on the line need at least N − 2 neurons (N − 1 sign changes)."
        ),
    )
)

THM_2_2 = register(generalization.THM_2_2)
THM_2_2_CORRECTED = register(generalization.THM_2_2_CORRECTED)
