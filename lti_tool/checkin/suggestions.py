"""What a teacher can do about a signal: reasons in words, suggestions, conversation starters.

The texts build on the practices in the product specification: ask for the student's
perspective instead of judging; for students who want to but don't dare, lower the
social threshold; for students who want to but don't know where to start, give
structure; ask questions that invite rather than test. They are written for teachers, in
Dutch and English, in our own words.

Reasons are neutral and never alarming: a signal is a reason to look and to talk, not a
diagnosis. Numbers in the texts come from the ``SignalRules`` in use, so a configured rule
is never described with the default's numbers.
"""

from __future__ import annotations

from lti_tool.checkin.items import normalize_lang
from lti_tool.checkin.signals import DEFAULT_RULES, MIN_RESPONDENTS, SignalRules

_NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "nl": ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight"),
}


def _count(n: int, lang: str) -> str:
    # Small counts read better as words ("twee weken"); larger ones fall back to digits.
    words = _NUMBER_WORDS[lang]
    return words[n] if 0 <= n < len(words) else str(n)


def _number(value: float, lang: str) -> str:
    # At least one decimal ("1,0", not "1") so it reads as a score; Dutch writes a comma.
    text = f"{value:.2f}".rstrip("0")
    text = text + "0" if text.endswith(".") else text
    return text.replace(".", ",") if lang == "nl" else text


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Reasons -----------------------------------------------------------------------------
# Placeholders: {weeks} counts weeks for the rule at hand; persistent_low needs {low} low
# weeks of the last {window}; {share} is the class pattern share. Filled in by reason_text from the rules in use.

_REASONS: dict[str, dict[str, str]] = {
    "drop": {
        "nl": "Erbij horen en veiligheid is deze week duidelijk lager dan in de weken ervoor.",
        "en": "Belonging and safety is clearly lower this week than in the weeks before.",
    },
    "persistent_low": {
        "nl": "Erbij horen en veiligheid was laag in minstens {low} van de laatste "
        "{window} weken (elke week ingevuld), ook als deze week beter was.",
        "en": "Belonging and safety was low in at least {low} of the last {window} weeks "
        "(answered every week), even if this week was better.",
    },
    "item_low:B1": {
        "nl": "Voelde zich {weeks} weken op rij niet echt bij de groep horen.",
        "en": "Has not felt really part of the group for {weeks} weeks running.",
    },
    "item_low:B2": {
        "nl": "Merkte {weeks} weken op rij weinig persoonlijke aandacht van de docent.",
        "en": "Has noticed little personal interest from the teacher for {weeks} weeks "
        "running.",
    },
    "item_low:S1": {
        "nl": "Voelde zich {weeks} weken op rij niet veilig genoeg om een vraag te stellen "
        "of een fout te maken.",
        "en": "Has not felt safe enough to ask a question or make a mistake for {weeks} "
        "weeks running.",
    },
    "item_low:P1": {
        "nl": "Wilde {weeks} weken op rij wel iets zeggen of vragen, maar hield zich in.",
        "en": "Wanted to say or ask something but held back, {weeks} weeks running.",
    },
    "item_low:C1": {
        "nl": "Had {weeks} weken op rij weinig vertrouwen dat het werk goed zou lukken.",
        "en": "Has had little confidence in doing the work well for {weeks} weeks running.",
    },
    "item_low:P2": {
        "nl": "Wist {weeks} weken op rij niet goed wat er verwacht werd of waar te beginnen.",
        "en": "Has not been sure what was expected or where to start for {weeks} weeks "
        "running.",
    },
    "item_low:A1": {
        "nl": "Ervoer {weeks} weken op rij weinig keuze in hoe het werk gedaan werd.",
        "en": "Has felt little choice in how to do the work for {weeks} weeks running.",
    },
    "no_response": {
        "nl": "{weeks} weken geen antwoord — even contact?",
        "en": "No answer for {weeks} weeks — time to check in?",
    },
    "pattern_dont_dare": {
        "nl": "Wil wel meedoen, maar lijkt het deze week niet goed te durven.",
        "en": "Wants to take part, but did not seem to dare this week.",
    },
    "pattern_no_start": {
        "nl": "Wist deze week niet goed wat er verwacht werd of waar te beginnen.",
        "en": "Was not sure this week what was expected or where to start.",
    },
    "class_drop": {
        "nl": "De groep scoort deze week duidelijk lager op erbij horen en veiligheid dan "
        "in de weken ervoor.",
        "en": "The group scores clearly lower on belonging and safety this week than in "
        "the weeks before.",
    },
    "class_pattern_dont_dare": {
        "nl": "{share} of meer van de groep wil wel meedoen, maar lijkt het niet goed te "
        "durven.",
        "en": "{share} or more of the group want to take part, but do not seem to dare.",
    },
    "class_pattern_no_start": {
        "nl": "{share} of meer van de groep wist niet goed wat er verwacht werd of waar te "
        "beginnen.",
        "en": "{share} or more of the group were not sure what was expected or where to "
        "start.",
    },
    "too_few_respondents": {
        "nl": "Deze week hebben te weinig studenten geantwoord om iets over de groep te "
        "laten zien.",
        "en": "Too few students answered this week to show anything about the group.",
    },
}
_GENERIC_REASON: dict[str, str] = {
    "nl": "Hier is iets om even naar te kijken.",
    "en": "Something here is worth a look.",
}

