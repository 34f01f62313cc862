"""Label tables of the known Likert scales in English, German, French and Spanish.

Each table maps a scale point to the labels survey tools use for it, per language. Labels are
compared after `scales.label_key` (case, spacing, apostrophes, accents, trailing punctuation), so
only genuinely different wordings are listed. "(e)" / "(a)" mark French and Spanish gendered
forms; `gendered_forms` expands them. A label that is not listed is asked about, never guessed.
"""

from __future__ import annotations

import re

from analysis.domain import READINESS_OPTIONS

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es")

# scale name -> (kind, title, positive_min, {language: {point: [labels]}})
Table = dict[str, dict[float, list[str]]]

# fmt: off

AGREE5: Table = {
    "en": {
        1: ["Strongly disagree", "Totally disagree", "Completely disagree"],
        2: ["Disagree", "Somewhat disagree", "Tend to disagree", "Mostly disagree"],
        3: ["Neither agree nor disagree", "Neither agree or disagree", "Neutral", "Undecided"],
        4: ["Agree", "Somewhat agree", "Tend to agree", "Mostly agree"],
        5: ["Strongly agree", "Totally agree", "Completely agree"],
    },
    "de": {
        1: ["Stimme überhaupt nicht zu", "Stimme gar nicht zu", "Trifft überhaupt nicht zu",
            "Trifft gar nicht zu", "Lehne voll und ganz ab"],
        2: ["Stimme nicht zu", "Stimme eher nicht zu", "Trifft eher nicht zu", "Trifft nicht zu",
            "Lehne eher ab"],
        3: ["Weder noch", "Teils/teils", "Teils, teils", "Teils teils", "Unentschieden", "Neutral",
            "Stimme weder zu noch nicht zu", "Weder Zustimmung noch Ablehnung"],
        4: ["Stimme zu", "Stimme eher zu", "Trifft eher zu", "Trifft zu"],
        5: ["Stimme voll und ganz zu", "Stimme voll zu", "Stimme völlig zu",
            "Stimme vollkommen zu", "Trifft voll und ganz zu", "Trifft voll zu",
            "Trifft völlig zu"],
    },
    "fr": {
        1: ["Pas du tout d'accord", "Tout à fait en désaccord", "Fortement en désaccord",
            "Totalement en désaccord"],
        2: ["Pas d'accord", "Plutôt pas d'accord", "En désaccord", "Plutôt en désaccord"],
        3: ["Ni d'accord ni pas d'accord", "Ni d'accord, ni pas d'accord",
            "Ni en accord ni en désaccord", "Neutre"],
        4: ["D'accord", "Plutôt d'accord", "En accord"],
        5: ["Tout à fait d'accord", "Entièrement d'accord", "Totalement d'accord",
            "Fortement d'accord", "Complètement d'accord"],
    },
    "es": {
        1: ["Totalmente en desacuerdo", "Muy en desacuerdo", "Completamente en desacuerdo",
            "Fuertemente en desacuerdo"],
        2: ["En desacuerdo", "Algo en desacuerdo", "Parcialmente en desacuerdo"],
        3: ["Ni de acuerdo ni en desacuerdo", "Neutral", "Neutro", "Indiferente", "Indeciso"],
        4: ["De acuerdo", "Algo de acuerdo", "Parcialmente de acuerdo"],
        5: ["Totalmente de acuerdo", "Muy de acuerdo", "Completamente de acuerdo",
            "Fuertemente de acuerdo"],
    },
}

