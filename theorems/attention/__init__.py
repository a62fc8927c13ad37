"""Gaussian attention dynamics of otdiff §7.1–§7.2: Theorem 7.1 (Gaussian closure and the
covariance ODE (30)), the finite-time blow-up remark after it, and the potential case
(V = QᵀK makes the attention field a gradient).

Finding: the printed (30), :math:`\\dot\\Sigma = V\\Sigma Q^\\top K^\\top\\Sigma + \\Sigma K^\\top Q^\\top\\Sigma V^\\top`,
does not follow from (27) with :math:`\\langle Qx, Ky\\rangle = x^\\top Q^\\top Ky`: the tilted
Gaussian gives the linear field :math:`V\\Sigma K^\\top Qx`, hence
:math:`\\dot\\Sigma = V\\Sigma K^\\top Q\\Sigma + \\Sigma Q^\\top K\\Sigma V^\\top`.  The printed right-hand
side is not even symmetric in general.  The printed claim is recorded as expected ``REFUTED``
and the correction is its own claim, ``otdiff/thm-7.1/corrected``.  The blow-up remark and the
potential case are true as printed.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, Verdict, register
from theorems.attention import derivation, formulas, properties, simulation

__all__ = ["THM_7_1", "THM_7_1_CORRECTED", "BLOW_UP", "POTENTIAL"]

_ODE_CHECKS = (
    Check("tilted-gaussian", Kind.SYMBOLIC, derivation.check_covariance_ode_symbolic, "tilted Gaussian → linear field → Σ̇; generic 2x2 comparison"),
    Check("attention-layers", Kind.NUMERIC, simulation.check_covariance_particles, "tokens through T attention layers (26) vs the ODE solved by solve_ivp"),
    Check("ode-fuzz", Kind.PROPERTY, properties.check_covariance_ode_property, "drawn (Σ, Q, K, V), d ≤ 3, against a quadrature route"),
)
_ASSUMPTIONS = (
    "$\\langle a, b\\rangle = a^\\top b$, so $\\langle Qx, Ky\\rangle = x^\\top Q^\\top Ky$; $Q, K, V \\in \\mathbb R^{d\\times d}$ fixed in time (the theorem allows $\\theta_t$; "
    "the right-hand side is checked pointwise in t, the dynamics with constant θ)",
    "$\\Gamma_\\theta$ is (27) and the dynamics are (28)–(29); for a linear field the Gaussian path solving (29) is taken as the solution "
    "(uniqueness of smooth solutions, 'for as long as a smooth solution exists')",
    "numeric evidence: the mean-field limit of n tokens moved by T layers (26), extrapolated in T and n",
)
_STATEMENT = (
    "**Theorem 7.1** (Gaussian closure and covariance dynamics [16]). *Let the initial distribution be $\\alpha_{t=0} = \\mathcal{N}(0, \\Sigma_0)$ "
    "with covariance $\\Sigma_0 \\succ 0$. Then for as long as a smooth solution to (29) exists, the distribution remains Gaussian, "
    "$\\alpha_t = \\mathcal{N}(0, \\Sigma_t)$. Moreover, the covariance satisfies the closed ODE,*\n"
    "$$(30) \\quad \\dot{\\Sigma}_t = V_t \\Sigma_t Q_t^\\top K_t^\\top \\Sigma_t + \\Sigma_t K_t^\\top Q_t^\\top \\Sigma_t V_t^\\top,$$"
)

THM_7_1 = register(
    Claim(
        id="otdiff/thm-7.1",
        title="Gaussian closure and covariance ODE of attention dynamics (as printed)",
        family="attention",
        source=Source("otdiff", "Theorem 7.1, eq. (30)"),
        statement=_STATEMENT,
        assumptions=_ASSUMPTIONS,
        formulas=formulas.Thm71,
        checks=_ODE_CHECKS,
        mutants=(
            Mutant("sign-flip", "(30) with both terms negated", formulas.Thm71SignFlip),
            Mutant("factor-2", "(30) with a spurious factor 2", formulas.Thm71Factor2),
            Mutant("symmetrised-first-term", "second term replaced by the transpose of the first: VΣQᵀKᵀΣ + ΣKQΣVᵀ", formulas.Thm71SymmetrisedFirstTerm),
        ),
        expected=Verdict.REFUTED,
        corrected_by="otdiff/thm-7.1/corrected",
        notes=(
            "REFUTED as printed. The Gaussian closure is true, but with $\\langle Qx, Ky\\rangle = x^\\top Q^\\top Ky$ the tilted Gaussian "
            "$e^{\\langle Qx, Ky\\rangle}\\mathcal N(0,\\Sigma)(dy)/Z = \\mathcal N(\\Sigma K^\\top Qx, \\Sigma)$ gives $\\Gamma_\\theta(x) = V\\Sigma K^\\top Qx$ and "
            "$\\dot\\Sigma = V\\Sigma K^\\top Q\\Sigma + \\Sigma Q^\\top K\\Sigma V^\\top$; the printed (30) has $Q^\\top K^\\top$ and $K^\\top Q^\\top$ in place of "
            "$K^\\top Q$ and $Q^\\top K$, and is not symmetric in general. The two agree in d = 1, and for all V and Σ exactly when "
            "$Q^\\top K^\\top = K^\\top Q$ and $K^\\top Q^\\top = Q^\\top K$ (for example Q, K symmetric and commuting; the first condition alone "
            "is not enough: Q = Id with K not symmetric). Minimal exact counterexample (fewest non-zero entries): $\\Sigma = \\mathrm{Id}$, "
            "$Q = V = E_{11}$, $K = E_{12}$: printed $E_{21}$, derived 0. A readable one: $K = V = \\Sigma = \\mathrm{Id}$, "
            "$Q = E_{12}$: printed $\\begin{pmatrix}0&0\\\\2&0\\end{pmatrix}$, derived $\\begin{pmatrix}0&1\\\\1&0\\end{pmatrix}$."
        ),
    )
)

THM_7_1_CORRECTED = register(
    Claim(
        id="otdiff/thm-7.1/corrected",
        title="Gaussian closure and covariance ODE of attention dynamics (corrected)",
        family="attention",
        source=Source("otdiff", "Theorem 7.1, eq. (30) (corrected: K^T Q in place of Q^T K^T)"),
        statement=(
            "Let $\\alpha_{t=0} = \\mathcal{N}(0, \\Sigma_0)$, $\\Sigma_0 \\succ 0$. Then for as long as a smooth solution to (29) exists, "
            "$\\alpha_t = \\mathcal{N}(0, \\Sigma_t)$ with\n"
            "$$\\dot{\\Sigma}_t = V_t \\Sigma_t K_t^\\top Q_t \\Sigma_t + \\Sigma_t Q_t^\\top K_t \\Sigma_t V_t^\\top.$$"
        ),
        assumptions=_ASSUMPTIONS + (
            "derivation: $\\beta = K^\\top Qx$, the tilt of $\\mathcal N(0,\\Sigma)$ by $e^{\\beta^\\top y}$ is $\\mathcal N(\\Sigma\\beta, \\Sigma)$, so "
            "$\\Gamma_\\theta(x) = V\\Sigma K^\\top Qx =: Ax$ and $\\dot\\Sigma = A\\Sigma + \\Sigma A^\\top$",
        ),
        formulas=formulas.Thm71Corrected,
        checks=_ODE_CHECKS,
        mutants=(
            Mutant("as-printed", "the printed (30): VΣQᵀKᵀΣ + ΣKᵀQᵀΣVᵀ", formulas.Thm71),
            Mutant("value-untransposed", "V without its transpose in the second term", formulas.CorrectedValueUntransposed),
            Mutant("sign-flip", "both terms negated", formulas.CorrectedSignFlip),
            Mutant("factor-2", "a spurious factor 2", formulas.CorrectedFactor2),
            Mutant("query-key-swap", "Q and K exchanged: VΣQᵀKΣ + ΣKᵀQΣVᵀ", formulas.CorrectedQueryKeySwap),
        ),
        corrects="otdiff/thm-7.1",
    )
)

BLOW_UP = register(
    Claim(
        id="otdiff/thm-7.1/blow-up",
        title="The covariance of attention dynamics can blow up in finite time",
        family="attention",
        source=Source("otdiff", "§7.2, remark after Theorem 7.1"),
        statement=(
            "The system (30) is nonlinear and quadratic in $\\Sigma_t$. Depending on $(Q, K, V)$ and the initialization $\\Sigma_0$, "
            "the covariance can blow up in finite time, echoing clustering phenomena observed in related attention-driven dynamics."
        ),
        assumptions=(
            "checked on the example $Q = K = \\mathrm{Id}$, $V = \\lambda\\,\\mathrm{Id}$, $\\lambda > 0$, where the printed (30) and the corrected ODE "
            "coincide ($\\dot\\Sigma = 2\\lambda\\Sigma^2$): $\\Sigma_t = (\\Sigma_0^{-1} - 2\\lambda t\\,\\mathrm{Id})^{-1}$, blow-up at "
            "$t^\\star = 1/(2\\lambda\\lambda_{\\max}(\\Sigma_0))$",
            "an existence statement: one example with finite-time blow-up suffices; the particle evidence stops at 0.85 t* (beyond, n tokens "
            "no longer resolve the tilted Gaussian: the clustering regime)",
        ),
        formulas=formulas.BlowUp,
        checks=(
            Check("closed-form", Kind.SYMBOLIC, derivation.check_blow_up_symbolic, "closed form solves Σ̇ = 2λΣ², first singular time"),
            Check("ode-event", Kind.NUMERIC, simulation.check_blow_up_ode, "solve_ivp until λ_max(Σ) explodes vs closed form and t*"),
            Check("blow-up-particles", Kind.NUMERIC, simulation.check_blow_up_particles, "tokens follow the closed form up to 0.85 t*"),
            Check("blow-up-fuzz", Kind.PROPERTY, properties.check_blow_up_property, "drawn Σ0, λ, t (d ≤ 3)"),
        ),
        mutants=(
            Mutant("time-factor-2", "t* = 1/(λ λ_max(Σ0))", formulas.BlowUpTimeFactor2),
            Mutant("no-blow-up", "the covariance stays bounded (t* = ∞)", formulas.BlowUpNever),
            Mutant("sign-flip", "closed form (Σ0⁻¹ + 2λt Id)⁻¹", formulas.BlowUpSignFlip),
            Mutant("min-eigenvalue", "t* from λ_min(Σ0)", formulas.BlowUpMinEigenvalue),
        ),
    )
)

POTENTIAL = register(
    Claim(
        id="otdiff/sec-7.2-potential",
        title="With V = QᵀK the attention field is the gradient of the log-partition φ[α]",
        family="attention",
        source=Source("otdiff", "§7.2, potential case"),
        statement=(
            "Assume $\\theta_t \\equiv \\theta = (Q, K, V)$ is fixed in time and suppose $V = Q^\\top K$. Define the log-partition functional\n"
            "$$\\phi[\\alpha](x) := \\log \\int e^{\\langle Qx, Ky \\rangle} d\\alpha(y).$$\n"
            "A direct calculation shows that if one assumes $V = Q^\\top K$, then $\\Gamma_\\theta[\\alpha] = \\nabla_x \\phi[\\alpha]$."
        ),
        assumptions=(
            "$\\Gamma_\\theta$ is (27); α any probability measure for which the integrals are finite (differentiation under the integral)",
            "checked on discrete α (symbolic two-atom, random point clouds, drawn clouds) and on Gaussian α (closed form and Gauss–Hermite measure)",
            "the next sentence of the paper ('φ[α] is not a first variation') is not checked here",
        ),
        formulas=formulas.Potential,
        checks=(
            Check("gradient-identity", Kind.SYMBOLIC, derivation.check_potential_symbolic, "kernel bracket; two symbolic atoms; Gaussian α"),
            Check("finite-differences", Kind.NUMERIC, simulation.check_potential_numeric, "Richardson finite differences of φ vs Γ"),
            Check("potential-fuzz", Kind.PROPERTY, properties.check_potential_property, "complex-step ∇φ vs Γ on drawn clouds"),
        ),
        mutants=(
            Mutant("value-KtQ", "V = KᵀQ", formulas.PotentialKtQ),
            Mutant("value-QKt", "V = QKᵀ", formulas.PotentialQKt),
            Mutant("value-sign", "V = −QᵀK", formulas.PotentialSignFlip),
            Mutant("no-log", "φ without the logarithm", formulas.PotentialNoLog),
        ),
    )
)