# --- Suggestions -------------------------------------------------------------------------
# Shared building blocks: the two patterns call for the same practices whether they show
# up in one student or in a quarter of the class.

_DONT_DARE: dict[str, tuple[str, ...]] = {
    "nl": (
        (
            "Verlaag de drempel: laat eerst in tweetallen of kleine groepjes overleggen, "
            "voordat iemand iets in de hele groep hoeft te zeggen."
        ),
        (
            "Maak vaste, voorspelbare momenten om vragen te stellen (bijvoorbeeld na elke "
            "uitleg een vragenronde in tweetallen), zodat niemand zelf de stilte hoeft te "
            "doorbreken."
        ),
        "Waardeer inzet en proberen hardop, niet alleen het goede antwoord.",
        (
            "Benoem fouten als een gewoon deel van leren, bijvoorbeeld door zelf een fout te "
            "bespreken en te laten zien wat je ervan leert."
        ),
        (
            "Bied ook een stille manier om iets te vragen: een briefje, de chat of even na de "
            "les."
        ),
    ),
    "en": (
        (
            "Lower the threshold: let students talk in pairs or small groups first, before "
            "anyone has to speak up in front of the whole class."
        ),
        (
            "Build fixed, predictable moments for questions (for example a question round in "
            "pairs after every explanation), so nobody has to break the silence alone."
        ),
        "Acknowledge effort and trying out loud, not only the right answer.",
        (
            "Treat mistakes as a normal part of learning, for example by discussing a mistake "
            "of your own and what you learned from it."
        ),
        "Offer a quiet way to ask too: a note, the chat, or a moment after class.",
    ),
}

_NO_START: dict[str, tuple[str, ...]] = {
    "nl": (
        "Geef structuur: deel de opdracht op in genummerde stappen, met een tijd per stap.",
        (
            "Maak de verwachting expliciet: laat een voorbeeld van goed werk zien en bespreek "
            "waar het aan moet voldoen."
        ),
        (
            "Geef rollen bij groepswerk (bijvoorbeeld voorzitter, tijdbewaker, schrijver), "
            "zodat iedereen weet wat zijn taak is."
        ),
        (
            "Bied keuze binnen duidelijke kaders: 'Kies een van deze twee opdrachten' in "
            "plaats van een open opdracht zonder houvast."
        ),
        "Vraag aan het begin van het werk: 'Wat ga je als eerste doen?'",
    ),
    "en": (
        "Give structure: break the task into numbered steps, with a time for each step.",
        (
            "Make expectations explicit: show an example of good work and discuss what it has "
            "to meet."
        ),
        (
            "Give roles in group work (for example chair, timekeeper, writer), so everyone "
            "knows what their job is."
        ),
        (
            "Offer choice within clear frames: 'Pick one of these two tasks' rather than an "
            "open task with nothing to hold on to."
        ),
        "Ask at the start of the work: 'What will you do first?'",
    ),
}

_SUGGESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "drop": {
        "nl": (
            (
                "Zoek deze week een rustig moment voor een kort, persoonlijk praatje en vraag "
                "naar het perspectief van de student: 'Hoe kijk jij terug op deze week?'"
            ),
            (
                "Begin bij wat je ziet, voorzichtig: 'Het lijkt erop dat deze week wat "
                "lastiger ging. Klopt dat?' — en luister eerst."
            ),
            (
                "Let in de les op wat de student laat zien, en op wat niet: meedoen, contact "
                "met klasgenoten, stiller worden."
            ),
            "Eén lagere week is nog geen patroon; kijk volgende week opnieuw.",
        ),
        "en": (
            (
                "Find a quiet moment this week for a short, personal chat and ask for the "
                "student's perspective: 'How do you look back on this week?'"
            ),
            (
                "Start tentatively from what you notice: 'It looks like this week was a bit "
                "harder. Is that right?' — and listen first."
            ),
            (
                "Watch in class what the student shows, and what they don't: taking part, "
                "contact with classmates, becoming quieter."
            ),
            "One lower week is not yet a pattern; look again next week.",
        ),
    },
    "persistent_low": {
        "nl": (
            (
                "Plan een kort één-op-één gesprek (vijf minuten is genoeg) en vraag wat de "
                "student nodig heeft om zich hier meer thuis te voelen."
            ),
            (
                "Begroet de student bij binnenkomst bij naam; kleine, vaste momenten van "
                "contact tellen."
            ),
            (
                "Zorg voor een vaste plek in een klein groepje waarin de student zich op zijn "
                "gemak voelt."
            ),
            (
                "Geeft het gesprek daar aanleiding toe, overleg dan met de mentor of "
                "studieloopbaanbegeleider."
            ),
        ),
        "en": (
            (
                "Plan a short one-to-one talk (five minutes is enough) and ask what the "
                "student needs to feel more at home here."
            ),
            (
                "Greet the student by name when they come in; small, regular moments of "
                "contact count."
            ),
            "Give the student a steady place in a small group where they feel at ease.",
            (
                "If the talk gives reason to, consult the student's mentor or study and "
                "career coach."
            ),
        ),
    },
    "item_low:B1": {
        "nl": (
            (
                "Laat de student werken in een vast klein groepje (twee of drie), met een "
                "duidelijke taak voor ieder."
            ),
            (
                "Begin de les met een korte ronde waarin iedereen iets kleins deelt, "
                "bijvoorbeeld 'één ding dat deze week goed ging'."
            ),
            "Begroet de student bij de deur bij naam.",
        ),
        "en": (
            (
                "Let the student work in a steady small group (two or three), with a clear "
                "task for each person."
            ),
            (
                "Open the lesson with a short round where everyone shares something small, "
                "for example 'one thing that went well this week'."
            ),
            "Greet the student by name at the door.",
        ),
    },
    "item_low:B2": {
        "nl": (
            (
                "Neem twee minuten voor een persoonlijk praatje, los van het werk: vraag naar "
                "stage, werk, sport of iets wat de student eerder vertelde."
            ),
            "Onthoud iets wat de student vertelt en kom er later op terug.",
            (
                "Geef feedback die vooruitkijkt: wat de volgende stap is, en dat je gelooft "
                "dat de student die kan zetten."
            ),
        ),
        "en": (
            (
                "Take two minutes for a personal chat, apart from the work: ask about "
                "placement, job, sport or something the student mentioned before."
            ),
            "Remember something the student tells you and come back to it later.",
            (
                "Give feedback that looks ahead: what the next step is, and that you believe "
                "the student can take it."
            ),
        ),
    },
    "item_low:S1": {
        "nl": (
            (
                "Benoem fouten hardop als deel van leren, bijvoorbeeld door een veelgemaakte "
                "fout (zonder naam) samen te bespreken."
            ),
            (
                "Reageer op een fout antwoord met nieuwsgierigheid ('Hoe kwam je daarop?') in "
                "plaats van met een oordeel."
            ),
            (
                "Bied een manier om vragen te stellen zonder dat de hele klas meekijkt: een "
                "briefje, de chat of even langslopen."
            ),
            (
                "Maak met de groep afspraken over hoe jullie op elkaars vragen en fouten "
                "reageren."
            ),
        ),
        "en": (
            (
                "Name mistakes out loud as part of learning, for example by discussing a "
                "common mistake (without names) together."
            ),
            (
                "Respond to a wrong answer with curiosity ('How did you get there?') rather "
                "than a verdict."
            ),
            (
                "Offer a way to ask questions without the whole class watching: a note, the "
                "chat, or walking by."
            ),
            (
                "Agree with the group on how you all respond to each other's questions and "
                "mistakes."
            ),
        ),
    },
    "item_low:P1": _DONT_DARE,
    "item_low:C1": {
        "nl": (
            "Knip de taak in kleinere stappen, met een eerste stap die zeker lukt.",
            "Laat zien welk deel al goed gaat, en wat precies de volgende stap is.",
            "Geef een uitgewerkt voorbeeld dat de student naast het eigen werk kan leggen.",
            (
                "Zeg erbij dat je de lat hoog legt omdat je gelooft dat de student die kan "
                "halen."
            ),
        ),
        "en": (
            "Cut the task into smaller steps, with a first step that is sure to work.",
            "Show which part is already going well, and exactly what the next step is.",
            "Give a worked example the student can put next to their own work.",
            "Say that you set the bar high because you believe the student can reach it.",
        ),
    },
    "item_low:P2": _NO_START,
    "item_low:A1": {
        "nl": (
            (
                "Bied keuze binnen duidelijke kaders: bijvoorbeeld twee of drie manieren om "
                "de opdracht aan te pakken of te laten zien."
            ),
            "Vraag de student mee te denken over de volgorde of aanpak van het werk.",
            (
                "Leg uit waarom een opdracht ertoe doet voor het beroep; dat helpt juist als "
                "er weinig te kiezen valt."
            ),
        ),
        "en": (
            (
                "Offer choice within clear frames: for example two or three ways to approach "
                "the task or to show the result."
            ),
            "Ask the student to help decide the order or approach of the work.",
            (
                "Explain why a task matters for the trade; that helps most when there is "
                "little to choose."
            ),
        ),
    },
    "no_response": {
        "nl": (
            (
                "Geen antwoord zegt nog niets over hoe het gaat. Een kort, neutraal contact "
                "kan helpen: 'Fijn je te zien. Hoe gaat het met je?'"
            ),
            "Spreek de student niet aan op het niet invullen: de check-in is vrijwillig.",
            (
                "Herinner de hele groep aan de check-in en vertel wat je met de antwoorden "
                "doet."
            ),
        ),
        "en": (
            (
                "No answer says nothing yet about how things are going. A short, neutral "
                "contact can help: 'Good to see you. How are you doing?'"
            ),
            (
                "Don't bring up the missing check-in with the student: answering is "
                "voluntary."
            ),
            (
                "Remind the whole group of the check-in and tell them what you do with the "
                "answers."
            ),
        ),
    },
    "pattern_dont_dare": _DONT_DARE,
    "pattern_no_start": _NO_START,
    "class_drop": {
        "nl": (
            (
                "Blik kort terug met de groep: 'Hoe was deze week voor jullie? Wat kan "
                "volgende week beter?' — en doe zichtbaar iets met de antwoorden."
            ),
            (
                "Ga na wat er deze week anders was: een nieuwe groepsindeling, een toets, "
                "stage, een roosterwijziging."
            ),
            (
                "Plan in de volgende les een korte samenwerkingsopdracht waarin studenten "
                "elkaar beter leren kennen."
            ),
        ),
        "en": (
            (
                "Look back briefly with the group: 'How was this week for you? What could be "
                "better next week?' — and visibly do something with the answers."
            ),
            (
                "Check what was different this week: new groups, a test, placements, a "
                "timetable change."
            ),
            (
                "Plan a short collaborative task in the next lesson where students get to "
                "know each other better."
            ),
        ),
    },
    # For the class the same practices apply to everyone, plus one whole-group habit.
    "class_pattern_dont_dare": {
        "nl": _DONT_DARE["nl"]
        + (
            (
                "Bespreek een veelgemaakte fout met de hele groep, zonder namen, als iets waar "
                "iedereen van leert."
            ),
        ),
        "en": _DONT_DARE["en"]
        + (
            (
                "Discuss a common mistake with the whole group, without names, as something "
                "everyone learns from."
            ),
        ),
    },
    "class_pattern_no_start": {
        "nl": _NO_START["nl"]
        + ("Begin elke les met het doel en de stappen op het bord.",),
        "en": _NO_START["en"]
        + ("Start every lesson with the goal and the steps on the board.",),
    },
    "too_few_respondents": {
        "nl": (
            (
                "Vertel de groep waarom je de check-in gebruikt en wat je met de antwoorden "
                "doet."
            ),
            (
                "Geef in de les een minuut de gelegenheid om de check-in in te vullen, "
                "bijvoorbeeld aan het eind — zonder verplichting."
            ),
            (
                "Laat zien dat je iets doet met wat studenten aangeven; dat maakt invullen "
                "de moeite waard."
            ),
        ),
        "en": (
            "Tell the group why you use the check-in and what you do with the answers.",
            (
                "Give a minute in class to fill in the check-in, for example at the end — "
                "without making it compulsory."
            ),
            "Show that you act on what students tell you; that makes answering worth it.",
        ),
    },
}

