"""Interacting particles, otdiff §5.3: eq. (17), the Wasserstein gradient of the interaction
energy (18), and the particle system displayed after (18).

Finding: (17) as printed, :math:`\\dot X = -\\nabla F(X)` with
:math:`F(X) = f(\\frac1n\\sum_i\\delta_{x_i})`, is not the flow (15) for n ≥ 2.  Each atom carries
the weight 1/n, so the chain rule gives :math:`\\nabla_{x_i}F(X) = \\frac1n\\nabla_W f(\\alpha_X)(x_i)`
and (17) moves the particles n times slower than (15); the two agree only for n = 1 (the Dirac
case (14)).  The paper's own particle system after (18),
:math:`\\dot x_i = -\\frac2n\\sum_j\\nabla_x k(x_i, x_j)`, follows (15), not (17) (which would give
:math:`-\\frac{2}{n^2}\\sum_j`).  The printed (17) is recorded as expected ``REFUTED``; the
correction :math:`\\dot X = -n\\nabla F(X)` is its own claim, ``otdiff/eq-17/corrected``.
The gradient of (18) and the particle system after it are true as printed.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, Verdict, register
from theorems.interaction import derivation, formulas, properties, simulation

__all__ = ["EQ_17", "EQ_17_CORRECTED", "EQ_18", "EQ_18_PARTICLES"]

_EQ17_CHECKS = (
    Check("chain-rule", Kind.SYMBOLIC, derivation.check_chain_rule, "∇F vs the (15) velocity from the first variation (sympy)"),
    Check("quadratic-exact-flow", Kind.NUMERIC, simulation.check_moment_flow_17, "quadratic kernel: residual along the exact flow, RK4 moments"),
    Check("variation-velocity", Kind.NUMERIC, simulation.check_variation_velocity_17, "nonlinear kernels: vs numeric ∇_W f (verify.variation)"),
    Check("velocity-fuzz", Kind.PROPERTY, properties.check_chain_rule_property, "drawn n, d, kernels, clouds vs verify.variation"),
)
_EQ17_ASSUMPTIONS = (
    "(15) moves mass with $v = -\\nabla_W f(\\alpha)$, $\\nabla_W f = \\nabla[\\delta f(\\alpha)]$, δf the first variation (otdiff §5.1); "
    "for $\\alpha_t = \\frac1n\\sum_i\\delta_{x_i(t)}$ its particles move by $\\dot x_i = -\\nabla_W f(\\alpha_t)(x_i)$",
    "$\\nabla F$ is the Euclidean gradient of $F : (\\mathbb R^d)^n \\to \\mathbb R$, as in §6 ($X_{t+\\tau} = X_t - \\tau\\nabla F(X_t)$ for (20))",
    "checked for f of the form (18) with regular kernels (smooth, or |x − y| between collisions), n ≥ 1, d = 1, 2",
)
_STATEMENT_17 = (
    "If $f(\\alpha)$ can be evaluated on discrete measures and $\\nabla_W f(\\alpha)$ defines a regular vector field, then the flow (15) "
    "preserves the discrete structure $\\alpha_t = \\frac{1}{n} \\sum_{i=1}^n \\delta_{x_i(t)}$, so that the particles "
    "$X(t) := (x_i(t))_{i=1}^n$ evolve according to a system of coupled ODEs\n"
    "$$(17) \\quad \\dot{X}(t) = -\\nabla F(X), \\quad \\text{where} \\quad F(X) := f\\left(\\frac{1}{n} \\sum_{i=1}^n \\delta_{x_i}\\right).$$"
)

EQ_17 = register(
    Claim(
        id="otdiff/eq-17",
        title="Particles of a Wasserstein gradient flow follow Ẋ = −∇F(X) (as printed)",
        family="interaction",
        source=Source("otdiff", "§5.3, eq. (17)"),
        statement=_STATEMENT_17,
        assumptions=_EQ17_ASSUMPTIONS,
        formulas=formulas.Eq17,
        checks=_EQ17_CHECKS,
        mutants=(
            Mutant("sign-flip", "gradient ascent Ẋ = +∇F(X)", formulas.Eq17SignFlip),
            Mutant("double-gradient", "Ẋ = −2∇F(X)", formulas.Eq17DoubleGradient),
        ),
        expected=Verdict.REFUTED,
        corrected_by="otdiff/eq-17/corrected",
        notes=(
            "REFUTED as printed for n ≥ 2: each atom of $\\alpha_X = \\frac1n\\sum_i\\delta_{x_i}$ has weight 1/n, so "
            "$\\nabla_{x_i}F(X) = \\frac1n\\nabla_W f(\\alpha_X)(x_i)$ and (17) moves the particles n times slower than (15) "
            "($X_{(17)}(t) = X_{(15)}(t/n)$: same paths and equilibria, wrong clock); the two agree only for n = 1, the Dirac case (14). "
            "Minimal exact counterexample: n = 2, d = 1, $f(\\alpha) = \\int h\\,d\\alpha$ with $h(x) = x$ (k(x, y) = h(x)): "
            "(15) gives $\\dot x_i = -1$, (17) gives $-1/2$. "
            "Internal inconsistency: the paper's own particle system after (18), $\\dot x_i = -\\frac{2}{n}\\sum_j\\nabla_x k(x_i, x_j)$, "
            "agrees with (15), while (17) with $F(X) = \\frac{1}{n^2}\\sum_{i,j}k(x_i, x_j)$ gives $-\\frac{2}{n^2}\\sum_j\\nabla_x k(x_i, x_j)$. "
            "(17) holds if $\\nabla$ is read as the gradient for the metric $\\frac1n\\sum_i|u_i|^2$ that W2 induces on n-particle "
            "configurations, but the paper uses the Euclidean gradient (§6: $X_{t+\\tau} = X_t - \\tau\\nabla F(X_t)$ 'converges formally to (17)'). "
            "Correction: $\\dot X = -n\\nabla F(X)$ (otdiff/eq-17/corrected)."
        ),
    )
)

EQ_17_CORRECTED = register(
    Claim(
        id="otdiff/eq-17/corrected",
        title="Particles of a Wasserstein gradient flow follow Ẋ = −n∇F(X) (corrected)",
        family="interaction",
        source=Source("otdiff", "§5.3, eq. (17) (corrected: factor n)"),
        statement=(
            "If $f(\\alpha)$ can be evaluated on discrete measures and $\\nabla_W f(\\alpha)$ defines a regular vector field, then the flow (15) "
            "preserves the discrete structure $\\alpha_t = \\frac{1}{n} \\sum_{i=1}^n \\delta_{x_i(t)}$, and the particles evolve by\n"
            "$$\\dot{X}(t) = -n\\nabla F(X), \\quad \\text{where} \\quad F(X) := f\\left(\\frac{1}{n} \\sum_{i=1}^n \\delta_{x_i}\\right).$$"
        ),
        assumptions=_EQ17_ASSUMPTIONS + (
            "derivation: moving $x_i$ by $\\varepsilon u$ changes $\\alpha_X$ by $\\frac1n(\\delta_{x_i + \\varepsilon u} - \\delta_{x_i})$, so "
            "$\\langle\\nabla_{x_i}F, u\\rangle = \\frac1n\\langle\\nabla[\\delta f(\\alpha_X)](x_i), u\\rangle$",
        ),
        formulas=formulas.Eq17Corrected,
        checks=_EQ17_CHECKS,
        mutants=(
            Mutant("as-printed", "the printed form Ẋ = −∇F(X) (factor n dropped)", formulas.Eq17CorrectedAsPrinted),
            Mutant("sign-flip", "Ẋ = +n∇F(X)", formulas.Eq17CorrectedSignFlip),
            Mutant("n-squared", "Ẋ = −n²∇F(X) (weight 1/n counted twice)", formulas.Eq17CorrectedSquaredN),
        ),
        corrects="otdiff/eq-17",
    )
)

EQ_18 = register(
    Claim(
        id="otdiff/eq-18",
        title="Wasserstein gradient of the interaction energy (18): ∇h for k = h(x), 2∫∇ₓk dα for symmetric k",
        family="interaction",
        source=Source("otdiff", "§5.3, eq. (18) and the sentences after it"),
        statement=(
            "$$(18) \\quad f(\\alpha) := \\iint k(x, y) d\\alpha(x) d\\alpha(y).$$\n"
            "When $k(x, y) = h(x)$ does not depend on $y$, the Wasserstein gradient reduces to $\\nabla_W f(\\alpha) = \\nabla h$, independently "
            "of $\\alpha$, […] (here we assume symmetry of $k$ for simplicity), $\\nabla_W f(\\alpha)(x) = 2 \\int \\nabla_x k(x, y) d\\alpha(y)$"
        ),
        assumptions=(
            "α a probability measure; $\\nabla_W f = \\nabla[\\delta f(\\alpha)]$ with the first variation of otdiff §5.1",
            "k differentiable in x; the second formula for symmetric k, $k(x, y) = k(y, x)$",
            "checked on discrete α (the definition is linear in α in each slot, so discrete measures carry the identity)",
        ),
        formulas=formulas.Eq18,
        checks=(
            Check("first-variation", Kind.SYMBOLIC, derivation.check_first_variation, "generic h and symmetric g; integer instances"),
            Check("variation-gradient", Kind.NUMERIC, simulation.check_variation_gradient, "weighted clouds, four kernels, vs verify.variation"),
            Check("gradient-fuzz", Kind.PROPERTY, properties.check_gradient_property, "drawn kernels, clouds and points vs verify.variation"),
        ),
        mutants=(
            Mutant("no-factor-two", "∫∇ₓk dα (the factor 2 dropped)", formulas.Eq18NoFactorTwo),
            Mutant("sign-flip", "−2∫∇ₓk dα", formulas.Eq18SignFlip),
            Mutant("second-argument", "2∫∇_y k(x, y) dα(y) (gradient in the other slot)", formulas.Eq18SecondArgument),
            Mutant("potential-doubled", "∇_W f = 2∇h for k = h(x) (the symmetric formula misapplied)", formulas.Eq18PotentialDoubled),
        ),
        notes=(
            "TRUE as printed: $\\delta f(\\alpha)(x) = \\int (k(x, y) + k(y, x))\\,d\\alpha(y)$, which is $h(x) + \\int h\\,d\\alpha$ for "
            "$k = h(x)$ and $2\\int k(x, y)\\,d\\alpha(y)$ for symmetric k. The factor 2 appears only for symmetric kernels: applying it to "
            "$k = h(x)$ (not symmetric) would give $2\\nabla h$ (mutant potential-doubled)."
        ),
    )
)

EQ_18_PARTICLES = register(
    Claim(
        id="otdiff/eq-18/particles",
        title="The particle system of the interaction energy: ẋᵢ = −(2/n)Σⱼ∇ₓk(xᵢ, xⱼ)",
        family="interaction",
        source=Source("otdiff", "§5.3, the particle system displayed after eq. (18)"),
        statement=(
            "[…] $\\nabla_W f(\\alpha)(x) = 2 \\int \\nabla_x k(x, y) d\\alpha(y)$, which leads to the particle system\n"
            "$$\\dot{x}_i(t) = -\\frac{2}{n} \\sum_{j=1}^n \\nabla_x k(x_i(t), x_j(t)).$$"
        ),
        assumptions=(
            "k symmetric; the system is the flow (15) of (18) restricted to $\\alpha_t = \\frac1n\\sum_i\\delta_{x_i(t)}$ (velocity $-\\nabla_W f(\\alpha_t)$ at the particles)",
            "the sum includes j = i; for $k = |x - y|$ the convention sign(0) = 0 is used (particles never meet before the first collision)",
            "known flows used: quadratic kernel $x^\\top Ax + y^\\top Ay + 2x^\\top By$ (exact linear flow of every empirical measure) and $|x - y|$ in d = 1 (quantile flow)",
        ),
        formulas=formulas.Eq18Particles,
        checks=(
            Check("particle-system", Kind.SYMBOLIC, derivation.check_particle_system, "generic symmetric kernel; moment ODEs of the quadratic kernel"),
            Check("quadratic-exact-flow", Kind.NUMERIC, simulation.check_moment_flow, "residual along the exact flow; RK4 moments vs moment ODEs"),
            Check("quantile-flow", Kind.NUMERIC, simulation.check_quantile_flow, "|x − y| in d = 1: particles at quantiles vs X0(s) − 2(2s−1)t"),
            Check("variation-velocity", Kind.NUMERIC, simulation.check_variation_velocity, "nonlinear kernels: vs numeric ∇_W f (verify.variation)"),
            Check("particles-fuzz", Kind.PROPERTY, properties.check_particles_property, "drawn n, d, symmetric kernels, clouds vs verify.variation"),
        ),
        mutants=(
            Mutant("one-over-n", "−(1/n)Σⱼ∇ₓk (the factor 2 dropped)", formulas.Eq18ParticlesOneOverN),
            Mutant("two-over-n-squared", "−(2/n²)Σⱼ∇ₓk (the scaling (17) as printed gives)", formulas.Eq18ParticlesOneOverNSquared),
            Mutant("sign-flip", "+(2/n)Σⱼ∇ₓk", formulas.Eq18ParticlesSignFlip),
        ),
        notes=(
            "TRUE as printed; it agrees with (15) and with the corrected (17), $\\dot X = -n\\nabla F(X)$, not with (17) as printed "
            "(see otdiff/eq-17)."
        ),
    )
)
