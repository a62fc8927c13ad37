"""mlcontrol §4.1–§4.2: hardmax self-attention (4.1a)–(4.1b), its clustering theorem
(Theorem 4.1), the half-space of Figure 4.1, and the limit τ → 0 of softmax attention (4.2)
to the hardmax (4.3).

Findings (printed means printed):

- Theorem 4.1 holds as printed on every instance checked: exact runs with a settling
  certificate (a proof that the attention sets never change again) on the figure-like
  configurations, on tie configurations where a token converges to the interior of an edge of
  the leaders' polytope, and on thousands of drawn integer configurations; the limit is the
  A-projection — not the Euclidean one — of the origin onto the edge.  The leader sets are
  nondecreasing (a leader never loses its status), which makes the stabilisation after finitely
  many layers immediate, and leaders do emerge (tokens (−1, 1), (−1, 2), (0, 3),
  A = [[2, 1], [1, 1]], α = 1: z_1 becomes a leader at layer 1).  The definition of a leader is
  printed with :math:`\\mathcal C_i(k) = \\{id\\}`; it is read as :math:`\\{i\\}`, as in
  :math:`\\mathcal L(k)` one line below.
- (4.3) is the exact limit of (4.2), ties split evenly; the error is
  :math:`\\max_i\\max(S_i/m_i, e^{-\\delta_i/\\tau})/(m_i + S_i) \\asymp e^{-\\delta^*/\\tau}`,
  δ* the smallest score gap.  The convergence is pointwise in Z, not uniform: along δ = τ the
  error stays :math:`2e^{-1}/(1 + 2e^{-1})`.
- Figure 4.1's half-space is exactly the set of possible attractors of z_1 (sharp, boundary
  attained), by a polynomial identity.
"""

from __future__ import annotations

from verify.claims import Check, Claim, Kind, Mutant, Source, register
from theorems.hardmax import derivation, formulas, properties, simulation

__all__ = ["THM_4_1", "EQ_4_3", "HALFSPACE"]

_FAMILY = "hardmax"
_DYNAMICS = (
    "$$z_{i}(k+1)=z_{i}(k)+\\frac{\\alpha}{1+\\alpha}\\,\\frac{1}{|\\mathcal{C}_{i}(k)|}\\sum_{\\ell\\in\\mathcal{C}_{i}(k)}\\Big(z_{\\ell}(k)-z_{i}(k)\\Big), \\qquad (4.1a)$$\n"
    "$$\\mathcal{C}_{i}(k)=\\left\\{j\\in[n]\\,\\,:\\,\\,\\big\\langle z_{j}(k),Az_{i}(k)\\big\\rangle=\\max_{\\ell\\in[n]}\\big\\langle z_{\\ell}(k),Az_{i}(k)\\big\\rangle\\right\\}, \\qquad (4.1b)$$\n"
)

