"""The printed statements of otdiff §6.3 (ResNet (24), neural ODE (25)), mathai §3 (ResNet (7),
neural ODE (8)) and mathai §2 (Barron's Monte-Carlo argument for the mean-field network (5)),
their mutants, and the constructions the checks evaluate them with.

Depth (§3 of mathai, §6.3 of otdiff).  A network of depth L applies L residual steps

.. math::

    x_{\\ell+1} = x_\\ell + h_L\\, r_{\\theta_\\ell}(x_\\ell), \\qquad \\ell = 0, \\dots, L - 1,

with the printed step :math:`h_L = 1/L` (otdiff: :math:`1/S`) and the printed residual branch
:math:`r_\\theta` (mathai: :math:`U^\\top\\sigma(Vx + b)`; otdiff: the two-layer MLP
:math:`g_\\alpha`); the neural ODE integrates the printed velocity over the printed depth
interval :math:`s \\in [0, 1]`.  The limit statement needs the layer parameters to sample the
continuous family: layer ℓ of the depth-L network uses :math:`\\theta(\\ell/L)` (the reading the
checks state as an assumption; :meth:`MathaiResNet.layer_time`).  The formulas classes expose
``step_size(L)``, ``layer_time(ell, L)``, ``horizon()``, ``residual(x, P, sigma)``,
``velocity(x, P, sigma)`` and ``order()`` (the claimed rate: the error is
:math:`O(L^{-\\text{order}})`, explicit Euler's first order).

Neuron rows.  The parameters of one layer are a ``(n, 2d + 1)`` array ``P`` of neuron rows
:math:`(a_k, w_k, c_k) \\in \\mathbb R^d \\times \\mathbb R^d \\times \\mathbb R`.  mathai reads
:math:`U = (a_k)_k`, :math:`V = (w_k)_k`, :math:`b = (c_k)_k`, so
:math:`U^\\top\\sigma(Vx + b) = \\sum_k a_k\\sigma(\\langle w_k, x\\rangle + c_k)`; otdiff reads
the neuron measure :math:`\\alpha = \\frac1n\\sum_k\\delta_{(u_k, v_k)}` with inner weight
:math:`u_k = w_k` and outer weight :math:`v_k = a_k` (no bias in (21): ``c`` is unused).

Width (§2 of mathai).  :class:`BarronMonteCarlo` states the Monte-Carlo rate: for
:math:`\\hat\\rho = \\frac1n\\sum_k\\delta_{\\theta_k}`, :math:`\\theta_k` i.i.d. from ρ, the
:math:`L^2` error :math:`(\\mathbb E\\|F_{\\hat\\rho} - F_\\rho\\|^2)^{1/2}` decreases as
:math:`n^{-\\text{rate}}` with the printed rate 1/2.  The instance of the numeric check is the
cosine network of Hornik's argument (cited in the same section), with every integral in closed
form (:func:`cos_network_variance`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy.integrate import solve_ivp
from scipy.special import erf, expit, wofz

__all__ = [
    "MathaiResNet",
    "MathaiStepOne",
    "MathaiDoubleStep",
    "MathaiOrderTwo",
    "OtdiffResNet",
    "OtdiffStepOne",
    "OtdiffSqrtDepth",
    "OtdiffOrderTwo",
    "BarronMonteCarlo",
    "BarronRateOne",
    "BarronGridRate",
    "BarronQuarterRate",
    "sigmoid",
    "ParameterPath",
    "resnet_output",
    "neural_ode_output",
    "split_neurons",
    "cube_half_width",
    "cos_mean_field",
    "cos_kernel",
    "cos_mean_field_inner",
    "cos_mean_field_norm2",
    "cos_network_variance",
    "cos_squared_errors",
]


def _sqrt(v: Any) -> Any:
    """Square root of a number or of a sympy expression (mutants are evaluated both ways)."""
    if isinstance(v, (int, float, np.integer, np.floating)):
        return math.sqrt(v)
    import sympy as sp

    return sp.sqrt(v)


def sigmoid(t: np.ndarray) -> np.ndarray:
    """The sigmoid :math:`\\sigma(s) = e^s/(1 + e^s)` printed in mathai §2 (eq. (3)), evaluated
    without overflow."""
    return expit(np.asarray(t, dtype=float))


def split_neurons(P: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns of the neuron rows ``P : (n, 2d + 1)``: outer weights ``(n, d)``, inner weights
    ``(n, d)``, biases ``(n,)``."""
    P = np.asarray(P)
    if P.ndim != 2 or P.shape[1] != 2 * d + 1:
        raise ValueError(f"P must have shape (n, {2 * d + 1}) for d = {d}, got {P.shape}")
    return P[:, :d], P[:, d : 2 * d], P[:, 2 * d]


