"""Run a hypothesis search inside a property check and return the minimal counterexample.

A property check states a predicate on drawn parameters.  :func:`search` runs hypothesis with
an explicit seed (so a run is reproducible), no example database (so results do not depend on
earlier runs), and the number of examples the fidelity asks for; when the predicate fails,
hypothesis shrinks the example and replays the minimal one last, which is what we record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import seed as hseed
from hypothesis.errors import Unsatisfiable

__all__ = ["SearchResult", "search", "search_in", "outcome"]


class _Violation(Exception):
    pass


@dataclass
class SearchResult:
    """``found`` is True when a counterexample was found (``example``, ``info`` minimal);
    ``undecided`` when hypothesis could not generate admissible examples."""

    found: bool
    examples_run: int
    example: Any = None
    info: dict = field(default_factory=dict)
    undecided: bool = False


def search(
    strategy,
    predicate: Callable[[Any], tuple[bool, dict]],
    *,
    seed: int,
    max_examples: int,
    pinned: Sequence[Any] = (),
    shrink: bool = True,
) -> SearchResult:
    """Look for an example where ``predicate(example)`` returns ``(False, info)``.

    ``pinned`` examples (edge cases) run first, as ``@example`` beside ``@given``.  With
    ``shrink=False`` the first counterexample found is reported as is (quick fidelity: a
    shrink of an expensive predicate can take seconds).
    """
    if max_examples < 1:
        raise ValueError(f"max_examples must be >= 1, got {max_examples}")
    failures: list[tuple[Any, dict]] = []
    count = [0]

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else []),
    )
    @hseed(seed)
    @given(strategy)
    def run(drawn):
        count[0] += 1
        ok, info = predicate(drawn)
        if not ok:
            failures.append((drawn, info, count[0]))
            raise _Violation()

    for p in reversed(list(pinned)):
        run = example(p)(run)

    try:
        run()
    except _Violation:
        # Pinned examples run first, in order, and are not shrunk: the first failing pin is the
        # simplest; otherwise hypothesis replays the shrunk example last.
        first = failures[0]
        minimal, info, _ = first if first[2] <= len(pinned) else failures[-1]
        return SearchResult(True, count[0], minimal, info)
    except Unsatisfiable:
        return SearchResult(False, count[0], undecided=True)
    return SearchResult(False, count[0])


def search_in(
    ctx: Any,
    strategy,
    predicate: Callable[[Any], tuple[bool, dict]],
    *,
    pinned: Sequence[Any] = (),
    examples: tuple[int, int, int] = (25, 100, 1000),
) -> SearchResult:
    """:func:`search` with the check's seed, the fidelity's number of examples
    (quick, standard, thorough) and its shrinking policy."""
    return search(
        strategy, predicate, seed=ctx.check_seed(), max_examples=ctx.max_examples(*examples), pinned=pinned, shrink=ctx.shrink
    )


def outcome(res: SearchResult, what: str, drawn: str = "drawn examples"):
    """The check's :class:`~verify.claims.Outcome` for a search: ``FAIL`` with the minimal
    counterexample (arrays as lists), ``INCONCLUSIVE`` when nothing admissible could be
    generated, ``PASS`` with the number of examples otherwise."""
    from verify.claims import Outcome, Status

    metrics = {"examples": res.examples_run}
    if res.undecided:
        return Outcome(Status.INCONCLUSIVE, "hypothesis could not generate admissible parameters", metrics)
    if res.found:
        ex = res.example if isinstance(res.example, dict) else {"example": res.example}
        cex = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in ex.items()} | res.info
        return Outcome(Status.FAIL, f"{what} fails: {res.info.get('failed', '')}", metrics, counterexample=cex)
    return Outcome(Status.PASS, f"{what} holds on {res.examples_run} {drawn}", metrics)