THM_4_1 = register(
    Claim(
        id="mlcontrol/thm-4.1",
        title="Asymptotic clustering of hardmax self-attention: limits are leaders or A-projections of 0 onto faces; leaders stabilise",
        family=_FAMILY,
        source=Source("mlcontrol", "Theorem 4.1, with the dynamics (4.1a)–(4.1b) and the definition of leaders in §4.1"),
        statement=(
            _DYNAMICS
            + "[…] More precisely, token $z_{i}$ is a leader if there exists $k_{i}\\in\\mathbb{N}$ such that $\\mathcal{C}_{i}(k)=\\{id\\}$ for all $k\\geq k_{i}$. "
            "We denote as $\\mathcal{L}(k)=\\{z_{i}(k)\\in Z(k):\\;\\mathcal{C}_{i}(k)=\\{i\\}\\}$ the set of leaders at layer $k$.\n\n"
            "**Theorem 4.1** (Asymptotic clustering, [alcalde2025clustering]). *Assume the initial tokens $Z(0)=(z_{1}(0),\\ldots,z_{n}(0))\\in(\\mathbb{R}^{d})^{n}$ "
            "to be nonzero and distinct, the matrix $A\\in\\mathbb{R}^{d\\times d}$ in (4.1b) to be symmetric and positive definite, and $\\alpha>0$.*\n\n"
            "*Then, as $k\\to\\infty$, $Z(k)$ converges to a clustered equilibrium configuration $Z^{*}$ with the property that each of its tokens is a leader "
            "or a projection (with respect to the norm associated with $A$) of the origin onto a face of $\\mathcal{K}$, the convex polytope with the leaders "
            "as vertices.*\n\n"
            "*Furthermore, the set of leaders stabilizes after a finite number of layers, i.e., there exists $k_{0}$ such that "
            "$\\mathcal{L}(k)\\equiv\\mathcal{L}(k_{0})$ for all $k\\geq k_{0}$.*"
        ),
        assumptions=(
            "d = 2 (the dimension of Figure 4.1; faces are computed for d ≤ 2), small token sets; A symmetric positive definite, α > 0, tokens nonzero and distinct",
            "the printed $\\mathcal{C}_{i}(k)=\\{id\\}$ is read as $\\{i\\}$, as in the definition of $\\mathcal L(k)$ that follows it",
            "'each of its tokens is a leader': its position is the position of a leader (a vertex of $\\mathcal K$, its own projection); "
            "'a face of $\\mathcal K$': any non-empty face — vertices, edges, $\\mathcal K$ itself; 'projection with respect to the norm associated with A': "
            "$\\arg\\min_{x\\in F}\\langle x, Ax\\rangle$ over the face F",
            "convergence is established by a settling certificate (exact): from some layer every attention set consists of stationary tokens and every "
            "competing score stays strictly below on the tokens' future straight paths, so the attention sets never change again and Z(k) converges geometrically",
        ),
        formulas=formulas.Thm41,
        checks=(
            Check("exact-certified-limits", Kind.SYMBOLIC, derivation.check_thm41_symbolic,
                  "exact runs with settling certificates on the figure-like and tie instances; exact A-projections (QPs); sympy lemma on edges"),
            Check("float-dynamics", Kind.NUMERIC, simulation.check_thm41_numeric,
                  "float64 runs on random configurations (vectorised); limits within rounding of the claimed set; rate 1/(1+α) fitted"),
            Check("drawn-configurations", Kind.PROPERTY, properties.check_thm41_property,
                  "hypothesis: integer configurations and SPD A, ties planted; exact certificates"),
        ),
        mutants=(
            Mutant("attention-without-A", "(4.1b) with ⟨z_j, z_i⟩ (A dropped from the attention)", formulas.Thm41WithoutA),
            Mutant("euclidean-projection", "limits are Euclidean (not A-norm) projections of 0 onto faces", formulas.Thm41EuclideanProjection),
            Mutant("leaders-only", "every token converges to a leader (the face projections dropped)", formulas.Thm41LeadersOnly),
            Mutant("no-new-leaders", "the leader set is final from layer 0 (no leader emerges)", formulas.Thm41NoNewLeaders),
        ),
        notes=(
            "TRUE as printed on every instance checked. Leaders never lose their status (all other tokens lie in the open half-space "
            "$\\{\\langle z, Az_i\\rangle < \\langle z_i, Az_i\\rangle\\}$ and (4.1a) moves them by convex combinations), so $\\mathcal L(k)$ is nondecreasing and "
            "at most n: it stabilises. In every instance found, a token converges to the interior of an edge [u, v] through exact ties: when "
            "$\\|u\\|_A = \\|v\\|_A$ and it lies on their A-bisector $\\{\\langle u - v, Az\\rangle = 0\\}$ it moves towards the midpoint, which is the A-projection of 0 onto the edge (sympy lemma: the "
            "projection is the unique point of the edge where u and v tie). Smallest instance: A = [[2, 1], [1, 1]], tokens (1, 0), (−1, 2), (0, 1/2): the "
            "third converges to (0, 1); the Euclidean projection is (1/2, 1/2). In Figure 4.1(a)'s geometry (A = Id; (1/2, 0), (1, 1), (1, −1)) the first "
            "token converges to (1, 0), not a leader. Leaders emerge: (−1, 1), (−1, 2), (0, 3) with A = [[2, 1], [1, 1]], α = 1: $\\mathcal L(0) = \\{z_3\\}$, "
            "$\\mathcal L(1) = \\{z_1, z_3\\}$."
        ),
    )
)

