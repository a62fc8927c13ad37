"""The printed formulas of otdiff §6.1–§6.2 (mean-field two-layer networks and the linear
network under a Gaussian neuron distribution), their corrections, and mutants.

Conventions (otdiff §6.1–§6.2): a neuron is :math:`x = (u, v) \\in \\mathbb R^{d}\\times\\mathbb R^{d'}`;
data moments :math:`S_{zz} = \\frac1N\\sum_k z_kz_k^\\top` (d × d), :math:`S_{yz} = \\frac1N\\sum_k y_kz_k^\\top`
(d′ × d), :math:`S_{zy} = S_{yz}^\\top`; the block covariance :math:`\\Sigma` has
:math:`\\Sigma_{UV} = \\int uv^\\top d\\alpha` (d × d′) and :math:`\\Sigma_{VU} = \\Sigma_{UV}^\\top`.
The Wasserstein gradient follows §5.1: the flow's velocity is :math:`-\\nabla_W f`.

Every matrix method works on numpy arrays and on sympy matrices (``@``, ``.T``, and the
helpers :func:`inv`, :func:`block`), so the same transcription is evaluated in float64 and
exactly.  Ill-typed products raise (numpy ``ValueError``, sympy ``ShapeError``); the checks
report them as failures of the printed expression.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import sympy as sp

from verify.algebra import block_any, inv_any, zeros_like_kind

__all__ = [
    "evaluate",
    "inv",
    "block",
    "split",
    "Eq21",
    "Eq21NoAverage",
    "Eq21LossNoAverage",
    "Eq21ActivationOutside",
    "Eq22",
    "Eq22LinearSign",
    "Eq22NoCross",
    "Eq22Corrected",
    "Eq22CorrectedAsPrinted",
    "Eq22CorrectedNonSymmetric",
    "Eq22CorrectedLinearFactor",
    "Prop62Gradient",
    "GradientNoFactor",
    "GradientNoSzz",
    "Prop62GradientCorrected",
    "CorrectedGradientAsPrinted",
    "CorrectedGradientNoFactor",
    "CorrectedGradientNoSzz",
    "Prop62Closure",
    "ClosureTanh",
    "ClosureRelu",
    "Prop62Ode",
    "OdeSign",
    "OdeDataSign",
    "OdeHalf",
    "OdeSwappedBlocks",
    "Prop62Limit",
    "LimitNoInverse",
    "LimitInverseLeft",
    "Prop62LimitCorrected",
    "CorrectedLimitAsPrinted",
    "CorrectedLimitNoInverse",
    "CorrectedLimitInverseRight",
    "LinearRisk",
    "RiskNoFactor",
    "RiskNoSzz",
    "RiskTransposedPredictor",
]


inv = inv_any
block = block_any
_zeros = zeros_like_kind


def evaluate(fn: Callable, *args: Any) -> tuple[Any, str | None]:
    """``(fn(*args), None)``, or ``(None, message)`` when a printed product is ill-typed
    (numpy ``ValueError``; sympy's ``ShapeError`` is one too): a failure of the formula, not a
    crash of the check."""
    try:
        return fn(*args), None
    except ValueError as e:
        return None, (str(e).strip().splitlines() or [type(e).__name__])[0]


def split(sig: Any, d: int) -> tuple[Any, Any, Any, Any]:
    """(Σ_UU, Σ_UV, Σ_VU, Σ_VV) of a (d + d′) × (d + d′) block covariance."""
    return sig[:d, :d], sig[:d, d:], sig[d:, :d], sig[d:, d:]


# --------------------------------------------------------------------------- (19)–(21)
class Eq21:
    """otdiff (19)–(21), as printed:

    .. math::

        G_X(z) = \\frac1n\\sum_{i=1}^n v_i\\,\\sigma(\\langle z, u_i\\rangle), \\quad
        F(X) = \\frac1N\\sum_k \\|G_X(z_k) - y_k\\|^2, \\\\
        g_\\alpha(z) = \\int v\\,\\sigma(\\langle z, u\\rangle)\\,d\\alpha(u, v), \\quad
        f(\\alpha) = \\frac1N\\sum_k \\|g_\\alpha(z_k) - y_k\\|^2,

    with the claim that :math:`\\alpha = \\frac1n\\sum_i\\delta_{(u_i, v_i)}` gives
    :math:`g_\\alpha = G_X` (and so :math:`f(\\alpha) = F(X)`).  ``u : (n, d)``, ``v : (n, d')``,
    ``z : (N, d)``, ``y : (N, d')``, ``weights : (n,)`` the masses of a discrete α; ``act`` is σ.
    """

    def network(self, u, v, z, act: Callable) -> np.ndarray:
        """G_X at the rows of z, shape (N, d′)."""
        return act(z @ u.T) @ v / u.shape[0]

    def risk(self, u, v, z, y, act):
        """F(X) of (20)."""
        r = self.network(u, v, z, act) - y
        return np.sum(r * r) / z.shape[0]

    def mean_field(self, u, v, weights, z, act) -> np.ndarray:
        """g_α of (21) for α = Σ_j w_j δ_{(u_j, v_j)}, shape (N, d′)."""
        return act(z @ u.T) @ (weights[:, None] * v)

    def mean_field_risk(self, u, v, weights, z, y, act):
        """f(α) of (21)."""
        r = self.mean_field(u, v, weights, z, act) - y
        return np.sum(r * r) / z.shape[0]


class Eq21NoAverage(Eq21):
    """Mutant: (19) without the 1/n (a sum over neurons)."""

    def network(self, u, v, z, act):
        return act(z @ u.T) @ v


class Eq21LossNoAverage(Eq21):
    """Mutant: f of (21) without the 1/N."""

    def mean_field_risk(self, u, v, weights, z, y, act):
        r = self.mean_field(u, v, weights, z, act) - y
        return np.sum(r * r)


class Eq21ActivationOutside(Eq21):
    """Mutant: :math:`g_\\alpha(z) = \\int \\sigma(v\\langle z, u\\rangle)\\,d\\alpha` — the activation
    applied to the neuron's output instead of its pre-activation."""

    def mean_field(self, u, v, weights, z, act):
        pre = z @ u.T  # (N, n)
        return np.einsum("j,kjo->ko", weights, act(pre[:, :, None] * v[None, :, :]))


# --------------------------------------------------------------------------- (22)
class Eq22:
    """otdiff (22), as printed: for the quadratic loss, f is of the form (18),
    :math:`f(\\alpha) = \\iint k\\,d\\alpha\\,d\\alpha` (+ a constant), with

    .. math::

        k((u, v), (u', v')) = \\frac2N\\sum_k \\langle v, v'\\rangle\\sigma(\\langle u, z_k\\rangle)\\sigma(\\langle u', z_k\\rangle)
          - \\frac2N\\sum_k \\langle v, y_k\\rangle\\sigma(\\langle u, z_k\\rangle).

    ``kernel`` is vectorised: rows of (u, v) against rows of (u2, v2), shape (n, n2).
    ``claims_symmetric``: whether the statement asserts k(x, x′) = k(x′, x) (the printed one
    does not; §5.3's gradient rule assumes it).
    """

    claims_symmetric = False

    def kernel(self, u, v, u2, v2, z, y, act):
        n_data = z.shape[0]
        a, a2 = act(u @ z.T), act(u2 @ z.T)  # (n, N), (n2, N)
        quad = (v @ v2.T) * (a @ a2.T)
        lin = np.sum((v @ y.T) * a, axis=1)  # Σ_k ⟨v, y_k⟩σ(⟨u, z_k⟩)
        return 2 * quad / n_data - 2 * np.broadcast_to(lin[:, None], quad.shape) / n_data


class Eq22LinearSign(Eq22):
    """Mutant: + instead of − before the linear term."""

    def kernel(self, u, v, u2, v2, z, y, act):
        n_data = z.shape[0]
        a, a2 = act(u @ z.T), act(u2 @ z.T)
        lin = np.sum((v @ y.T) * a, axis=1)
        quad = (v @ v2.T) * (a @ a2.T)
        return 2 * quad / n_data + 2 * np.broadcast_to(lin[:, None], quad.shape) / n_data


class Eq22NoCross(Eq22):
    """Mutant: ⟨v, v′⟩ dropped from the quadratic term."""

    def kernel(self, u, v, u2, v2, z, y, act):
        n_data = z.shape[0]
        a, a2 = act(u @ z.T), act(u2 @ z.T)
        lin = np.sum((v @ y.T) * a, axis=1)
        quad = a @ a2.T
        return 2 * quad / n_data - 2 * np.broadcast_to(lin[:, None], quad.shape) / n_data


class Eq22Corrected(Eq22):
    """The kernel of (21) for the quadratic loss, symmetric as §5.3 assumes:

    .. math::

        k((u, v), (u', v')) = \\frac1N\\sum_k \\langle v, v'\\rangle\\sigma(\\langle u, z_k\\rangle)\\sigma(\\langle u', z_k\\rangle)
          - \\frac1N\\sum_k \\big(\\langle v, y_k\\rangle\\sigma(\\langle u, z_k\\rangle) + \\langle v', y_k\\rangle\\sigma(\\langle u', z_k\\rangle)\\big),

    so that :math:`f(\\alpha) = \\iint k\\,d\\alpha\\,d\\alpha + \\frac1N\\sum_k\\|y_k\\|^2` and
    :math:`\\nabla_W f(\\alpha) = 2\\int\\nabla_x k(x, y)\\,d\\alpha(y)` (otdiff §5.3).
    """

    claims_symmetric = True

    def kernel(self, u, v, u2, v2, z, y, act):
        n_data = z.shape[0]
        a, a2 = act(u @ z.T), act(u2 @ z.T)
        lin = np.sum((v @ y.T) * a, axis=1)
        lin2 = np.sum((v2 @ y.T) * a2, axis=1)
        return (v @ v2.T) * (a @ a2.T) / n_data - (lin[:, None] + lin2[None, :]) / n_data


class Eq22CorrectedAsPrinted(Eq22Corrected):
    """Mutant: the printed (22) (factor 2/N on the quadratic term, non-symmetric linear term)."""

    kernel = Eq22.kernel


class Eq22CorrectedNonSymmetric(Eq22Corrected):
    """Mutant: :math:`\\frac1N\\sum\\langle v, v'\\rangle\\sigma\\sigma' - \\frac2N\\sum\\langle v, y_k\\rangle\\sigma` —
    the right energy, but not symmetric, so (18)'s gradient rule does not apply."""

    def kernel(self, u, v, u2, v2, z, y, act):
        n_data = z.shape[0]
        a, a2 = act(u @ z.T), act(u2 @ z.T)
        lin = np.sum((v @ y.T) * a, axis=1)
        quad = (v @ v2.T) * (a @ a2.T)
        return quad / n_data - 2 * np.broadcast_to(lin[:, None], quad.shape) / n_data


class Eq22CorrectedLinearFactor(Eq22Corrected):
    """Mutant: the symmetric kernel with 2/N on the linear terms."""

    def kernel(self, u, v, u2, v2, z, y, act):
        n_data = z.shape[0]
        a, a2 = act(u @ z.T), act(u2 @ z.T)
        lin = np.sum((v @ y.T) * a, axis=1)
        lin2 = np.sum((v2 @ y.T) * a2, axis=1)
        return (v @ v2.T) * (a @ a2.T) / n_data - 2 * (lin[:, None] + lin2[None, :]) / n_data


# --------------------------------------------------------------------------- Prop 6.2
class Prop62Gradient:
    """otdiff Proposition 6.2, the Wasserstein gradient, as printed:

    .. math::

        [\\nabla_W f(\\alpha)](u, v) = -2\\big((S_{zz}\\Sigma_{UV} - S_{zy})v,\\ (\\Sigma_{VU}S_{zz} - S_{yz})u\\big).

    ``gradient(u, v, s_uv, szz, syz)``: u (d × m), v (d′ × m) as columns; returns the two
    components (d × m, d′ × m).
    """

    def gradient(self, u, v, s_uv, szz, syz):
        return -2 * ((szz @ s_uv - syz.T) @ v), -2 * ((s_uv.T @ szz - syz) @ u)


class GradientNoFactor(Prop62Gradient):
    """Mutant: the factor 2 dropped."""

    def gradient(self, u, v, s_uv, szz, syz):
        return -((szz @ s_uv - syz.T) @ v), -((s_uv.T @ szz - syz) @ u)


class GradientNoSzz(Prop62Gradient):
    """Mutant: S_zz dropped (the formula for whitened inputs)."""

    def gradient(self, u, v, s_uv, szz, syz):
        return -2 * ((s_uv - syz.T) @ v), -2 * ((s_uv.T - syz) @ u)


class Prop62GradientCorrected(Prop62Gradient):
    """The Wasserstein gradient of f for σ(s) = s, derived from the first variation
    :math:`\\delta f(\\alpha)(u, v) = 2\\,v^\\top(\\Sigma_{VU}S_{zz} - S_{yz})u + \\text{const}`:

    .. math::

        [\\nabla_W f(\\alpha)](u, v) = 2\\big((S_{zz}\\Sigma_{UV} - S_{zy})v,\\ (\\Sigma_{VU}S_{zz} - S_{yz})u\\big),

    the printed field with the opposite sign (the printed field is the velocity
    :math:`-\\nabla_W f` that (23) integrates).
    """

    def gradient(self, u, v, s_uv, szz, syz):
        return 2 * ((szz @ s_uv - syz.T) @ v), 2 * ((s_uv.T @ szz - syz) @ u)


class CorrectedGradientAsPrinted(Prop62GradientCorrected):
    """Mutant: the printed sign."""

    gradient = Prop62Gradient.gradient


class CorrectedGradientNoFactor(Prop62GradientCorrected):
    """Mutant: the factor 2 dropped."""

    def gradient(self, u, v, s_uv, szz, syz):
        return (szz @ s_uv - syz.T) @ v, (s_uv.T @ szz - syz) @ u


class CorrectedGradientNoSzz(Prop62GradientCorrected):
    """Mutant: S_zz dropped."""

    def gradient(self, u, v, s_uv, szz, syz):
        return 2 * ((s_uv - syz.T) @ v), 2 * ((s_uv.T - syz) @ u)


class Prop62Closure:
    """otdiff Proposition 6.2, Gaussian closure: for the activation σ(s) = s of the statement,
    :math:`\\alpha_0 = \\mathcal N(0, \\Sigma_0)` gives :math:`\\alpha_t = \\mathcal N(0, \\Sigma_t)`.
    ``activation`` is the hypothesis; ``activation_prime`` its derivative."""

    name = "identity"

    def activation(self, s):
        return s

    def activation_prime(self, s):
        return np.ones_like(s) if not isinstance(s, sp.Basic) else sp.Integer(1)


class ClosureTanh(Prop62Closure):
    """Mutant: the hypothesis σ(s) = s replaced by σ = tanh."""

    name = "tanh"

    def activation(self, s):
        return sp.tanh(s) if isinstance(s, sp.Basic) else np.tanh(s)

    def activation_prime(self, s):
        return 1 - sp.tanh(s) ** 2 if isinstance(s, sp.Basic) else 1 - np.tanh(s) ** 2


class ClosureRelu(Prop62Closure):
    """Mutant: the hypothesis σ(s) = s replaced by ReLU (the activation of Theorem 6.1)."""

    name = "relu"

    def activation(self, s):
        return sp.Max(s, 0) if isinstance(s, sp.Basic) else np.maximum(s, 0.0)

    def activation_prime(self, s):
        return sp.Heaviside(s, 0) if isinstance(s, sp.Basic) else (np.asarray(s) > 0).astype(float)


class Prop62Ode:
    """otdiff Proposition 6.2, eq. (23), as printed:

    .. math::

        \\dot\\Sigma_t = B_t\\Sigma_t + \\Sigma_tB_t^\\top, \\quad
        B_t := -2\\begin{pmatrix} 0 & S_{zz}\\Sigma_{UV,t} - S_{zy} \\\\ \\Sigma_{VU,t}S_{zz} - S_{yz} & 0\\end{pmatrix}.
    """

    def b_matrix(self, sig, szz, syz):
        d, dp = szz.shape[0], syz.shape[0]
        _, s_uv, s_vu, _ = split(sig, d)
        return -2 * block(_zeros(d, d, sig), szz @ s_uv - syz.T, s_vu @ szz - syz, _zeros(dp, dp, sig))

    def sigma_dot(self, sig, szz, syz):
        b = self.b_matrix(sig, szz, syz)
        return b @ sig + sig @ b.T


class OdeSign(Prop62Ode):
    """Mutant: B_t with +2 (the velocity +∇_W f of the correctly signed gradient)."""

    def b_matrix(self, sig, szz, syz):
        return -Prop62Ode.b_matrix(self, sig, szz, syz)


class OdeDataSign(Prop62Ode):
    """Mutant: + S_zy and + S_yz in B_t (sign of the data terms).  (Dropping the transpose,
    Σ̇ = BΣ + ΣB, is not a mutant: B_t is symmetric, its blocks being transposes.)"""

    def b_matrix(self, sig, szz, syz):
        d, dp = szz.shape[0], syz.shape[0]
        _, s_uv, s_vu, _ = split(sig, d)
        return -2 * block(_zeros(d, d, sig), szz @ s_uv + syz.T, s_vu @ szz + syz, _zeros(dp, dp, sig))


class OdeHalf(Prop62Ode):
    """Mutant: B_t with −1 instead of −2."""

    def b_matrix(self, sig, szz, syz):
        return Prop62Ode.b_matrix(self, sig, szz, syz) / 2


class OdeSwappedBlocks(Prop62Ode):
    """Mutant: the off-diagonal blocks exchanged (ill-typed unless d = d′)."""

    def b_matrix(self, sig, szz, syz):
        d, dp = szz.shape[0], syz.shape[0]
        _, s_uv, s_vu, _ = split(sig, d)
        return -2 * block(_zeros(d, d, sig), s_vu @ szz - syz, szz @ s_uv - syz.T, _zeros(dp, dp, sig))


class Prop62Limit:
    """otdiff, the sentence after Proposition 6.2, as printed: (23) is well posed and converges
    to the global minimiser characterised by

    .. math::

        \\Sigma_{UV,\\infty} = S_{yz}S_{zz}^{-1},

    so that :math:`g_\\infty` is the least-squares linear estimator.  ``limit_uv`` returns the
    printed right-hand side, compared with the limit of :math:`\\Sigma_{UV}` (d × d′).
    """

    def limit_uv(self, szz, syz):
        return syz @ inv(szz)


class LimitNoInverse(Prop62Limit):
    """Mutant: S_yz S_zz (inverse dropped)."""

    def limit_uv(self, szz, syz):
        return syz @ szz


class LimitInverseLeft(Prop62Limit):
    """Mutant: S_zz⁻¹ S_yz (ill-typed unless d = d′)."""

    def limit_uv(self, szz, syz):
        return inv(szz) @ syz


class Prop62LimitCorrected(Prop62Limit):
    """The limit of (23): the least-squares weights :math:`\\Sigma_{VU,\\infty} = S_{yz}S_{zz}^{-1}`, i.e.

    .. math::

        \\Sigma_{UV,\\infty} = S_{zz}^{-1}S_{zy}

    (the printed right-hand side transposed; the printed one is d′ × d where Σ_UV is d × d′).
    """

    def limit_uv(self, szz, syz):
        return inv(szz) @ syz.T


class CorrectedLimitAsPrinted(Prop62LimitCorrected):
    """Mutant: the printed S_yz S_zz⁻¹."""

    limit_uv = Prop62Limit.limit_uv


class CorrectedLimitNoInverse(Prop62LimitCorrected):
    """Mutant: S_zz S_zy (inverse dropped)."""

    def limit_uv(self, szz, syz):
        return szz @ syz.T


class CorrectedLimitInverseRight(Prop62LimitCorrected):
    """Mutant: S_zy S_zz⁻¹ (ill-typed unless d = d′)."""

    def limit_uv(self, szz, syz):
        return syz.T @ inv(szz)


# --------------------------------------------------------------------------- §6.2 risk
class LinearRisk:
    """otdiff §6.2, the displays before Proposition 6.2, as printed: for σ(s) = s,

    .. math::

        g_\\alpha(z) = \\int v\\langle z, u\\rangle\\,d\\alpha(u, v) = \\Sigma_{VU}z, \\qquad
        f(\\alpha) = \\mathrm{Tr}(\\Sigma_{VU}S_{zz}\\Sigma_{UV}) - 2\\,\\mathrm{Tr}(S_{yz}\\Sigma_{UV}) + \\text{const}.

    ``predictor(s_uv, z)``: the predictions at the rows of z, (N, d′); ``risk(s_uv, szz, syz)``
    the printed trace expression (without the constant).
    """

    def predictor(self, s_uv, z):
        return z @ s_uv  # rows (Σ_VU z_k)ᵀ = z_kᵀ Σ_UV

    def risk(self, s_uv, szz, syz):
        return (s_uv.T @ szz @ s_uv).trace() - 2 * (syz @ s_uv).trace()


class RiskNoFactor(LinearRisk):
    """Mutant: the factor 2 of the cross term dropped."""

    def risk(self, s_uv, szz, syz):
        return (s_uv.T @ szz @ s_uv).trace() - (syz @ s_uv).trace()


class RiskNoSzz(LinearRisk):
    """Mutant: S_zz dropped from the quadratic term (whitened inputs)."""

    def risk(self, s_uv, szz, syz):
        return (s_uv.T @ s_uv).trace() - 2 * (syz @ s_uv).trace()


class RiskTransposedPredictor(LinearRisk):
    """Mutant: g_α(z) = Σ_UV z (ill-typed unless d = d′)."""

    def predictor(self, s_uv, z):
        return z @ s_uv.T