AGREE4: Table = {
    "en": {
        1: ["Strongly disagree"],
        2: ["Disagree", "Somewhat disagree", "Tend to disagree"],
        3: ["Agree", "Somewhat agree", "Tend to agree"],
        4: ["Strongly agree"],
    },
    "de": {
        1: ["Stimme überhaupt nicht zu", "Stimme gar nicht zu", "Trifft überhaupt nicht zu",
            "Trifft gar nicht zu"],
        2: ["Stimme eher nicht zu", "Stimme nicht zu", "Trifft eher nicht zu"],
        3: ["Stimme eher zu", "Stimme zu", "Trifft eher zu"],
        4: ["Stimme voll und ganz zu", "Stimme voll zu", "Trifft voll und ganz zu",
            "Trifft voll zu"],
    },
    "fr": {
        1: ["Pas du tout d'accord", "Tout à fait en désaccord"],
        2: ["Plutôt pas d'accord", "Pas d'accord", "Plutôt en désaccord"],
        3: ["Plutôt d'accord", "D'accord"],
        4: ["Tout à fait d'accord", "Entièrement d'accord"],
    },
    "es": {
        1: ["Totalmente en desacuerdo", "Muy en desacuerdo"],
        2: ["En desacuerdo", "Algo en desacuerdo"],
        3: ["De acuerdo", "Algo de acuerdo"],
        4: ["Totalmente de acuerdo", "Muy de acuerdo"],
    },
}

AGREE7: Table = {
    "en": {
        1: ["Strongly disagree"],
        2: ["Disagree"],
        3: ["Somewhat disagree", "Slightly disagree"],
        4: ["Neither agree nor disagree", "Neither agree or disagree", "Neutral"],
        5: ["Somewhat agree", "Slightly agree"],
        6: ["Agree"],
        7: ["Strongly agree"],
    },
    "de": {
        1: ["Stimme überhaupt nicht zu", "Stimme gar nicht zu"],
        2: ["Stimme nicht zu"],
        3: ["Stimme eher nicht zu"],
        4: ["Weder noch", "Teils/teils", "Neutral"],
        5: ["Stimme eher zu"],
        6: ["Stimme zu"],
        7: ["Stimme voll und ganz zu", "Stimme voll zu"],
    },
    "fr": {
        1: ["Pas du tout d'accord", "Fortement en désaccord"],
        2: ["Pas d'accord", "En désaccord"],
        3: ["Plutôt pas d'accord", "Plutôt en désaccord"],
        4: ["Ni d'accord ni pas d'accord", "Neutre"],
        5: ["Plutôt d'accord"],
        6: ["D'accord"],
        7: ["Tout à fait d'accord", "Fortement d'accord"],
    },
    "es": {
        1: ["Totalmente en desacuerdo", "Muy en desacuerdo"],
        2: ["En desacuerdo"],
        3: ["Algo en desacuerdo"],
        4: ["Ni de acuerdo ni en desacuerdo", "Neutral"],
        5: ["Algo de acuerdo"],
        6: ["De acuerdo"],
        7: ["Totalmente de acuerdo", "Muy de acuerdo"],
    },
}

FREQUENCY5: Table = {
    "en": {
        1: ["Never"],
        2: ["Rarely", "Seldom", "Almost never", "Hardly ever"],
        3: ["Sometimes", "Occasionally"],
        4: ["Often", "Frequently", "Usually", "Most of the time", "Almost always", "Fairly often"],
        5: ["Always", "Very often", "All the time"],
    },
    "de": {
        1: ["Nie", "Niemals"],
        2: ["Selten", "Fast nie", "Kaum"],
        3: ["Manchmal", "Gelegentlich", "Ab und zu"],
        4: ["Oft", "Häufig", "Meistens", "Fast immer"],
        5: ["Immer", "Sehr oft", "Sehr häufig", "Ständig"],
    },
    "fr": {
        1: ["Jamais"],
        2: ["Rarement", "Presque jamais"],
        3: ["Parfois", "De temps en temps", "Quelquefois", "Occasionnellement"],
        4: ["Souvent", "Fréquemment", "La plupart du temps", "Presque toujours"],
        5: ["Toujours", "Très souvent", "Tout le temps"],
    },
    "es": {
        1: ["Nunca"],
        2: ["Rara vez", "Raramente", "Casi nunca", "Pocas veces"],
        3: ["A veces", "Algunas veces", "Ocasionalmente", "De vez en cuando"],
        4: ["A menudo", "Frecuentemente", "Con frecuencia", "Casi siempre", "Muchas veces",
            "La mayoría de las veces"],
        5: ["Siempre", "Muy a menudo", "Muy frecuentemente"],
    },
}

