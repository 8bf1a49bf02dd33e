"""The shared conformance corpus (executions recorded against AWS), replayed over HTTP against the engine.

Each case is its own test. Cases listed in expected_failures.json must still fail (xfail); a listed case
that passes fails the run so that the list only ever shrinks.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance.corpus_runner import case_ids, corpus_dir, load_expected_failures, replay_corpus

MINIMUM_PASSING_CASES = 243

CORPUS = corpus_dir()
if not (CORPUS / "replay.py").exists():
    pytest.skip(
        f"the shared conformance corpus is absent (looked in {CORPUS}; set SFN_CONFORMANCE_DIR)",
        allow_module_level=True,
    )
CASE_IDS = case_ids(CORPUS)

# One replay serves every test here, so they all run on one xdist worker (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("conformance")


@pytest.fixture(scope="session")
def replay_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Per-case results of one replay of the whole corpus against `python -m local sfn --clock skip`."""
    return replay_corpus(CORPUS, tmp_path_factory.mktemp("conformance"))


@pytest.fixture(scope="session")
def expected_failures() -> dict[str, str]:
    return load_expected_failures()


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_case_matches_aws(
    case_id: str, replay_results: dict[str, dict[str, Any]], expected_failures: dict[str, str]
) -> None:
    # Given the recorded AWS history of the case
    # When the engine ran the same definition and input
    result = replay_results.get(case_id, {"result": "MISSING", "reason": "replay.py reported nothing"})

    # Then the histories match, unless the case is a known difference that still differs
    if case_id in expected_failures:
        assert result["result"] != "PASS", f"{case_id} passes now: remove it from expected_failures.json"
        pytest.xfail(expected_failures[case_id])
    assert result["result"] == "PASS", (
        f"{result['result']}: {result.get('reason', '')} (events side by side: {result.get('dump_file')})"
    )


def test_enough_of_the_corpus_passes(replay_results: dict[str, dict[str, Any]]) -> None:
    # Given / When the corpus was replayed
    passed = sorted(case_id for case_id, result in replay_results.items() if result["result"] == "PASS")

    # Then at least the agreed share of the recorded executions match AWS
    assert len(replay_results) == len(CASE_IDS)
    assert len(passed) >= MINIMUM_PASSING_CASES, f"{len(passed)} of {len(CASE_IDS)} cases pass"


def test_expected_failures_name_only_corpus_cases(expected_failures: dict[str, str]) -> None:
    # Given the list of known differences / Then every entry is a case of the corpus with a reason
    unknown = sorted(set(expected_failures) - set(CASE_IDS))
    assert not unknown, f"not in the corpus: {unknown}"
    assert all(reason.strip() for reason in expected_failures.values())
