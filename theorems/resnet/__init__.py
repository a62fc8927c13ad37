"""Very deep and very wide networks: the ResNet → neural ODE limit of mathai §3 (eqs. (7)–(8))
and otdiff §6.3 (eqs. (24)–(25)), and the Monte-Carlo rate of Barron's argument, mathai §2.

Findings (printed means printed):

- mathai (7)→(8) and otdiff (24)→(25) hold as printed: with the printed scaling 1/L (1/S) the
  layer is the explicit Euler step of the ODE at depth spacing 1/L, consistent for every smooth
  parameter family, and the L layers reach the printed horizon s = 1; the output converges at
  the rate 1/L exactly (x' = x: L(x_L − x_1) → −x_1/2).  Without the 1/L — as the re-typeset
  copy of mathai prints (7), ``x_{ℓ+1} = x_ℓ + U_ℓ τ σ(V_ℓ x_ℓ + b_ℓ)`` — the network diverges
  (the mutant ``step-one``).  otdiff's notation conflates the layer index and the depth
  ("Denoting s the network depth" for S; z(s) and α(s) at integer s in (24), s ∈ [0, 1] in (25);
  z^s beside z(s)); the claim is read with layer s carrying α(s/S) and output z(S).
- mathai §2's Monte-Carlo sentence holds: E‖F_ρ̂ − F_ρ‖² = (E‖φ_θ‖² − ‖F_ρ‖²)/n exactly, so the
  RMS error is ∝ n^{-1/2} in every dimension.  The re-typeset copy prints "1/n" (mutant
  ``rate-one``).  Barron's bound O(R‖f‖_B/√n) prints no constant and is not checked.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, register
from theorems.resnet import derivation, formulas, properties, simulation

__all__ = ["EQ_7", "EQ_24", "BARRON_MC"]

_FAMILY = "resnet"
_DEPTH = (
    "layer ℓ of the depth-L network carries the parameters θ(ℓ/L) of the continuous family (the reading under which the network "
    "and the ODE share parameters); the parameter family is smooth in s (checked: quadratic and linear paths, generic functions "
    "for the consistency proof)",
    "σ smooth (checked: the logistic sigmoid printed in mathai §2; a generic σ symbolically); the rate statement 'error ∝ 1/L' is "
    "the order of explicit Euler, which (7) is",
)
_DEPTH_CHECKS = (
    Check("euler-consistency", Kind.SYMBOLIC, derivation.check_depth_symbolic,
          "generic a(s), w(s), c(s), σ: local defect O(h²); horizon; exact global order on x' = x"),
    Check("depth-convergence", Kind.NUMERIC, simulation.check_depth_numeric,
          "m inputs at once, L = 8…128 (1024 standard) against DOP853: fitted slope ± se with shift budget; Richardson limit"),
    Check("depth-fuzz", Kind.PROPERTY, properties.check_depth_property,
          "drawn paths and inputs, d ≤ 2, n ≤ 3: Richardson limit and one-sided local order"),
)

EQ_7 = register(
    Claim(
        id="mathai/eq-7",
        title="ResNet (7) with 1/L scaling → neural ODE (8) as L → ∞, error O(1/L) (explicit Euler)",
        family=_FAMILY,
        source=Source("mathai", "§3 Very Deep Networks, eqs. (7)–(8)"),
        statement=(
            "The main idea is to ensure that, for most layers $x_\\ell$, the dimensions of $x_\\ell$ and $x_{\\ell+1}$ are identical, "
            "and to replace (3) with $L$ steps:\n"
            "$$x_{\\ell+1} = x_\\ell + \\frac{1}{L} U_\\ell^\\top \\sigma(V_\\ell x_\\ell + b_\\ell), \\quad (7)$$\n"
            "where $U_\\ell, V_\\ell \\in \\mathbb{R}^{n \\times d}$ are weight matrices, with $n$ being the number of neurons per layer [...] "
            "This makes the network $f_\\theta(x_0) = x_L$ obtained after $L$ steps well-posed even when $L$ is large [...]\n"
            "Neural Differential Equation. As $L$ approaches $+\\infty$, (7) can be interpreted as a discretization of an ordinary "
            "differential equation:\n"
            "$$\\frac{dx_s}{ds} = U_s^\\top \\sigma(V_s x_s + b_s), \\quad (8)$$\n"
            "where $s \\in [0, 1]$ indexes the network depth. The network $f_\\theta(x_0) := x_1$ maps the initialization $x_{s=0}$ "
            "to the solution $x_{s=1}$ of (8) at time $s = 1$. The parameters are $\\theta = (U_s, V_s, b_s)_{s \\in [0, 1]}$."
        ),
        assumptions=_DEPTH,
        formulas=formulas.MathaiResNet,
        checks=_DEPTH_CHECKS,
        mutants=(
            Mutant("step-one", "no 1/L: x_{ℓ+1} = x_ℓ + U_ℓ^⊤σ(V_ℓx_ℓ + b_ℓ) (as the re-typeset copy prints (7))", formulas.MathaiStepOne),
            Mutant("double-step", "scaling 2/L (the limit is the flow of twice the velocity)", formulas.MathaiDoubleStep),
            Mutant("order-two", "error O(1/L²)", formulas.MathaiOrderTwo),
        ),
        notes=(
            "TRUE as printed. With $h = 1/L$ the layer ℓ is the explicit Euler step of (8) from depth $s = \\ell h$: the local defect is "
            "$\\frac{h^2}{2}(\\partial_s v + \\partial_x v\\, v) + O(h^3)$, so $|x_L - x_1| = O(1/L)$, and exactly first order: for $x' = x$, "
            "$x_L = (1 + 1/L)^L x_0$ and $L(x_L - x_1) \\to -e x_0/2$. The re-typeset copy of the paper prints (7) as "
            "$x_{\\ell+1} = x_\\ell + U_\\ell \\tau\\sigma(V_\\ell x_\\ell + b_\\ell)$ (τ for ⊤, no 1/L); without the 1/L the output grows like L "
            "(mutant step-one), so the canonical text's 1/L is essential."
        ),
    )
)

EQ_24 = register(
    Claim(
        id="otdiff/eq-24",
        title="ResNet (24) with 1/S scaling → neural ODE (25) as S → ∞, error O(1/S)",
        family=_FAMILY,
        source=Source("otdiff", "§6.3 Toward deeper networks, eqs. (24)–(25)"),
        statement=(
            "Denoting $s$ the network depth, one can model a residual block as a two-layer MLP correction with scaling $1/S$:\n"
            "$$(24) \\quad z(s+1) := z(s) + \\frac{1}{S} g_{\\alpha(s)}(z(s)),$$\n"
            "where $z^s$ denotes the activations at depth $s$ (with $z^0$ the input). Taking the infinite-depth limit "
            "$S \\rightarrow \\infty$ yields the *neural ODE* model [18, 27, 37],\n"
            "$$(25) \\quad \\frac{dz}{ds}(s) = g_{\\alpha(s)}(z(s)), \\quad s \\in [0, 1],$$\n"
            "parameterized by a family $\\alpha = (\\alpha(s))_{s \\in [0, 1]}$. The network output is defined as "
            "$g_{\\alpha}(z(0)) := z(1)$."
        ),
        assumptions=(
            "$g_\\alpha(z) = \\int v\\sigma(\\langle z, u\\rangle)d\\alpha(u, v)$ of (21) with $d' = d$; checked for discrete "
            "$\\alpha(s) = \\frac1n\\sum_k\\delta_{(u_k(s), v_k(s))}$ (n = 8, smooth paths)",
            "S layers s = 0, …, S − 1; layer s carries α(s/S) and its output z(S) is compared with z(1) of (25) — the printed text uses "
            "s both for the layer index and for the depth in [0, 1] (and 'Denoting s the network depth' for S)",
            *_DEPTH[1:],
        ),
        formulas=formulas.OtdiffResNet,
        checks=_DEPTH_CHECKS,
        mutants=(
            Mutant("step-one", "scaling 1 instead of 1/S", formulas.OtdiffStepOne),
            Mutant("sqrt-depth", "scaling 1/√S (the scaling of i.i.d. layers, whose limit is not (25))", formulas.OtdiffSqrtDepth),
            Mutant("order-two", "error O(1/S²)", formulas.OtdiffOrderTwo),
        ),
        notes=(
            "TRUE as printed (the 1/S scaling and the depth interval [0, 1] are consistent): (24) is the explicit Euler scheme of (25) "
            "with step 1/S, error O(1/S), exactly first order. Notation only: 's' names both the layer index and the continuous depth, "
            "'Denoting s the network depth' means S, and $z^s$ and $z(s)$ denote the same activations; no formula changes under the "
            "reading stated in the assumptions."
        ),
    )
)

BARRON_MC = register(
    Claim(
        id="mathai/sec-2-barron-monte-carlo",
        title="Barron's Monte-Carlo argument: n neurons sampled from ρ give an L² error ∝ 1/√n",
        family=_FAMILY,
        source=Source("mathai", "§2 Two-Layer Neural Networks, Mean-Field Representation, eq. (5) and the sentence after it"),
        statement=(
            "Barron’s proof relies on a “mean-field” generalization of (4), where a distribution (a probability measure) $\\rho$ is "
            "considered over the parameter space $(u, v, b)$, and the network is expressed as:\n"
            "$$F_\\rho(x) := \\int u\\sigma(\\langle v, x \\rangle + b) d\\rho(u, v, b). \\quad (5)$$\n"
            "A finite-size network (4), $f_\\theta = F_{\\hat{\\rho}}$, is obtained with a discrete measure "
            "$\\hat{\\rho} = \\frac{1}{n} \\sum_{k=1}^n \\delta_{(u_k, v_k, b_k)}$. [...] This proof uses a probabilistic Monte Carlo-like "
            "method (where the error decreases as $1/\\sqrt{n}$ as desired): it involves constructing a distribution $\\rho$ from $f$, "
            "then sampling a discrete measure $\\hat{\\rho}$ whose parameters $(u_k, v_k, b_k)_k$ are distributed according to $\\rho$."
        ),
        assumptions=(
            "the error is the $L^2(\\mu)$ norm of $F_{\\hat\\rho} - F_\\rho$ for a probability measure μ on Ω (Lebesgue measure on Ω "
            "changes it by the constant $|\\Omega|^{1/2}$ only), averaged over the i.i.d. sample: $(\\mathbb E\\|F_{\\hat\\rho} - F_\\rho\\|^2)^{1/2}$; "
            "requires $\\int\\|u\\sigma(\\langle v, \\cdot\\rangle + b)\\|^2 d\\rho < \\infty$",
            "numeric instance: σ = cos (Hornik's activation, same section), u = 1, b = 0, $v \\sim \\mathcal N(0, 4\\,\\mathrm{Id})$, "
            "Ω the cube of radius 1, μ uniform: $F_\\rho(x) = e^{-2|x|^2}$ and every integral in closed form",
            "Barron's bound $O(R\\|f\\|_B/\\sqrt n)$ of the preceding sentence prints no constant: not checked",
        ),
        formulas=formulas.BarronMonteCarlo,
        checks=(
            Check("mc-identity", Kind.SYMBOLIC, derivation.check_barron_symbolic, "E‖F_ρ̂ − F_ρ‖² = V/n for symbolic n; exponent 1/2; minimal instance"),
            Check("mc-sampling", Kind.NUMERIC, simulation.check_barron_numeric,
                  "cosine networks, n = 2…32 (64 standard), exact L² errors: mean = V/n (t-test) and fitted rate ± se"),
            Check("mc-fuzz", Kind.PROPERTY, properties.check_barron_property, "drawn discrete ρ, μ (ReLU): exact enumeration for n = 1, 2, 3"),
        ),
        mutants=(
            Mutant("rate-one", "the error decreases as 1/n (as the re-typeset copy prints)", formulas.BarronRateOne),
            Mutant("grid-rate", "the error decreases as n^{-1/d} (the curse of dimensionality)", formulas.BarronGridRate),
            Mutant("quarter-rate", "the error decreases as n^{-1/4}", formulas.BarronQuarterRate),
        ),
        notes=(
            "TRUE as printed: for i.i.d. neurons $\\mathbb E\\|F_{\\hat\\rho} - F_\\rho\\|^2_{L^2(\\mu)} = V/n$ with "
            "$V = \\int\\|u\\sigma(\\langle v, \\cdot\\rangle + b)\\|^2 d\\rho - \\|F_\\rho\\|^2$, an exact finite-sample identity, so the RMS error is "
            "$\\sqrt{V/n}$, whatever the dimension. The re-typeset copy prints '1/n' and $O(R\\|f\\|_B/n)$: false (minimal counterexample: "
            "ρ = ½(δ_(1,1,0) + δ_(−1,1,0)), μ = δ_1, ReLU: E_1 = 1, E_2 = 1/2, so the RMS error falls by √2, not 2, from n = 1 to 2)."
        ),
    )
)
