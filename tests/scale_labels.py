"""Expected labels of the known scales, written out by hand (not read from the code)."""

from __future__ import annotations

# Canonical labels per point, written out here (not read from the tables under test).
FIVE_POINT = {
    "agree5": {
        "en": ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
               "Strongly agree"],
        "de": ["Stimme überhaupt nicht zu", "Stimme nicht zu", "Weder noch", "Stimme zu",
               "Stimme voll und ganz zu"],
        "fr": ["Pas du tout d'accord", "Pas d'accord", "Ni d'accord ni pas d'accord", "D'accord",
               "Tout à fait d'accord"],
        "es": ["Totalmente en desacuerdo", "En desacuerdo", "Ni de acuerdo ni en desacuerdo",
               "De acuerdo", "Totalmente de acuerdo"],
    },
    "frequency5": {
        "en": ["Never", "Rarely", "Sometimes", "Often", "Always"],
        "de": ["Nie", "Selten", "Manchmal", "Oft", "Immer"],
        "fr": ["Jamais", "Rarement", "Parfois", "Souvent", "Toujours"],
        "es": ["Nunca", "Rara vez", "A veces", "A menudo", "Siempre"],
    },
    "likelihood5": {
        "en": ["Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely",
               "Very likely"],
        "de": ["Sehr unwahrscheinlich", "Unwahrscheinlich",
               "Weder wahrscheinlich noch unwahrscheinlich", "Wahrscheinlich",
               "Sehr wahrscheinlich"],
        "fr": ["Très improbable", "Improbable", "Ni probable ni improbable", "Probable",
               "Très probable"],
        "es": ["Muy improbable", "Improbable", "Ni probable ni improbable", "Probable",
               "Muy probable"],
    },
    "satisfaction5": {
        "en": ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied",
               "Satisfied", "Very satisfied"],
        "de": ["Sehr unzufrieden", "Unzufrieden", "Weder zufrieden noch unzufrieden",
               "Zufrieden", "Sehr zufrieden"],
        "fr": ["Très insatisfaite", "Insatisfait", "Ni satisfait ni insatisfait", "Satisfaite",
               "Très satisfait(e)"],
        "es": ["Muy insatisfecha", "Insatisfecho", "Ni satisfecho ni insatisfecho", "Satisfecha",
               "Muy satisfecho"],
    },
    "relevance5": {
        "en": ["Not at all relevant", "Slightly relevant", "Moderately relevant",
               "Very relevant", "Extremely relevant"],
        "de": ["Überhaupt nicht relevant", "Wenig relevant", "Mäßig relevant", "Sehr relevant",
               "Äußerst relevant"],
        "fr": ["Pas du tout pertinent", "Peu pertinente", "Moyennement pertinent",
               "Très pertinent", "Extrêmement pertinent"],
        "es": ["Nada relevante", "Poco relevante", "Moderadamente relevante", "Muy relevante",
               "Extremadamente relevante"],
    },
}  # fmt: skip
READINESS_TRANSLATED = {
    "de": ["Meine aktuelle Rolle ermöglicht es mir nicht, das Gelernte anzuwenden",
           "Mir ist noch unklar, was ich tun soll und warum",
           "Ich brauche mehr Anleitung, bevor ich weiß, wie ich es anwenden kann",
           "Ich brauche mehr Erfahrung, um darin gut zu sein",
           "Ich kann es jetzt erfolgreich anwenden",
           "Ich kann es jetzt auf Expertenniveau anwenden"],
    "fr": ["Mon poste actuel ne me permet pas d'utiliser ce que j'ai appris",
           "Je ne sais toujours pas clairement quoi faire ni pourquoi",
           "J'ai besoin de plus d'accompagnement avant de savoir comment l'utiliser",
           "J'ai besoin de plus d'expérience pour bien le maîtriser",
           "Je peux réussir dès maintenant",
           "Je peux maintenant agir à un niveau expert"],
    "es": ["Mi puesto actual no me permite usar lo que aprendí",
           "Todavía no tengo claro qué hacer ni por qué",
           "Necesito más orientación antes de saber cómo usarlo",
           "Necesito más experiencia para hacerlo bien",
           "Ya puedo aplicarlo con éxito",
           "Ya puedo desempeñarme a nivel experto"],
}  # fmt: skip
YES_NO = {"en": ("Yes", "No"), "de": ("Ja", "Nein"), "fr": ("Oui", "Non"), "es": ("Sí", "No")}