LIKELIHOOD5: Table = {
    "en": {
        1: ["Very unlikely", "Extremely unlikely", "Highly unlikely", "Not at all likely"],
        2: ["Unlikely", "Somewhat unlikely"],
        3: ["Neither likely nor unlikely", "Neutral"],
        4: ["Likely", "Somewhat likely"],
        5: ["Very likely", "Extremely likely", "Highly likely"],
    },
    "de": {
        1: ["Sehr unwahrscheinlich", "Äußerst unwahrscheinlich", "Überhaupt nicht wahrscheinlich"],
        2: ["Unwahrscheinlich", "Eher unwahrscheinlich"],
        3: ["Weder wahrscheinlich noch unwahrscheinlich", "Neutral"],
        4: ["Wahrscheinlich", "Eher wahrscheinlich"],
        5: ["Sehr wahrscheinlich", "Äußerst wahrscheinlich", "Extrem wahrscheinlich"],
    },
    "fr": {
        1: ["Très improbable", "Très peu probable", "Pas du tout probable"],
        2: ["Improbable", "Peu probable", "Plutôt improbable"],
        3: ["Ni probable ni improbable", "Neutre"],
        4: ["Probable", "Plutôt probable", "Assez probable"],
        5: ["Très probable", "Extrêmement probable"],
    },
    "es": {
        1: ["Muy improbable", "Muy poco probable", "Nada probable"],
        2: ["Improbable", "Poco probable", "Algo improbable"],
        3: ["Ni probable ni improbable", "Neutral"],
        4: ["Probable", "Algo probable", "Bastante probable"],
        5: ["Muy probable", "Extremadamente probable", "Sumamente probable"],
    },
}

SATISFACTION5: Table = {
    "en": {
        1: ["Very dissatisfied", "Extremely dissatisfied", "Very unsatisfied",
            "Not at all satisfied"],
        2: ["Dissatisfied", "Somewhat dissatisfied", "Unsatisfied"],
        3: ["Neither satisfied nor dissatisfied", "Neutral"],
        4: ["Satisfied", "Somewhat satisfied"],
        5: ["Very satisfied", "Extremely satisfied", "Completely satisfied"],
    },
    "de": {
        1: ["Sehr unzufrieden", "Überhaupt nicht zufrieden", "Völlig unzufrieden"],
        2: ["Unzufrieden", "Eher unzufrieden", "Weniger zufrieden"],
        3: ["Weder zufrieden noch unzufrieden", "Teils/teils", "Neutral"],
        4: ["Zufrieden", "Eher zufrieden"],
        5: ["Sehr zufrieden", "Äußerst zufrieden", "Vollkommen zufrieden"],
    },
    "fr": {
        1: ["Très insatisfait(e)", "Pas du tout satisfait(e)"],
        2: ["Insatisfait(e)", "Plutôt insatisfait(e)", "Peu satisfait(e)"],
        3: ["Ni satisfait(e) ni insatisfait(e)", "Neutre"],
        4: ["Satisfait(e)", "Plutôt satisfait(e)"],
        5: ["Très satisfait(e)", "Extrêmement satisfait(e)", "Entièrement satisfait(e)"],
    },
    "es": {
        1: ["Muy insatisfecho(a)", "Nada satisfecho(a)"],
        2: ["Insatisfecho(a)", "Algo insatisfecho(a)", "Poco satisfecho(a)"],
        3: ["Ni satisfecho(a) ni insatisfecho(a)", "Neutral"],
        4: ["Satisfecho(a)", "Algo satisfecho(a)"],
        5: ["Muy satisfecho(a)", "Totalmente satisfecho(a)", "Extremadamente satisfecho(a)"],
    },
}