# --- mathai §3: (7) and (8) -------------------------------------------------------------------


class MathaiResNet:
    """mathai §3, eqs. (7)–(8): the ResNet with the printed :math:`1/L` scaling is a
    discretisation of the neural ODE.

    .. math::

        x_{\\ell+1} = x_\\ell + \\frac{1}{L} U_\\ell^\\top \\sigma(V_\\ell x_\\ell + b_\\ell), \\quad (7)
        \\qquad
        \\frac{dx_s}{ds} = U_s^\\top\\sigma(V_s x_s + b_s), \\ s \\in [0, 1], \\quad (8)

    :math:`f_\\theta(x_0) = x_L` for (7) and :math:`x_1` for (8).  Checked: as
    :math:`L \\to \\infty`, :math:`x_L \\to x_1` with error :math:`O(1/L)` (explicit Euler,
    first order), when layer ℓ carries :math:`\\theta(\\ell/L)`.
    """

    def step_size(self, L: Any) -> Any:
        """The printed scaling of the residual branch at depth L: :math:`1/L`."""
        return 1 / L

    def layer_time(self, ell: Any, L: Any) -> Any:
        """The depth :math:`s \\in [0, 1)` whose parameters layer ℓ of L carries: ℓ/L."""
        return ell / L

    def horizon(self) -> Any:
        """The depth interval of the neural ODE (8): :math:`s \\in [0, 1]`."""
        return 1

    def residual(self, x: np.ndarray, P: np.ndarray, sigma: Callable) -> np.ndarray:
        """The residual branch of (7), :math:`U^\\top\\sigma(Vx + b)`, for the rows of
        ``x : (m, d)``."""
        d = x.shape[-1]
        U, V, b = split_neurons(P, d)
        return sigma(x @ V.T + b) @ U

    def velocity(self, x: np.ndarray, P: np.ndarray, sigma: Callable) -> np.ndarray:
        """The right-hand side of (8), :math:`U_s^\\top\\sigma(V_s x + b_s)`."""
        d = x.shape[-1]
        U, V, b = split_neurons(P, d)
        return sigma(x @ V.T + b) @ U

    def order(self) -> int:
        """The rate in depth: :math:`|x_L - x_1| = O(L^{-1})` (explicit Euler)."""
        return 1


class MathaiStepOne(MathaiResNet):
    """Mutant: no :math:`1/L` — :math:`x_{\\ell+1} = x_\\ell + U_\\ell^\\top\\sigma(V_\\ell x_\\ell + b_\\ell)`
    (the classical ResNet; also how the re-typeset copy of the paper prints (7), with τ for ⊤)."""

    def step_size(self, L: Any) -> Any:
        return 1


class MathaiDoubleStep(MathaiResNet):
    """Mutant: scaling :math:`2/L` (the limit is the flow of twice the velocity)."""

    def step_size(self, L: Any) -> Any:
        return 2 / L


class MathaiOrderTwo(MathaiResNet):
    """Mutant: the rate :math:`O(1/L^2)` (a second-order scheme)."""

    def order(self) -> int:
        return 2