_GENERIC_SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Vraag naar het perspectief van de student in plaats van te oordelen.",
        "Zorg voor duidelijke verwachtingen én ruimte om elkaar te ontmoeten.",
        "Stel vragen die uitnodigen, niet vragen die overhoren.",
        "Let op wat studenten laten zien — en op wat ze niet laten zien.",
    ),
    "en": (
        "Ask for the student's perspective instead of judging.",
        "Give clear expectations and room to meet each other.",
        "Ask questions that invite rather than test.",
        "Pay attention to what students show — and to what they don't.",
    ),
}

_CONVERSATION_STARTERS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Fijn dat je er bent. Hoe was je reis hierheen?",
        "Hoe kijk jij terug op deze week?",
        "Wat ging er deze week goed voor jou?",
        "Het lijkt erop dat het deze week wat lastiger ging. Hoe zie jij dat?",
        "Wat zou jou helpen om makkelijker mee te doen in de les?",
        "Waar zou je graag beter in worden?",
        "Is er iets wat ik anders kan doen, zodat de les beter voor je werkt?",
    ),
    "en": (
        "Good to see you. How was your journey here?",
        "How do you look back on this week?",
        "What went well for you this week?",
        "It looks like this week was a bit harder. How do you see it?",
        "What would make it easier for you to take part in class?",
        "What would you like to get better at?",
        "Is there anything I could do differently so the lessons work better for you?",
    ),
}

