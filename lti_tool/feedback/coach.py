"""The feedback coach: checks a draft of written feedback against the wise-feedback rules.

The coach advises, it never blocks. ``review()`` returns findings with the exact words
that triggered a rule (character offsets into the teacher's own text), a friendly message
and a concrete proposed rewrite or next step, in the teacher's language.

Detection does not depend on the interface language: a teacher with an English interface
may write Dutch feedback, so every rule looks for Dutch and English phrasings at once.
Matching runs on a normalised copy of the text (lower case, accents stripped, typographic
quotes and apostrophes folded) with an index map back to the original, so that
``text[f.start:f.end]`` is always the teacher's own words.

Rules R1–R14 come from the product specification; their ids are stable and shown in the UI.
Missing elements (R4 without an opener, R6, R7, R8, R9, R14 length) have ``start`` and
``end`` ``None``.

R5 semantics: the acknowledgement that the difficulty makes sense is optional, so R5 is a
*positive* ``info`` finding that fires only when the draft contains one (highlighting it);
its absence says nothing.

Pure Python, standard library only, no I/O: the regular expressions are compiled at import.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import asdict, dataclass
from functools import lru_cache

__all__ = [
    "MAX_NEXT_STEPS",
    "MAX_SENTENCE_WORDS",
    "MAX_WORDS",
    "MIN_WORDS",
    "R13_MIN_COPIES",
    "RULES",
    "SEVERITY_ORDER",
    "Finding",
    "RuleInfo",
    "review",
]

# --- Public data ---------------------------------------------------------------------------

#: Severities from most to least urgent ("required" = an element of wise feedback is missing).
SEVERITY_ORDER: tuple[str, ...] = ("required", "high", "medium", "low", "suggestion", "info")

#: R14: a draft outside MIN_WORDS..MAX_WORDS words, or a sentence longer than
#: MAX_SENTENCE_WORDS words, gets a readability hint.
MIN_WORDS = 40
MAX_WORDS = 200
MAX_SENTENCE_WORDS = 20

#: R8: more concrete next steps than this is too much to act on at once.
MAX_NEXT_STEPS = 5

#: R13: a belief sentence that also appears (normalised) in at least this many of the
#: other students' feedback texts for the same assignment counts as copied.
R13_MIN_COPIES = 3


@dataclass(frozen=True)
class RuleInfo:
    """A coach rule as the UI shows it: stable id, severity, short name in both languages."""

    id: str
    severity: str
    name_nl: str
    name_en: str

    def name(self, lang: str) -> str:
        """The short name in ``lang`` ("en", otherwise Dutch)."""
        return self.name_en if _lang(lang) == "en" else self.name_nl


RULES: dict[str, RuleInfo] = {
    info.id: info
    for info in (
        RuleInfo("R1", "high", "Verwijtende waarom-vraag", "Judgemental why-question"),
        RuleInfo("R2", "medium", "Lof voor vanzelfsprekend gedrag", "Praise for expected behaviour"),
        RuleInfo("R3", "high", "Etiket op de persoon", "Label about the person"),
        RuleInfo("R4", "suggestion", "Voorzichtige opening", "Tentative opener"),
        RuleInfo("R5", "info", "Erkenning dat het lastig is", "Acknowledging the difficulty"),
        RuleInfo("R6", "required", "Hoge standaard", "High standard"),
        RuleInfo("R7", "required", "Specifieke kloof", "Specific gap"),
        RuleInfo("R8", "required", "Concrete volgende stappen", "Concrete next steps"),
        RuleInfo("R9", "required", "Vertrouwen in de leerling", "Belief in the student"),
        RuleInfo("R10", "medium", "Terugkijken in plaats van vooruit", "Looking back instead of forward"),
        RuleInfo("R11", "high", "Verlaagde standaard", "Lowered standard"),
        RuleInfo("R12", "low", "Leeg compliment", "Empty praise"),
        RuleInfo("R13", "low", "Gekopieerde vertrouwenszin", "Copied belief sentence"),
        RuleInfo("R14", "info", "Lengte en leesbaarheid", "Length and readability"),
    )
}

_RULE_RANK = {rule_id: rank for rank, rule_id in enumerate(RULES)}


@dataclass(frozen=True)
class Finding:
    """One piece of advice from the coach.

    ``start``/``end`` are character offsets into the reviewed text (``text[start:end]`` is the
    triggering words), or ``None`` when the finding is about something missing.
    """

    rule: str
    severity: str
    start: int | None
    end: int | None
    message: str
    suggestion: str

    def to_dict(self) -> dict:
        """A JSON-ready dict with the six fields."""
        return asdict(self)


# --- Messages ------------------------------------------------------------------------------
# Keyed by rule id, or "<id>:<variant>" where a rule has more than one situation. Each value
# holds (message, suggestion) per language. Placeholders are filled in by _finding().

_MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "R1": {
        "nl": (
            "Deze 'waarom'-vraag over wat niet gelukt is, kan als een verwijt klinken. "
            "De leerling gaat zich dan eerder verdedigen dan verbeteren.",
            "Vraag vooruit in plaats van terug, bijvoorbeeld: 'Welke bron kun je hier nog "
            "toevoegen?' of 'Leg uit hoe je je bronnen hebt gekozen.'",
        ),
        "en": (
            "This 'why' question about what went wrong can sound like a reproach. The "
            "student is then more likely to defend than to improve.",
            "Ask forward instead of back, for example: 'Which source could you add here?' or 'Explain how you chose your sources.'",
        ),
    },
    "R2": {
        "nl": (
            "Je prijst hier gedrag dat eigenlijk vanzelfsprekend is (op tijd, ingeleverd, "
            "hard gewerkt). Dat kan klinken alsof je niet veel meer verwacht.",
            "Prijs liever een concrete keuze of stap in het werk, bijvoorbeeld: 'Je "
            "bronvermelding volgt nu precies APA; daardoor is je betoog sterker.'",
        ),
        "en": (
            "You're praising behaviour that is simply expected (on time, handed in, worked "
            "hard). That can sound as if you don't expect much more.",
            "Praise a concrete choice or step in the work instead, for example: 'Your "
            "citations now follow APA exactly, which makes your argument stronger.'",
        ),
    },
    "R3": {
        "nl": (
            "Dit is een etiket over de persoon, niet over het werk. Ook een positief label kan doen denken dat talent vastligt.",
            "Beschrijf wat je in het werk ziet, bijvoorbeeld: 'In deze opdracht ontbreken "
            "nog twee bronnen' in plaats van 'je bent slordig'.",
        ),
        "en": (
            "This is a label about the person, not about the work. Even a positive label can suggest that ability is fixed.",
            "Describe what you see in the work, for example: 'Two sources are still "
            "missing in this assignment' instead of 'you're careless'.",
        ),
    },
    "R4:missing": {
        "nl": (
            "Je opening is nog niet voorzichtig geformuleerd. Een voorzichtige observatie nodigt de leerling uit om mee te denken.",
            "Begin bijvoorbeeld met: 'Het lijkt erop dat…' of 'Wat me opvalt is…'.",
        ),
        "en": (
            "Your opening isn't phrased tentatively yet. A tentative observation invites the student to think along.",
            "Start with, for example: 'It looks like…' or 'What I notice is…'.",
        ),
    },
    "R4:verdict": {
        "nl": (
            "Je eerste zin is een hard oordeel. De leerling leest de rest dan misschien niet meer met een open blik.",
            "Begin met wat je ziet, voorzichtig geformuleerd, bijvoorbeeld: 'Het lijkt erop dat je argumenten nog een bron missen.'",
        ),
        "en": (
            "Your first sentence is a hard verdict. The student may not read the rest with an open mind.",
            "Start with what you see, phrased tentatively, for example: 'It looks like your arguments still need a source.'",
        ),
    },
    "R5": {
        "nl": (
            "Mooi: je erkent dat dit lastig is. Zo ziet de leerling de moeite als normaal, niet als een teken dat hij of zij het niet kan.",
            "Koppel het aan je standaard en je vertrouwen, bijvoorbeeld: 'Dat is "
            "begrijpelijk; juist daarom oefenen we dit, en ik weet dat je het kunt.'",
        ),
        "en": (
            "Nice: you acknowledge that this is hard. The student can then see the struggle as normal, not as a sign they can't do it.",
            "Link it to your standard and your belief, for example: 'That makes sense; "
            "that's exactly why we practise this, and I know you can do it.'",
        ),
    },
    "R6": {
        "nl": (
            "Je noemt nog geen duidelijke, hoge standaard. Kritiek komt beter aan als de "
            "leerling weet dat je hem of haar aan een hoge lat houdt.",
            "Voeg bijvoorbeeld toe: 'Ik houd je aan een hoge standaard: elk argument is onderbouwd met een bron.'",
        ),
        "en": (
            "You don't name a clear, high standard yet. Criticism lands better when the student knows you're holding them to a high bar.",
            "Add, for example: 'I'm holding you to a high standard: every argument is supported by a source.'",
        ),
    },
    "R7:vague": {
        "nl": (
            "'{phrase}' zegt nog niet wat er precies beter kan. Zonder aanknopingspunt weet de leerling niet waar te beginnen.",
            "Maak het concreet met een criterium, stap of citaat, bijvoorbeeld: 'Bij "
            "criterium 3 ontbreekt nog een bron voor je tweede argument.'",
        ),
        "en": (
            "'{phrase}' doesn't say yet what exactly can improve. Without an anchor the student doesn't know where to start.",
            "Make it concrete with a criterion, step or quote, for example: 'For criterion 3, your second argument still needs a source.'",
        ),
    },
    "R7:missing": {
        "nl": (
            "Je noemt nog geen specifieke kloof tussen het werk en de standaard.",
            "Wijs precies aan wat er nog ontbreekt, bijvoorbeeld: 'In je inleiding ontbreekt nog de hoofdvraag.'",
        ),
        "en": (
            "You don't name a specific gap between the work and the standard yet.",
            "Point out exactly what is still missing, for example: 'In your introduction the research question is still missing.'",
        ),
    },
    "R8:missing": {
        "nl": (
            "Er staat nog geen concrete volgende stap in. De leerling weet dan niet wat hij of zij nu kan doen.",
            "Voeg één tot drie stappen toe, bijvoorbeeld: 'Volgende stap: zoek voor argument 2 een betrouwbare bron.'",
        ),
        "en": (
            "There's no concrete next step yet, so the student doesn't know what to do now.",
            "Add one to three steps, for example: 'Next step: find a reliable source for argument 2.'",
        ),
    },
    "R8:too_many": {
        "nl": (
            "Je geeft {count} volgende stappen. Meer dan {max} is veel om in één keer op te pakken.",
            "Kies de drie belangrijkste stappen en bewaar de rest voor een volgend gesprek.",
        ),
        "en": (
            "You give {count} next steps. More than {max} is a lot to take on at once.",
            "Choose the three most important steps and keep the rest for a later conversation.",
        ),
    },
    "R9": {
        "nl": (
            "Je zegt nog niet dat je gelooft dat de leerling de standaard kan halen. Juist die zin maakt kritische feedback motiverend.",
            "Sluit bijvoorbeeld af met: 'Ik weet dat je dit niveau kunt halen.'",
        ),
        "en": (
            "You don't say yet that you believe the student can reach the standard. That "
            "sentence is what makes critical feedback motivating.",
            "End with, for example: 'I'm confident you can reach this level.'",
        ),
    },
    "R10": {
        "nl": (
            "Dit kijkt terug op wat misging. Feedback werkt het best als die vooruitkijkt.",
            "Zet het om naar de volgende keer, bijvoorbeeld: 'Noem bij je volgende opdracht bij elk argument je bron.'",
        ),
        "en": (
            "This looks back at what went wrong. Feedback works best when it looks forward.",
            "Turn it into advice for next time, for example: 'In your next assignment, name a source for every argument.'",
        ),
    },
    "R11": {
        "nl": (
            "Hier verlaag je, misschien onbedoeld, de lat. Dat kan klinken alsof je niet verwacht dat de leerling het kan.",
            "Erken dat het lastig is en houd de standaard vast, bijvoorbeeld: 'Dit is "
            "lastig, en juist daarom houd ik je eraan: ik weet dat je het kunt.'",
        ),
        "en": (
            "This may lower the bar, perhaps without meaning to. It can sound as if you don't expect the student to manage.",
            "Acknowledge that it's hard and keep the standard, for example: 'This is hard, "
            "and that's why I'm holding you to it: I know you can do it.'",
        ),
    },
    "R12": {
        "nl": (
            "Dit compliment is algemeen: de leerling weet niet wat er precies goed ging.",
            "Maak het concreet, bijvoorbeeld: 'Je bronvermelding volgt nu precies APA; daardoor is je betoog sterker.'",
        ),
        "en": (
            "This praise is general: the student doesn't know what exactly went well.",
            "Make it concrete, for example: 'Your citations now follow APA exactly, which makes your argument stronger.'",
        ),
    },
    "R13": {
        "nl": (
            "Deze vertrouwenszin staat ook in de feedback aan {count} andere leerlingen. "
            "Leerlingen vergelijken feedback; een gekopieerde zin kan onoprecht overkomen.",
            "Maak hem persoonlijk door te noemen waaraan je ziet dat deze leerling het "
            "kan, bijvoorbeeld: 'Je heldere inleiding laat zien dat je dit niveau kunt "
            "halen.'",
        ),
        "en": (
            "This belief sentence also appears in the feedback to {count} other students. "
            "Students compare feedback; a copied sentence can come across as insincere.",
            "Make it personal by naming what shows you this student can do it, for "
            "example: 'Your clear introduction shows you can reach this level.'",
        ),
    },
    "R14:short": {
        "nl": (
            "Je feedback is kort ({count} woorden). Met minder dan {min} woorden is het "
            "lastig om standaard, kloof, stappen en vertrouwen te noemen.",
            "Vul aan tot ongeveer {min}–{max} woorden: noem je standaard, wat er nog ontbreekt, één tot drie stappen en je vertrouwen.",
        ),
        "en": (
            "Your feedback is short ({count} words). With fewer than {min} words it's hard to cover standard, gap, steps and belief.",
            "Aim for about {min}–{max} words: name your standard, what is still missing, one to three steps and your belief.",
        ),
    },
    "R14:long": {
        "nl": (
            "Je feedback is lang ({count} woorden). Boven de {max} woorden leest de leerling misschien niet alles.",
            "Houd de kern over: één standaard, één kloof, hooguit drie stappen en je vertrouwen.",
        ),
        "en": (
            "Your feedback is long ({count} words). Beyond {max} words the student may not read it all.",
            "Keep the core: one standard, one gap, at most three steps and your belief.",
        ),
    },
    "R14:sentence": {
        "nl": (
            "Deze zin is lang ({count} woorden). Zinnen tot {max} woorden lezen makkelijker.",
            "Splits de zin in twee kortere zinnen, bijvoorbeeld op 'en' of 'maar'.",
        ),
        "en": (
            "This sentence is long ({count} words). Sentences of up to {max} words are easier to read.",
            "Split it into two shorter sentences, for example at 'and' or 'but'.",
        ),
    },
}


# --- Normalisation -------------------------------------------------------------------------

# Typographic variants folded before matching. Every value is one character, so folding
# keeps offsets (an index map is only needed for accents, ligatures and the like).
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2026": ".",
        "\u2022": "-",
        "\u00b7": "-",
        "\u25aa": "-",
        "\u25e6": "-",
        "\u2023": "-",
        "\r": " ",
    }
)


def _normalise(text: str) -> tuple[str, list[int] | None]:
    """Lower-case, accent-free copy of ``text`` plus, when lengths differ, an index map.

    ``index[i]`` is the offset in ``text`` of normalised character ``i``; ``None`` means
    the identity (pure ASCII text, the common case, stays fast).
    """
    folded = text.translate(_FOLD)
    if folded.isascii():
        return folded.lower(), None
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(folded):
        if ch < "\x80":
            out.append(ch.lower())
            index.append(i)
            continue
        for part in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(part) or unicodedata.category(part) == "Cf":
                continue  # accents and zero-width characters
            for low in part.lower():
                out.append(low)
                index.append(i)
    return "".join(out), index


def _ascii_fold(text: str) -> str:
    """Accent-free ASCII copy that keeps case (for R13's sentence keys and ``others``)."""
    return unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode("ascii")


def _lang(lang: str | None) -> str:
    # Locales arrive as "en-US", "nl_NL" or "EN"; anything that is not English is Dutch.
    base = re.split(r"[-_]", (lang or "").strip().lower(), maxsplit=1)[0]
    return "en" if base == "en" else "nl"


# --- Shared vocabulary ---------------------------------------------------------------------

_PRON = r"(?:je|jij|u)"  # Dutch "you": informal, stressed, formal
_NEG_AUX_EN = (
    r"(?:(?:did|do|does|have|has|had|was|were|are|is|could|would|should|ca|wo)n'?t"
    r"|(?:did|do|does|have|has|had|was|were|are|is|could|can|would|will|should)\s+not"
    r"|cannot)"
)

# Parts of a piece of work a teacher can point at (NL / EN).
_ELEMENTS = (
    r"(?:inleiding|introductie|conclusie|slot|slotzin|slotalinea|afsluiting|hoofdtekst|kern|"
    r"middenstuk|bronnenlijst|literatuurlijst|bronvermelding|bronvermeldingen|titel|"
    r"tussenkop(?:pen)?|samenvatting|hoofdvraag|onderzoeksvraag|deelvra(?:ag|gen)|hypothese|"
    r"stelling|argumentatie|(?:tegen)?argument(?:en)?|berekening(?:en)?|tabel(?:len)?|"
    r"grafiek(?:en)?|figuur|bijlage|planning|reflectie|methode|resultaten|discussie|opbouw|"
    r"alinea'?s?|bron(?:nen)?|citaat|citaten|voorbeeld(?:en)?|onderbouwing|uitleg|definitie|"
    r"formule|eenheden|spelling|zinsbouw|interpunctie|verwijzing(?:en)?|opening|beginzin|"
    r"introduction|intro|conclusion|thesis(?:\s+statement)?|topic\s+sentences?|"
    r"reference\s+list|bibliography|references|citations?|title|headings?|abstract|summary|"
    r"research\s+question|hypothesis|methods?|results|discussion|calculations?|tables?|"
    r"graphs?|charts?|figures?|appendix|counter-?arguments?|arguments?|paragraphs?|sources?|"
    r"quotes?|quotations?|examples?|evidence|reasoning|explanation|definitions?|formula|"
    r"units|spelling|grammar|punctuation|opening|closing|structure|outline|claims?)"
)

# An anchor makes a remark specific: a quote, a numbered criterion/step/part, a reference to
# a section, page or line, or a named part of the work ("in je inleiding").
_ANCHOR_RE = re.compile(
    rf"""
    "[^"\n]{{2,}}"
  | (?<![\w'])'[^'\n]{{3,80}}'(?![\w'])
  | \b(?:criteri(?:um|a|on)|beoordelingscriterium|rubric|rubriek|stap|step|argument(?:en|s)?
      |vraag|question|deelvraag|opdracht|task|onderdeel|part|alinea|paragraaf|paragraph|par
      |sectie|section|hoofdstuk|chapter|pagina|page|blz|p|pp|regel|line|zin|sentence|bijlage
      |appendix|figuur|figure|fig|tabel|table|bron|source|slide|dia|som|exercise|oefening|punt
      |point|item|claim|week|les|lesson|module|unit|opgave|activiteit|activity|problem)
      (?:s|en|'s)?\.?\s*\d+
  | \b(?:eerste|tweede|derde|vierde|vijfde|laatste|first|second|third|fourth|fifth|last
      |opening|final|closing)\s+(?:alinea|paragraaf|zin|argument|stap|bron|deelvraag|paragraph
      |sentence|step|source|section|argument|claim|slide|dia|question|vraag)
  | \b(?:in|bij|aan|van|op|voor|na|onder|boven|tussen)\s+(?:je|jouw|uw|de|het|dit|deze)\s+
      (?:[a-z]+\s+)?{_ELEMENTS}\b
  | \b(?:in|on|at|of|for|to|after|before|under|throughout)\s+(?:your|the|this|that)\s+
      (?:[a-z]+\s+)?{_ELEMENTS}\b
  | \b(?:apa|mla|harvard)\b
    """,
    re.X,
)


def _anchored(fragment: str) -> bool:
    return _ANCHOR_RE.search(fragment) is not None


# --- Segmentation --------------------------------------------------------------------------

_LINE_RE = re.compile(r"[^\n]+")
# A list marker at the start of a line: bullet (folded to "-"), "*", ">", "1.", "1)", "(1)", "a)".
_LINE_MARKER_RE = re.compile(r"[ \t]*(?:[-*>]|\d{1,2}[.)]|\(\d{1,2}\)|[a-h]\))[ \t]+(?=\S)")
# Inside a line: a candidate numbered marker (decided by what precedes it) or sentence end.
_SPLIT_TOKEN_RE = re.compile(
    r"(?P<num>(?<![^\s:;])(?:\d{1,2}[.)]|\(\d{1,2}\))(?=\s+\S))"
    r"|(?P<term>[.!?]+[\"')\]]*(?=\s|$))"
)
# Abbreviations whose full stop does not end a sentence ("bijv.", "e.g.", "p. 4", initials).
_ABBREV_RE = re.compile(
    r"(?<![\w.])(?:bijv|bv|vb|o\.a|d\.w\.z|m\.a\.w|i\.p\.v|t\.o\.v|e\.g|i\.e|etc|enz|vs|ca|nr"
    r"|blz|pp?|dhr|mevr|mr|mrs|ms|dr|prof|incl|excl|zgn|resp|fig|hfst|par|art|[a-tv-z])$"
)

# A segment is (start, end, is_list_item) in normalised offsets, trimmed.
_Segment = tuple[int, int, bool]


def _segments(norm: str) -> list[_Segment]:
    """Split into sentences and list items.

    Numbered list items written on one line ("Volgende stappen: 1. Zoek … 2. Verwerk …")
    become separate segments: a number with a full stop is a list marker when it follows
    the start of the line, a colon or the end of a sentence; otherwise ("bij argument 3.")
    its full stop ends the sentence.
    """
    segs: list[_Segment] = []

    def add(start: int, end: int, item: bool) -> None:
        while start < end and norm[start].isspace():
            start += 1
        while end > start and norm[end - 1].isspace():
            end -= 1
        if start < end:
            segs.append((start, end, item))

    for line in _LINE_RE.finditer(norm):
        line_start, line_end = line.span()
        cur, item = line_start, False
        marker = _LINE_MARKER_RE.match(norm, line_start, line_end)
        if marker:
            cur, item = marker.end(), True
        for tok in _SPLIT_TOKEN_RE.finditer(norm, cur, line_end):
            if tok.lastgroup == "num":
                before = norm[line_start : tok.start()].rstrip()
                if not before or before[-1] in ":;.!?\"')":
                    add(cur, tok.start(), item)
                    cur, item = tok.end(), True
                elif tok.group().endswith("."):
                    add(cur, tok.end(), item)
                    cur, item = tok.end(), False
                continue
            if tok.group().rstrip("\"')]") == "." and _ABBREV_RE.search(norm, max(line_start, tok.start() - 12), tok.start()):
                continue
            add(cur, tok.end(), item)
            cur, item = tok.end(), False
        add(cur, line_end, item)
    return segs


class _Draft:
    """The text under review, normalised and segmented once for all rules."""

    __slots__ = ("index", "norm", "seg_starts", "segs", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.index = _normalise(text)
        self.segs = _segments(self.norm)
        self.seg_starts = [s for s, _, _ in self.segs]

    def orig(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span to the original text."""
        if self.index is None:
            return start, end
        if end <= start:
            pos = self.index[start] if start < len(self.index) else len(self.text)
            return pos, pos
        return self.index[start], self.index[end - 1] + 1

    def seg_of(self, pos: int) -> _Segment | None:
        i = bisect_right(self.seg_starts, pos) - 1
        if i >= 0 and self.segs[i][0] <= pos < self.segs[i][1]:
            return self.segs[i]
        return None

    def sentence(self, pos: int) -> str:
        seg = self.seg_of(pos)
        return self.norm[seg[0] : seg[1]] if seg else ""


_WORD_RE = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def _words(fragment: str) -> int:
    return len(_WORD_RE.findall(fragment))


# A hit before it becomes a Finding: rule, normalised span (or None), message variant, params.
_Hit = tuple[str, "int | None", "int | None", str, dict]


def _spans(regex: re.Pattern[str], norm: str) -> list[tuple[int, int]]:
    """Match spans with overlapping ones merged (several patterns may catch one phrase)."""
    spans: list[tuple[int, int]] = []
    for m in regex.finditer(norm):
        s, e = m.span()
        # Trim whitespace and trailing commas the patterns may have taken along.
        while s < e and norm[s] in " \t\n":
            s += 1
        while e > s and norm[e - 1] in " \t\n,":
            e -= 1
        if s >= e:
            continue
        if spans and s < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(e, spans[-1][1]))
        else:
            spans.append((s, e))
    return spans


# --- R1: judgemental why-question ----------------------------------------------------------
# A direct question has the verb right after "waarom" ("Waarom heb je…"); an embedded one
# ("leg uit waarom je … koos") has the subject there and asks for reasoning, so it is left
# alone. A direct why-question is judgemental when it also carries a negation or a reproach
# word; "Waarom denk je…" / "Why do you think…" ask for an opinion and are left alone too.
_R1_RE = re.compile(
    rf"""
    \bwaarom\s+(?!(?:je|jij|u|denk|dacht|vind|vond|verwacht|moet|moeten|zou|zouden)\b)[a-z]+\s+
        {_PRON}\b
        [^.?!\n]{{0,80}}?\b(?:niet|geen|nooit|niets|niks|nergens|pas|toch|alweer|weer|zomaar
        |altijd|steeds|telkens|zo\s+(?:laat|weinig|slordig|kort|vaak))\b
  | \bhoe\s+(?:komt|kan)\s+het\s+(?:nou\s+|toch\s+)?dat\s+{_PRON}\b[^.?!\n]{{0,80}}?
        \b(?:niet|geen|nooit|niets|niks|pas)\b
  | \bwhy\s+(?:on\s+earth\s+)?{_NEG_AUX_EN}\s+(?:you|your)\b
  | \bhow\s+come\s+you\s+(?:didn'?t|did\s+not|never|haven'?t|have\s+not|weren'?t|wasn'?t
        |don'?t|do\s+not|still)\b
  | \bwhy\s+(?:on\s+earth\s+)?(?:did|do|does|would|have|are|were|is|was|can|could|will)\s+
        (?:you|your)\b(?!\s+(?:think|believe|feel|expect|say)\b)
        [^.?!\n]{{0,60}}?\b(?:not|never|even|again|only|bother|ever|always|constantly|keep)\b
    """,
    re.X,
)


def _r1(d: _Draft) -> list[_Hit]:
    return [("R1", s, e, "R1", {}) for s, e in _spans(_R1_RE, d.norm)]


# --- R2: praise of expected behaviour ------------------------------------------------------
_PRAISE = r"""(?:
    (?:(?:wat|heel|erg|echt|zo|super)\s+)?(?:goed|fijn|mooi|knap|netjes|top|super|leuk
        |fantastisch|geweldig|prima|sterk)\s+(?:dat|van\s+je|hoor\s+dat|zoals)
  | goed\s+zo | goed\s+gedaan
  | (?:heel\s+)?(?:bedankt|dank\s+(?:je|jij|u)(?:\s+wel)?)\s+(?:voor|dat)
  | complimenten?\s+(?:voor|dat|omdat)
  | ik\s+waardeer\s+(?:het\s+)?(?:dat|je|jouw)
  | ik\s+ben\s+(?:zo\s+|echt\s+|heel\s+)?(?:blij|trots|tevreden)\s+(?:dat|met|op)
  | chapeau | petje\s+af
  | (?:good|great|nice|excellent|wonderful|lovely|brilliant|fantastic|awesome)\s+
        (?:that|job|work|to\s+see|on\s+you)
  | well\s+done | thanks?\s+(?:you\s+)?for | many\s+thanks\s+for
  | i\s+(?:really\s+)?appreciate\s+(?:that|the\s+way|how|you|your)
  | i'?m\s+(?:so\s+|really\s+)?(?:glad|pleased|proud|happy)\s+(?:that|you)
  | (?:glad|proud)\s+(?:that\s+)?you
  | (?:i\s+)?love\s+(?:that|how)
  | kudos | props\s+for | good\s+for\s+you
  | it'?s\s+(?:great|good|nice)\s+(?:that|to\s+see)
)"""
_EXPECTED = r"""(?:
    op\s+tijd(?:\s+(?:(?:hebt|heeft|had|heb)\s+)?(?:was|bent|ben|waren|inleverde|ingeleverd
        |ingestuurd|inleveren|inlevert|klaar|af|aanwezig|gekomen|kwam|afgerond|beeindigd
        |gestart|begonnen|gemaakt))?
  | (?:(?:hebt|heeft|heb)\s+)?(?:ingeleverd|ingestuurd|inleverde|inlevert|inleveren|afgerond
        |beeindigd|voltooid|afgemaakt)\b
  | (?:keihard|hard|flink|erg\s+hard|heel\s+hard|zo\s+hard)\s+(?:(?:hebt|heeft)\s+)?
        (?:gewerkt|werkt|werkte|gestudeerd|geoefend)
  | (?:je|jouw|uw|z'?n|zijn|haar)\s+(?:uiterste\s+)?best\s+(?:(?:hebt|heeft)\s+)?
        (?:gedaan|doet|deed)
  | aanwezig\s+(?:was|bent|waart) | (?:veel\s+)?moeite\s+(?:(?:hebt|heeft)\s+)?(?:gedaan|deed)
  | deadline\s+(?:(?:hebt|heeft)\s+)?(?:gehaald|haalde)
  | (?:(?:were|was|are|handed\s+(?:it\s+|this\s+|everything\s+)?in|turned\s+(?:it\s+)?in
        |submitted(?:\s+(?:it|this|everything|your\s+[a-z]+))?|finished(?:\s+(?:it|this))?)\s+)?
        on\s+time
  | hand(?:ed|ing)?\s+(?:it\s+|this\s+|that\s+|everything\s+|your\s+[a-z]+\s+)?in\b
        (?:\s+on\s+time)?
  | turn(?:ed|ing)?\s+(?:it\s+|this\s+|everything\s+|your\s+[a-z]+\s+)?in\b(?:\s+on\s+time)?
  | submit(?:ted|ting)?\b(?:\s+(?:it|this|that|everything|your\s+[a-z]+))?(?:\s+on\s+time)?
  | (?:showed|show|showing)\s+up | (?:being|were|was)\s+present | attend(?:ed|ing)\b
  | (?:met|meeting)\s+the\s+deadline
  | (?:completed|finishing|finished|completing)\s+(?:the|your)\s+(?:assignment|task|work
        |homework)
  | (?:did|doing|do|tried|trying)\s+your\s+(?:very\s+)?best
  | (?:worked|working)\s+(?:so\s+|really\s+|very\s+)?hard | hard\s+work
  | (?:putting\s+in\s+)?(?:your|the|all\s+the|so\s+much|a\s+lot\s+of)\s+effort
)"""
# Effort described as an achievement is praise of expected behaviour even without a praise
# word ("je hebt echt hard gewerkt", "you did your best"), and so is "goede inzet"/"great effort".
_EFFORT = rf"""(?:
    \b{_PRON}\s+(?:hebt|heeft|heb)\s+(?:(?:echt|zo|heel|erg|ontzettend|enorm|duidelijk|wel
        |ook)\s+)*(?:keihard|hard|flink)\s+(?:gewerkt|gestudeerd|geoefend)
  | \b{_PRON}\s+(?:hebt|heeft|heb)\s+(?:(?:echt|duidelijk|wel|zo|ook)\s+)*(?:je|jouw|uw)\s+
        (?:uiterste\s+)?best\s+gedaan
  | \bdat\s+{_PRON}\s+(?:(?:zo|echt|heel|erg|flink|duidelijk)\s+)*(?:keihard|hard)\s+
        (?:(?:hebt|heeft)\s+gewerkt|gewerkt\s+(?:hebt|heeft)|werkt)
  | \bdat\s+{_PRON}\s+(?:(?:echt|zo)\s+)?(?:je|jouw|uw)\s+(?:uiterste\s+)?best\s+
        (?:(?:hebt|heeft)\s+gedaan|gedaan\s+(?:hebt|heeft)|doet|deed)
  | \bwat\s+(?:heb|hebt)\s+{_PRON}\s+(?:keihard|hard)\s+gewerkt
  | \b(?:(?:goede|mooie|fijne|sterke|geweldige|top)\s+inzet|wat\s+een\s+inzet)\b
  | \byou(?:'ve|\s+have)?\s+(?:(?:really|clearly|obviously|definitely|certainly|truly)\s+)?
        (?:worked\s+(?:so\s+|really\s+|very\s+|extremely\s+)?hard|tried\s+(?:so\s+|really\s+)?hard
        |did\s+your\s+(?:very\s+)?best|tried\s+your\s+(?:very\s+)?best
        |put\s+in\s+(?:a\s+lot\s+of|so\s+much|lots\s+of|real|great|a\s+great\s+deal\s+of)\s+effort
        |made\s+(?:a\s+(?:real|big|great)\s+)?effort)
  | \b(?:good|great|nice|solid|huge)\s+effort\b
)"""
# On-time / handed-in facts followed directly by a closing praise word ("… op tijd ingeleverd, top!").
_EXPECTED_THEN_PRAISE = rf"""(?:
    (?:\b{_PRON}\s+(?:hebt|heeft|was|bent)\s+(?:(?:alles|het|netjes|mooi)\s+)*|\byou(?:'ve|\s+have)?\s+)?
    (?:op\s+tijd(?:\s+[a-z]+)?|(?:hebt\s+)?ingeleverd|submitted(?:\s+[a-z]+){{0,2}}
        |handed\s+(?:it\s+)?in|turned\s+(?:it\s+)?in|on\s+time)
    \s*[,;:-]?\s*(?:(?:heel|erg|echt|really|very)\s+)?(?:goed\s+zo|goed\s+gedaan|top|super|netjes
        |knap|well\s+done|good\s+job|great\s+job|nice\s+work|nice\s+job|great|nice|good|fijn|mooi
        |prima)\b(?=\s*(?:[.!]|$))
)"""
_R2_RE = re.compile(rf"\b{_PRAISE}[^.!?\n]{{0,60}}?\b{_EXPECTED}|{_EXPECTED_THEN_PRAISE}", re.X)
_R2_EFFORT_RE = re.compile(_EFFORT, re.X)


def _r2(d: _Draft) -> list[_Hit]:
    spans = _spans(_R2_RE, d.norm)
    # Effort tied to what it produced ("hard gewerkt aan je bronnenlijst: elke bron volgt nu
    # APA") praises a process step, not mere effort.
    spans += [
        (s, e)
        for s, e in _spans(_R2_EFFORT_RE, d.norm)
        if not any(ps < e and s < pe for ps, pe in spans) and not _effort_explained(d.sentence(s))
    ]
    return [("R2", s, e, "R2", {}) for s, e in sorted(spans)]


def _effort_explained(sentence: str) -> bool:
    return bool(_anchored(sentence) or _REASON_RE.search(sentence) or _ELABORATION_RE.search(sentence))


# --- R3: labels about the person -----------------------------------------------------------
_R3_RE = re.compile(
    rf"""
    (?:\b{_PRON}\s+(?:bent|ben|was|lijkt|blijkt|blijft)|\b(?:ben|bent|was)\s+{_PRON})\s+
    (?:(?:echt|gewoon|zo|zo'?n|erg|heel|nogal|best|wel|toch|duidelijk|soms|vaak|altijd|ook|nu
        |nou|eenmaal|te|een\s+beetje|helemaal|zeker|gewoonweg|werkelijk|typisch)\s+)*
    (?:lui|luie|slim|slimme|dom|domme|slordig|slordige|onhandig|traag|trage|langzaam|chaotisch
      |ongemotiveerd|ongeinteresseerd|ongeconcentreerd|onoplettend|dwars|brutaal|begaafd
      |hoogbegaafd|intelligent|briljant|geniaal|getalenteerd|talentvol|hopeloos
      |(?:een\s+)?(?:(?:echt|echte|natuurlijk|geboren)\s+)?(?:natuurtalent|talent|genie
        |wonderkind|luiwammes|luilak|sloddervos|prutser|kluns|uitslover|rekenwonder|studiebol
        |slimmerik|slimmerd|ster|doorzetter|harde\s+werker|bolleboos)
      |(?:een\s+)?(?:slimme|luie|domme|slordige|goede|zwakke|sterke|matige|trage|echte)\s+
        (?:leerling|student|meid|jongen|schrijver|rekenaar|denker|type|persoon))\b
    (?!\s+(?:te\s+werk|bezig|aan\s+de\s+slag|aangepakt|gekozen|omgegaan|geweest\s+met))
  | \b(?:you(?:'re|re|\s+are|\s+were|\s+seem(?:\s+to\s+be)?|\s+must\s+be)|(?:are|were)\s+you)\s+
    (?:(?:so|just|really|such|very|too|quite|pretty|clearly|simply|naturally|obviously|always
        |a\s+bit|kind\s+of|sort\s+of|a\s+little|being|truly)\s+)*
    (?:lazy|careless|sloppy|smart|clever|brilliant|stupid|dumb|slow|gifted|talented|intelligent
      |bright|hopeless|useless|disorganised|disorganized|unmotivated
      |(?:a|an)\s+(?:(?:real|true|born|natural)\s+)?(?:natural|genius|prodigy|star|slacker
        |hard\s+worker|high\s+achiever|low\s+achiever)
      |(?:a|an)\s+(?:weak|strong|good|poor|bad|lazy|smart|careless|bright|natural)\s+
        (?:student|writer|learner|kid|pupil|mathematician))\b
    (?!\s+(?:to\b|about\b|in\s+how|with\s+(?:your|the|this)|choice|move|way|approach|idea))
  | \b(?:geen|niet\s+(?:zo'?n|zon|echt\s+een|een))\s+(?:wiskunde|reken|taal|talen|lees
      |schrijf|cijfer|techniek|exacte?|beta|alfa|school)-?(?:mens|type|persoon|knobbel|kind
      |talent|held)\b
  | \b(?:geen|niet\s+(?:zo'?n|zon|echt\s+een|een))\s+(?:wiskundig|talig|technisch|creatief
      |praktisch|theoretisch|leer)e?\s+(?:type|mens|persoon)\b
  | \b(?:geen|weinig)\s+(?:aanleg|talent|knobbel)\s+voor\b
  | \bnot\s+(?:really\s+)?(?:a|an)\s+(?:maths?|numbers?|science|writing|languages?|reading
      |english|computer|tech|school|book|words?)\s+(?:person|type|kid|guy|girl|student)\b
  | \b(?:no|not\s+much)\s+(?:talent|aptitude|gift)\s+for\b
  | \bnot\s+cut\s+out\s+for\b
    """,
    re.X,
)


def _r3(d: _Draft) -> list[_Hit]:
    return [("R3", s, e, "R3", {}) for s, e in _spans(_R3_RE, d.norm)]


# --- R4: tentative opener ------------------------------------------------------------------
_GREETING_RE = re.compile(
    r"(?:hoi|hai|hey|hallo|hello|hi|beste|lieve|dag|goedemorgen|goedemiddag|dear"
    r"|good\s+(?:morning|afternoon))(?:\s+[\w'-]+){0,3}\s*[,!:.]?"
)
_TENTATIVE_RE = re.compile(
    r"""\b(?:
    het\s+lijkt|lijkt|lijken|ik\s+zie|ik\s+zag|ik\s+merk|ik\s+lees|ik\s+heb\s+(?:het\s+gevoel
    |de\s+indruk|gemerkt|gezien)|volgens\s+mij|(?:mij|me)\s+valt\s+op|het\s+valt\s+(?:me|mij)
    |wat\s+(?:me|mij)\s+opvalt|ik\s+denk|misschien|mogelijk|wellicht|ik\s+vraag\s+me\s+af
    |als\s+ik|toen\s+ik|bij\s+het\s+lezen|zou\s+kunnen|ik\s+krijg\s+de\s+indruk|mijn\s+indruk
    |it\s+seems|seems|it\s+looks\s+like|looks\s+like|it\s+appears|appears|i\s+notice[d]?
    |i\s+see|i\s+saw|i\s+get\s+the\s+(?:sense|impression|feeling)|my\s+impression|i\s+wonder
    |maybe|perhaps|might|may|i\s+think|i\s+feel|as\s+i\s+read|reading\s+your|when\s+i\s+read
    |it\s+could\s+be|could\s+it\s+be|from\s+what\s+i|i\s+can\s+see|it\s+sounds\s+like|i\s+sense
    )\b""",
    re.X,
)
_VERDICT_RE = re.compile(
    r"""\b(?:onvoldoende|slecht|slechte|fout|fouten|zwak|zwakke|matig|waardeloos|teleurstellend
    |onacceptabel|rommelig|slordig|ondermaats|klopt\s+(?:helemaal\s+)?niet
    |kloppen\s+(?:helemaal\s+)?niet|niet\s+goed|niet\s+voldoende|niet\s+in\s+orde|wrong|incorrect
    |poor|weak|bad|unacceptable|insufficient|not\s+good\s+enough|fails?|failed|sloppy
    |disappointing|messy|doesn't\s+work|does\s+not\s+work|not\s+correct|not\s+acceptable
    |below\s+standard|unsatisfactory|terrible|awful)\b""",
    re.X,
)
# "geen fouten" / "no errors" is not a verdict.
_NEGATED_BEFORE_RE = re.compile(r"\b(?:geen|no|zonder|without|weinig|few|nauwelijks|hardly)\s+$")


def _r4(d: _Draft) -> list[_Hit]:
    first = next((seg for seg in d.segs if not _GREETING_RE.fullmatch(d.norm, seg[0], seg[1])), None)
    if first is None:
        return [("R4", None, None, "R4:missing", {})]
    s, e, _ = first
    sentence = d.norm[s:e]
    if _TENTATIVE_RE.search(sentence):
        return []
    for m in _VERDICT_RE.finditer(sentence):
        if not _NEGATED_BEFORE_RE.search(sentence, 0, m.start()):
            return [("R4", s, e, "R4:verdict", {})]
    return [("R4", None, None, "R4:missing", {})]


# --- R5: acknowledgement (positive, only when present) ---------------------------------------
_R5_RE = re.compile(
    r"""
    \bwat\s+(?:(?:heel|ook|best|volkomen|heel\s+erg)\s+)?(?:logisch|begrijpelijk|normaal
        |niet\s+gek|niet\s+vreemd|menselijk)\s+is\b
  | \b(?:dat|het)\s+is\s+(?:(?:ook|heel|best|goed|helemaal|volkomen|echt|toch|natuurlijk
        |heel\s+erg)\s+)*(?:logisch|begrijpelijk|niet\s+gek|niet\s+vreemd|niet\s+raar|menselijk
        |normaal(?=\s+(?:dat|om|als)\b|\s*[,.!;]|\s*$))\b
  | \b(?:logisch|begrijpelijk|niet\s+gek|niet\s+vreemd|normaal)\s+dat\b
  | \b(?:veel|de\s+meeste|heel\s+veel|meer)\s+(?:leerlingen|studenten|mensen|cursisten
        |klasgenoten)\s+(?:vinden|vonden|hebben|worstelen|lopen)\s+(?:(?:dit|dat|het|hier
        |hiermee|er|hier\s+ook)\s+)?(?:[a-z]+\s+)?(?:lastig|moeilijk|pittig|moeite|vast|mee)\b
  | \b(?:je|jij)\s+bent\s+(?:zeker\s+|echt\s+)?niet\s+de\s+enige\b
  | \b(?:that|this|it|which)\s+makes\s+(?:total\s+|complete\s+|perfect\s+)?sense\b
  | \b(?:that|this|it)(?:'s|\s+is)\s+(?:(?:completely|totally|perfectly|very|quite|entirely)\s+)?
        (?:understandable|(?:normal|natural|common)(?=\s+(?:that|to\s+(?:find|struggle|feel
        |get|need|make)|if|for\s+(?:students|you))\b|\s*[,.!;]|\s*$))
  | \bunderstandabl[ey]\b
  | \b(?:many|most|lots\s+of|plenty\s+of|a\s+lot\s+of)\s+(?:students|learners|people|writers)\s+
        (?:find|found|struggle|have\s+trouble|get\s+stuck)\b(?:\s+(?:with\s+)?(?:this|that|it)
        (?:\s+(?:[a-z]+\s+)?(?:hard|difficult|tricky|tough|challenging)\b)?)?
  | \byou(?:'re|\s+are)\s+not\s+(?:the\s+only\s+one|alone)\b
  | \bno\s+wonder\b
    """,
    re.X,
)


def _r5(d: _Draft) -> list[_Hit]:
    return [("R5", s, e, "R5", {}) for s, e in _spans(_R5_RE, d.norm)]


# --- R6: explicit high standard ------------------------------------------------------------
_STANDARD_RE = re.compile(
    r"""
    \b(?:houd|hou|houden)\s+(?:je|jou|u|jullie)\s+(?:hierbij\s+|daarbij\s+|hier\s+)?aan\s+
        (?:(?:een|de|het|deze|die|mijn)\s+)?(?:(?:hoge|heldere|duidelijke|strenge)\s+)?
        (?:standaard|eis|eisen|lat|norm|niveau|criteri[a-z]+)
  | \bhoge\s+(?:standaard|standaarden|eisen|eis|verwachtingen|lat|norm|normen)
  | \bde\s+lat\s+(?:ligt|leg\s+ik|hoog) | \bik\s+leg\s+de\s+lat\b
  | \b(?:de|mijn|onze)\s+(?:eis|norm|standaard|verwachting|maatstaf)\s+(?:is|voor|bij|hierbij
        |hier|van|luidt)\b
  | \bik\s+verwacht\s+(?:van\s+(?:je|jou|u)\s+)?(?:dat|een|elk|ieder|minstens)\b
  | \bhet\s+criterium\s+(?:is|voor|luidt)\b
  | \b(?:een|elk|ieder)\s+(?:sterk|sterke|goed|goede|overtuigend|overtuigende|professioneel
        |professionele|volledig|volledige|degelijk|degelijke)\s+[a-z]+\s+(?:vraagt|vereist
        |heeft|bevat|moet|verdient)\b
  | \bop\s+(?:dit|(?:mbo|hbo)-?\s*\d?)\s*-?niveau\s+(?:verwacht|hoort|is|moet)
  | \bhigh\s+(?:standards?|expectations|bar)\b
  | \b(?:holding|hold)\s+you\s+to\b
  | \bthe\s+(?:standard|requirement|criterion|expectation|bar)\s+(?:for|is|here|in|of)\b
  | \bi\s+expect\s+(?:you\s+to|that|every|each|a|an|at\s+least)\b
  | \b(?:this|the)\s+(?:assignment|task|essay|report|project)\s+(?:requires|asks\s+for
        |demands|expects)\b
  | \b(?:a|every|each|any)\s+(?:strong|good|convincing|professional|complete|solid
        |well-written)\s+[a-z]+(?:\s+[a-z]+)?\s+(?:needs|requires|has|includes|must|should
        |deserves|asks)\b
  | \bat\s+this\s+level\b
    """,
    re.X,
)


def _r6(d: _Draft) -> list[_Hit]:
    return [] if _STANDARD_RE.search(d.norm) else [("R6", None, None, "R6", {})]


# --- R7: a specific gap --------------------------------------------------------------------
_R7_VAGUE_RE = re.compile(
    r"""
    \b(?:moet|moeten|kan|kunnen|mag|mogen)\s+(?:(?:echt|nog|veel|een\s+stuk|het|dit|wel|zeker
        |flink|absoluut)\s+){0,3}beter\b(?=\s*(?:[.!?,;:]|$)|\s+(?:en|maar|hoor|dan|want)\b)
  | \bniet\s+goed\s+genoeg\b | \bonvoldoende\b | \bwerk\s+aan\s+de\s+winkel\b
  | \bschiet\s+(?:nog\s+)?tekort\b | \bvoldoet\s+(?:nog\s+)?niet\b | \bniet\s+in\s+orde\b
  | \b(?:te\s+)?(?:zwak|matig|slordig|rommelig)\b(?=\s*(?:[.!?,;]|$)|\s+(?:en|maar)\b)
  | \bneeds?\s+(?:(?:a\s+lot\s+(?:more\s+)?|more|some|much\s+more|further|a\s+bit\s+more)\s+)?
        (?:work|improvement|improving|attention)\b
  | \b(?:could|can|must|should)\s+(?:be\s+)?(?:(?:much|a\s+lot|far|so\s+much)\s+)?better\b
        (?=\s*(?:[.!?,;:]|$)|\s+(?:and|but)\b)
  | \bnot\s+good\s+enough\b | \bnot\s+up\s+to\s+(?:standard|scratch|par)\b
  | \broom\s+for\s+improvement\b | \bfalls?\s+short\b | \bnot\s+there\s+yet\b
  | \bbelow\s+(?:standard|par|expectations)\b | \bunsatisfactory\b | \binsufficient\b
  | \bdo\s+better\b | \btry\s+harder\b
  | \b(?:is|was|looks|seems)\s+(?:(?:a\s+bit|quite|very|rather|too|pretty)\s+)?
        (?:weak|poor|sloppy|messy)\b(?=\s*(?:[.!?,;]|$)|\s+(?:and|but)\b)
    """,
    re.X,
)
# Words that name a shortfall; with an anchor in the same sentence they make a specific gap.
_GAP_RE = re.compile(
    r"""\b(?:ontbre[a-z]*|mist|missen|mis\s+je|mis\s+ik|nog\s+niet|nog\s+geen
    |klopt\s+(?:nog\s+)?niet|kloppen\s+(?:nog\s+)?niet|onduidelijk|niet\s+(?:duidelijk|helder
    |correct|juist|compleet|volledig|genoeg)|vaag|te\s+(?:kort|lang|weinig|veel|algemeen|vaag
    |summier|breed)|zwak|zwakker|fout[a-z]*|vergeten|verbeter[a-z]*|sterker|beter|scherper
    |preciezer|duidelijker|onvoldoende|zonder|geen|aandachtspunt|missing|miss(?:es|ing)?
    |lack(?:s|ing)?|not\s+yet|yet|still|unclear|vague|too\s+(?:short|long|few|little|much|many
    |general|vague|broad)|weak(?:er)?|incorrect|wrong|errors?|mistakes?|forg[eo]t[a-z]*|without
    |no|needs?|stronger|clearer|better|improv[a-z]*|insufficient|gap|instead)\b""",
    re.X,
)


def _r7(d: _Draft) -> list[_Hit]:
    hits: list[_Hit] = []
    for s, e in _spans(_R7_VAGUE_RE, d.norm):
        if not _anchored(d.sentence(s)):
            phrase = d.text[slice(*d.orig(s, e))]
            hits.append(("R7", s, e, "R7:vague", {"phrase": phrase}))
    if hits:
        return hits  # the vague phrases themselves are the advice; no second, general one
    # Without vague verdicts, a shortfall that is located (an anchor) or names the part of
    # the work it is about ("je conclusie is te kort") is a specific gap.
    for s, e, _ in d.segs:
        sentence = d.norm[s:e]
        if _GAP_RE.search(sentence) and (_anchored(sentence) or _ELEMENT_RE.search(sentence)):
            return []
    return [("R7", None, None, "R7:missing", {})]


# --- R8: concrete next steps ---------------------------------------------------------------
_NL_IMPERATIVES = frozenset(
    """zoek lees herlees schrijf herschrijf voeg verwerk controleer check kijk gebruik noem leg
    maak vergelijk formuleer begin probeer zorg pas vul werk oefen plan vraag bekijk verbeter
    markeer onderbouw geef zet kies bespreek stuur verwijs beschrijf verklaar reken herhaal
    bedenk test splits schrap vervang verplaats ga let neem citeer benoem onderstreep vat som
    licht bereken teken lever verdeel verkort orden nummer start focus denk stel breid plaats
    haal verduidelijk specificeer toets bouw doe richt volg houd hou verken onderzoek noteer
    werk oefen lees schets ontwerp tel""".split()
)
_EN_IMPERATIVES = frozenset(
    """add find read reread re-read rewrite revise check look use name explain compare write
    include cite try start begin make replace move split cut list plan ask review highlight
    support give choose discuss describe define practise practice go focus edit proofread
    change fix link quote insert remove delete draft outline summarise summarize identify test
    calculate consider think note underline expand shorten clarify rephrase restructure number
    label organise organize search put set state show turn take keep break swap double-check
    map sketch work spend watch follow talk book schedule submit hand send""".split()
)
_STEP_FILLER_RE = re.compile(
    r"(?:(?:nu|daarna|dan|eerst|vervolgens|tot\s+slot|ten\s+slotte|als\s+laatste|verder|ook"
    r"|tip|then|next|first|finally|also|after\s+that|lastly|secondly|second|third|please)\b"
    r"[,:]?\s+)*"
)
_FIRST_WORD_RE = re.compile(r"[a-z][a-z'-]*")
_POLITE_REQUEST_RE = re.compile(
    r"(?:kun\s+je|kan\s+je|kunt\s+u|zou\s+je|zou\s+u|wil\s+je|wilt\s+u|can\s+you|could\s+you"
    r"|would\s+you|will\s+you)\b"
)
_STEP_PHRASE_RE = re.compile(
    r"""\b(?:volgende\s+stap|next\s+step|als\s+(?:eerste|volgende)\s+stap|probeer\s|begin\s+met
    |start\s+met|start\s+by|try\s|i\s+suggest|i\s+recommend|i'd\s+suggest|ik\s+stel\s+voor
    |ik\s+raad\s+(?:je|u)\s+aan|mijn\s+(?:tip|advies)|my\s+(?:tip|advice)|tip:|zorg\s+(?:er\s*voor\s+)?dat
    |make\s+sure|your\s+next|je\s+volgende|jouw\s+volgende)""",
    re.X,
)
# Encouragement dressed as an instruction is not a concrete step ("Ga zo door", "Try harder").
_VAGUE_STEP_RE = re.compile(
    r"""(?:ga\s+zo\s+door|doe\s+(?:(?:gewoon|beter|meer|echt)\s+)?(?:je|jouw)\s+best
    |werk\s+(?:harder|beter|meer)|let\s+(?:beter|meer)\s+op|wees\s+[a-z]+er|blijf\s+zo
    |zet\s+(?:hem|'m|m)\s+op|succes|keep\s+(?:it\s+up|going|up\s+the\s+good\s+work|trying)
    |try\s+harder|work\s+harder|do\s+(?:better|your\s+best)|be\s+more\s+[a-z]+
    |pay\s+(?:more\s+)?attention|study\s+(?:harder|more)|leer\s+(?:harder|meer|beter)
    |good\s+luck)\b""",
    re.X,
)


def _is_step(d: _Draft, seg: _Segment) -> bool:
    s, e, _ = seg
    content = d.norm[s:e]
    if content.endswith(":"):
        return False  # a heading such as "Volgende stappen:" announces steps, it isn't one
    body = content[_STEP_FILLER_RE.match(content).end() :]
    if _VAGUE_STEP_RE.match(body) and not _anchored(content):
        return False
    if _POLITE_REQUEST_RE.match(body):
        return True
    first = _FIRST_WORD_RE.match(body)
    if first and not content.endswith("?") and (first.group() in _NL_IMPERATIVES or first.group() in _EN_IMPERATIVES):
        return True
    return _STEP_PHRASE_RE.search(content) is not None


def _r8(d: _Draft) -> list[_Hit]:
    steps = [seg for seg in d.segs if _is_step(d, seg)]
    if not steps:
        return [("R8", None, None, "R8:missing", {})]
    if len(steps) > MAX_NEXT_STEPS:
        s, e, _ = steps[MAX_NEXT_STEPS]
        return [("R8", s, e, "R8:too_many", {"count": len(steps), "max": MAX_NEXT_STEPS})]
    return []


# --- R9: belief in the student -------------------------------------------------------------
_NOT_NEGATED_EN = r"(?!'t\b|not\b|\s+not\b|\s+never\b)"
_BELIEF_PATTERN = rf"""
    \bik\s+weet\s+(?:(?:zeker|echt|heel\s+zeker|gewoon|best)\s+)*(?:dat|:)\s+{_PRON}\b
        [^.!?\n]{{0,60}}?\b(?:kunt|kan|gaat|zal|zult|haalt|halen|lukt|lukken|redt|redden
        |bereikt|bereiken|hebt)\b
  | \bik\s+geloof\s+(?:(?:echt|heel\s+erg|sterk|zeker|heus)\s+)*(?:in\s+(?:je|jou|jouw|u)\b
        |dat\s+{_PRON}\b[^.!?\n]{{0,60}}?\b(?:kunt|kan|gaat|zal|zult|haalt|lukt|redt)\b)
  | \bik\s+heb\s+(?:er\s+)?(?:(?:alle|het\s+volste|veel|echt|groot|heel\s+veel|volle|m'?n
        |mijn)\s+)*vertrouwen\s+(?:in\s+(?:je|jou|u|jouw)|(?:in\s+)?dat|erin)\b
  | \bik\s+ben\s+(?:er\s*van\s+|er\s+)?(?:overtuigd|zeker)\s+(?:van\s+)?dat\s+{_PRON}\b
  | \bik\s+twijfel\s+er\s+(?:geen\s+seconde\s+|niet\s+)aan\s+dat\s+{_PRON}\b
  | \b(?:je|jij|u)\s+(?:kunt|kan)\s+(?:dit|het|dat)(?:\s+(?:echt|zeker|best|heus|absoluut
        |wel))?(?=\s*(?:[.!,]|$))
  | \bik\s+zie\s+(?:dat\s+)?{_PRON}\s+(?:het|dit)\s+in\s+(?:je|jou|u)\s+hebt\b
  | \bi\s+know\s+(?:that\s+)?you(?:'ll|'re|\s+can{_NOT_NEGATED_EN}|\s+will{_NOT_NEGATED_EN}
        |\s+are{_NOT_NEGATED_EN}|\s+have)\b
  | \bi(?:'m|\s+am)\s+(?:(?:really|very|absolutely|completely|fully|totally|so)\s+)?
        (?:confident|sure|certain|convinced)\s+(?:that\s+)?you\b
  | \bi\s+(?:really\s+)?believe\s+(?:in\s+you\b|(?:that\s+)?you(?:'ll|\s+can{_NOT_NEGATED_EN}
        |\s+will{_NOT_NEGATED_EN}|\s+are|\s+have)\b)
  | \bi\s+have\s+(?:(?:every|full|complete|total|great|a\s+lot\s+of|real)\s+)?
        (?:confidence|faith)\s+(?:in\s+you|that\s+you)\b
  | \bi\s+have\s+(?:no|little)\s+doubt\s+(?:that\s+)?you\b
  | \byou\s+can\s+do\s+(?:this|it)\b | \byou(?:'ve|\s+have)?\s+got\s+this\b
  | \byou(?:'re|\s+are)\s+(?:more\s+than\s+|fully\s+|absolutely\s+)?capable\s+of\b
  | \byou\s+have\s+what\s+it\s+takes\b
"""
_BELIEF_RE = re.compile(_BELIEF_PATTERN, re.X)
# "Ik weet dat je dit niet kunt" is not a belief; "ik twijfel er niet aan" / "no doubt" are.
_BELIEF_NEG_RE = re.compile(r"\b(?:niet|geen|nooit|not|never)\b|n't\b")
_BELIEF_NEG_OK_RE = re.compile(r"ik\s+twijfel|i\s+have\s+(?:no|little)\s+doubt")


# Doubt earlier in the sentence turns "you can do this" around ("I'm not sure you can do this").
_BELIEF_DOUBT_RE = re.compile(
    r"\b(?:not\s+sure|not\s+convinced|not\s+certain|don'?t\s+know|doubt|wonder|whether"
    r"|niet\s+zeker|niet\s+overtuigd|weet\s+niet|twijfel\s+of|vraag\s+me\s+af|betwijfel)\b"
)


def _belief_matches(regex: re.Pattern[str], text: str) -> list[re.Match[str]]:
    found = []
    for m in regex.finditer(text):
        if _BELIEF_NEG_RE.search(m.group()) and not _BELIEF_NEG_OK_RE.match(m.group()):
            continue
        sentence_start = max(text.rfind(c, 0, m.start()) for c in ".!?\n") + 1
        if _BELIEF_DOUBT_RE.search(text, sentence_start, m.start()):
            continue
        found.append(m)
    return found


def _r9(d: _Draft) -> list[_Hit]:
    return [] if _belief_matches(_BELIEF_RE, d.norm) else [("R9", None, None, "R9", {})]


# --- R13: copied belief sentence -----------------------------------------------------------
_KEY_WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_SENTENCE_END_RE = re.compile(r"[.!?\n]")


def _belief_key(fragment: str) -> str:
    """Normalise a belief sentence (from the belief words to the sentence end) for comparing.

    Capitalised words after the first (student names: "…, Sanne.") are dropped so that the
    same sentence addressed to different students still compares equal. Words in capitals
    ("IK WEET…") are kept: shouting is not a name.
    """
    words = _KEY_WORD_RE.findall(_ascii_fold(fragment))
    kept = [w for i, w in enumerate(words) if i == 0 or not w[0].isupper() or w.isupper() or w.startswith("I'")]
    return " ".join(w.lower() for w in kept)


@lru_cache(maxsize=2048)
def _other_belief_keys(other: str) -> frozenset[str]:
    # Cached: the composer reviews every draft of an assignment against the same others.
    folded = _ascii_fold(other)
    keys = set()
    # Match on the lower-cased copy (same offsets: ASCII), build keys from the cased one.
    for m in _belief_matches(_BELIEF_RE, folded.lower()):
        end = _SENTENCE_END_RE.search(folded, m.start())
        keys.add(_belief_key(folded[m.start() : end.start() if end else len(folded)]))
    return frozenset(keys)


def _r13(d: _Draft, others: list[str] | None) -> list[_Hit]:
    if not others:
        return []
    other_keys = [_other_belief_keys(o) for o in others if isinstance(o, str) and o]
    hits: list[_Hit] = []
    done: set[int] = set()
    for m in _belief_matches(_BELIEF_RE, d.norm):
        seg = d.seg_of(m.start())
        if seg is None or seg[0] in done:
            continue
        done.add(seg[0])
        start, _ = d.orig(m.start(), m.end())
        _, end = d.orig(seg[0], seg[1])
        fragment = d.text[start:end]
        cut = _SENTENCE_END_RE.search(fragment)
        key = _belief_key(fragment[: cut.start()] if cut else fragment)
        copies = sum(1 for keys in other_keys if key in keys)
        if copies >= R13_MIN_COPIES:
            hits.append(("R13", seg[0], seg[1], "R13", {"count": copies}))
    return hits


# --- R10: looking back instead of forward --------------------------------------------------
# "always/never/again" is a reproach when it describes what the student did ("je vergeet
# altijd", "you never cite", "again you forgot"), and guidance when it is part of an
# instruction ("noem altijd je bron", "always cite", "read it again"): the patterns require
# the student as the subject of a non-modal verb, or a fixed reproach formula.
_FREQ_NL = (
    r"(?:altijd|steeds(?!\s+(?:beter|meer|vaker|minder|sterker|duidelijker|preciezer|netter"
    r"|sneller|zekerder|makkelijker|vaardiger)\b)|telkens|nooit|alweer|weer|opnieuw"
    r"|(?:elke|iedere)\s+keer|keer\s+op\s+keer)"
)
_R10_RE = re.compile(
    rf"""
    \b{_PRON}\s+(?:had|hadt)\s+(?:[a-z']+\s+){{0,4}}?(?:moeten|kunnen|gemoeten|gekund)\b
  | \bhad\s+{_PRON}\s+(?:[a-z']+\s+){{0,4}}?(?:moeten|kunnen|gemoeten|gekund)\b
  | \bhad\s+{_PRON}\s+(?:maar|niet\s+beter|beter)\b
  | \b(?:dat|omdat|als|doordat|terwijl|wanneer)\s+{_PRON}\s+(?:altijd|steeds|telkens|nooit
        |alweer|weer|opnieuw)\s+(?:[a-z']+\s+){{0,4}}?(?:vergeet|vergat|vergeten|mist|miste
        |overslaat|niet|geen|te\s+laat|fout[a-z]*|slordig)\b
  | \b(?:heb|ben|doe|vergeet|vergat|had|was|maak|maakte)\s+{_PRON}\s+(?:(?:nou|nu)\s+)?
        (?:weer|alweer|opnieuw)\b
  | \bweer\s+eens\b | \bvoor\s+de\s+(?:zoveelste|tweede|derde|vierde)\s+keer\b
  | \bzoals\s+ik\s+(?:al\s+)?(?:eerder\s+|vaker\s+)?(?:zei|schreef|aangaf|heb\s+gezegd)\b
  | \bik\s+heb\s+(?:(?:het|dit|je|jou)\s+)*(?:al\s+)?(?:vaker|eerder|zo\s+vaak|meerdere\s+keren)\s+
        (?:gezegd|verteld|gevraagd|uitgelegd|geschreven)\b
  | \byou\s+(?:should|could|ought\s+to|needed\s+to|shouldn't|couldn't|should\s+not)
        (?:\s+have|'ve)\s+(?!(?:a|an|the|some|someone|somebody|another|your|my|one|more|it|this
        |that|them|him|her|to|look|go|try|fun|time)\b)[a-z]+
  | \byou(?:'ve|\s+have)?\s+(?:always|never|constantly|continually|repeatedly)\s+
        (?!(?:need|needs|have\s+to|has\s+to|must|should|can|may|want|get\s+to|try|been\s+able)\b)
        [a-z']+
  | \byou\s+keep\s+(?:forgetting|making|missing|skipping|leaving|handing|submitting|ignoring)\b
  | \byou(?:'ve|\s+have)?\s+(?:(?!(?:can|could|should|might|may|will|would|need|needs|want|must
        |try|to|and|or|but)\b)[a-z']+\s+){{1,4}}?again\b
  | \bfor\s+the\s+(?:umpteenth|nth|third|fourth|fifth|hundredth|millionth)\s+time\b
  | \bas\s+i\s+(?:said|told\s+you|mentioned|wrote)\s+(?:before|earlier|last\s+time|already)\b
  | \bi(?:'ve|\s+have)\s+(?:already\s+)?told\s+you\s+(?:before|already|many\s+times|this
        |so\s+many\s+times|a\s+hundred\s+times)\b
    """,
    re.X,
)
# These only count at the start of a clause ("Je vergeet altijd…", "Alweer heb je…", "Again
# you forgot…"), not after an imperative ("Controleer je spelling opnieuw"). The clause start
# is checked in Python: lookbehinds at every position made the regex several times slower.
_R10_CLAUSE_RE = re.compile(
    rf"""
    \b{_PRON}\s+(?!(?:moet|mag|kunt|kan|zult|zal|zou|hoeft|wilt|wil|gaat|blijft|krijgt)\b)[a-z]+\s+
        (?:(?!(?:en|maar|want|nu)\b)[a-z']+\s+){{0,3}}?{_FREQ_NL}\b
  | \b(?:alweer|weer|opnieuw|wederom|nu\s+weer)\s+[a-z]+\s+{_PRON}\b
  | \b(?:once\s+|yet\s+)?again,?\s+you(?:'ve|\s+have)?\s+[a-z']+
    """,
    re.X,
)
_CLAUSE_BEFORE_RE = re.compile(r"(?:^|[.!?;:,\n][ \t]*|\b(?:en|maar|and|but)\s+)$")
# "Zorg dat je altijd…", "Make sure you always…" announce an instruction.
_R10_GUARD_RE = re.compile(
    r"(?:make\s+sure|be\s+sure|ensure|remember(?:\s+to|\s+that)?|check\s+that|so\s+that|if|when"
    r"|as\s+long\s+as|zorg\s+(?:er\s*voor\s+)?dat|let\s+erop\s+dat)\s+$"
)


def _r10(d: _Draft) -> list[_Hit]:
    norm = d.norm
    spans = _spans(_R10_RE, norm)
    pos = 0
    while m := _R10_CLAUSE_RE.search(norm, pos):
        if _CLAUSE_BEFORE_RE.search(norm, max(0, m.start() - 6), m.start()):
            spans.append(m.span())
            pos = m.end()
        else:
            pos = m.start() + 1  # a later, overlapping clause start may still match
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return [("R10", s, e, "R10", {}) for s, e in merged if not _R10_GUARD_RE.search(norm, max(0, s - 25), s)]


# --- R11: lowered standards ----------------------------------------------------------------
_R11_RE = re.compile(
    r"""
    \b(?:(?:het|dat)\s+)?maakt\s+(?:(?:echt|helemaal|verder|ook)\s+)?niets?\s+uit\b
        (?!\s+(?:welke?|wat|hoe|of|waar|wie|wanneer|in\s+welke|met\s+welke|voor\s+welke)\b)
  | \b(?:(?:het|dat)\s+)?geeft\s+niets?\b(?=\s*(?:[,.!;:]|$)|\s+(?:hoor|dat|als|want)\b)
  | \bniet\s+iedereen\s+(?:is|kan|heeft)\s+(?:(?:nu\s+eenmaal|gewoon|nou\s+eenmaal)\s+)?
        (?:goed|sterk|handig|knap|aanleg|talent|gemaakt)\b(?:\s+(?:in|met|voor))?
  | \bligt\s+(?:je|jou|u)\s+(?:(?:nu|nou)\s+eenmaal\s+|gewoon\s+|echt\s+)?niet\b
  | \b(?:niet|geen)\s+(?:jouw|je|uw)\s+(?:ding|sterkste\s+kant|kracht|talent)\b
  | \b(?:een\s+)?(?:voldoende|zes|6|5[.,]5)\s+is\s+(?:(?:ook|voor\s+jou|voor\s+je|voor\s+nu|al)\s+)*
        (?:prima|genoeg|goed\s+genoeg|al\s+mooi|ok|oke|voldoende|mooi\s+zat)\b
  | \bzolang\s+(?:je|jij|u)\s+(?:het\s+|een\s+voldoende\s+|de\s+opdracht\s+)?haalt\b
  | \b(?:dit|dat|het)\s+is\s+voor\s+(?:jou|je|u)\s+(?:al\s+)?(?:goed\s+genoeg|prima|voldoende
        |heel\s+goed|mooi|genoeg)\b
  | \blaat\s+(?:het|dat|dit)\s+(?:maar\s+)?(?:zitten|gaan)\b
  | \bnot\s+everyone\s+(?:is|can\s+be)\s+(?:[a-z]+\s+)?(?:good|great|strong|gifted|talented
        |cut\s+out|a\s+natural)\s+(?:at|in|with|for)\b
  | \bnot\s+everyone\s+(?:can|is\s+able\s+to)\s+(?:do\s+(?:math|maths|this)|write|draw|spell
        |calculate)\b
  | \b(?:it|that)\s+(?:doesn't|does\s+not|doesnt)\s+(?:really\s+)?matter\b
        (?!\s+(?:which|what|how|if|whether|where|who|when)\b)
  | \bdon'?t\s+worry(?:\s+(?:about\s+(?:it|that|this)|too\s+much))?,?\s+(?:it|this|that)
        (?:'s|\s+is)\s+(?:just\s+|really\s+|very\s+|a\s+)?(?:hard|difficult|tricky|tough)\b
  | \b(?:a\s+)?(?:pass|passing\s+grade)\s+is\s+(?:fine|enough|good\s+enough|ok|okay|all\s+right)\b
        (?:\s+for\s+(?:you|someone\s+like\s+you)\b)?
  | \b(?:good\s+enough|fine)\s+for\s+someone\s+like\s+you\b | \bgood\s+enough\s+for\s+you\b
  | \b(?:isn't|is\s+not|isnt|not)\s+(?:really\s+)?(?:your|for\s+you)\s+(?:thing|strong\s+suit
        |forte|cup\s+of\s+tea)\b
  | \bas\s+long\s+as\s+you\s+pass\b
    """,
    re.X,
)


def _r11(d: _Draft) -> list[_Hit]:
    return [("R11", s, e, "R11", {}) for s, e in _spans(_R11_RE, d.norm)]


# --- R12: empty or exaggerated praise ------------------------------------------------------
_R12_RE = re.compile(
    r"""
    \b(?:super(?:\s+(?:gedaan|werk|goed))?|geweldig(?:\s+(?:gedaan|werk))?
      |fantastisch(?:\s+(?:gedaan|werk))?|fenomenaal|briljant|geniaal|subliem
      |uitstekend(?:\s+(?:gedaan|werk))?|perfect|prachtig(?:\s+werk)?|wauw|wow|toppie|topper
      |klasse|chapeau|goed\s+zo|goed\s+gedaan|goed\s+werk|mooi\s+werk|mooi\s+zo|mooi\s+gedaan
      |knap\s+gedaan|knap\s+werk|heel\s+goed|erg\s+goed|wat\s+goed|wat\s+mooi|lekker\s+bezig
      |goed\s+bezig|ga\s+zo\s+door|netjes\s+gedaan|(?:goed|mooi|lekker|prima)\s+gewerkt
      |great\s+(?:job|work|stuff)|good\s+(?:job|work|stuff)|nice\s+(?:job|work|one)|well\s+done
      |nicely\s+done|way\s+to\s+go|keep\s+it\s+up|keep\s+up\s+the\s+good\s+work
      |excellent(?:\s+(?:job|work))?|amazing(?:\s+(?:job|work))?|awesome(?:\s+(?:job|work))?
      |fantastic(?:\s+(?:job|work))?|brilliant(?:\s+(?:job|work))?|outstanding(?:\s+(?:job|work))?
      |superb|wonderful(?:\s+(?:job|work))?|incredible|love\s+it)\b
  | \btop\b(?=\s*(?:[!.]|$|gedaan\b|hoor\b|zo\b|werk\b))
    """,
    re.X,
)
_PRAISE_NEGATED_RE = re.compile(r"\b(?:niet|not|geen|isn't|isnt|hardly|allesbehalve|far\s+from)\s+(?:[a-z]+\s+)?$")
# Praise is anchored when it says what was good or why: a reference to the work, a reason
# ("omdat", "because", "which made"), or an elaboration after a colon or dash.
_ELEMENT_RE = re.compile(rf"\b(?:je|jouw|uw|de|het|dit|deze|your|the|this|that|these|those)\s+(?:[a-z]+\s+)?{_ELEMENTS}\b")
_REASON_RE = re.compile(
    r"\b(?:omdat|doordat|want|waardoor|daardoor|zodat|dankzij|because|since|thanks\s+to"
    r"|which\s+(?:makes|made|means|helps|shows)|so\s+that|dat\s+maakte?|that\s+(?:makes|made)"
    r"|this\s+(?:makes|made))\b"
)
_ELABORATION_RE = re.compile(r"(?:[:;]|\s-)\s*(?:[\w'\"]+[\s,]+){3,}")
_SHORT_PRAISE_WORDS = 4


def _praise_anchored(fragment: str) -> bool:
    return bool(_anchored(fragment) or _ELEMENT_RE.search(fragment) or _REASON_RE.search(fragment) or _ELABORATION_RE.search(fragment))


def _r12(d: _Draft, taken: list[tuple[int, int]]) -> list[_Hit]:
    hits: list[_Hit] = []
    by_segment: dict[int, tuple[int, int]] = {}
    order: list[int] = []
    for m in _R12_RE.finditer(d.norm):
        s, e = m.span()
        if _PRAISE_NEGATED_RE.search(d.norm, max(0, s - 25), s):
            continue
        if any(ts < e and s < te for ts, te in taken):
            continue  # already highlighted as praise of expected behaviour (R2)
        i = bisect_right(d.seg_starts, s) - 1
        if i < 0:
            continue
        if i in by_segment:
            by_segment[i] = (by_segment[i][0], e)  # one finding per sentence, spanning all
        else:
            by_segment[i] = (s, e)
            order.append(i)
    for i in order:
        seg_s, seg_e, _ = d.segs[i]
        sentence = d.norm[seg_s:seg_e]
        if _praise_anchored(sentence):
            continue
        # "Goed gedaan! Je bronvermelding volgt nu APA." — a short exclamation explained by
        # the very next sentence is anchored too, if that sentence points at something
        # specific (merely naming a part of the work, as in "Super! Waarom heb je de bronnen
        # niet…", is not an explanation).
        if i + 1 < len(d.segs) and _words(sentence) <= _SHORT_PRAISE_WORDS:
            nxt = d.norm[d.segs[i + 1][0] : d.segs[i + 1][1]]
            if _anchored(nxt) or _REASON_RE.search(nxt):
                continue
        s, e = by_segment[i]
        hits.append(("R12", s, e, "R12", {}))
    return hits


# --- R14: length and readability -----------------------------------------------------------


def _r14(d: _Draft) -> list[_Hit]:
    hits: list[_Hit] = []
    total = 0
    for s, e, _ in d.segs:
        n = _words(d.norm[s:e])
        total += n
        if n > MAX_SENTENCE_WORDS:
            hits.append(("R14", s, e, "R14:sentence", {"count": n, "max": MAX_SENTENCE_WORDS}))
    bounds = {"count": total, "min": MIN_WORDS, "max": MAX_WORDS}
    if total < MIN_WORDS:
        hits.append(("R14", None, None, "R14:short", bounds))
    elif total > MAX_WORDS:
        hits.append(("R14", None, None, "R14:long", bounds))
    return hits


# --- Public API ----------------------------------------------------------------------------


def review(text: str, lang: str, others: list[str] | None = None) -> list[Finding]:
    """Review a draft of written feedback and return the coach's findings.

    ``text`` is the draft (Dutch or English, or a mix); ``lang`` is the teacher's interface
    language for messages ("nl" or "en"; locales such as "en-GB" count by their language,
    anything else is Dutch); ``others`` are the other students' feedback texts for the same
    assignment (without this one), used for R13. Findings are sorted by position, findings
    about a missing element (``start is None``) last, in rule order.
    """
    lang = _lang(lang)
    d = _Draft(text or "")
    r2 = _r2(d)
    hits: list[_Hit] = [
        *_r1(d),
        *r2,
        *_r3(d),
        *_r4(d),
        *_r5(d),
        *_r6(d),
        *_r7(d),
        *_r8(d),
        *_r9(d),
        *_r10(d),
        *_r11(d),
        *_r12(d, [(s, e) for _, s, e, _, _ in r2]),
        *_r13(d, others),
        *_r14(d),
    ]
    findings: list[Finding] = []
    seen: set[tuple[str, int | None, int | None]] = set()
    for rule, s, e, variant, params in hits:
        start, end = (None, None) if s is None else d.orig(s, e)
        if (rule, start, end) in seen:
            continue
        seen.add((rule, start, end))
        message, suggestion = _MESSAGES[variant][lang]
        findings.append(
            Finding(
                rule=rule,
                severity=RULES[rule].severity,
                start=start,
                end=end,
                message=message.format(**params),
                suggestion=suggestion.format(**params),
            )
        )
    findings.sort(key=lambda f: (0, f.start, f.end, _RULE_RANK[f.rule]) if f.start is not None else (1, _RULE_RANK[f.rule], 0, 0))
    return findings