RELEVANCE5: Table = {
    "en": {
        1: ["Not at all relevant", "Not relevant", "Irrelevant"],
        2: ["Slightly relevant", "A little relevant"],
        3: ["Moderately relevant", "Somewhat relevant", "Fairly relevant"],
        4: ["Very relevant", "Highly relevant"],
        5: ["Extremely relevant", "Completely relevant"],
    },
    "de": {
        1: ["Überhaupt nicht relevant", "Gar nicht relevant", "Nicht relevant", "Irrelevant"],
        2: ["Wenig relevant", "Kaum relevant", "Eher nicht relevant"],
        3: ["Mäßig relevant", "Teilweise relevant", "Etwas relevant", "Einigermaßen relevant"],
        4: ["Sehr relevant"],
        5: ["Äußerst relevant", "Extrem relevant", "Höchst relevant"],
    },
    "fr": {
        1: ["Pas du tout pertinent(e)", "Non pertinent(e)"],
        2: ["Peu pertinent(e)", "Légèrement pertinent(e)"],
        3: ["Moyennement pertinent(e)", "Assez pertinent(e)", "Modérément pertinent(e)"],
        4: ["Très pertinent(e)"],
        5: ["Extrêmement pertinent(e)", "Tout à fait pertinent(e)"],
    },
    "es": {
        1: ["Nada relevante", "Irrelevante", "No relevante"],
        2: ["Poco relevante", "Ligeramente relevante"],
        3: ["Moderadamente relevante", "Algo relevante", "Medianamente relevante"],
        4: ["Muy relevante", "Bastante relevante"],
        5: ["Extremadamente relevante", "Sumamente relevante", "Totalmente relevante"],
    },
}

# The 0-10 "how likely are you to recommend" item: numbers, plus the two anchor labels.
RECOMMEND11: Table = {
    "en": {
        0: ["Not at all likely"],
        10: ["Extremely likely"],
    },
    "de": {
        0: ["Überhaupt nicht wahrscheinlich"],
        10: ["Äußerst wahrscheinlich", "Extrem wahrscheinlich"],
    },
    "fr": {
        0: ["Pas du tout probable"],
        10: ["Extrêmement probable"],
    },
    "es": {
        0: ["Nada probable"],
        10: ["Extremadamente probable"],
    },
}

# Thalheimer's six options; English from domain.READINESS_OPTIONS plus his original wording.
READINESS6: Table = {
    "en": {
        1: [READINESS_OPTIONS[0]],
        2: [READINESS_OPTIONS[1], "I am still unclear about what to do, and/or why to do it"],
        3: [READINESS_OPTIONS[2], "I need more guidance before I know how to use what I learned"],
        4: [READINESS_OPTIONS[3], "I need more experience to be good at using what I learned"],
        5: [READINESS_OPTIONS[4], "I can be successful now in using what I learned",
            "I can be successful now in using what I learned (even without more guidance "
            "or experience)"],
        6: [READINESS_OPTIONS[5], "I can perform now at an expert level in using what I learned"],
    },
    "de": {
        1: ["Meine aktuelle Rolle ermöglicht es mir nicht, das Gelernte anzuwenden"],
        2: ["Mir ist noch unklar, was ich tun soll und warum"],
        3: ["Ich brauche mehr Anleitung, bevor ich weiß, wie ich es anwenden kann"],
        4: ["Ich brauche mehr Erfahrung, um darin gut zu sein"],
        5: ["Ich kann es jetzt erfolgreich anwenden"],
        6: ["Ich kann es jetzt auf Expertenniveau anwenden"],
    },
    "fr": {
        1: ["Mon poste actuel ne me permet pas d'utiliser ce que j'ai appris"],
        2: ["Je ne sais toujours pas clairement quoi faire ni pourquoi"],
        3: ["J'ai besoin de plus d'accompagnement avant de savoir comment l'utiliser"],
        4: ["J'ai besoin de plus d'expérience pour bien le maîtriser"],
        5: ["Je peux réussir dès maintenant"],
        6: ["Je peux maintenant agir à un niveau expert"],
    },
    "es": {
        1: ["Mi puesto actual no me permite usar lo que aprendí"],
        2: ["Todavía no tengo claro qué hacer ni por qué"],
        3: ["Necesito más orientación antes de saber cómo usarlo"],
        4: ["Necesito más experiencia para hacerlo bien"],
        5: ["Ya puedo aplicarlo con éxito"],
        6: ["Ya puedo desempeñarme a nivel experto"],
    },
}