_REFLECTION_QUESTIONS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Heb ik deze week al mijn studenten echt gezien — ook de stille?",
        (
            "Gaf ik genoeg structuur (stappen, verwachtingen) én genoeg ruimte (keuze, "
            "elkaar ontmoeten)?"
        ),
        "Hoe reageerde ik op tekenen van onzekerheid of terugtrekken?",
        "Stelde ik vragen die uitnodigen, of vooral vragen die overhoren?",
        "Welke kleine actie neem ik mee naar volgende week?",
    ),
    "en": (
        "Did I really see all my students this week — the quiet ones too?",
        (
            "Did I give enough structure (steps, expectations) and enough room (choice, "
            "meeting each other)?"
        ),
        "How did I respond to signs of uncertainty or withdrawal?",
        "Did I ask questions that invite, or mostly questions that test?",
        "Which small action will I take into next week?",
    ),
}


def reason_text(code: str, lang: str, *, rules: SignalRules = DEFAULT_RULES) -> str:
    """The signal's reason in plain words for the teacher; neutral, never alarming.

    ``no_response`` reads as an invitation ("Twee weken geen antwoord — even contact?"),
    not as a risk. Unknown codes get a generic reason instead of an exception, so a new
    signal never breaks the dashboard.
    """
    lang = normalize_lang(lang)
    template = _REASONS.get(code, _GENERIC_REASON)[lang]
    if code == "no_response":
        weeks = rules.no_response_weeks
    elif code.startswith("item_low:"):
        weeks = rules.low_item_weeks
    else:
        weeks = 0  # not used by the other templates
    text = template.format(
        weeks=_count(weeks, lang),
        low=_count(rules.low_weeks, lang),
        window=_count(rules.low_window, lang),
        share=_percent(rules.class_pattern_share),
    )
    return _capitalize(text)


def suggestions_for(code: str, lang: str) -> list[str]:
    """Concrete things a teacher can do about a signal, in ``lang`` (unknown → nl).

    Unknown codes get general suggestions from the same practices, never an exception.
    """
    lang = normalize_lang(lang)
    return list(_SUGGESTIONS.get(code, _GENERIC_SUGGESTIONS)[lang])


def conversation_starters(lang: str) -> list[str]:
    """Perspective-asking openers: they ask how it is for the student, they don't judge."""
    return list(_CONVERSATION_STARTERS[normalize_lang(lang)])