EQ_4_3 = register(
    Claim(
        id="mlcontrol/eq-4.3",
        title="Softmax self-attention (4.2) tends to the hardmax (4.3) as τ → 0",
        family=_FAMILY,
        source=Source("mlcontrol", "§4.2, eqs. (4.2)–(4.3)"),
        statement=(
            "Our results, initially derived for transformers with a hardmax self-attention formulation, also apply to the standard softmax self-attention. "
            "The latter is defined with a temperature parameter $\\tau>0$ as\n"
            "$$\\pi_{i\\ell}^{\\tau}(Z)=\\frac{\\exp{\\left(\\frac{1}{\\tau}\\langle Az_{i},z_{\\ell}\\rangle\\right)}}{\\sum_{k=1}^{n}\\exp{\\left(\\frac{1}{\\tau}\\langle Az_{i},z_{k}\\rangle\\right)}}. \\qquad (4.2)$$\n"
            "As $\\tau\\to 0$, the singular limit leads to the hardmax self-attention formulation:\n"
            "$$\\pi_{i\\ell}^{0}(Z)=\\begin{cases}\\frac{1}{|\\mathcal{C}_{i}(Z)|}&\\text{if }\\ell\\in\\mathcal{C}_{i}(Z),\\\\ \\;\\,0&\\text{otherwise}\\end{cases} \\qquad (4.3)$$\n"
            "where $\\mathcal{C}_{i}(Z)$ is defined as in (4.1b) above."
        ),
        assumptions=(
            "A symmetric positive definite, τ → 0⁺, Z fixed (the limit is pointwise in Z)",
            "$\\langle Az_i, z_\\ell\\rangle$ in (4.2) and $\\langle z_\\ell, Az_i\\rangle$ in (4.1b) are the same score ($\\langle\\cdot,\\cdot\\rangle$ symmetric)",
            "float ties: scores within their rounding bound count as tied (exact data make exact ties)",
        ),
        formulas=formulas.Eq43,
        checks=(
            Check("exact-limit", Kind.SYMBOLIC, derivation.check_eq43_symbolic, "exact limits τ → 0⁺ of every entry (w = e^{1/τ}), ties included; exact rate exponents"),
            Check("temperature-ladder", Kind.NUMERIC, simulation.check_eq43_numeric, "error vs τ against its closed form; fitted slope of log error in 1/τ vs −δ*; near ties"),
            Check("drawn-configurations", Kind.PROPERTY, properties.check_eq43_property, "hypothesis: integer configurations, SPD A, τ = δ*/t"),
        ),
        mutants=(
            Mutant("uniform-limit", "the limit of softmax is the uniform average 1/n", formulas.Eq43UniformLimit),
            Mutant("first-argmax", "ties broken to the first maximiser (argmax) instead of split evenly", formulas.Eq43FirstArgmax),
            Mutant("without-A", "(4.3) with 𝒞_i from ⟨z_i, z_ℓ⟩ (A dropped)", formulas.Eq43WithoutA),
        ),
        notes=(
            "TRUE as printed. Row i with m maximisers and gaps $\\delta_\\ell > 0$ to the others: $\\pi^\\tau_{i\\ell} = 1/(m + S)$ on the maximisers and "
            "$e^{-\\delta_\\ell/\\tau}/(m+S)$ elsewhere, $S = \\sum_\\ell e^{-\\delta_\\ell/\\tau}$, so the error is $\\max(S/m, e^{-\\delta^*/\\tau})/(m+S)$: exponentially "
            "small in 1/τ with rate the score gap δ*, ties split evenly (Figure 4.1(a): row 1 tends to (0, 1/2, 1/2)). The limit is not uniform in Z: "
            "with the gap δ = τ the error stays $2e^{-1}/(1+2e^{-1}) \\approx 0.424$ for every τ."
        ),
    )
)

HALFSPACE = register(
    Claim(
        id="mlcontrol/sec-4.1-halfspace",
        title="Figure 4.1: tokens attracting z_1 lie in the closed half-space ⟨Az_1, z − z_1⟩ ≥ 0",
        family=_FAMILY,
        source=Source("mlcontrol", "§4.1, caption of Figure 4.1"),
        statement=(
            "Figure 4.1: Geometric interpretation of (4.1b) for $i=1$ with (a) $A=I$ and (b) $A=\\left(\\begin{smallmatrix}2&1\\\\ 1&1\\end{smallmatrix}\\right)$. "
            "In (a), tokens $z_{2}$ and $z_{3}$ have the largest orthogonal projection on the direction of $Az_{1}=z_{1}$, so $\\mathcal{C}_{1}(Z)=\\{2,3\\}$. "
            "In (b), token $z_{4}$ has the largest projection on the direction of $Az_{1}$, so $\\mathcal{C}_{1}(Z)=\\{4\\}$. In both cases, tokens attracting "
            "$z_{1}$ can only lie on the closed half-space $\\mathcal{H}_{1}=\\{z:\\;\\langle Az_{1},z-z_{1}\\rangle\\geq 0\\}$ (blue shading)."
        ),
        assumptions=(
            "'tokens attracting $z_1$': the tokens $z_j$, $j \\in \\mathcal C_1(Z)$ of (4.1b) — $z_1$ itself included when it is a leader",
            "the figure's coordinates are not in the text: its two panels are checked on configurations with the properties the caption states",
        ),
        formulas=formulas.HalfSpace,
        checks=(
            Check("identity-and-sharpness", Kind.SYMBOLIC, derivation.check_halfspace_symbolic, "polynomial identity; the half-space equals the attractor set; exact figure configurations"),
            Check("random-configurations", Kind.NUMERIC, simulation.check_halfspace_numeric, "every attracting pair of random configurations and of runs of (4.1), to rounding"),
            Check("drawn-configurations", Kind.PROPERTY, properties.check_halfspace_property, "hypothesis: integer configurations, exact scores"),
        ),
        mutants=(
            Mutant("euclidean-half-space", "the half-space ⟨z_1, z − z_1⟩ ≥ 0 (A dropped)", formulas.HalfSpaceEuclidean),
            Mutant("open-half-space", "the open half-space ⟨Az_1, z − z_1⟩ > 0", formulas.HalfSpaceOpen),
        ),
        notes=(
            "TRUE as printed, and sharp: $\\langle z, Az_1\\rangle - \\langle z_1, Az_1\\rangle = \\langle Az_1, z - z_1\\rangle$, so $j \\in \\mathcal C_1$ (whose score is at least "
            "$z_1$'s own) lies in $\\mathcal H_1$, and every $z \\in \\mathcal H_1$ attracts $z_1$ in the configuration $(z_1, z)$. The boundary is attained (ties, and a "
            "leader attracts itself), so the open half-space is wrong; without A it is wrong too: A = [[2, 1], [1, 1]], $z_1 = (0, 1)$, $z_2 = (1, 0)$: both "
            "attract $z_1$ and $\\langle z_1, z_2 - z_1\\rangle = -1$."
        ),
    )
)