# --- otdiff §6.3: (24) and (25) ---------------------------------------------------------------


class OtdiffResNet:
    """otdiff §6.3, eqs. (24)–(25): the ResNet with scaling :math:`1/S` tends to the neural ODE
    as :math:`S \\to \\infty`.

    .. math::

        z(s+1) := z(s) + \\frac{1}{S} g_{\\alpha(s)}(z(s)), \\quad (24) \\qquad
        \\frac{dz}{ds}(s) = g_{\\alpha(s)}(z(s)), \\ s \\in [0, 1], \\quad (25)

    with the two-layer MLP (21), :math:`g_\\alpha(z) = \\int v\\,\\sigma(\\langle z, u\\rangle)\\,
    d\\alpha(u, v)`, for discrete :math:`\\alpha(s) = \\frac1n\\sum_k\\delta_{(u_k(s), v_k(s))}`.
    Read with S layers s = 0, …, S − 1, layer s carrying :math:`\\alpha(s/S)` and the output
    :math:`z(S)` compared with :math:`g_\\alpha(z(0)) = z(1)` of (25).
    """

    def step_size(self, S: Any) -> Any:
        """The printed scaling :math:`1/S`."""
        return 1 / S

    def layer_time(self, ell: Any, S: Any) -> Any:
        """Layer s of S carries :math:`\\alpha(s/S)`."""
        return ell / S

    def horizon(self) -> Any:
        """The depth interval of (25): :math:`s \\in [0, 1]`."""
        return 1

    def residual(self, z: np.ndarray, P: np.ndarray, sigma: Callable) -> np.ndarray:
        """:math:`g_\\alpha(z) = \\frac1n\\sum_k v_k\\sigma(\\langle z, u_k\\rangle)`, eq. (21),
        for the rows of ``z : (m, d)``."""
        d = z.shape[-1]
        v, u, _ = split_neurons(P, d)
        return sigma(z @ u.T) @ v / P.shape[0]

    def velocity(self, z: np.ndarray, P: np.ndarray, sigma: Callable) -> np.ndarray:
        """The right-hand side of (25), :math:`g_{\\alpha(s)}(z)`."""
        d = z.shape[-1]
        v, u, _ = split_neurons(P, d)
        return sigma(z @ u.T) @ v / P.shape[0]

    def order(self) -> int:
        """The rate in depth: :math:`O(S^{-1})` (explicit Euler)."""
        return 1


class OtdiffStepOne(OtdiffResNet):
    """Mutant: scaling 1 instead of :math:`1/S` (the un-rescaled ResNet)."""

    def step_size(self, S: Any) -> Any:
        return 1


class OtdiffSqrtDepth(OtdiffResNet):
    """Mutant: scaling :math:`1/\\sqrt S` (the scaling of ResNets with i.i.d. layers, whose limit
    is a diffusion, not (25))."""

    def step_size(self, S: Any) -> Any:
        return 1 / _sqrt(S)


class OtdiffOrderTwo(OtdiffResNet):
    """Mutant: the rate :math:`O(1/S^2)`."""

    def order(self) -> int:
        return 2


# --- constructions for the depth claims -------------------------------------------------------


@dataclass(frozen=True)
class ParameterPath:
    """A smooth depth-dependent family of neuron rows, :math:`P(s) = P_0 + sP_1 + s^2P_2`,
    each ``(n, 2d + 1)``."""

    P0: np.ndarray
    P1: np.ndarray
    P2: np.ndarray

    def __post_init__(self) -> None:
        shapes = {np.shape(self.P0), np.shape(self.P1), np.shape(self.P2)}
        if len(shapes) != 1:
            raise ValueError(f"P0, P1, P2 must have one shape, got {sorted(shapes)}")
        (shape,) = shapes
        if len(shape) != 2 or shape[1] % 2 != 1 or shape[1] < 3 or shape[0] < 1:
            raise ValueError(f"neuron rows must have shape (n, 2d + 1), n ≥ 1, d ≥ 1, got {shape}")
        for name in ("P0", "P1", "P2"):
            if not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"{name} contains NaN or inf")

    @property
    def d(self) -> int:
        return (np.shape(self.P0)[1] - 1) // 2

    def __call__(self, s: float) -> np.ndarray:
        return self.P0 + s * self.P1 + s * s * self.P2


