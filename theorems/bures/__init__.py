"""Bures–Wasserstein claims of otdiff §4.2: Proposition 4.3 and Theorem 4.2 (Gaussian case).

Statements are transcribed as printed (otdiff, §4.2).  Both are expected ``VERIFIED``: the
printed map, distance and geodesic are the classical ones (Dowson–Landau, Olkin–Pukelsheim,
Knott–Smith, Givens–Shortt; McCann's interpolation).
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, register
from theorems.bures import derivation, formulas, properties, simulation

__all__ = ["PROP_4_3", "THM_4_2"]

PROP_4_3 = register(
    Claim(
        id="otdiff/prop-4.3",
        title="Gaussian optimal transport: linear Brenier map, Bures distance, geodesic covariance",
        family="bures",
        source=Source("otdiff", "Proposition 4.3"),
        statement=(
            "For $\\alpha_0 = \\mathcal{N}(0, \\Sigma_0)$ and $\\alpha_1 = \\mathcal{N}(0, \\Sigma_1)$, the optimal "
            "transport map is linear\n"
            "$$T(x) = \\Sigma_0^{-\\frac{1}{2}} \\left( \\Sigma_0^{\\frac{1}{2}} \\Sigma_1 \\Sigma_0^{\\frac{1}{2}} \\right)^{\\frac{1}{2}} \\Sigma_0^{-\\frac{1}{2}} x,$$\n"
            "and the squared Wasserstein-2 distance is the so-called square Bures distance\n"
            "$$W_2^2(\\alpha_0, \\alpha_1) = \\text{Tr} \\left( \\Sigma_0 + \\Sigma_1 - 2 \\left( \\Sigma_0^{1/2} \\Sigma_1 \\Sigma_0^{1/2} \\right)^{1/2} \\right).$$\n"
            "The geodesic interpolation $\\alpha_t = ((1-t)\\text{Id} + tT) \\sharp \\alpha_0$ is Gaussian with covariance "
            "$$\\Sigma_t = ((1-t)\\text{Id} + tT) \\Sigma_0 ((1-t)\\text{Id} + tT)^\\top.$$"
        ),
        assumptions=(
            "$\\Sigma_0$ symmetric positive definite (the map needs $\\Sigma_0^{-1/2}$); $\\Sigma_1$ symmetric positive semidefinite",
            "both Gaussians centred; $t \\in [0, 1]$",
            "optimality of a gradient-of-convex pushforward is Brenier's theorem (otdiff, Theorem 4.1)",
        ),
        formulas=formulas.Prop43,
        checks=(
            Check("brenier-map", Kind.SYMBOLIC, derivation.check_brenier_map, "TΣ0Tᵀ = Σ1, T = Tᵀ, ATA = R ≻ 0 for generic 2x2 pairs"),
            Check("bures-cost", Kind.SYMBOLIC, derivation.check_bures_cost, "the cost of T is the printed Bures expression"),
            Check("commuting-case", Kind.SYMBOLIC, derivation.check_commuting_case, "commuting covariances give the classical formula"),
            Check("geodesic-endpoints", Kind.SYMBOLIC, derivation.check_geodesic_endpoints, "Σ_t runs from Σ0 to Σ1"),
            Check("pushforward-particles", Kind.NUMERIC, simulation.check_pushforward_particles, "second moment of T(X) vs Σ1"),
            Check("sample-optimality", Kind.NUMERIC, simulation.check_sample_optimality, "ot.emd keeps x ↦ Tx on samples"),
            Check("transport-cost", Kind.NUMERIC, simulation.check_transport_cost, "E|X − TX|² vs the printed W2²"),
            Check("empirical-w2-convergence", Kind.NUMERIC, simulation.check_empirical_w2_convergence, "exact empirical W2² → printed W2²"),
            Check("geodesic-particles", Kind.NUMERIC, simulation.check_geodesic_particles, "moved particles have covariance Σ_t"),
            Check("optimal-among-linear-maps", Kind.PROPERTY, properties.check_optimal_among_linear_maps, "T beats every linear pushforward"),
        ),
        mutants=(
            Mutant("cross-term-factor", "W2² with the cross term missing its factor 2", formulas.Prop43CrossTermFactor),
            Mutant("cross-term-unrooted", "W2² with the outer square root of the cross term dropped", formulas.Prop43CrossTermUnrooted),
            Mutant("map-no-outer-root", "T without its left factor Σ0^{-1/2}", formulas.Prop43MapNoOuterRoot),
            Mutant("map-inverse", "T with Σ0 and Σ1 exchanged (the map from α1 to α0)", formulas.Prop43MapInverse),
            Mutant("geodesic-time-swap", "Σ_t with (1−t) and t exchanged", formulas.Prop43GeodesicTimeSwap),
        ),
    )
)

THM_4_2 = register(
    Claim(
        id="otdiff/thm-4.2",
        title="Benamou–Brenier: straight-line displacement is the least-energy path (Gaussian case)",
        family="bures",
        source=Source("otdiff", "Theorem 4.2, eqs. (11)–(12)"),
        statement=(
            "For probability measures $\\alpha_0, \\alpha_1$ with finite second moments,\n"
            "$$(11) \\quad W_2^2(\\alpha_0, \\alpha_1) = \\inf_{(\\alpha_t, v_t)} \\int_0^1 \\int_{\\mathbb{R}^d} |v_t(x)|^2 d\\alpha_t(x) dt,$$\n"
            "where the infimum is over $(\\alpha_t, v_t)$ solving $\\partial_t \\alpha_t + \\text{div}(\\alpha_t v_t) = 0$ "
            "with $\\alpha_{t=0} = \\alpha_0$ and $\\alpha_{t=1} = \\alpha_1$. If $\\alpha_0$ has a density and $T$ is the "
            "optimal Monge map $T_\\sharp \\alpha_0 = \\alpha_1$, the minimiser is\n"
            "$$(12) \\quad \\alpha_t = ((1-t) \\text{Id} + tT)_\\sharp \\alpha_0, \\quad v_t((1-t)x + tT(x)) = T(x) - x, \\quad t \\in [0, 1].$$"
        ),
        assumptions=(
            "checked in the Gaussian case $\\alpha_i = \\mathcal N(0, \\Sigma_i)$, $\\Sigma_0 \\succ 0$, with $T$ the map of otdiff Proposition 4.3",
            "the geodesic property $W_2(\\alpha_0, \\alpha_t) = t\\,W_2(\\alpha_0, \\alpha_1)$ is checked as part of the claim",
            "the infimum in (11) is checked against the straight-line paths of every linear pushforward map (not all admissible paths)",
        ),
        formulas=formulas.Thm42,
        checks=(
            Check("continuity-equation", Kind.SYMBOLIC, derivation.check_continuity_equation, "(12) solves the continuity equation with the right end points"),
            Check("constant-speed", Kind.SYMBOLIC, derivation.check_constant_speed, "W2²(α0, α_t) = t² W2²(α0, α1)"),
            Check("particles-follow-velocity", Kind.NUMERIC, simulation.check_particles_follow_velocity, "the flow of v_t is the straight-line map"),
            Check("kinetic-energy", Kind.NUMERIC, simulation.check_kinetic_energy, "∫E|v_t|² dt = W2²"),
            Check("geodesic-distance", Kind.NUMERIC, simulation.check_geodesic_distance, "W2(α0, α_t) = t W2(α0, α1) on particles"),
            Check("least-energy", Kind.PROPERTY, properties.check_geodesic_least_energy, "no linear competitor path has less energy"),
        ),
        mutants=(
            Mutant("velocity-at-start", "v_t(x) = T(x) − x, evaluated at the start point", formulas.Thm42VelocityAtStart),
            Mutant("path-time-reversed", "α_t = (t Id + (1−t)T)♯α0", formulas.Thm42PathTimeReversed),
            Mutant("fraction-squared", "W2(α0, α_t) = t² W2(α0, α1)", formulas.Thm42FractionSquared),
        ),
    )
)
