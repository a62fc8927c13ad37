"""The command line: JSON of `verify check`, exit codes, --module, report files, fuzz."""

from __future__ import annotations

import json
import re
from pathlib import Path


from verify import claims
from verify.cli import main

USER = str(Path(__file__).with_name("user_claims.py"))


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_check_json_for_two_claims(capsys):
    # Two cheap claims of different families (the full set runs in the contract tests).
    code = main(["check", "otdiff/eq-14", "otdiff/thm-5.1", "--json", "--fidelity", "quick", "--no-mutants"])
    out = _json(capsys)
    assert code == 0
    assert [c["id"] for c in out["claims"]] == ["otdiff/eq-14", "otdiff/thm-5.1"]
    assert all(c["verdict"] == "VERIFIED" for c in out["claims"])
    assert out["environment"]["fidelity"] == "quick" and out["environment"]["seed"] == 0
    for key in ("python", "numpy", "sympy"):
        assert key in out["environment"]
    assert out["claims"][0]["source"]["file"] == "002_13ecbaca6d942f78.txt"


def test_unknown_id_is_a_usage_error_with_suggestions(capsys):
    assert main(["check", "otdiff/prop-4.4"]) == 2
    assert "did you mean otdiff/prop-4.3" in capsys.readouterr().err


def test_user_module_true_and_false_claims(capsys):
    code = main(["check", "mathai/eq-90", "--module", USER, "--json", "--fidelity", "quick"])
    out = {c["id"]: c for c in _json(capsys)["claims"]}
    assert out["mathai/eq-900"]["verdict"] == "VERIFIED"
    assert out["mathai/eq-900"]["mutants"][0]["verdict"] == "REFUTED"
    assert out["mathai/eq-901"]["verdict"] == "REFUTED"
    # The false claim records VERIFIED as expected and has no correction: exit 1.
    assert code == 1


def test_user_module_reported_like_a_builtin(tmp_path, capsys):
    code = main(["report", "mathai/eq-900", "--module", USER, "--fidelity", "quick", "--out", str(tmp_path)])
    assert code == 0
    index = (tmp_path / "index.md").read_text()
    assert "[mathai/eq-900](claims/mathai/eq-900.md)" in index and "**VERIFIED**" in index
    page = (tmp_path / "claims" / "mathai" / "eq-900.md").read_text()
    assert "$$\\mathbb E[X^2] = \\sigma^2$$" in page and "verify check mathai/eq-900" in page
    assert not list(tmp_path.rglob("*.tmp"))


def test_bad_module_is_a_usage_error(tmp_path, capsys):
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    assert main(["list", "--module", str(empty)]) == 2
    assert "registered no claim" in capsys.readouterr().err
    assert main(["list", "--module", str(tmp_path / "missing.py")]) == 2


def test_fuzz_finds_a_minimal_counterexample_for_a_mutant(capsys):
    code = main(["fuzz", "otdiff/prop-4.3", "--mutant", "cross-term-factor", "--examples", "30"])
    out = capsys.readouterr().out
    assert code == 0
    assert "minimal counterexample" in out and "cost(T) = printed W2^2" in out


def test_fuzz_on_the_printed_claim_finds_nothing(capsys):
    assert main(["fuzz", "otdiff/thm-4.2", "--examples", "30"]) == 0
    assert "PASS" in capsys.readouterr().out


def test_report_is_byte_identical_apart_from_timings(tmp_path, capsys):
    """Two runs with the same seed: every file (pages, JSON, coverage, PNG figures) is identical
    once the timings are blanked; every page says how to reproduce it and with which versions."""
    a, b = tmp_path / "a", tmp_path / "b"
    # A user claim and a cheap built-in claim whose standard-fidelity check draws a figure.
    ids = ["mathai/eq-900", "otdiff/sec-4.1-brenier-1d"]
    for out in (a, b):
        claims._EVIDENCE_CACHE.clear()  # every check runs again: no evidence is reused between the runs
        assert main(["report", *ids, "--module", USER, "--fidelity", "standard", "--out", str(out), "--seed", "5", "--jobs", "1"]) == 0
    timing = re.compile(r"(\d+\.\d+ s\*|\| \d+\.\d+ \|$|\"seconds\": [0-9.e-]+)", re.M)
    files = sorted(p for p in a.rglob("*") if p.is_file())
    assert any(p.suffix == ".png" for p in files) and len(files) >= 6
    for fa in files:
        fb = b / fa.relative_to(a)
        if fa.suffix == ".png":
            assert fa.read_bytes() == fb.read_bytes(), fa
            continue
        ta = timing.sub("T", fa.read_text()).replace(str(a), "OUT")
        tb = timing.sub("T", fb.read_text()).replace(str(b), "OUT")
        assert ta == tb, fa
        if fa.suffix == ".md":
            text = fa.read_text()
            assert "verify " in text and "--seed 5" in text, f"{fa.name} does not say how to reproduce it"
            assert "| verify | python | numpy |" in text and "| 5 | standard |" in text, f"{fa.name} lacks versions and seed"