def _check_inputs(X: np.ndarray, path: ParameterPath) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != path.d:
        raise ValueError(f"X must have shape (m, {path.d}) to match the parameters, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or inf")
    return X


def resnet_output(f: Any, X: np.ndarray, L: int, path: ParameterPath, sigma: Callable = sigmoid) -> np.ndarray:
    """Output :math:`x_L` of the depth-L residual network of the formulas ``f``, for every row
    of ``X : (m, d)`` at once.

    .. math:: x_{\\ell+1} = x_\\ell + h_L\\, r_{P(\\ell/L)}(x_\\ell), \\qquad \\ell = 0, \\dots, L-1,

    with :math:`h_L` = ``f.step_size(L)``, the layer depth ``f.layer_time(ell, L)`` and the
    branch ``f.residual`` (mathai eq. (7); otdiff eq. (24)).
    """
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 1:
        raise ValueError(f"L must be a positive integer (the depth), got {L!r}")
    x = _check_inputs(X, path).copy()
    h = float(f.step_size(int(L)))
    for ell in range(int(L)):
        x = x + h * f.residual(x, path(float(f.layer_time(ell, int(L)))), sigma)
    return x


def neural_ode_output(
    f: Any, X: np.ndarray, path: ParameterPath, sigma: Callable = sigmoid, *, rtol: float = 1e-12, atol: float = 1e-13
) -> np.ndarray:
    """The flow of the neural ODE of ``f`` at the end of its depth interval, for every row of
    ``X : (m, d)``: one ``solve_ivp`` (DOP853) on the stacked system, not one per input.

    .. math:: \\frac{dx}{ds} = v_{P(s)}(x), \\quad s \\in [0, \\text{horizon}]

    (mathai eq. (8); otdiff eq. (25)).
    """
    X = _check_inputs(X, path)
    if not (0 < rtol < 1 and atol > 0):
        raise ValueError(f"rtol must lie in (0, 1) and atol be positive, got rtol={rtol}, atol={atol}")
    m, d = X.shape
    T = float(f.horizon())
    if not (np.isfinite(T) and T > 0):
        raise ValueError(f"the horizon must be positive and finite, got {T}")

    def rhs(s: float, y: np.ndarray) -> np.ndarray:
        return f.velocity(y.reshape(m, d), path(s), sigma).ravel()

    sol = solve_ivp(rhs, (0.0, T), X.ravel(), method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:  # pragma: no cover - smooth bounded fields on [0, 1]
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return sol.y[:, -1].reshape(m, d)


# --- mathai §2: the Monte-Carlo rate -----------------------------------------------------------


class BarronMonteCarlo:
    """mathai §2 (Mean-Field Representation), eq. (5) and the sentence after it: sampling
    :math:`\\hat\\rho = \\frac1n\\sum_{k=1}^n\\delta_{(u_k, v_k, b_k)}` with i.i.d. parameters
    from ρ, "the error decreases as :math:`1/\\sqrt n`":

    .. math::

        \\big(\\mathbb E\\,\\|F_{\\hat\\rho} - F_\\rho\\|_{L^2}^2\\big)^{1/2} \\propto n^{-1/2}, \\qquad
        F_\\rho(x) = \\int u\\,\\sigma(\\langle v, x\\rangle + b)\\,d\\rho(u, v, b).
    """

    def rate(self, d: int) -> float:
        """The exponent of n in the error, in dimension d: 1/2 (dimension-free)."""
        return 0.5


class BarronRateOne(BarronMonteCarlo):
    """Mutant: the error decreases as :math:`1/n` (how the re-typeset copy prints the
    sentence)."""

    def rate(self, d: int) -> float:
        return 1.0


class BarronGridRate(BarronMonteCarlo):
    """Mutant: the curse of dimensionality, :math:`n^{-1/d}` (the rate of a grid of n points,
    which the paragraph says the Monte-Carlo argument avoids)."""

    def rate(self, d: int) -> float:
        return 1.0 / d


class BarronQuarterRate(BarronMonteCarlo):
    """Mutant: :math:`n^{-1/4}` (the square root taken twice)."""

    def rate(self, d: int) -> float:
        return 0.25


def cube_half_width(R: float, d: int) -> float:
    """Half-width :math:`a = R/\\sqrt d` of the cube :math:`[-a, a]^d`, a compact set Ω of radius
    R (its corners lie on the sphere of radius R)."""
    if not (np.isfinite(R) and R > 0):
        raise ValueError(f"R must be positive and finite, got {R!r}")
    if isinstance(d, bool) or int(d) != d or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")
    return float(R) / math.sqrt(d)


def _check_scale(a: float, s: float) -> None:
    if not (np.isfinite(a) and a > 0):
        raise ValueError(f"a (the half-width of the cube) must be positive and finite, got {a!r}")
    if not (np.isfinite(s) and s > 0):
        raise ValueError(f"s (the standard deviation of the inner weights) must be positive and finite, got {s!r}")


def cos_mean_field(x: np.ndarray, s: float) -> np.ndarray:
    """The mean-field network (5) of the cosine instance: σ = cos, u = 1, b = 0,
    :math:`v \\sim \\mathcal N(0, s^2\\mathrm{Id})`:

    .. math:: F_\\rho(x) = \\mathbb E_v\\cos\\langle v, x\\rangle = e^{-s^2|x|^2/2}.
    """
    x = np.asarray(x, dtype=float)
    _check_scale(1.0, s)
    return np.exp(-0.5 * s * s * np.sum(x * x, axis=-1))


def _sinc(t: np.ndarray) -> np.ndarray:
    """:math:`\\sin t / t` (unnormalised; 1 at t = 0)."""
    t = np.asarray(t, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sin(t) / t
    out[t == 0] = 1.0
    return out


def cos_kernel(v: np.ndarray, w: np.ndarray, a: float) -> np.ndarray:
    """:math:`K(v, w) = \\mathbb E_{x \\sim \\mathcal U([-a, a]^d)}\\cos\\langle v, x\\rangle
    \\cos\\langle w, x\\rangle = \\frac12\\big[S(v - w) + S(v + w)\\big]`,
    :math:`S(y) = \\prod_i \\sin(a y_i)/(a y_i)`; broadcasts over leading axes of ``v, w : (..., d)``."""
    _check_scale(a, 1.0)
    v, w = np.asarray(v, dtype=float), np.asarray(w, dtype=float)
    return 0.5 * (np.prod(_sinc(a * (v - w)), axis=-1) + np.prod(_sinc(a * (v + w)), axis=-1))


def _g(t: np.ndarray, a: float, s: float) -> np.ndarray:
    """:math:`g(t) = \\frac{1}{2a}\\int_{-a}^{a}\\cos(tx)\\,e^{-s^2x^2/2}\\,dx
    = \\frac{\\sqrt{2\\pi}}{2as}\\operatorname{Re}\\big[e^{-t^2/2s^2}\\operatorname{erf}(z)\\big]`,
    :math:`z = (s^2a + it)/(\\sqrt2 s)`, evaluated as
    :math:`e^{-t^2/2s^2} - e^{-s^2a^2/2 - iat}\\,w(iz)` (Faddeeva w) without overflow."""
    t = np.asarray(t, dtype=float)
    z = (s * s * a + 1j * t) / (math.sqrt(2.0) * s)
    val = np.exp(-t * t / (2 * s * s)) - np.exp(-s * s * a * a / 2 - 1j * a * t) * wofz(1j * z)
    return math.sqrt(2 * math.pi) / (2 * a * s) * val.real


def cos_mean_field_inner(v: np.ndarray, a: float, s: float) -> np.ndarray:
    """:math:`m(v) = \\langle\\cos\\langle v, \\cdot\\rangle, F_\\rho\\rangle_{L^2(\\mu)} = \\prod_i g(v_i)`
    for μ uniform on :math:`[-a, a]^d` (see :func:`_g`); ``v : (..., d)``."""
    _check_scale(a, s)
    return np.prod(_g(v, a, s), axis=-1)


def cos_mean_field_norm2(d: int, a: float, s: float) -> float:
    """:math:`\\|F_\\rho\\|^2_{L^2(\\mu)} = \\big[\\sqrt\\pi\\,\\operatorname{erf}(as)/(2as)\\big]^d`."""
    _check_scale(a, s)
    return float((math.sqrt(math.pi) * erf(a * s) / (2 * a * s)) ** d)


def cos_network_variance(d: int, a: float, s: float) -> float:
    """The Monte-Carlo variance of the cosine instance,
    :math:`V = \\mathbb E_v\\|\\cos\\langle v, \\cdot\\rangle\\|^2_{L^2(\\mu)} - \\|F_\\rho\\|^2_{L^2(\\mu)}`:

    .. math::

        V = \\tfrac12\\Big(1 + \\Big[\\tfrac{\\sqrt{\\pi/2}\\,\\operatorname{erf}(\\sqrt2\\,as)}{2as}\\Big]^d\\Big)
            - \\Big[\\tfrac{\\sqrt\\pi\\,\\operatorname{erf}(as)}{2as}\\Big]^d,

    so that :math:`\\mathbb E\\|F_{\\hat\\rho} - F_\\rho\\|^2 = V/n` exactly (mathai §2, eq. (5)).
    """
    if isinstance(d, bool) or int(d) != d or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")
    _check_scale(a, s)
    second = 0.5 * (1.0 + (math.sqrt(math.pi / 2) * erf(math.sqrt(2.0) * a * s) / (2 * a * s)) ** d)
    return float(second - cos_mean_field_norm2(d, a, s))


def cos_squared_errors(v: np.ndarray, a: float, s: float, chunk: int = 32) -> np.ndarray:
    """Exact :math:`\\|F_{\\hat\\rho} - F_\\rho\\|^2_{L^2(\\mu)}` for each sample of neurons
    ``v : (B, n, d)`` (B independent networks of n cosine neurons, μ uniform on the cube):

    .. math::

        \\|F_{\\hat\\rho} - F_\\rho\\|^2 = \\frac1{n^2}\\sum_{j,k} K(v_j, v_k)
            - \\frac2n\\sum_k m(v_k) + \\|F_\\rho\\|^2.

    Processed ``chunk`` samples at a time (the pair kernel is ``(chunk, n, n, d)``).
    """
    v = np.asarray(v, dtype=float)
    if v.ndim != 3 or v.shape[1] < 1 or v.shape[2] < 1:
        raise ValueError(f"v must have shape (B, n, d) with n, d ≥ 1, got {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("v contains NaN or inf")
    _check_scale(a, s)
    B, n, d = v.shape
    c = cos_mean_field_norm2(d, a, s)
    out = np.empty(B)
    for i in range(0, B, max(int(chunk), 1)):
        vb = v[i : i + chunk]
        K = cos_kernel(vb[:, :, None, :], vb[:, None, :, :], a)
        out[i : i + chunk] = K.mean(axis=(1, 2)) - 2 * cos_mean_field_inner(vb, a, s).mean(axis=1) + c
    return out
