"""Exact rational instances for mlcontrol §4.1–§4.2 (d = 2), shared by the three kinds of
evidence.  The figure's coordinates are not in the text, so the first two instances are
configurations with the properties its caption states; the others are the smallest ones that
separate the printed statements from their mutants (found by exhaustive search over small
integer grids, see the test file)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Instance", "ID", "A_FIG_B", "INSTANCES", "FIG_A", "FIG_B", "BISECTOR", "FIG_A_WITH_A", "EMERGING"]

ID = ((1, 0), (0, 1))
#: the matrix of Figure 4.1(b)
A_FIG_B = ((2, 1), (1, 1))


@dataclass(frozen=True)
class Instance:
    """Tokens ``Z`` (rows), score matrix ``A`` and step parameter ``alpha`` of (4.1)."""

    name: str
    Z: tuple
    A: tuple
    alpha: Fraction = Fraction(1)
    why: str = ""

    def as_dict(self) -> dict:
        return {"instance": self.name, "Z": [[str(v) for v in z] for z in self.Z], "A": [list(r) for r in self.A], "alpha": str(self.alpha)}


FIG_A = Instance(
    "Figure 4.1(a): A = Id, C_1 = {2, 3}",
    ((Fraction(1, 2), 0), (1, 1), (1, -1)),
    ID,
    why="z_2 and z_3 tie for the largest projection on Az_1 = z_1; z_1 tends to (1, 0), the projection of 0 onto the edge [z_2, z_3], not a leader",
)
FIG_B = Instance(
    "Figure 4.1(b): A = [[2, 1], [1, 1]], C_1 = {4}",
    ((1, 0), (1, 1), (1, -1), (0, 4)),
    A_FIG_B,
    why="z_4 alone has the largest projection on Az_1 = (2, 1), although ⟨z_1, z_4 − z_1⟩ < 0",
)
BISECTOR = Instance(
    "leaders of equal A-norm, a token on their A-bisector",
    ((1, 0), (-1, 2), (0, Fraction(1, 2))),
    A_FIG_B,
    why="‖(1, 0)‖_A = ‖(−1, 2)‖_A = √2 and ⟨(1, 0) − (−1, 2), A(0, 1/2)⟩ = 0: z_3 tends to (0, 1), the A-projection of 0 onto the edge; "
    "the Euclidean projection is (1/2, 1/2)",
)
FIG_A_WITH_A = Instance(
    "Figure 4.1(a)'s tokens with the A of Figure 4.1(b)",
    ((Fraction(1, 2), 0), (1, 1), (1, -1)),
    A_FIG_B,
    why="with A every token tends to (1, 1); scoring by ⟨z_j, z_i⟩ keeps z_1 tending to (1, 0), which no A-projection reaches",
)
EMERGING = Instance(
    "a leader emerges at layer 1",
    ((-1, 1), (-1, 2), (0, 3)),
    A_FIG_B,
    why="C_1(0) = {1, 2} (z_1 ties with z_2); z_2 leaves towards z_3 and C_1(1) = {1}: the leader set changes from {z_3} to {z_1, z_3}",
)

#: in the order the checks run them: each mutant of Theorem 4.1 fails on one of the first four
INSTANCES = (FIG_A, FIG_B, BISECTOR, EMERGING, FIG_A_WITH_A)
