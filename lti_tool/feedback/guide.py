"""The five parts of wise feedback (Yeager et al. 2014; Cohen 2022) as guided fields.

Hints and examples are content, so they carry both languages here (like the coach's
messages) instead of living in the message catalogue. `assemble` joins the parts into
one editable text; the same rule is mirrored in static/js/feedback-composer.js.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    key: str
    label_nl: str
    label_en: str
    hint_nl: str
    hint_en: str
    example_nl: str
    example_en: str
    rows: int = 2

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_nl

    def hint(self, lang: str) -> str:
        return self.hint_en if lang == "en" else self.hint_nl

    def example(self, lang: str) -> str:
        return self.example_en if lang == "en" else self.example_nl


PARTS: tuple[Part, ...] = (
    Part(
        "opener",
        "1. Voorzichtige opening",
        "1. Tentative opener",
        "Begin met wat je ziet, als observatie. Zo nodig je de student uit om mee te denken.",
        "Start with what you notice, as an observation. It invites the student to think along.",
        "Het lijkt erop dat je betoog al een duidelijke opbouw heeft.",
        "It looks like your argument already has a clear structure.",
    ),
    Part(
        "acknowledgement",
        "2. Erkenning (optioneel)",
        "2. Acknowledgement (optional)",
        "Erken dat de moeilijkheid logisch is, als dat zo is.",
        "Acknowledge that the difficulty makes sense, if it does.",
        "Bronnen zoeken en beoordelen is lastig, dus logisch dat dit nog niet helemaal lukt.",
        "Finding and judging sources is hard, so it makes sense that this is still difficult.",
    ),
    Part(
        "standard",
        "3. Hoge standaard en de precieze kloof",
        "3. High standard and the specific gap",
        "Noem je standaard en wat er precies nog ontbreekt: een criterium, een stap of een citaat.",
        "Name your standard and exactly what is still missing: a criterion, a step or a quote.",
        "Ik houd je aan een hoge standaard: elk argument is onderbouwd met een bron. Bij argument 2 ontbreekt die nog.",
        "I am holding you to a high standard: every argument is backed by a source. Argument 2 does not have one yet.",
        3,
    ),
    Part(
        "next_steps",
        "4. Volgende stappen",
        "4. Next steps",
        "Eén tot drie concrete stappen, elk op een eigen regel. Niet meer dan vijf.",
        "One to three concrete steps, each on its own line. No more than five.",
        "1. Zoek voor argument 2 een betrouwbare bron.\n2. Noem die bron in je tekst en in je bronnenlijst.",
        "1. Find a reliable source for argument 2.\n2. Name that source in your text and in your list of sources.",
        3,
    ),
    Part(
        "belief",
        "5. Vertrouwen",
        "5. Belief",
        "Zeg dat je gelooft dat de student de standaard kan halen.",
        "Say that you believe the student can reach the standard.",
        "Ik geef je deze feedback omdat ik weet dat je dit niveau kunt halen.",
        "I am giving you this feedback because I know you can reach this level.",
    ),
)

PART_KEYS: tuple[str, ...] = tuple(p.key for p in PARTS)
MAX_PART_LENGTH = 2000

# Which parts share a paragraph: opener, acknowledgement and standard read as one
# paragraph; the steps keep their own lines; the belief closes on its own.
_PARAGRAPHS: tuple[tuple[str, ...], ...] = (("opener", "acknowledgement", "standard"), ("next_steps",), ("belief",))


def clean_parts(raw: dict) -> dict[str, str]:
    """Only the known parts, as trimmed strings (empty ones dropped)."""
    out: dict[str, str] = {}
    for key in PART_KEYS:
        value = str(raw.get(key) or "").replace("\r\n", "\n").strip()[:MAX_PART_LENGTH]
        if value:
            out[key] = value
    return out


def assemble(parts: dict[str, str]) -> str:
    """Join the guided parts into one text: one paragraph per group, empty parts skipped."""
    paragraphs = []
    for group in _PARAGRAPHS:
        pieces = [parts[k].strip() for k in group if (parts.get(k) or "").strip()]
        if pieces:
            paragraphs.append(" ".join(pieces))
    return "\n\n".join(paragraphs)
