"""The JKO scheme and the heat equation, otdiff §5.1–§5.2: the minimising movement step (13),
its Dirac reduction (14), the first variation, the Wasserstein gradient and the flow (15), and
Theorem 5.1 (the Wasserstein gradient flow of the negative entropy is the heat equation).

All four are true as printed.  The numeric evidence runs the one-dimensional Lagrangian JKO
scheme of :mod:`verify.jko` (n equal-mass particles, the entropy through their spacings, each
step a strictly convex problem solved by Newton on a tridiagonal system) against exact
Gaussian-mixture solutions of the heat and Fokker–Planck equations, measured at the inner
quantile nodes and in W2 beside the quantisation floor.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, register
from theorems.jko import derivation, dirichlet, formulas, properties, simulation

__all__ = ["EQ_13", "EQ_14", "FIRST_VARIATION", "THM_5_1", "DIRICHLET", "DIRICHLET_CORRECTED"]

_FAMILY = "jko"

EQ_13 = register(
    Claim(
        id="otdiff/eq-13",
        title="The JKO step (13) approximates the Wasserstein gradient flow",
        family=_FAMILY,
        source=Source("otdiff", "§5.1, eq. (13)"),
        statement=(
            "Given a time step $\\tau > 0$, one defines the discrete evolution\n"
            "$$(13) \\quad \\alpha_{t+\\tau} := \\arg \\min_{\\alpha \\in \\mathcal{P}(\\mathbb{R}^d)} \\left\\{ \\frac{1}{2\\tau} W_2^2(\\alpha_t, \\alpha) + f(\\alpha) \\right\\}.$$\n"
            "[…] As $\\tau \\rightarrow 0$, the JKO iteration (13) converges (under suitable conditions) to a continuous-time evolution "
            "$(\\alpha_t)_{t \\geq 0}$ […]"
        ),
        assumptions=(
            "checked for f = the negative entropy $\\int\\rho\\log\\rho$, f = $\\int V d\\alpha$ with $V = \\frac q2(x-c)^2$, and their sum "
            "(the Fokker–Planck case of Jordan–Kinderlehrer–Otto); the limits are the heat flow $\\Sigma_0 + 2t\\,\\mathrm{Id}$, $\\dot x = -q(x - c)$ "
            "and $\\partial_t\\rho = \\Delta\\rho + \\operatorname{div}(\\rho\\nabla V)$",
            "Gaussians: for these f and a Gaussian $\\alpha_t$ the first-order condition of (13), $T(x) = x - \\tau\\nabla\\delta f(\\alpha)(T(x))$, "
            "is solved by a linear T, and the objective is strictly convex along generalised geodesics, so the Gaussian minimiser is the minimiser over "
            "$\\mathcal P(\\mathbb R^d)$; in 1-D the step is $\\sigma \\mapsto s$, $s^2 - \\sigma s - \\tau = 0$",
            "particles: the 1-D Lagrangian discretisation of verify.jko (n equal masses, entropy through the spacings; W2 between sorted "
            "equal-mass particles is exact)",
        ),
        formulas=formulas.Eq13,
        checks=(
            Check("gaussian-step", Kind.SYMBOLIC, derivation.check_gaussian_step, "the step on Gaussians exactly; τ → 0 rates against the flows"),
            Check("gaussian-limit", Kind.NUMERIC, simulation.check_gaussian_limit, "N steps on Gaussians (d = 1, 2) against Σ0 + 2t Id, Richardson"),
            Check("lagrangian-fokker-planck", Kind.NUMERIC, simulation.check_lagrangian_fokker_planck, "particle JKO against the exact Fokker–Planck solution"),
            Check("gaussian-step-fuzz", Kind.PROPERTY, properties.check_gaussian_step_property, "drawn Gaussians, τ, potentials: one-step O(τ²) bounds"),
        ),
        mutants=(
            Mutant("one-over-tau", "W2²/τ + f (the factor 1/2 dropped: a step of τ/2)", formulas.Eq13OneOverTau),
            Mutant("sign-flip", "W2²/(2τ) − f (f maximised)", formulas.Eq13SignFlip),
        ),
        notes=(
            "TRUE as printed. On Gaussians the step is exact: from $\\mathcal N(m, \\sigma^2)$ the entropy step is $\\mathcal N(m, s^2)$ with "
            "$s = (\\sigma + \\sqrt{\\sigma^2 + 4\\tau})/2$, whose variance $\\sigma^2 + 2\\tau - 4\\tau^2/(\\sigma + \\sqrt{\\sigma^2+4\\tau})^2$ is the heat "
            "flow's to $O(\\tau^2)$; N steps err by $-\\frac\\tau2\\log(1 + 2T/\\sigma^2) + O(\\tau^2)$. Without the 1/2 the scheme is the JKO step of "
            "τ/2 (the flow at half speed); with f maximised the step has no minimiser (a collapsing Gaussian sends the objective to −∞)."
        ),
    )
)

EQ_14 = register(
    Claim(
        id="otdiff/eq-14",
        title="For Dirac masses (13) is the implicit Euler step (14) of ẋ = −∇h(x)",
        family=_FAMILY,
        source=Source("otdiff", "§5.1, eq. (14)"),
        statement=(
            "suppose $\\alpha_t = \\delta_{x(t)}$ is a Dirac mass and set $h(x) = f(\\delta_x)$, assuming $f$ can be evaluated on Dirac masses. "
            "Then (13) reduces to\n"
            "$$(14) \\quad x(t + \\tau) = \\arg \\min_x \\left\\{ \\frac{1}{2\\tau} \\|x - x(t)\\|^2 + h(x) \\right\\},$$\n"
            "which is precisely the implicit Euler step for the ODE $\\dot{x}(t) = -\\nabla h(x(t))$."
        ),
        assumptions=(
            "(13) restricted to Dirac masses α (for f = ∫V dα the minimiser over all of $\\mathcal P(\\mathbb R^d)$ is itself a Dirac mass: "
            "$\\int(|x(t)-y|^2/(2\\tau) + V(y))\\,d\\alpha(y) \\ge \\min_y$)",
            "h smooth with $\\tau\\,\\lambda_{\\min}(\\nabla^2 h) > -1$, so that the minimiser is unique",
        ),
        formulas=formulas.Eq14,
        checks=(
            Check("dirac-reduction", Kind.SYMBOLIC, derivation.check_dirac_reduction, "W2 of Diracs; stationarity ⇔ implicit Euler (generic h, d = 1, 2)"),
            Check("implicit-euler", Kind.NUMERIC, simulation.check_implicit_euler, "argmin vs scheme, convergence to the ODE with implicit Euler's constant"),
            Check("dirac-fuzz", Kind.PROPERTY, properties.check_dirac_property, "drawn h, x(t), τ: scipy's minimiser vs implicit Euler"),
        ),
        mutants=(
            Mutant("one-over-tau", "|x − x(t)|²/τ + h(x) (the factor 1/2 dropped)", formulas.Eq14OneOverTau),
            Mutant("explicit-euler", "the explicit Euler step x(t) − τ∇h(x(t)) presented as the minimiser", formulas.Eq14Explicit),
            Mutant("sign-flip", "|x − x(t)|²/(2τ) − h(x)", formulas.Eq14SignFlip),
        ),
        notes=(
            "TRUE as printed: the stationarity of (14) is $x - x(t) + \\tau\\nabla h(x) = 0$, the implicit Euler equation. Iterated, it converges "
            "at order 1 with the error $\\tau e_1(T)$, $\\dot e_1 = -\\nabla^2h\\,e_1 + \\frac12\\ddot x$ (explicit Euler has $-e_1$)."
        ),
    )
)

FIRST_VARIATION = register(
    Claim(
        id="otdiff/sec-5.1-first-variation",
        title="The Wasserstein gradient ∇_W f = ∇[δf(α)] and the limiting PDE (15)",
        family=_FAMILY,
        source=Source("otdiff", "§5.1, the display after (14) and eq. (15)"),
        statement=(
            "the so-called (minus the) Wasserstein gradient $v_t = -\\nabla_W f(\\alpha_t)$ […] defined as\n"
            "$$\\nabla_W f(\\alpha) = \\nabla[\\delta f(\\alpha)],$$\n"
            "[…] Here $\\delta f(\\alpha)$ is the first variation of $f$, i.e., a function in $\\mathcal{C}(\\mathbb{R}^d)$ satisfying\n"
            "$$f((1 - \\tau)\\alpha + \\tau\\beta) = f(\\alpha) + \\tau \\int \\delta f(\\alpha)(x) d(\\beta - \\alpha)(x) + o(\\tau).$$\n"
            "[…] The Wasserstein gradient flow limiting PDE thus reads\n"
            "$$(15) \\quad \\partial_t \\alpha_t + \\operatorname{div}(-\\nabla_W f(\\alpha_t) \\alpha_t) = 0.$$"
        ),
        assumptions=(
            "δf is defined by the expansion only up to an additive constant ($\\int d(\\beta - \\alpha) = 0$), which ∇ removes; so δf = log ρ and "
            "log ρ + 1 are the same first variation of the entropy",
            "checked on $\\int V d\\alpha$, $\\iint k\\,d\\alpha\\,d\\alpha$ (k not symmetric) and $\\int\\rho\\log\\rho$, whose first variations the "
            "expansion gives as V, $\\int(k(x, y) + k(y, x))\\,d\\alpha(y)$ and $\\log\\rho + 1$",
            "the reference for (15) is the τ → 0 limit of the JKO step (13): the proximal step $y + \\tau V'(y) = x$ for ∫V dα, the exact Gaussian "
            "step for the entropy",
        ),
        formulas=formulas.Sec51,
        checks=(
            Check("expansion-and-pde", Kind.SYMBOLIC, derivation.check_first_variation, "δf by the printed expansion; (15) vs the JKO limit (generic V, ρ)"),
            Check("variation-and-flow", Kind.NUMERIC, simulation.check_variation_and_flow, "δf vs verify.variation and a grid; −∇_W f vs the particle JKO"),
            Check("variation-fuzz", Kind.PROPERTY, properties.check_variation_property, "drawn α, V, k: δf; prox velocity vs −∇_W f"),
        ),
        mutants=(
            Mutant("sign-flip", "∇_W f = −∇[δf] (mass moves up the first variation)", formulas.Sec51SignFlip),
            Mutant("factor-two", "∇_W f = 2∇[δf]", formulas.Sec51FactorTwo),
        ),
        notes=(
            "TRUE as printed. The first variation without the '+1' of the entropy is not a mutant: the expansion cannot see constants."
        ),
    )
)

THM_5_1 = register(
    Claim(
        id="otdiff/thm-5.1",
        title="Theorem 5.1 (Jordan–Kinderlehrer–Otto): the Wasserstein gradient flow of the negative entropy is the heat equation",
        family=_FAMILY,
        source=Source("otdiff", "Theorem 5.1"),
        statement=(
            "**Theorem 5.1** (Jordan–Kinderlehrer–Otto [48]). *Let $f(\\alpha) = \\int_{\\mathbb{R}^d} \\log\\left(\\frac{d\\alpha}{dx}(x)\\right) d\\alpha(x)$ "
            "be the Shannon–Boltzmann negative entropy (defined for absolutely continuous $\\alpha$). Then the Wasserstein gradient flow of $f$ is the "
            "heat equation $\\partial_t \\alpha_t = \\Delta \\alpha_t$.*"
        ),
        assumptions=(
            "the Wasserstein gradient flow is (15) with δf from otdiff §5.1 (δf = log ρ + 1), and the limit of the JKO scheme (13)",
            "checked on densities in d = 1, 2 (symbolic, generic) and from a three-component Gaussian mixture in d = 1 (numeric), whose heat solution "
            "is the mixture with every variance grown by 2t",
        ),
        formulas=formulas.Thm51,
        checks=(
            Check("heat-from-15", Kind.SYMBOLIC, derivation.check_heat, "div(ρ∇(log ρ + 1)) = Δρ for generic ρ (d = 1, 2)"),
            Check("lagrangian-jko", Kind.NUMERIC, simulation.check_lagrangian_heat, "particle JKO of the entropy vs the heat solution; W2 and the floor"),
            Check("transport-vs-brownian", Kind.NUMERIC, simulation.check_transport, "−∇log ρ_t: quantiles to quantiles; law of Brownian particles"),
            Check("heat-fuzz", Kind.PROPERTY, properties.check_heat_property, "drawn mixtures, t, x; one JKO step on drawn Gaussians"),
        ),
        mutants=(
            Mutant("diffusivity-2", "∂α = 2Δα (particles at velocity −2∇log ρ)", formulas.Thm51Diffusivity2),
            Mutant("backward", "velocity +∇log ρ, i.e. ∂α = −Δα", formulas.Thm51Backward),
            Mutant("half", "∂α = Δα/2 (the probabilists' generator)", formulas.Thm51Half),
        ),
        notes=(
            "TRUE as printed: $\\delta f = \\log\\rho + 1$, $\\nabla_W f = \\nabla\\rho/\\rho$, and (15) is $\\partial_t\\rho = \\operatorname{div}(\\rho\\nabla\\rho/\\rho) = \\Delta\\rho$. "
            "The particle JKO scheme converges to it at first order in τ; its error at a fixed quantile level decays like 1/n, while its W2 error "
            "sits on the quantisation floor (about $n^{-0.55}$ for Gaussian tails)."
        ),
    )
)

DIRICHLET = register(dirichlet.DIRICHLET)
DIRICHLET_CORRECTED = register(dirichlet.DIRICHLET_CORRECTED)
