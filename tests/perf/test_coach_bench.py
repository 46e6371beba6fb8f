"""The coach runs on every pause in typing: a 200-word draft, checked against 30 other
students' feedback for R13, must take well under 5 ms on average."""

from __future__ import annotations

import pytest

from lti_tool.feedback import coach
from lti_tool.feedback.coach import review

BUDGET_SECONDS = 0.005

# A realistic draft that exercises most rules (good parts and poor parts), cut to 200 words.
_DRAFT_PARTS = (
    "Hoi Sanne, het lijkt erop dat je veel tijd in je betoog hebt gestoken, en dat is te zien "
    "aan je heldere inleiding. Een sterk betoog vraagt meer dan een mening: ik houd je aan de "
    "eis dat elk argument met een bron onderbouwd is. Bij argument 2 en 3 ontbreekt die bron "
    "nog, en je slot herhaalt vooral je inleiding. Dat is begrijpelijk, want veel leerlingen "
    "vinden een slot schrijven lastig. Volgende stappen: 1. Zoek voor argument 2 een "
    "betrouwbare bron. 2. Verwerk een citaat bij argument 3. 3. Lees je slot hardop voor. "
    "Waarom heb je de bronnen niet gebruikt? Je bent soms slordig. Goed dat je op tijd was. "
    "Super! Je had moeten beginnen met een schema. Why didn't you use the checklist? "
    "It seems the second paragraph needs work. Next step: compare your conclusion with "
    "criterion 4 in the rubric. "
)
DRAFT = " ".join((_DRAFT_PARTS * 3).split()[:200]) + " Ik weet dat je dit niveau kunt halen."
NAMES = ("Tom", "Aïsha", "Daan", "Noor", "Sem", "Liam", "Zoë", "Mila", "Finn", "Yara")
OTHERS = [
    f"Beste {NAMES[i % len(NAMES)]}, het lijkt erop dat je inleiding helder is. "
    f"Bij argument {i % 4 + 1} ontbreekt nog een bron, en je conclusie is te kort. "
    "Ik houd je aan de eis dat elk argument onderbouwd is. Volgende stap: zoek een bron "
    f"en lees alinea {i % 3 + 2} opnieuw. "
    + ("Ik weet dat je dit niveau kunt halen." if i % 3 else "I'm confident you can reach this level.")
    for i in range(30)
]


def _assert_within_budget(benchmark) -> None:
    if benchmark.disabled:
        pytest.skip("benchmarks disabled")
    assert benchmark.stats.stats.mean < BUDGET_SECONDS


@pytest.mark.bench
def test_review_of_a_200_word_draft_with_30_others(benchmark) -> None:
    assert len(DRAFT.split()) >= 200
    findings = benchmark(review, DRAFT, "nl", OTHERS)
    assert {"R1", "R3", "R13"} <= {f.rule for f in findings}
    _assert_within_budget(benchmark)


@pytest.mark.bench
def test_review_with_a_cold_cache_for_others(benchmark) -> None:
    # The others' belief sentences are cached between calls; this is the first call of a
    # composer session, where every one of the 30 others is analysed afresh.
    def fresh() -> tuple[tuple, dict]:
        coach._other_belief_keys.cache_clear()
        return (DRAFT, "nl", OTHERS), {}

    benchmark.pedantic(review, setup=fresh, rounds=300, warmup_rounds=5)
    _assert_within_budget(benchmark)