def reflection_questions(lang: str) -> list[str]:
    """Questions for the teacher's short weekly reflection after a lesson."""
    return list(_REFLECTION_QUESTIONS[normalize_lang(lang)])


def rule_explanations(
    lang: str,
    *,
    rules: SignalRules = DEFAULT_RULES,
    min_respondents: int = MIN_RESPONDENTS,
) -> list[str]:
    """The scoring and signal rules in plain words, for the "design choices" note in the UI.

    Built from the rules in use, so the UI never shows a default that was configured away.
    """
    lang = normalize_lang(lang)

    # Short local names keep the long sentences below readable.
    def n(value: float) -> str:
        return _number(value, lang)

    def c(value: int) -> str:
        return _count(value, lang)

    share = _percent(rules.class_pattern_share)
    if lang == "nl":
        return [
            "Dit zijn ontwerpkeuzes; ze zijn instelbaar.",
            (
                "Erbij horen en veiligheid = het gemiddelde van B1, B2, S1 en (6 − P1), van 1 "
                "tot 5. Een week zonder antwoord telt niet mee en is nooit een nul."
            ),
            (
                f"Patroon 'niet durven': P1 is {rules.dont_dare_p1_min} of hoger, en S1 is "
                f"{rules.dont_dare_s1_max} of lager of C1 is {rules.dont_dare_c1_max} of lager. "
                "Patroon 'niet weten waar te beginnen': P2 "
                f"is {rules.no_start_p2_max} of lager."
            ),
            (
                f"Groep: alleen met minstens {min_respondents} antwoorden in die week. Signaal "
                f"als de groep {n(rules.class_drop_threshold)} of meer lager scoort dan het "
                f"eigen gemiddelde van de {c(rules.class_window)} weken ervoor (minstens "
                f"{c(rules.class_min_weeks)} weken met genoeg antwoorden), of als {share} of "
                "meer een patroon laat zien."
            ),
            (
                f"Student: signaal als de score {n(rules.drop_threshold)} of meer lager is dan "
                f"het eigen gemiddelde van de {c(rules.drop_window)} weken ervoor (minstens "
                f"{c(rules.drop_min_weeks)} weken ingevuld); als de student elk van de laatste "
                f"{c(rules.low_window)} weken invulde (deze week meegeteld) en de score in minstens "
                f"{c(rules.low_weeks)} daarvan {n(rules.low_index_max)} of lager was, ook als deze "
                "week beter was; als één vraag {c(rules.low_item_weeks)} "
                f"weken op rij {rules.low_item_max} of lager scoort (bij P1: 6 − P1); of na "
                f"{c(rules.no_response_weeks)} weken zonder antwoord (neutraal: even contact?)."
            ),
        ]
    return [
        "These are design choices; they can be configured.",
        (
            "Belonging and safety = the mean of B1, B2, S1 and (6 − P1), from 1 to 5. A week "
            "without an answer does not count and is never a zero."
        ),
        (
            f"Pattern 'don't dare': P1 is {rules.dont_dare_p1_min} or higher, and S1 is "
            f"{rules.dont_dare_s1_max} or lower or C1 is {rules.dont_dare_c1_max} or lower. "
            "Pattern 'don't know where to start': P2 is "
            f"{rules.no_start_p2_max} or lower."
        ),
        (
            f"Class: only with at least {min_respondents} answers that week. A signal when the "
            f"class scores {n(rules.class_drop_threshold)} or more below its own mean of the "
            f"previous {c(rules.class_window)} weeks (at least {c(rules.class_min_weeks)} "
            f"weeks with enough answers), or when {share} or more show a pattern."
        ),
        (
            f"Student: a signal when the score is {n(rules.drop_threshold)} or more below "
            f"their own mean of the previous {c(rules.drop_window)} weeks (at least "
            f"{c(rules.drop_min_weeks)} weeks answered); when the student answered in each "
            f"of the last {c(rules.low_window)} weeks (this week included) and the score was "
            f"{n(rules.low_index_max)} or lower in at least {c(rules.low_weeks)} of them, also "
            "when this week was better; when one question scores "
            f"{rules.low_item_max} or lower {c(rules.low_item_weeks)} weeks running (for P1: "
            f"6 − P1); or after {c(rules.no_response_weeks)} weeks without an answer "
            "(neutral: time to check in?)."
        ),
    ]
