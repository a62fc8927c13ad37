"""Claims, checks, evidence and verdicts; the claim registry.

A :class:`Claim` holds one displayed result of a source paper *as printed*: its id, title,
source locator, LaTeX statement, assumptions, and a ``formulas`` class whose methods evaluate
the printed formulas.  Each :class:`Check` is a function ``check(formulas, ctx) -> Outcome``;
because checks receive the formulas as an argument, the same checks run unchanged on every
:class:`Mutant` (a subclass of the printed formulas with one deliberate slip), which is how the
suite proves that its checks can fail.

Verdict rules (DESIGN.md): ``VERIFIED`` when every check passes; ``REFUTED`` when any check
fails decisively; ``INCONCLUSIVE`` when none fails but some could not decide; ``ERROR`` when a
check crashed and none failed.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import hashlib
import re
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from verify.budget import Spend, total_false_alarm
from verify.stats import false_alarm, multiplier, t_multiplier

__all__ = [
    "PAPERS",
    "Status",
    "Verdict",
    "Kind",
    "Fidelity",
    "Source",
    "FigureSpec",
    "Outcome",
    "Evidence",
    "Check",
    "Mutant",
    "Claim",
    "Context",
    "ClaimResult",
    "Registry",
    "REGISTRY",
    "register",
    "run_claim",
    "combine",
]

#: paper key -> (seed file, citation).  The keys are the contract of DESIGN.md.
PAPERS: dict[str, tuple[str, str]] = {
    "otdiff": (
        "002_13ecbaca6d942f78.txt",
        "G. Peyré, Optimal and Diffusion Transports in Machine Learning",
    ),
    "mlcontrol": (
        "003_8839b80dd0601d23.txt",
        "E. Zuazua, Machine Learning and Control: Foundations, Advances, and Perspectives",
    ),
    "mathai": (
        "001_b68c58bf08132ed7.txt",
        "G. Peyré, The Mathematics of Artificial Intelligence",
    ),
}

_ID_PATTERN = re.compile(r"^[a-z]+/(prop|thm|eq|sec|lem|cor|def)-[A-Za-z0-9.\-]+(/[a-z0-9.\-]+)*$")


class Status(str, enum.Enum):
    """Outcome of one check."""

    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"
    ERROR = "ERROR"


class Verdict(str, enum.Enum):
    """Verdict on a claim, combined from its checks."""

    VERIFIED = "VERIFIED"
    REFUTED = "REFUTED"
    INCONCLUSIVE = "INCONCLUSIVE"
    ERROR = "ERROR"


class Kind(str, enum.Enum):
    """The three independent kinds of evidence."""

    SYMBOLIC = "symbolic"
    NUMERIC = "numeric"
    PROPERTY = "property"


class Fidelity(str, enum.Enum):
    """Run size: ``quick`` for tests and CI, ``standard`` for reports, ``thorough`` overnight."""

    QUICK = "quick"
    STANDARD = "standard"
    THOROUGH = "thorough"


@dataclass(frozen=True)
class Source:
    """Where a claim is printed: paper key and locator ("Proposition 4.3")."""

    paper: str
    locator: str

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError(
                f"paper must be one of {sorted(PAPERS)}, got {self.paper!r}"
            )

    @property
    def file(self) -> str:
        return PAPERS[self.paper][0]

    @property
    def citation(self) -> str:
        return PAPERS[self.paper][1]

    def to_json(self) -> dict[str, str]:
        return {"paper": self.paper, "file": self.file, "locator": self.locator}


@dataclass
class FigureSpec:
    """Data for a figure; :mod:`verify.report` knows how to draw each ``kind``.

    Kinds: ``"convergence"`` (keys ``n``, ``err``, ``se``, ``slope``, ``intercept``,
    ``ref_slope``, labels), ``"ellipses"`` (keys ``t``, ``covariances`` or ``panels`` — a list
    of {title, covariances} drawn side by side — and ``ends``), ``"trajectories"`` (key
    ``series``: label -> array (times, particles, 2)), ``"scatter"`` (key ``series``: label ->
    points (n, 2); axes fitted to the first series), ``"lines"`` (keys ``x``, ``series``:
    label -> ys, labels; optional ``points``: label -> (xs, ys) drawn as markers, ``logx``,
    ``logy``, ``style``, ``equal`` (equal axes)).
    """

    name: str
    kind: str
    title: str
    data: dict[str, Any]
    caption: str = ""


@dataclass
class Outcome:
    """What a check function returns."""

    status: Status
    summary: str
    metrics: dict[str, Any] = field(default_factory=dict)
    counterexample: Any = None
    steps: list[str] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)
    figures: list[FigureSpec] = field(default_factory=list)


@dataclass
class Evidence:
    """The record of one check run: outcome plus name, kind, seed and time."""

    name: str
    kind: Kind
    status: Status
    summary: str
    metrics: dict[str, Any]
    seed: int
    seconds: float
    counterexample: Any = None
    steps: list[str] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)
    figures: list[FigureSpec] = field(default_factory=list)
    traceback: str | None = None
    shared_with: str | None = None
    #: Requests against the check's false-alarm budget (:mod:`verify.budget`); empty for a
    #: check with deterministic tolerances.
    spends: list[Spend] = field(default_factory=list)
    #: Whether the check drew on its seed (``Context.rng``/``check_seed``): a check that did not
    #: gives the same outcome at every seed.
    seeded: bool = False

    @property
    def false_alarm(self) -> float | None:
        """Probability that this check fails on a correct formula by chance (union bound over
        its spends); ``None`` for symbolic checks, 0 for deterministic tolerances."""
        if self.kind == Kind.SYMBOLIC and not self.spends:
            return None
        return total_false_alarm(s.alpha for s in self.spends)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind.value,
            "status": self.status.value,
            "summary": self.summary,
            "metrics": _jsonable(self.metrics),
            "seed": self.seed,
            "seconds": round(self.seconds, 4),
        }
        if self.counterexample is not None:
            out["counterexample"] = _jsonable(self.counterexample)
        if self.traceback:
            out["traceback"] = self.traceback
        if self.shared_with:
            out["shared_with"] = self.shared_with
        if self.false_alarm is not None:
            out["false_alarm"] = self.false_alarm
            out["budget"] = [sp.to_json() for sp in self.spends]
        out["seeded"] = self.seeded
        return out


CheckFunction = Callable[[Any, "Context"], Outcome]


@dataclass(frozen=True)
class Check:
    """One piece of evidence: ``func(formulas, ctx) -> Outcome``."""

    name: str
    kind: Kind
    func: CheckFunction
    description: str = ""


@dataclass(frozen=True)
class Mutant:
    """A deliberately wrong variant of the printed formulas (a subclass overriding one method)."""

    name: str
    description: str
    formulas: type


@dataclass
class Claim:
    """One displayed result, as printed.

    ``formulas`` is a class whose methods evaluate the printed formulas; checks call them.
    ``expected`` is the verdict the claim records (``VERIFIED`` unless a slip was found and
    written down); ``corrected_by``/``corrects`` link a refuted claim and its correction.
    """

    id: str
    title: str
    statement: str
    source: Source
    formulas: type
    checks: Sequence[Check]
    assumptions: Sequence[str] = ()
    mutants: Sequence[Mutant] = ()
    expected: Verdict = Verdict.VERIFIED
    corrected_by: str | None = None
    corrects: str | None = None
    notes: str = ""
    family: str = ""
    module: str | None = None

    def __post_init__(self) -> None:
        if not _ID_PATTERN.match(self.id):
            raise ValueError(
                f"claim id {self.id!r} does not follow '<paper>/<prop|thm|eq|sec>-<label>' "
                "(for example 'otdiff/prop-4.3')"
            )
        paper = self.id.split("/", 1)[0]
        if paper != self.source.paper:
            raise ValueError(
                f"claim id {self.id!r} names paper {paper!r} but its source is "
                f"{self.source.paper!r}"
            )
        if not self.checks:
            raise ValueError(f"claim {self.id!r} has no checks")
        names = [c.name for c in self.checks]
        if len(set(names)) != len(names):
            raise ValueError(f"claim {self.id!r} has duplicate check names: {names}")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "statement": self.statement,
            "source": self.source.to_json(),
            "assumptions": list(self.assumptions),
            "corrected_by": self.corrected_by,
            "corrects": self.corrects,
            "expected": self.expected.value,
        }


@dataclass
class Context:
    """Run settings handed to every check: fidelity, seed, tolerance multiplier, progress.

    ``k`` sets each check's false-alarm budget :math:`\\alpha_c = 2\\bar\\Phi(k)`; the
    default 5 gives 5.7e-7 per check of a correct formula.  Checks never read ``k`` directly:
    they ask :meth:`multiplier` (or :meth:`alpha_for`) for their share, which records the spend
    on the evidence (:mod:`verify.budget`).
    """

    fidelity: Fidelity = Fidelity.QUICK
    seed: int = 0
    k: float = 5.0
    progress: Callable[[str], None] | None = None
    examples: int | None = None
    check_name: str = ""
    mutant: bool = False
    spends: list[Spend] = field(default_factory=list, repr=False, compare=False)
    seeded: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.fidelity = Fidelity(self.fidelity)
        # bool is an int in Python; a seed of True is a slip, not seed 1.
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not self.k > 0:
            raise ValueError(f"k must be positive, got {self.k!r}")

    @property
    def alpha(self) -> float:
        """The false-alarm budget of one check, :math:`2\\bar\\Phi(k)`."""
        return false_alarm(self.k)

    def alpha_for(self, share: float = 1.0, what: str = "") -> float:
        """Take ``share`` of the check's budget for a test that builds its own critical value
        (chi-square, a two-sample test); the spend is recorded on the evidence."""
        if not 0 < share <= 1:
            raise ValueError(f"share must lie in (0, 1], got {share}")
        alpha = self.alpha * share
        self.spends.append(Spend(what or self.check_name, alpha))
        return alpha

    def multiplier(self, m: int = 1, *, df: int | None = None, share: float = 1.0, what: str = "") -> float:
        """Multiplier :math:`k_m` for ``m`` simultaneous comparisons sharing ``share`` of the
        check's budget (Bonferroni); Student-t with ``df`` degrees of freedom when the standard
        error is estimated from few replicates.  The spend is recorded on the evidence."""
        if not 0 < share <= 1:
            raise ValueError(f"share must lie in (0, 1], got {share}")
        m = int(m)
        alpha = self.alpha * share
        k = multiplier(alpha, m) if df is None else t_multiplier(alpha, m, df)
        self.spends.append(Spend(what or self.check_name, alpha, k, m, df))
        return k

    def pick(self, quick: Any, standard: Any, thorough: Any) -> Any:
        """Return the value for the current fidelity."""
        return {Fidelity.QUICK: quick, Fidelity.STANDARD: standard, Fidelity.THOROUGH: thorough}[
            self.fidelity
        ]

    def max_examples(self, quick: int = 25, standard: int = 100, thorough: int = 1000) -> int:
        """hypothesis examples for a property check (``examples`` overrides, as in `verify fuzz`)."""
        if self.examples is not None:
            return int(self.examples)
        return int(self.pick(quick, standard, thorough))

    @property
    def figures(self) -> bool:
        """Whether checks should build figures: at standard fidelity and above, and only for
        the printed formulas (the report draws no figure of a mutant)."""
        return self.fidelity != Fidelity.QUICK and not self.mutant

    @property
    def shrink(self) -> bool:
        """Whether property checks shrink counterexamples (not at quick fidelity)."""
        return self.fidelity != Fidelity.QUICK

    def check_seed(self, name: str | None = None) -> int:
        """A seed derived from the run seed and the check name (stable across runs)."""
        self.seeded = True
        key = f"{self.seed}:{name if name is not None else self.check_name}".encode()
        return int.from_bytes(hashlib.sha256(key).digest()[:4], "little")

    def rng(self, name: str | None = None):
        """A ``numpy.random.Generator`` seeded from :meth:`check_seed`."""
        import numpy as np

        return np.random.default_rng(self.check_seed(name))

    def say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


@dataclass
class ClaimResult:
    """A claim's verdict with its evidence; ``mutant`` is set when a mutant was checked."""

    claim: Claim
    verdict: Verdict
    evidence: list[Evidence]
    mutant: Mutant | None = None
    mutant_results: list["ClaimResult"] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Time spent on this claim; evidence reused from another claim counts there only."""
        own = sum(e.seconds for e in self.evidence if not e.shared_with)
        return own + sum(m.seconds for m in self.mutant_results)

    @property
    def worst_z(self) -> float | None:
        zs = [abs(float(e.metrics["z"])) for e in self.evidence if "z" in e.metrics]
        return max(zs) if zs else None

    def by_kind(self, kind: Kind) -> Status | None:
        statuses = [e.status for e in self.evidence if e.kind == kind]
        if not statuses:
            return None
        return _combine_statuses(statuses)

    @property
    def as_expected(self) -> bool:
        """True when the verdict is what the claim (or the mutant) records as expected."""
        if self.mutant is not None:
            return self.verdict == Verdict.REFUTED
        return self.verdict == self.claim.expected

    def to_json(self) -> dict[str, Any]:
        out = self.claim.to_json()
        out["verdict"] = self.verdict.value
        out["checks"] = [e.to_json() for e in self.evidence]
        out["seconds"] = round(self.seconds, 3)
        out["mutants"] = [
            {
                "name": m.mutant.name if m.mutant else None,
                "description": m.mutant.description if m.mutant else None,
                "verdict": m.verdict.value,
                "failed_checks": [e.name for e in m.evidence if e.status == Status.FAIL],
            }
            for m in self.mutant_results
        ]
        return out


def _combine_statuses(statuses: Iterable[Status]) -> Status:
    s = list(statuses)
    if Status.FAIL in s:
        return Status.FAIL
    if Status.ERROR in s:
        return Status.ERROR
    if Status.INCONCLUSIVE in s:
        return Status.INCONCLUSIVE
    return Status.PASS


def combine(statuses: Iterable[Status]) -> Verdict:
    """Verdict from check statuses, by the rules of DESIGN.md.

    A decisive ``FAIL`` outranks a crash: the failing check is evidence on its own.
    An empty list of statuses is ``INCONCLUSIVE`` (nothing was decided).
    """
    s = list(statuses)
    if not s:
        return Verdict.INCONCLUSIVE
    return {
        Status.FAIL: Verdict.REFUTED,
        Status.ERROR: Verdict.ERROR,
        Status.INCONCLUSIVE: Verdict.INCONCLUSIVE,
        Status.PASS: Verdict.VERIFIED,
    }[_combine_statuses(s)]


def run_check(check: Check, formulas: Any, ctx: Context) -> Evidence:
    """Run one check, timing it and turning a crash into ``ERROR`` evidence."""
    ctx.check_name = check.name
    seed = ctx.check_seed(check.name)
    ctx.spends, ctx.seeded = [], False
    start = time.perf_counter()
    try:
        outcome = check.func(formulas, ctx)
        if not isinstance(outcome, Outcome):
            raise TypeError(
                f"check {check.name!r} returned {type(outcome).__name__}, expected Outcome"
            )
        tb = None
    except Exception as exc:  # a crashing check is evidence of a defect, not a verdict
        outcome = Outcome(Status.ERROR, f"{type(exc).__name__}: {exc}")
        tb = traceback.format_exc(limit=-8)  # the innermost frames: where it raised
    seconds = time.perf_counter() - start
    return Evidence(
        name=check.name,
        kind=check.kind,
        status=outcome.status,
        summary=outcome.summary,
        metrics=outcome.metrics,
        seed=seed,
        seconds=seconds,
        counterexample=outcome.counterexample,
        steps=outcome.steps,
        table=outcome.table,
        figures=outcome.figures,
        traceback=tb,
        spends=list(ctx.spends),
        seeded=ctx.seeded,
    )


#: Evidence already computed in this process, keyed by everything that determines it (the check
#: function, the formulas class, fidelity, seed, k, examples).  Two claims that print the same
#: statement in two papers share their checks; the second reuses the first's evidence.
_EVIDENCE_CACHE: dict[tuple, tuple[str, Evidence]] = {}


def _cached_check(check: Check, formulas: Any, ctx: Context, label: str) -> Evidence:
    key = (check.func, check.name, type(formulas), ctx.fidelity, ctx.seed, ctx.k, ctx.examples)
    if key not in _EVIDENCE_CACHE:
        _EVIDENCE_CACHE[key] = (label, run_check(check, formulas, ctx))
        return _EVIDENCE_CACHE[key][1]
    first, evidence = _EVIDENCE_CACHE[key]
    return evidence if first == label else dataclasses.replace(evidence, shared_with=first)


def run_claim(
    claim: Claim,
    ctx: Context,
    *,
    mutant: Mutant | None = None,
    with_mutants: bool = False,
    kinds: Sequence[Kind] | None = None,
) -> ClaimResult:
    """Run the checks of ``claim`` on its printed formulas (or on ``mutant``'s)."""
    formulas_cls = mutant.formulas if mutant is not None else claim.formulas
    formulas = formulas_cls()
    evidence = []
    label = claim.id if mutant is None else f"{claim.id} [mutant {mutant.name}]"
    for check in claim.checks:
        if kinds is not None and check.kind not in kinds:
            continue
        ctx.say(f"{label}: {check.name}")
        evidence.append(_cached_check(check, formulas, ctx, label))
    result = ClaimResult(claim, combine(e.status for e in evidence), evidence, mutant)
    if with_mutants and mutant is None:
        mctx = dataclasses.replace(ctx, mutant=True)
        result.mutant_results = [
            run_claim(claim, mctx, mutant=m, kinds=kinds) for m in claim.mutants
        ]
    return result


class Registry:
    """Claims by id.  Ids are stable: reports, tests and users refer to them."""

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    def add(self, claim: Claim) -> Claim:
        if claim.id in self._claims and self._claims[claim.id] is not claim:
            raise ValueError(f"claim id {claim.id!r} is already registered")
        self._claims[claim.id] = claim
        return claim

    def __contains__(self, claim_id: str) -> bool:
        return claim_id in self._claims

    def __len__(self) -> int:
        return len(self._claims)

    def all(self) -> list[Claim]:
        return [self._claims[k] for k in sorted(self._claims)]

    def get(self, claim_id: str) -> Claim:
        try:
            return self._claims[claim_id]
        except KeyError:
            raise KeyError(self.unknown_message(claim_id)) from None

    def unknown_message(self, claim_id: str) -> str:
        near = difflib.get_close_matches(claim_id, list(self._claims), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else "; `verify list` shows the ids"
        return f"unknown claim id {claim_id!r}{hint}"

    def select(self, patterns: Sequence[str]) -> list[Claim]:
        """Claims whose id starts with one of ``patterns`` (an id is its own prefix, and
        ``otdiff`` selects the whole paper); all claims when ``patterns`` is empty.  A pattern
        that matches nothing raises ``KeyError`` naming the nearest ids."""
        if not patterns:
            return self.all()
        chosen: dict[str, Claim] = {}
        for p in patterns:
            hits = [c for cid, c in self._claims.items() if cid.startswith(p)]
            if not hits:
                raise KeyError(self.unknown_message(p))
            for c in hits:
                chosen[c.id] = c
        return [chosen[k] for k in sorted(chosen)]


REGISTRY = Registry()


def register(claim: Claim, registry: Registry | None = None) -> Claim:
    """Add ``claim`` to the (global) registry and return it."""
    return (registry or REGISTRY).add(claim)


def _jsonable(value: Any) -> Any:
    """Convert numpy/mpmath/sympy scalars and arrays to plain JSON values."""
    import numpy as np

    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if np.isfinite(v) else str(v)
    if value is None or isinstance(value, str):
        return value
    return str(value)
