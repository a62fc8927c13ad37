"""mlcontrol §5, "Time Reversal in Diffusion Models for Generative AI": the Li–Yau inequality
for the heat equation, applied to the heat-kernel mixture of a data set; the backward heat
equation rewritten as a Fokker–Planck equation with the score s = ∇log u; the backward energy
estimate; and the tunable diffusivity ν(t).

Finding: every displayed formula of the bullet is true as printed (with the printed kernel
normalisation :math:`G = (4\\pi t)^{-d/2}e^{-|x|^2/4t}`, which solves :math:`u_t = \\Delta u`).
For the mixture, :math:`\\nabla^2\\log u = -\\frac{\\mathrm{Id}}{2t} + \\frac{\\mathrm{Cov}_{w(x)}(x_i)}{4t^2}`
(w the posterior weights of the data points at x), so the Li–Yau gap is the posterior variance
over :math:`4t^2`; it vanishes for a single Dirac, which makes −d/(2t) sharp — the weaker true
bound −d/t (the Li–Yau bound of :math:`u_t = \\frac12\\Delta u`) is rejected only through that
equality case, which is checked as part of the claims.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, register
from theorems.liyau import derivation, formulas, properties, simulation

__all__ = ["LI_YAU", "BACKWARD", "ENERGY", "DIFFUSIVITY"]

_FAMILY = "liyau"
_MIXTURE = (
    "$u(x, t) = \\frac1I\\sum_{i=1}^I G(x - x_i, t)$ with the printed kernel $G(x, t) = (4\\pi t)^{-d/2}\\exp(-|x|^2/4t)$ "
    "(variance 2t per coordinate), data $x_i \\in \\mathbb R^d$; $s = \\nabla\\log u$",
)

LI_YAU = register(
    Claim(
        id="mlcontrol/sec-5-li-yau",
        title="Li–Yau inequality Δ log u ≥ −d/(2t) for the heat equation, and the heat-kernel mixture of a data set",
        family=_FAMILY,
        source=Source("mlcontrol", "§5, Time Reversal in Diffusion Models for Generative AI (Li–Yau inequality [liyau])"),
        statement=(
            "The classical Li–Yau inequality ([liyau]) for positive solutions $u \\geq 0$ of the $d$-dimensional heat equation,\n"
            "$$u_{t}-\\Delta u=0\\quad\\text{in }\\mathbb{R}^{d}\\times[0,\\infty),$$\n"
            "ensures that\n"
            "$$\\Delta\\log(u)\\;\\geq\\;-\\frac{d}{2t}.$$\n"
            "Given a dataset $\\{x_{i}\\}_{i=1}^{I}$ sampled from an unknown distribution, we define the empirical measure and the corresponding parabolic solution\n"
            "$$u_{0}(x)=\\frac{1}{I}\\sum_{i=1}^{I}\\delta(x-x_{i}),\\quad u(x,t)=\\frac{1}{I}\\sum_{i=1}^{I}\\,G(x-x_{i},t),$$\n"
            "$G$ being the Gaussian heat kernel in $\\mathbb{R}^d$, i.e., $G(x,t)=(4\\pi t)^{-d/2}\\exp(-|x|^{2}/4t)$, which diffuses the information "
            "of the initial empirical measure throughout $\\mathbb{R}^{d}\\times[0,\\infty)$."
        ),
        assumptions=(
            "u > 0 and t > 0 (the printed 'u ≥ 0': a nonnegative solution that is not identically 0 is positive for t > 0, and log u needs u > 0)",
            *_MIXTURE,
            "checked: the printed G solves $u_t = \\Delta u$; $\\Delta\\log u \\ge -d/(2t)$ for mixtures of the printed kernel (every positive solution on "
            "$\\mathbb R^d$ is such a mixture over a measure, by Widder's representation); and the bound is attained: $\\Delta\\log G = -d/(2t)$ for a single "
            "Dirac (I = 1) — the sharpness that makes 'this estimate blows up as $t \\to 0^+$' a property of the solutions, not of the proof",
            "derived and verified: $\\nabla^2\\log u = -\\frac{\\mathrm{Id}}{2t} + \\frac{\\mathrm{Cov}_{w(x)}(x_i)}{4t^2}$, $w_i(x) = G(x - x_i, t)/\\sum_j G(x - x_j, t)$",
        ),
        formulas=formulas.LiYau,
        checks=(
            Check("heat-kernel-li-yau", Kind.SYMBOLIC, derivation.check_li_yau_symbolic, "G solves u_t = Δu; equality for I = 1; gap = posterior variance/(4t²) (I = 2)"),
            Check("point-clouds", Kind.NUMERIC, simulation.check_li_yau_numeric, "d = 1, 2, 3 clouds: Δ log u by finite differences vs closed form and bound"),
            Check("li-yau-fuzz", Kind.PROPERTY, properties.check_li_yau_property, "drawn clouds, t and x; nearest approach to equality"),
        ),
        mutants=(
            Mutant("bound-d-over-t", "the bound −d/t (true but not attained: the Li–Yau bound of u_t = ½Δu)", formulas.LiYauBoundDOverT),
            Mutant("bound-no-d", "the bound −1/(2t) (dimension dropped)", formulas.LiYauBoundNoD),
            Mutant("kernel-2t", "G with exp(−|x|²/2t), the kernel of u_t = ½Δu", formulas.LiYauKernelTwoT),
        ),
        notes=(
            "TRUE as printed. For the mixture, $\\nabla^2\\log u = -\\frac{\\mathrm{Id}}{2t} + \\frac{\\mathrm{Cov}_{w(x)}(x_i)}{4t^2} \\succeq -\\frac{\\mathrm{Id}}{2t}$, "
            "so $\\Delta\\log u + \\frac{d}{2t} = \\frac{\\operatorname{tr}\\mathrm{Cov}_{w(x)}(x_i)}{4t^2} \\ge 0$: equality exactly where the posterior is one atom — "
            "everywhere for I = 1, and in the limit far from the data or at the data as $t \\to 0^+$ (the infimum over x of the gap is 0 for every cloud and t). "
            "The printed normalisation matters: with $\\exp(-|x|^2/2t)$ (the kernel of $u_t = \\frac12\\Delta u$) the heat equation fails and "
            "$\\Delta\\log u = -d/t < -d/(2t)$ for I = 1 (minimal counterexample: d = 1, t = 1, x = 0: $(u_t - u_{xx})/u = 1/2$, $\\Delta\\log u = -1$). "
            "The weaker bound −d/t is true; it is rejected only because the printed −d/(2t) is attained (d = 1, t = 1: $\\Delta\\log G = -1/2 \\neq -1$)."
        ),
    )
)

BACKWARD = register(
    Claim(
        id="mlcontrol/sec-5-li-yau/backward",
        title="The backward heat equation as the Fokker–Planck equation u_t + Δu − 2div(s u) = 0, and div s ≥ −d/(2t)",
        family=_FAMILY,
        source=Source("mlcontrol", "§5, Time Reversal in Diffusion Models for Generative AI (backward heat equation, score function)"),
        statement=(
            "Observe that the backward heat equation can be rewritten as\n"
            "$$u_{t}-\\Delta u=u_{t}+\\Delta u-2\\Delta u=u_{t}+\\Delta u-2\\,\\text{div}\\!\\left(u\\frac{\\nabla u}{u}\\right)=u_{t}+\\Delta u-2\\,\\text{div}(u\\nabla\\log u)=0,$$\n"
            "and, introducing the score function, $s(x,t)=\\nabla\\log(u),$ it takes the form of a convection-diffusion or Fokker–Planck model:\n"
            "$$u_{t}+\\Delta u-2\\,\\text{div}\\!\\big(s(x,t)u\\big)=0,$$\n"
            "which, unlike the original backward heat equation, is well-posed backward in time thanks to the Li–Yau inequality, which, in terms of the score function, reads:\n"
            "$$\\text{div}\\,s(x,t)\\;\\geq\\;-\\frac{d}{2t}.$$"
        ),
        assumptions=(
            "u > 0 smooth; every equality of the chain is an identity for such u, and '= 0' holds when u solves $u_t = \\Delta u$",
            *_MIXTURE,
            "'well-posed backward in time' is not a formula; its quantitative content is the energy estimate (mlcontrol/sec-5-li-yau/energy)",
        ),
        formulas=formulas.BackwardHeat,
        checks=(
            Check("chain", Kind.SYMBOLIC, derivation.check_backward_symbolic, "generic u (d = 1, 2): each equality an identity; = 0 for heat solutions"),
            Check("mixture-fields", Kind.NUMERIC, simulation.check_backward_numeric, "every member and div s by finite differences on mixtures, d = 1, 2"),
            Check("chain-fuzz", Kind.PROPERTY, properties.check_backward_property, "drawn clouds, t, x: closed forms by different routes"),
        ),
        mutants=(
            Mutant("factor-one", "u_t + Δu − div(s u) = 0 (factor 1 instead of 2)", formulas.BackwardFactorOne),
            Mutant("laplacian-sign", "u_t − Δu − 2div(s u) = 0 (sign of the Laplacian)", formulas.BackwardLaplacianSign),
            Mutant("score-bound-no-d", "div s ≥ −1/(2t) (dimension dropped)", formulas.BackwardScoreBoundNoD),
        ),
        notes=(
            "TRUE as printed: $u\\frac{\\nabla u}{u} = u\\nabla\\log u = su = \\nabla u$, so each member equals $u_t - \\Delta u$ for every positive u, "
            "and vanishes for solutions of the heat equation; $\\operatorname{div}s = \\Delta\\log u$, so the score form of Li–Yau is mlcontrol/sec-5-li-yau, "
            "attained by a single Dirac."
        ),
    )
)

ENERGY = register(
    Claim(
        id="mlcontrol/sec-5-li-yau/energy",
        title="Backward energy estimate: ½ d/dt∫u² − ∫|∇u|² = 2∫div(us)u = ∫u² div s ≥ −(d/2t)∫u²",
        family=_FAMILY,
        source=Source("mlcontrol", "§5, Time Reversal in Diffusion Models for Generative AI (energy estimate backward in time)"),
        statement=(
            "Indeed, this unilateral bound allows us to perform the following energy estimate backward in time:\n"
            "$$\\frac{1}{2}\\frac{d}{dt}\\int u^{2}\\,dx-\\int|\\nabla u|^{2}\\,dx=2\\int\\text{div}(us(x,t))\\,u\\,dx=\\int u^{2}\\,\\text{div}\\,s(x,t)\\,dx\\;\\geq\\;-\\frac{d}{2t}\\int u^{2}\\,dx,$$\n"
            "yielding a priori estimates for backward solutions for all time $t=\\tau>0$. This estimate blows up as $t\\to 0^{+}$."
        ),
        assumptions=(
            "u solves the printed backward equation $u_t + \\Delta u - 2\\operatorname{div}(s u) = 0$ and decays fast enough to integrate by parts; "
            "the inequality uses $\\operatorname{div}s \\ge -d/(2t)$ (Li–Yau in score form)",
            *_MIXTURE,
            "checked for u the mixture itself with its own score (then the backward equation is the heat equation) and, for the integrations by parts, "
            "for generic u, s",
            "'a priori estimates': Gronwall turns the chain into $\\int u^2(t) \\le (\\tau/t)^d\\int u^2(\\tau)$ for $0 < t < \\tau$; the factor blows up as $t \\to 0^+$ "
            "(checked on the mixture)",
        ),
        formulas=formulas.EnergyEstimate,
        checks=(
            Check("integration-by-parts", Kind.SYMBOLIC, derivation.check_energy_symbolic, "Euler operator of the integrand differences; exact Gaussian integrals"),
            Check("quadrature", Kind.NUMERIC, simulation.check_energy_numeric, "trapezoid sums with grid halving, d/dt by differences, d = 1, 2"),
            Check("energy-fuzz", Kind.PROPERTY, properties.check_energy_property, "drawn 1-D clouds and t"),
        ),
        mutants=(
            Mutant("middle-factor-one", "∫div(us)u instead of 2∫div(us)u", formulas.EnergyMiddleFactorOne),
            Mutant("right-sign", "−∫u² div s instead of ∫u² div s", formulas.EnergyRightSign),
            Mutant("bound-d-over-t", "the bound −(d/t)∫u² (true, not attained)", formulas.EnergyBoundDOverT),
        ),
        notes=(
            "TRUE as printed. Multiplying the backward equation by u and integrating: $\\frac12\\frac{d}{dt}\\int u^2 = \\int|\\nabla u|^2 + 2\\int\\operatorname{div}(us)u$; "
            "$2\\int\\operatorname{div}(us)u = -\\int s\\cdot\\nabla(u^2) = \\int u^2\\operatorname{div}s$. For the mixture every member equals $-2\\int|\\nabla u|^2$, "
            "and right − bound $= \\frac{1}{I^2}\\sum_{i,j}G(x_i - x_j, 2t)\\frac{|x_i - x_j|^2}{8t^2} \\ge 0$, 0 for I = 1 (the bound is attained)."
        ),
    )
)

DIFFUSIVITY = register(
    Claim(
        id="mlcontrol/sec-5-li-yau/diffusivity",
        title="Tunable diffusivity: −Δu = ν(t)Δu − (1 + ν(t)) div(s u) for every ν(t) ≥ 0",
        family=_FAMILY,
        source=Source("mlcontrol", "§5, Time Reversal in Diffusion Models for Generative AI (hyperparameters: diffusivity level)"),
        statement=(
            "The diffusivity level $\\nu=\\nu(t)\\geq 0$ in the backward diffusion problem can also be tuned, since\n"
            "$$-\\Delta u=\\nu(t)\\Delta u-(1+\\nu(t))\\,\\text{div}(s(x,t)u).$$"
        ),
        assumptions=("u > 0, $s = \\nabla\\log u$ (so $su = \\nabla u$); ν(t) ≥ 0 arbitrary", *_MIXTURE),
        formulas=formulas.Diffusivity,
        checks=(
            Check("identity", Kind.SYMBOLIC, derivation.check_diffusivity_symbolic, "generic u and ν(t), d = 1, 2"),
            Check("mixture-fields", Kind.NUMERIC, simulation.check_diffusivity_numeric, "finite differences on mixtures, five diffusivities"),
            Check("diffusivity-fuzz", Kind.PROPERTY, properties.check_diffusivity_property, "drawn clouds, t, x and ν"),
        ),
        mutants=(
            Mutant("one-minus-nu", "(1 − ν) instead of (1 + ν) (agrees at ν = 0 only)", formulas.DiffusivityOneMinusNu),
            Mutant("missing-nu", "Δu instead of νΔu (agrees at ν = 1 only)", formulas.DiffusivityMissingNu),
        ),
        notes="TRUE as printed: $\\operatorname{div}(su) = \\Delta u$, so the right-hand side is $\\nu\\Delta u - (1+\\nu)\\Delta u = -\\Delta u$ for every ν.",
    )
)
