"""otdiff §6.1–§6.2: the mean-field two-layer network (21), its interaction kernel (22), and
Proposition 6.2 (the Wasserstein flow of a linear network closes on Gaussians), split into
its assertions.

Findings (printed means printed; conventions of otdiff §5.1, velocity −∇_W f):

- (22) as printed does not write f in the form (18): with σ(s) = s, one data point z = 1,
  y = 0 and α = δ_{(1, 1)}, f(α) = 1 but ∬k dα dα = 2, while both vanish at α = δ_{(0, 0)}.
  The printed k is the kernel of the first variation (∫k(x, y)dα(y) = δf(α)(x) + const), not
  of the energy; the symmetric kernel with 1/N is ``otdiff/eq-22/corrected``.
- The Wasserstein gradient printed in Proposition 6.2 has the wrong sign: it is the velocity
  −∇_W f that (23) integrates (and (23) itself is right).  Corrected in
  ``otdiff/prop-6.2/gradient/corrected``.
- The limit Σ_UV,∞ = S_yz S_zz⁻¹ is a transposition slip: S_yz S_zz⁻¹ is d′ × d while Σ_UV is
  d × d′; the least-squares weights are Σ_VU,∞ = S_yz S_zz⁻¹.  Corrected in
  ``otdiff/prop-6.2/limit/corrected``.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, Verdict, register
from theorems.meanfield import derivation, formulas, gdlimit, properties, simulation, universal

__all__ = [
    "EQ_21", "EQ_22", "EQ_22_CORRECTED", "RISK", "GRADIENT", "GRADIENT_CORRECTED", "CLOSURE", "ODE", "LIMIT", "LIMIT_CORRECTED",
    "UNIVERSAL", "UNIVERSAL_CORRECTED", "ZERO_RISK", "ZERO_RISK_CORRECTED", "GD_LIMIT",
]

_FAMILY = "meanfield"
_LINEAR = (
    "$\\sigma(s) = s$, $S_{zz}$ full rank; conventions of otdiff §5.1: $\\nabla_W f = \\nabla[\\delta f]$ and the flow's velocity is $-\\nabla_W f$",
    "$\\Sigma_{UV} = \\int uv^\\top d\\alpha$ is $d \\times d'$, $S_{yz}$ is $d' \\times d$; checked with $d \\ne d'$ so that a transposition cannot hide",
)

EQ_21 = register(
    Claim(
        id="otdiff/eq-21",
        title="Mean-field two-layer network: g_α = G_X for the empirical measure",
        family=_FAMILY,
        source=Source("otdiff", "§6.1, eq. (19)–(21)"),
        statement=(
            "$$(21) \\quad g_\\alpha(z) := \\int_{\\mathbb{R}^{d+d'}} v \\sigma(\\langle z, u \\rangle) d\\alpha(u, v), \\quad "
            "f(\\alpha) := \\frac{1}{N} \\sum_{k=1}^N \\|g_\\alpha(z_k) - y_k\\|^2.$$\n"
            "When $\\alpha = \\frac{1}{n} \\sum_{i=1}^n \\delta_{(u_i, v_i)}$, one recovers $g_\\alpha = G_X$."
        ),
        assumptions=("$G_X(z) = \\frac1n\\sum_i v_i\\sigma(\\langle z, u_i\\rangle)$ (19), $F(X) = \\frac1N\\sum_k\\|G_X(z_k) - y_k\\|^2$ (20)",),
        formulas=formulas.Eq21,
        checks=(
            Check("empirical-measure", Kind.SYMBOLIC, derivation.check_eq21_symbolic, "g_α = G_X, f(α) = F(X), generic σ, exact"),
            Check("mean-field-limit", Kind.NUMERIC, simulation.check_eq21_numeric, "G_X with n Gaussian neurons → g_α (identity, ReLU)"),
            Check("networks-fuzz", Kind.PROPERTY, properties.check_eq21_property, "drawn networks, data and σ"),
        ),
        mutants=(
            Mutant("no-average", "(19) without 1/n", formulas.Eq21NoAverage),
            Mutant("loss-no-average", "f without 1/N", formulas.Eq21LossNoAverage),
            Mutant("activation-outside", "∫σ(v⟨z, u⟩)dα", formulas.Eq21ActivationOutside),
        ),
    )
)

_KERNEL_CHECKS = (
    Check("energy-identity", Kind.SYMBOLIC, derivation.check_kernel_symbolic, "f − ∬k dα dα constant, symbolic atoms and weights"),
    Check("random-measures", Kind.NUMERIC, simulation.check_kernel_numeric, "random discrete measures, ReLU and tanh"),
    Check("kernel-fuzz", Kind.PROPERTY, properties.check_kernel_property, "drawn measures, data and σ"),
)

EQ_22 = register(
    Claim(
        id="otdiff/eq-22",
        title="Interaction kernel of the quadratic loss (as printed)",
        family=_FAMILY,
        source=Source("otdiff", "§6.1, eq. (22)"),
        statement=(
            "For quadratic loss, $f$ can be written as a quadratic functional of the form (18), with an interaction kernel\n"
            "$$(22) \\quad k((u, v), (u', v')) = \\frac{2}{N} \\sum_{k=1}^N \\langle v, v' \\rangle \\sigma(\\langle u, z_k \\rangle) "
            "\\sigma(\\langle u', z_k \\rangle) - \\frac{2}{N} \\sum_{k=1}^N \\langle v, y_k \\rangle \\sigma(\\langle u, z_k \\rangle).$$"
        ),
        assumptions=(
            "(18): $f(\\alpha) = \\iint k(x, y)\\,d\\alpha(x)\\,d\\alpha(y)$; an additive constant is allowed (f contains $\\frac1N\\sum_k\\|y_k\\|^2$); "
            "the constant is then fixed by $\\alpha = \\delta_{(0, 0)}$",
        ),
        formulas=formulas.Eq22,
        checks=_KERNEL_CHECKS,
        mutants=(
            Mutant("linear-sign", "+ before the linear term", formulas.Eq22LinearSign),
            Mutant("no-cross", "⟨v, v′⟩ dropped", formulas.Eq22NoCross),
        ),
        expected=Verdict.REFUTED,
        corrected_by="otdiff/eq-22/corrected",
        notes=(
            "REFUTED as printed: with $\\sigma(s) = s$, one data point $z = 1$, $y = 0$ and $\\alpha = \\delta_{(1, 1)}$, "
            "$f(\\alpha) = 1$ but $\\iint k\\,d\\alpha\\,d\\alpha = 2$, while both vanish at $\\alpha = \\delta_{(0, 0)}$, so no constant reconciles them. "
            "The printed k is the kernel of the first variation, $\\int k(x, y)\\,d\\alpha(y) = \\delta f(\\alpha)(x) + $ const, "
            "twice what (18) needs (a symmetric kernel of (18) has $\\int k\\,d\\alpha = \\tfrac12\\delta f$ + const); it is also not symmetric, as §5.3's gradient formula assumes. "
            "Correction: the symmetric kernel with $1/N$ (otdiff/eq-22/corrected)."
        ),
    )
)

EQ_22_CORRECTED = register(
    Claim(
        id="otdiff/eq-22/corrected",
        title="Interaction kernel of the quadratic loss (corrected, symmetric)",
        family=_FAMILY,
        source=Source("otdiff", "§6.1, eq. (22) (corrected: factor 1/N, symmetrised linear term)"),
        statement=(
            "$f(\\alpha) = \\iint k\\,d\\alpha\\,d\\alpha + \\frac1N\\sum_k\\|y_k\\|^2$ with the symmetric kernel\n"
            "$$k((u, v), (u', v')) = \\frac{1}{N} \\sum_{k=1}^N \\langle v, v' \\rangle \\sigma(\\langle u, z_k \\rangle)\\sigma(\\langle u', z_k \\rangle) "
            "- \\frac{1}{N} \\sum_{k=1}^N \\big(\\langle v, y_k \\rangle \\sigma(\\langle u, z_k \\rangle) + \\langle v', y_k \\rangle \\sigma(\\langle u', z_k \\rangle)\\big),$$"
            "so that §5.3's rule $\\nabla_W f(\\alpha)(x) = 2\\int\\nabla_x k(x, y)\\,d\\alpha(y)$ applies."
        ),
        assumptions=("derivation: expand $\\|g_\\alpha(z_k) - y_k\\|^2$ and write $\\langle g_\\alpha(z_k), y_k\\rangle$ as a double integral against the probability $\\alpha\\otimes\\alpha$, split evenly between the two variables",),
        formulas=formulas.Eq22Corrected,
        checks=_KERNEL_CHECKS,
        mutants=(
            Mutant("as-printed", "the printed (22)", formulas.Eq22CorrectedAsPrinted),
            Mutant("non-symmetric", "(1/N)Σ⟨v, v′⟩σσ′ − (2/N)Σ⟨v, y_k⟩σ: right energy, not symmetric", formulas.Eq22CorrectedNonSymmetric),
            Mutant("linear-factor", "2/N on the symmetrised linear terms", formulas.Eq22CorrectedLinearFactor),
        ),
        corrects="otdiff/eq-22",
    )
)

RISK = register(
    Claim(
        id="otdiff/sec-6.2-linear-risk",
        title="Linear network under a Gaussian neuron law: predictor Σ_VU z and the trace form of the risk",
        family=_FAMILY,
        source=Source("otdiff", "§6.2, the displays before Proposition 6.2"),
        statement=(
            "$$g_\\alpha(z) = \\int v \\langle z, u \\rangle d\\alpha(u, v) = \\Sigma_{VU} z,$$ [...] "
            "$$f(\\alpha) = \\frac{1}{N} \\sum_{k=1}^N \\|\\Sigma_{VU} z_k - y_k\\|^2 = \\text{Tr}(\\Sigma_{VU} S_{zz} \\Sigma_{UV}) "
            "- 2 \\text{Tr}(S_{yz} \\Sigma_{UV}) + \\text{const},$$ which depends on $\\alpha$ only through $\\Sigma_{UV}$ and $\\Sigma_{VU}$."
        ),
        assumptions=_LINEAR[:1] + ("stated for Gaussian α but an identity for every α with second moments (checked on discrete measures, which carry it exactly)",),
        formulas=formulas.LinearRisk,
        checks=(
            Check("from-21", Kind.SYMBOLIC, derivation.check_risk_symbolic, "two symbolic atoms, symbolic data, d ≠ d′"),
            Check("neurons", Kind.NUMERIC, simulation.check_risk_numeric, "n Gaussian neurons: (21) directly vs the trace form"),
            Check("risk-fuzz", Kind.PROPERTY, properties.check_risk_property, "drawn measures and data"),
        ),
        mutants=(
            Mutant("no-factor", "− Tr(S_yz Σ_UV) (factor 2 dropped)", formulas.RiskNoFactor),
            Mutant("no-szz", "Tr(Σ_VU Σ_UV) (S_zz dropped)", formulas.RiskNoSzz),
            Mutant("transposed-predictor", "g_α(z) = Σ_UV z", formulas.RiskTransposedPredictor),
        ),
    )
)

_GRADIENT_CHECKS = (
    Check("first-variation", Kind.SYMBOLIC, derivation.check_gradient_symbolic, "∇[δf] from (21) with symbolic data, d ≠ d′"),
    Check("finite-differences", Kind.NUMERIC, simulation.check_gradient_numeric, "∇_W f of (21) by finite differences of f((1−ε)α + εδ_x)"),
    Check("gradient-fuzz", Kind.PROPERTY, properties.check_gradient_property, "drawn d, d′, Σ, S_zz, S_yz and point"),
)

GRADIENT = register(
    Claim(
        id="otdiff/prop-6.2/gradient",
        title="Wasserstein gradient of the linear-network risk (as printed)",
        family=_FAMILY,
        source=Source("otdiff", "Proposition 6.2, first display"),
        statement=(
            "Assume $S_{zz}$ is full rank and $\\sigma(s) = s$. The Wasserstein gradient of $f$ at $\\alpha$ is the linear vector field\n"
            "$$[\\nabla_W f(\\alpha)](u, v) = -2 \\left( (S_{zz} \\Sigma_{UV} - S_{zy}) v, (\\Sigma_{VU} S_{zz} - S_{yz}) u \\right),$$"
            "with $S_{zy} = S_{yz}^\\top$."
        ),
        assumptions=_LINEAR,
        formulas=formulas.Prop62Gradient,
        checks=_GRADIENT_CHECKS,
        mutants=(
            Mutant("no-factor", "the factor 2 dropped", formulas.GradientNoFactor),
            Mutant("no-szz", "S_zz dropped", formulas.GradientNoSzz),
        ),
        expected=Verdict.REFUTED,
        corrected_by="otdiff/prop-6.2/gradient/corrected",
        notes=(
            "REFUTED as printed: the first variation is $\\delta f(\\alpha)(u, v) = 2v^\\top(\\Sigma_{VU}S_{zz} - S_{yz})u + $ const, whose gradient is "
            "$+2((S_{zz}\\Sigma_{UV} - S_{zy})v, (\\Sigma_{VU}S_{zz} - S_{yz})u)$. Minimal instance: $d = d' = 1$, one data point $z = 1$, $y = 0$, "
            "$\\Sigma_{UV} = 1$, $(u, v) = (0, 1)$: $\\nabla_W f = (2, 0)$, the printed field $(-2, 0)$. The printed field is the velocity "
            "$-\\nabla_W f$, which is what (23) integrates, so (23) is right (otdiff/prop-6.2/ode)."
        ),
    )
)

GRADIENT_CORRECTED = register(
    Claim(
        id="otdiff/prop-6.2/gradient/corrected",
        title="Wasserstein gradient of the linear-network risk (corrected sign)",
        family=_FAMILY,
        source=Source("otdiff", "Proposition 6.2, first display (corrected: sign)"),
        statement="$$[\\nabla_W f(\\alpha)](u, v) = 2 \\left( (S_{zz} \\Sigma_{UV} - S_{zy}) v, (\\Sigma_{VU} S_{zz} - S_{yz}) u \\right).$$",
        assumptions=_LINEAR,
        formulas=formulas.Prop62GradientCorrected,
        checks=_GRADIENT_CHECKS,
        mutants=(
            Mutant("as-printed", "the printed sign", formulas.CorrectedGradientAsPrinted),
            Mutant("no-factor", "the factor 2 dropped", formulas.CorrectedGradientNoFactor),
            Mutant("no-szz", "S_zz dropped", formulas.CorrectedGradientNoSzz),
        ),
        corrects="otdiff/prop-6.2/gradient",
    )
)

CLOSURE = register(
    Claim(
        id="otdiff/prop-6.2/closure",
        title="The Wasserstein flow of a linear network keeps Gaussian neurons Gaussian",
        family=_FAMILY,
        source=Source("otdiff", "Proposition 6.2, 'Consequently'"),
        statement="Consequently, if $\\alpha_{t=0} = \\mathcal{N}(0, \\Sigma_0)$, then $\\alpha_t = \\mathcal{N}(0, \\Sigma_t)$ for all $t$.",
        assumptions=_LINEAR + ("the hypothesis $\\sigma(s) = s$ is what the formulas object carries; the mutants replace it by the activations of §6.1",),
        formulas=formulas.Prop62Closure,
        checks=(
            Check("linear-velocity", Kind.SYMBOLIC, derivation.check_closure_symbolic, "−∇δf is linear in (u, v)"),
            Check("trained-neurons", Kind.NUMERIC, simulation.check_closure_numeric, "trained neurons are a linear image of the initial ones"),
            Check("linearity-fuzz", Kind.PROPERTY, properties.check_closure_property, "additivity of the velocity at drawn points"),
        ),
        mutants=(
            Mutant("tanh", "σ = tanh instead of σ(s) = s", formulas.ClosureTanh),
            Mutant("relu", "σ = ReLU instead of σ(s) = s", formulas.ClosureRelu),
        ),
    )
)

ODE = register(
    Claim(
        id="otdiff/prop-6.2/ode",
        title="Covariance ODE (23) of the linear-network Wasserstein flow",
        family=_FAMILY,
        source=Source("otdiff", "Proposition 6.2, eq. (23)"),
        statement=(
            "the covariance satisfies the matrix ODE\n"
            "$$(23) \\quad \\dot{\\Sigma}_t = B_t \\Sigma_t + \\Sigma_t B_t^\\top, \\quad B_t := -2 \\begin{pmatrix} 0 & (S_{zz} \\Sigma_{UV,t} - S_{zy}) \\\\ "
            "(\\Sigma_{VU,t} S_{zz} - S_{yz}) & 0 \\end{pmatrix}.$$"
        ),
        assumptions=_LINEAR + (
            "the flow is the Wasserstein gradient flow (15) of f, realised by gradient descent on (20) with the mean-field time scaling "
            "(velocity $-n\\nabla_{x_i}F$); the empirical second moment of any finite set of neurons then follows the same ODE exactly",
        ),
        formulas=formulas.Prop62Ode,
        checks=(
            Check("second-moment-ode", Kind.SYMBOLIC, derivation.check_ode_symbolic, "BΣ + ΣBᵀ of the derived linear velocity, d ≠ d′"),
            Check("trained-neurons", Kind.NUMERIC, simulation.check_ode_numeric, "n neurons trained on (20) vs (23) by DOP853"),
            Check("ode-fuzz", Kind.PROPERTY, properties.check_ode_property, "drawn d, d′, Σ, S_zz, S_yz"),
        ),
        mutants=(
            Mutant("sign", "B_t with +2", formulas.OdeSign),
            Mutant("data-sign", "+S_zy, +S_yz in B_t", formulas.OdeDataSign),
            Mutant("half", "B_t with −1", formulas.OdeHalf),
            Mutant("swapped-blocks", "off-diagonal blocks exchanged", formulas.OdeSwappedBlocks),
        ),
        notes="B_t is symmetric (its off-diagonal blocks are transposes), so 'Σ̇ = BΣ + ΣB' is the same ODE and not a mutant.",
    )
)

_LIMIT_CHECKS = (
    Check("least-squares", Kind.SYMBOLIC, derivation.check_limit_symbolic, "minimiser of f, shapes for d ≠ d′"),
    Check("long-time", Kind.NUMERIC, simulation.check_limit_numeric, "flow run to convergence, loss → least squares"),
    Check("limit-fuzz", Kind.PROPERTY, properties.check_limit_property, "drawn d, d′, Σ0, S_zz, S_yz"),
)

LIMIT = register(
    Claim(
        id="otdiff/prop-6.2/limit",
        title="Long-time limit of (23): the least-squares estimator (as printed)",
        family=_FAMILY,
        source=Source("otdiff", "§6.2, the sentence after Proposition 6.2"),
        statement=(
            "The system is well posed and, in line with Theorem 6.1, converges to the global minimizer characterized by "
            "$\\Sigma_{UV,\\infty} = S_{yz} S_{zz}^{-1}$, so that $g_\\infty$ coincides with the least-squares linear estimator."
        ),
        assumptions=_LINEAR + ("$\\Sigma_0 \\succ 0$ (a density, as in Theorem 6.1) — added: the sentence prints no condition, and $\\Sigma_0 = 0$ stays at 0",),
        formulas=formulas.Prop62Limit,
        checks=_LIMIT_CHECKS,
        mutants=(
            Mutant("no-inverse", "S_yz S_zz", formulas.LimitNoInverse),
            Mutant("inverse-left", "S_zz⁻¹ S_yz", formulas.LimitInverseLeft),
        ),
        expected=Verdict.REFUTED,
        corrected_by="otdiff/prop-6.2/limit/corrected",
        notes=(
            "REFUTED as printed: $S_{yz}S_{zz}^{-1}$ is $d' \\times d$ while $\\Sigma_{UV}$ is $d \\times d'$ (ill-typed for $d \\ne d'$); for $d = d' = 2$, "
            "$S_{zz} = \\mathrm{Id}$, $S_{yz} = \\begin{pmatrix}0 & 1\\\\ 0 & 0\\end{pmatrix}$ the flow's limit is $\\Sigma_{UV} = S_{yz}^\\top \\ne S_{yz}$. "
            "The rest of the sentence holds: the flow converges (on every drawn case) and $g_\\infty(z) = \\Sigma_{VU,\\infty}z$ is the least-squares fit "
            "with $\\Sigma_{VU,\\infty} = S_{yz}S_{zz}^{-1}$ (otdiff/prop-6.2/limit/corrected). "
            "The sentence prints no condition on $\\Sigma_0$; the checks assume $\\Sigma_0 \\succ 0$ (Theorem 6.1's density hypothesis, "
            "'in line with' which the sentence is stated). Without it convergence fails: $\\Sigma_0 = 0$ ($\\alpha_0 = \\delta_0$) is a "
            "stationary point of (23) since the velocity $B_t x$ vanishes at the only atom $x = 0$, so $\\Sigma_t = 0$ never reaches the minimiser."
        ),
    )
)

LIMIT_CORRECTED = register(
    Claim(
        id="otdiff/prop-6.2/limit/corrected",
        title="Long-time limit of (23): the least-squares estimator (corrected transpose)",
        family=_FAMILY,
        source=Source("otdiff", "§6.2, after Proposition 6.2 (corrected: Σ_VU,∞ = S_yz S_zz⁻¹)"),
        statement=(
            "(23) is well posed and converges to the global minimizer characterized by $\\Sigma_{VU,\\infty} = S_{yz} S_{zz}^{-1}$, i.e. "
            "$$\\Sigma_{UV,\\infty} = S_{zz}^{-1}S_{zy},$$ so that $g_\\infty(z) = \\Sigma_{VU,\\infty}z$ is the least-squares linear estimator."
        ),
        assumptions=_LINEAR + ("$\\Sigma_0 \\succ 0$",),
        formulas=formulas.Prop62LimitCorrected,
        checks=_LIMIT_CHECKS,
        mutants=(
            Mutant("as-printed", "S_yz S_zz⁻¹ for Σ_UV", formulas.CorrectedLimitAsPrinted),
            Mutant("no-inverse", "S_zz S_zy", formulas.CorrectedLimitNoInverse),
            Mutant("inverse-right", "S_zy S_zz⁻¹", formulas.CorrectedLimitInverseRight),
        ),
        corrects="otdiff/prop-6.2/limit",
    )
)

UNIVERSAL = register(universal.UNIVERSAL)
UNIVERSAL_CORRECTED = register(universal.UNIVERSAL_CORRECTED)
ZERO_RISK = register(universal.ZERO_RISK)
ZERO_RISK_CORRECTED = register(universal.ZERO_RISK_CORRECTED)
GD_LIMIT = register(gdlimit.GD_LIMIT)