YESNO: Table = {
    "en": {
        1: ["Yes", "Y", "True"],
        0: ["No", "N", "False"],
    },
    "de": {
        1: ["Ja"],
        0: ["Nein"],
    },
    "fr": {
        1: ["Oui"],
        0: ["Non"],
    },
    "es": {
        1: ["Sí"],
        0: ["No"],
    },
}

# name: (kind, title, positive_min, table); the order is the tie-break order in detection.
SCALE_TABLES: dict[str, tuple[str, str, float, Table]] = {
    "agree5": ("agreement", "Agreement (5 points)", 4, AGREE5),
    "frequency5": ("frequency", "Frequency (5 points)", 4, FREQUENCY5),
    "likelihood5": ("likelihood", "Likelihood (5 points)", 4, LIKELIHOOD5),
    "satisfaction5": ("satisfaction", "Satisfaction (5 points)", 4, SATISFACTION5),
    "relevance5": ("relevance", "Relevance (5 points)", 4, RELEVANCE5),
    "agree4": ("agreement", "Agreement (4 points, no neutral)", 3, AGREE4),
    "agree7": ("agreement", "Agreement (7 points)", 6, AGREE7),
    "readiness6": ("readiness", "Readiness (Thalheimer's six options)", 5, READINESS6),
    "recommend11": ("recommend", "Recommend (0 to 10)", 9, RECOMMEND11),
    "yesno": ("yesno", "Yes / No", 1, YESNO),
}

# Point ranges where they are not simply the points of the table (numbers-only points).
NUMERIC_POINTS: dict[str, tuple[int, int]] = {"recommend11": (0, 10)}

# Answers that mean "no answer on this scale": stored as missing, never as a point.
NOT_APPLICABLE: dict[str, list[str]] = {
    "en": ["N/A", "NA", "n.a.", "Not applicable", "Does not apply", "Don't know", "Do not know",
           "I don't know", "Unfamiliar (N/A)", "Prefer not to say", "Prefer not to answer",
           "No opinion", "Can't say", "Cannot say"],
    "de": ["Weiß nicht", "Weiß ich nicht", "Keine Angabe", "k. A.", "k.A.", "Nicht zutreffend",
           "Kann ich nicht beurteilen", "Keine Meinung", "Nicht anwendbar",
           "Möchte ich nicht sagen"],
    "fr": ["Ne sais pas", "Je ne sais pas", "NSP", "Non applicable", "Sans objet",
           "Ne s'applique pas", "Sans opinion", "Sans avis", "Préfère ne pas répondre",
           "Je préfère ne pas répondre", "Non concerné(e)"],
    "es": ["No sé", "No lo sé", "No aplica", "No aplicable", "No corresponde", "NS/NC",
           "Sin opinión", "Prefiero no responder", "Prefiero no contestar", "Prefiero no decirlo"],
}

# fmt: on

_GENDERED = re.compile(r"(\w+)\((e|a)\)")


def gendered_forms(label: str) -> list[str]:
    """The label as written plus its masculine and feminine forms ("satisfait(e)" → 3 labels)."""
    if not _GENDERED.search(label):
        return [label]
    masculine = _GENDERED.sub(lambda m: m.group(1), label)

    def feminine(m: re.Match[str]) -> str:
        base, mark = m.group(1), m.group(2)
        return base[:-1] + "a" if mark == "a" and base.endswith("o") else base + mark

    return [label, masculine, _GENDERED.sub(feminine, label)]
