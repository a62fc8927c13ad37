"""otdiff Proposition 3.3 (the score form of the flow-matching field), Tweedie's identity it
rests on, and the gradient statement that follows it (§3.3, "Connection with diffusion models").

Finding: the printed formula :math:`v_t(x) = \\frac{1}{1-t}x + \\frac{t}{1-t}\\nabla\\log\\alpha_t(x)`
does not match (7) with the paper's own convention :math:`Z_t = (1-t)X_0 + tX_1`,
:math:`X_0 \\sim \\mathcal N(0, \\mathrm{Id})`: Tweedie's identity gives
:math:`v_t(x) = \\frac{1}{t}x + \\frac{1-t}{t}\\nabla\\log\\alpha_t(x)`, the printed form with t and
1 − t exchanged (the two agree only at t = 1/2).  The printed claim is recorded as expected
``REFUTED`` and the correction is its own claim, ``otdiff/prop-3.3/corrected``.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, Verdict, register
from theorems.tweedie import derivation, formulas, properties, simulation

__all__ = ["PROP_3_3", "PROP_3_3_CORRECTED", "TWEEDIE", "GRADIENT"]

_FIELD_CHECKS = (
    Check("bayes-1d", Kind.SYMBOLIC, derivation.check_field_symbolic, "exact Bayes for Gaussian and point-cloud α1"),
    Check("definition-vs-formula", Kind.NUMERIC, simulation.check_definition_vs_formula, "(7) by Bayes vs the formula, 2-D mixture"),
    Check("kernel-regression", Kind.NUMERIC, simulation.check_kernel_regression, "(7) estimated from particles vs the formula"),
    Check("transport", Kind.NUMERIC, simulation.check_transport, "the formula carries α0 to α1"),
    Check("field-fuzz", Kind.PROPERTY, properties.check_field_property, "drawn data, t and x"),
)
_STATEMENT = (
    "When $\\alpha_0 = \\mathcal{N}(0, \\text{Id}_d)$, the vector field $v_t$ in (7) is given by\n"
    "$$v_t(x) = \\frac{1}{1-t} x + \\frac{t}{1-t} \\nabla \\log \\alpha_t(x), \\quad (x \\in \\mathbb{R}^d, t \\in (0, 1)).$$"
)
_ASSUMPTIONS = (
    "(7): $v_t(z) = \\mathbb E[X_1 - X_0 \\mid (1-t)X_0 + tX_1 = z]$ with $(X_0, X_1) \\sim \\alpha_0\\otimes\\alpha_1$ (otdiff Proposition 3.1)",
    "checked on data whose $\\alpha_t$ and score are explicit: Gaussian, point-cloud and Gaussian-mixture $\\alpha_1$",
)

PROP_3_3 = register(
    Claim(
        id="otdiff/prop-3.3",
        title="Score form of the flow-matching field for a standard Gaussian reference (as printed)",
        family="tweedie",
        source=Source("otdiff", "Proposition 3.3"),
        statement=_STATEMENT,
        assumptions=_ASSUMPTIONS,
        formulas=formulas.Prop33,
        checks=_FIELD_CHECKS,
        mutants=(
            Mutant("score-sign", "minus the score term", formulas.Prop33ScoreSign),
            Mutant("score-factor", "the factor t of the score term dropped", formulas.Prop33ScoreFactor),
        ),
        expected=Verdict.REFUTED,
        corrected_by="otdiff/prop-3.3/corrected",
        notes=(
            "REFUTED as printed: with the paper's own interpolant $Z_t = (1-t)X_0 + tX_1$ the field (7) is "
            "$\\frac{1}{t}x + \\frac{1-t}{t}\\nabla\\log\\alpha_t(x)$; the printed form has t and 1 − t exchanged and agrees only at t = 1/2. "
            "Smallest exact counterexample: $\\alpha_1 = \\delta_0$, $t = 1/3$, $x = 1$: (7) gives −3/2, the printed formula 3/8."
        ),
    )
)

PROP_3_3_CORRECTED = register(
    Claim(
        id="otdiff/prop-3.3/corrected",
        title="Score form of the flow-matching field for a standard Gaussian reference (corrected)",
        family="tweedie",
        source=Source("otdiff", "Proposition 3.3 (corrected: t and 1 − t exchanged)"),
        statement=(
            "When $\\alpha_0 = \\mathcal{N}(0, \\text{Id}_d)$, the vector field $v_t$ in (7) is given by\n"
            "$$v_t(x) = \\frac{1}{t} x + \\frac{1-t}{t} \\nabla \\log \\alpha_t(x), \\quad (x \\in \\mathbb{R}^d, t \\in (0, 1)).$$"
        ),
        assumptions=_ASSUMPTIONS + (
            "derivation: Tweedie with $Y = tX_1$, $\\sigma = 1-t$ gives $\\mathbb E[X_0\\mid Z_t = x] = -(1-t)\\nabla\\log\\alpha_t(x)$ and "
            "$\\mathbb E[X_1\\mid Z_t = x] = (x + (1-t)^2\\nabla\\log\\alpha_t(x))/t$; subtract",
        ),
        formulas=formulas.Prop33Corrected,
        checks=_FIELD_CHECKS,
        mutants=(
            Mutant("as-printed", "t and 1 − t exchanged (the printed form)", formulas.CorrectedAsPrinted),
            Mutant("score-sign", "minus the score term", formulas.CorrectedScoreSign),
            Mutant("score-factor-squared", "(1−t)²/t in front of the score", formulas.CorrectedScoreFactorSquared),
        ),
        corrects="otdiff/prop-3.3",
    )
)

TWEEDIE = register(
    Claim(
        id="otdiff/prop-3.3/tweedie",
        title="Tweedie's identity: the Gaussian denoiser in terms of the score",
        family="tweedie",
        source=Source("otdiff", "after Proposition 3.3 (Tweedie's identity [28])"),
        statement=(
            "This result follows directly from Tweedie's identity [28], which relates the score function $\\nabla \\log \\alpha_t$ "
            "to optimal Gaussian denoisers. Form used: for $Z = Y + \\sigma\\varepsilon$, $\\varepsilon \\sim \\mathcal N(0, \\mathrm{Id})$ "
            "independent of $Y$, $$\\mathbb E[Y \\mid Z = z] = z + \\sigma^2\\nabla\\log p_Z(z).$$"
        ),
        assumptions=("the survey does not display the identity; the displayed form is the standard one, stated here as used",),
        formulas=formulas.Tweedie,
        checks=(
            Check("bayes-1d", Kind.SYMBOLIC, derivation.check_tweedie_symbolic, "exact Bayes, Gaussian and point-cloud priors"),
            Check("mixture-prior", Kind.NUMERIC, simulation.check_tweedie_numeric, "2-D mixture prior, three noise levels"),
            Check("tweedie-fuzz", Kind.PROPERTY, properties.check_tweedie_property, "drawn priors (1-D, 2-D), σ and z"),
        ),
        mutants=(
            Mutant("sigma-not-squared", "σ instead of σ²", formulas.TweedieSigmaNotSquared),
            Mutant("score-sign", "minus the score", formulas.TweedieScoreSign),
        ),
    )
)

GRADIENT = register(
    Claim(
        id="otdiff/sec-3.3-gradient",
        title="With a standard Gaussian reference, the flow-matching field is a gradient (the least-squares solution of (4))",
        family="tweedie",
        source=Source("otdiff", "§3.3, after Proposition 3.3"),
        statement=(
            "It shows that in the diffusion model setting, $v_t$ is a gradient field, and therefore coincides with the solution of the "
            "constrained least-squares problem (4)."
        ),
        assumptions=(
            "the setting: $\\alpha_0 = \\mathcal N(0, \\mathrm{Id}_d)$, $\\alpha_1$ arbitrary, $v_t$ the field (7)",
            "(4)'s minimiser is the gradient field solving (2) (otdiff (5)); (7) solves (2) (otdiff/prop-3.1), so being a gradient is the content checked; "
            "numerically also: $v_t$ is $L^2(\\alpha_t)$-orthogonal to the divergence-free perturbation $R\\nabla\\alpha_t/\\alpha_t$",
        ),
        formulas=formulas.GradientSetting,
        checks=(
            Check("jacobian-two-point", Kind.SYMBOLIC, derivation.check_gradient_symbolic, "symmetric Jacobian, exact (two-point data, 2-D)"),
            Check("gradient-numeric", Kind.NUMERIC, simulation.check_gradient_numeric, "Jacobian symmetry and orthogonality, 2-D mixture"),
            Check("gradient-fuzz", Kind.PROPERTY, properties.check_gradient_property, "drawn 2-D data and t"),
        ),
        mutants=(Mutant("anisotropic-reference", "α0 = N(0, diag(1, 1/4)) instead of N(0, Id)", formulas.GradientSettingAnisotropic),),
    )
)
