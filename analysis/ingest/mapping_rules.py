"""The column-role vocabulary and the header rules (EN/DE/FR/ES and per tool) behind proposals.

Patterns run on `scales.label_key` of a header: case-folded, accents dropped, straight quotes,
single spaces. Tool tables hold each tool's own meta columns, matched exactly.
"""

from __future__ import annotations

import re

# Roles: who the row is about.
PERSON_EMAIL, PERSON_ID, PERSON_NAME = "person_email", "person_id", "person_name"
FIRST_NAME, LAST_NAME = "first_name", "last_name"
# Where the learning happened, when, and about whom (org data).
COHORT, PROGRAM, GROUP, DATE, WAVE, RESPONSE_ID = (
    "cohort", "program", "group", "date", "wave", "response_id",
)  # fmt: skip
DEPARTMENT, TEAM, JOB_ROLE, MANAGER_FLAG = "department", "team", "job_role", "manager_flag"
# Whether a learning group's members work together day to day: yes/no, taken per group.
WORKS_TOGETHER = "works_together"
# Survey items (domain.ITEM_ROLES; `other_item` is stored as item role `other`).
APPLICATION, ENGAGEMENT, RELEVANCE, READINESS = (
    "application",
    "engagement",
    "relevance",
    "readiness",
)
CONFIDENCE, ACCOUNTABILITY, MOTIVATION, BARRIER = (
    "confidence", "accountability", "motivation", "barrier",
)  # fmt: skip
RECOMMEND, COMMENT, DEMOGRAPHIC, OTHER_ITEM = "recommend", "comment", "demographic", "other_item"
# Attendance, enrolment and personal data.
SESSION_DATE, JOIN_TIME, LEAVE_TIME, MINUTES = "session_date", "join_time", "leave_time", "minutes"
HOURS = "hours"  # time attended in hours (Stunden, heures, horas): stored as minutes
USER_ACTION, ATTENDED = "user_action", "attended"
ENROLLED_ON, COMPLETED_ON, COMPLETION_STATUS, SCORE = (
    "enrolled_on", "completed_on", "completion_status", "score",
)  # fmt: skip
IP_ADDRESS, LOCATION, IGNORE = "ip_address", "location", "ignore"

PERSON_ROLES = (PERSON_EMAIL, PERSON_ID, PERSON_NAME, FIRST_NAME, LAST_NAME)
LEARNING_ROLES = (COHORT, PROGRAM, GROUP)
ORG_ROLES = (DEPARTMENT, TEAM, JOB_ROLE, MANAGER_FLAG)
ITEM_ROLES = (
    APPLICATION, ENGAGEMENT, RELEVANCE, READINESS, CONFIDENCE, ACCOUNTABILITY, MOTIVATION,
    BARRIER, RECOMMEND, COMMENT, DEMOGRAPHIC, OTHER_ITEM,
)  # fmt: skip
ATTENDANCE_ROLES = (SESSION_DATE, JOIN_TIME, LEAVE_TIME, MINUTES, HOURS, USER_ACTION, ATTENDED)
ENROLMENT_ROLES = (ENROLLED_ON, COMPLETED_ON, COMPLETION_STATUS, SCORE)
PII_ROLES = (IP_ADDRESS, LOCATION)
ROLES: tuple[str, ...] = (
    *PERSON_ROLES, *LEARNING_ROLES, DATE, WAVE, RESPONSE_ID, *ORG_ROLES, *ITEM_ROLES,
    WORKS_TOGETHER,
    *ATTENDANCE_ROLES, *ENROLMENT_ROLES, *PII_ROLES, IGNORE,
)  # fmt: skip
# Rated items whose text answers need a scale (others may stay text).
RATED_ROLES = (
    APPLICATION, ENGAGEMENT, RELEVANCE, READINESS, CONFIDENCE, ACCOUNTABILITY, MOTIVATION,
    RECOMMEND,
)  # fmt: skip


ROLE_LABELS: dict[str, str] = {
    PERSON_EMAIL: "E-mail", PERSON_ID: "Person identifier", PERSON_NAME: "Name",
    FIRST_NAME: "First name", LAST_NAME: "Last name", COHORT: "Cohort",
    PROGRAM: "Program", GROUP: "Learning group", DATE: "Date and time", WAVE: "Wave",
    WORKS_TOGETHER: "Works together (yes/no)",
    RESPONSE_ID: "Response id", DEPARTMENT: "Department", TEAM: "Team",
    JOB_ROLE: "Job role", MANAGER_FLAG: "Manager (yes/no)", APPLICATION: "Application",
    ENGAGEMENT: "Engagement", RELEVANCE: "Relevance", READINESS: "Readiness",
    CONFIDENCE: "Confidence", ACCOUNTABILITY: "Accountability", MOTIVATION: "Motivation",
    BARRIER: "Barrier", RECOMMEND: "Recommend (0-10)", COMMENT: "Comment",
    DEMOGRAPHIC: "Demographic", OTHER_ITEM: "Other question", SESSION_DATE: "Session date",
    JOIN_TIME: "Join time", LEAVE_TIME: "Leave time", MINUTES: "Minutes", HOURS: "Hours",
    USER_ACTION: "Joined/left or event", ATTENDED: "Attended (yes/no)",
    ENROLLED_ON: "Enrolled on", COMPLETED_ON: "Completed on",
    COMPLETION_STATUS: "Completion status", SCORE: "Score", IP_ADDRESS: "IP address",
    LOCATION: "Location", IGNORE: "Ignore",
}  # fmt: skip


def item_role(role: str) -> str:
    """The survey_items.role (domain.ITEM_ROLES) for a mapping role: other_item → other."""
    return "other" if role == OTHER_ITEM else role


# Import kinds: the values analysis.ingest.model uses, plus `enrolment` for LMS completions.
SURVEY, ATTENDANCE, LMS_LOG, GRADEBOOK, ROSTER, ENROLMENT, UNKNOWN = (
    "survey", "attendance", "lms_log", "gradebook", "roster", "enrolment", "unknown",
)  # fmt: skip
KIND_ALIASES = {"enrollment": ENROLMENT, "lms": LMS_LOG, "activity": LMS_LOG, "hr": ROSTER}
_COMMON = (*PERSON_ROLES, *LEARNING_ROLES, *PII_ROLES, IGNORE)
KIND_ROLES: dict[str, frozenset[str]] = {
    SURVEY: frozenset((*_COMMON, *ORG_ROLES, DATE, WAVE, RESPONSE_ID, *ITEM_ROLES)),
    ATTENDANCE: frozenset((*_COMMON, *ATTENDANCE_ROLES, DATE)),
    LMS_LOG: frozenset((*_COMMON, DATE, USER_ACTION, MINUTES, HOURS, COMPLETION_STATUS, SCORE)),
    GRADEBOOK: frozenset((*_COMMON, *ENROLMENT_ROLES)),
    ROSTER: frozenset((*_COMMON, *ORG_ROLES, ENROLLED_ON, COMPLETED_ON, COMPLETION_STATUS)),
    ENROLMENT: frozenset((*_COMMON, *ENROLMENT_ROLES, DATE)),
    UNKNOWN: frozenset(ROLES),
}
# Rows of these kinds belong to learning groups, so a file can say whose members work together.
KIND_ROLES.update(
    {
        k: KIND_ROLES[k] | {WORKS_TOGETHER}
        for k in (SURVEY, ATTENDANCE, LMS_LOG, GRADEBOOK, ENROLMENT)
    }
)


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


# Personal data, checked on every header (long questions too; values confirm e-mails).
EMAIL_HEADER = _rx(r"e-?mail", r"courriel", r"correo", r"\bupn\b", r"user principal name")
IP_HEADER = _rx(r"\bip\b", r"ip ?address", r"ip-adresse", r"adresse ip", r"direccion ip", "ipaddr")
LOCATION_HEADER = _rx(
    r"latitude", r"longitude", r"^(lat|lon|lng|long)$", r"geopoint", r"geolocation", r"\bgps\b",
    r"coordinates", r"koordinaten", r"\bzip( ?code)?\b", r"postal ?code", r"post ?code",
    r"postleitzahl", r"\bplz\b", r"code postal", r"codigo postal", r"breitengrad", r"langengrad",
    r"\byour (home |postal |street )?address\b", r"\bihre (wohn)?adresse\b", r"votre adresse",
    r"su direccion",
)  # fmt: skip
# Only on short headers: "street" in a long question is rarely an address.
ADDRESS_HEADER = _rx(r"street", r"address$", r"^adresse$", r"^direccion$", r"^anschrift$")

# Survey items, tried in this order (the first match wins: "what prevented you from applying"
# is a barrier, "confident applying" is confidence).
ALL_THAT_APPLY = re.compile(
    r"\(?(please )?(select|check|choose|tick|mark) all that apply\)?|all that apply"
)
ITEM_RULES: list[tuple[str, re.Pattern[str]]] = [
    (RECOMMEND, _rx(r"recommend", r"empfehlen", r"recommander", r"recomendar", r"recomendaria",
                    r"\bnps\b", r"net promoter")),
    (READINESS, _rx(r"readiness", r"ready to (use|apply|put)", r"bereitschaft",
                    r"pret a (utiliser|appliquer)", r"preparado para (usar|aplicar)")),
    (BARRIER, _rx(r"barrier", r"obstacle", r"prevent", r"hinder", r"stopp?ed (me|you)",
                  r"g[eo]t in the way", r"what made it (hard|difficult)", r"hindernis", r"hurde",
                  r"gehindert", r"abgehalten", r"\bfreins?\b", r"empeche", r"barrera",
                  r"obstaculo", r"impidi")),
    (ACCOUNTABILITY, _rx(r"accountab", r"follow[ -]through", r"expected (me|you) to",
                         r"checked (in )?on (my|your)", r"held (me|you) to", r"rechenschaft",
                         r"verbindlich", r"in die pflicht", r"rendre des comptes", r"redevable",
                         r"tenu responsable", r"rendir cuentas", r"responsabiliz")),
    (MOTIVATION, _rx(r"motiv", r"chose (this|the) \w+ myself", r"chose it myself",
                     r"my own choice", r"own initiative", r"voluntar", r"freiwillig",
                     r"selbst (aus)?gewahlt", r"eigeninitiative", r"propre initiative",
                     r"choisi moi-meme", r"iniciativa propia", r"lo elegi")),
    (CONFIDENCE, _rx(r"confiden(t|ce)\b", r"self-efficacy", r"zuversicht", r"selbstvertrauen",
                     r"selbstsicher", r"\bsicher\b", r"confiance", r"confiant", r"confianza",
                     r"\bsegur[oa]\b", r"capable of", r"capaz de")),
    (RELEVANCE, _rx(r"relevan", r"pertinen", r"useful (for|to|in) my (work|job|role)",
                    r"applicable to my (work|job|role)", r"my (current )?(work|job|role) "
                    r"(needs|requires)", r"nutzlich fur meine arbeit",
                    r"utile (pour|a|dans) mon (travail|poste)", r"util para mi (trabajo|puesto)")),
    (ENGAGEMENT, _rx(r"engag", r"kept (me|my) (interested|attention)", r"interactive",
                     r"fesselnd", r"kurzweilig", r"captivant", r"implique", r"atractiv",
                     r"participativ")),
    (APPLICATION, _rx(r"\bappl(y|ied|ying|ication of)\b", r"used? what (i|you) (learned|learnt)",
                      r"into practice", r"angewendet", r"angewandt", r"anwenden", r"umgesetzt",
                      r"umsetzen", r"in die praxis", r"appliqu", r"en pratique", r"aplicad",
                      r"aplicar", r"aplique", r"en practica")),
    (DEMOGRAPHIC, _rx(r"\bage\b", r"how old", r"gender", r"\bsex\b", r"tenure",
                      r"years (at|with|in) (the |this )?(company|organi[sz]ation|firm|role|job)",
                      r"how long have you (worked|been)", r"education", r"income", r"ethnicity",
                      r"\brace\b", r"region", r"country", r"census", r"nationalit", r"\bborn\b",
                      r"\balter(sgruppe)?\b", r"geschlecht", r"betriebszugehorigkeit",
                      r"dienstjahre", r"bildungsabschluss", r"einkommen", r"herkunft", r"sexe",
                      r"\bgenre\b", r"anciennete", r"niveau d'etudes", r"\bedad\b", r"genero",
                      r"sexo", r"antiguedad", r"nivel de estudios", r"\bpais\b", r"nacionalidad",
                      r"(office|work) location", r"^location", r"standort", r"arbeitsort",
                      r"lieu de travail", r"ubicacion", r"self-describe", r"pronoun",
                      r"how do you identify", r"what year are you", r"year of (study|school)",
                      r"(academic|school|study|class|college) year", r"\bsemester\b",
                      r"grade level", r"studienjahr", r"annee d'etudes",
                      r"ano (academico|de estudios)")),
    (COMMENT, _rx(r"comment", r"anything else", r"any other (thoughts|feedback|comments)",
                  r"suggestion", r"please (explain|specify|describe|share)", r"in your own words",
                  r"open-ended", r"free text", r"text entry", r"feedback", r"kommentar",
                  r"anmerkung", r"anregung", r"verbesserungsvorschl", r"freitext", r"remarque",
                  r"texte libre", r"comentario", r"sugerencia", r"observacion", r"texto libre",
                  r"\bwhy\b", r"\bwarum\b", r"pourquoi", r"por que", r"rationale")),
]  # fmt: skip

# Who, where and when: tried in this order on short headers (up to 8 words).
PERSON_RULES: list[tuple[str, re.Pattern[str]]] = [
    (RESPONSE_ID, _rx(r"^(response|respondent|submission) ?id$", r"^antwort-?id$")),
    (PERSON_ID, _rx(r"\b(employee|staff|personnel|person|user|member|student|worker|learner|"
                    r"participant)[ _-]?(id|number|no|nr|#|code)\b", r"\bempl?id\b",
                    r"personalnummer", r"personal-?nr", r"mitarbeiter-?(id|nummer|nr)",
                    r"matricule", r"identifiant", r"numero d'employe", r"id (de )?empleado",
                    r"numero de empleado", r"legajo", r"\bsis (user|login) id\b",
                    r"external ?(data ?)?reference", r"^token$", r"\bid[ _]?(number|no|nr)\b",
                    r"^id$", r"^uid$")),
    (WORKS_TOGETHER, _rx(r"\bwork(s|ing)? together\b", r"close colleagues",
                         r"\barbeite[nt]? zusammen\b", r"enge kolleg",
                         r"\btravaill\w* ensemble\b", r"collegues proches",
                         r"\btrabaj\w* juntos\b", r"companeros cercanos")),
    (COHORT, _rx(r"cohort", r"kohorte", r"jahrgang", r"\bintake\b", r"\bbatch\b")),
    (PROGRAM, _rx(r"\bprogram(me)?\b", r"\bprogramm\b", r"\bprograma\b", r"^course",
                  r"course (name|title)", r"^kurs", r"^cours\b", r"^curso", r"^training",
                  r"^schulung", r"^formation$", r"learning (path|program)", r"lernpfad",
                  r"^workshop")),
    (GROUP, _rx(r"(?<!age )\bgroup\b", r"gruppe", r"groupe", r"grupo", r"\bcircle\b",
                r"book club", r"buchclub", r"\bsection\b", r"\bpod\b", r"\bsquad\b")),
    (WAVE, _rx(r"^wave$", r"^welle$", r"^vague$", r"^ola$", r"survey wave", r"messzeitpunkt",
               r"^time ?point$", r"^which survey is this$")),  # the survey kit's first question
    (FIRST_NAME, _rx(r"first ?name", r"given name", r"forename", r"vorname", r"prenom",
                     r"^nombre$")),
    (LAST_NAME, _rx(r"last ?name", r"surname", r"family name", r"nachname", r"familienname",
                    r"^nom( de famille)?$", r"apellido")),
    (PERSON_NAME, _rx(r"^(full |display |user |participant |attendee |learner |employee |"
                      r"student |respondent )?name( \(original name\))?$", r"full name",
                      r"^(student|learner|participant|attendee|employee|respondent)$",
                      r"teilnehmer", r"^mitarbeiter(in)?$", r"nom complet", r"^nom et prenom",
                      r"^nombre completo$", r"\byour (full )?name\b", r"\bihr name\b",
                      r"votre nom", r"\bsu nombre\b", r"\btu nombre\b")),
    (DEPARTMENT, _rx(r"department", r"\bdept\b", r"abteilung", r"departement", r"departamento",
                     r"division", r"business unit", r"organi[sz]ational unit", r"org unit",
                     r"organisationseinheit", r"^bereich$", r"^service$", r"^area$", r"^unit$",
                     r"cost cent(er|re)", r"kostenstelle")),
    (TEAM, _rx(r"\bteam\b", r"\bequipe\b", r"\bequipo\b")),
    (MANAGER_FLAG, _rx(r"manager", r"people leader", r"direct reports", r"fuhrungskraft",
                       r"vorgesetzt", r"personalverantwortung", r"encadrant",
                       r"responsable d'equipe", r"gerente", r"\bjefe\b", r"supervisor")),
    (JOB_ROLE, _rx(r"^(job )?role$", r"job ?title", r"^title$", r"^position$", r"job function",
                   r"^function$", r"funktion", r"^rolle$", r"stellenbezeichnung",
                   r"berufsbezeichnung", r"^poste$", r"^fonction$", r"intitule (du|de) poste",
                   r"^puesto$", r"^cargo$", r"^rol$", r"^grade$", r"^level$", r"job level",
                   r"seniority", r"career level")),
    (DATE, _rx(r"^timestamp$", r"zeitstempel", r"horodatage", r"marca (de )?temporal",
               r"submitted", r"submission (date|time)", r"^submit ?date", r"recorded ?date",
               r"completion time", r"^date$", r"^datum$", r"^fecha$", r"^(start|end) ?(date|time)$",
               r"^date (started|submitted|last action)", r"eingereicht", r"erfassungsdatum",
               r"anfangsdatum", r"enddatum", r"^time$", r"^zeit$", r"^heure$", r"^hora$")),
]  # fmt: skip

MANAGER_HEADER = dict(PERSON_RULES)[MANAGER_FLAG]

# Kind-specific rules, tried before PERSON_RULES for their kinds (EN/DE/FR/ES).
ATTENDANCE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (SESSION_DATE, _rx(r"session date", r"meeting date", r"sitzungsdatum", r"date de (la )?session",
                       r"fecha de (la )?sesion", r"class date", r"^(day|tag|jour|dia)$",
                       r"training date", r"course date", r"schulungsdatum", r"kursdatum",
                       r"sitzungstag", r"kurstag", r"^termin$", r"datum der (sitzung|schulung)",
                       r"^seance$", r"date de (la )?(seance|formation)", r"^sesion$",
                       r"dia de (la )?(sesion|formacion)", r"fecha de (la )?formacion",
                       r"attendance date", r"(teilnahme|anwesenheits)datum",
                       r"date de (participation|presence)",
                       r"fecha de (asistencia|participacion)")),
    (JOIN_TIME, _rx(r"join time", r"time joined", r"joined at", r"first join", r"first seen",
                    r"^joined$", r"beitritt", r"beigetreten", r"erste teilnahme",
                    r"heure d'arrivee", r"heure de connexion", r"premiere (connexion|arrivee)",
                    r"hora de (entrada|union|ingreso|llegada)", r"primera (conexion|union)",
                    r"check-?in")),
    (LEAVE_TIME, _rx(r"leave time", r"time exited", r"left at", r"last leave", r"last seen",
                     r"^left$", r"verlassen", r"heure de (depart|deconnexion)",
                     r"dernier(e)? (depart|deconnexion)", r"hora de salida",
                     r"ultima (salida|desconexion)", r"check-?out")),
    (HOURS, _rx(r"\bhours?\b", r"\bhrs?\b", r"stunden", r"\bstd\b", r"\bheures\b",
                r"\bhoras\b", r"\(h\)$", r"\(std\.?\)$")),
    (MINUTES, _rx(r"duration", r"minutes", r"\bmins?\b", r"dauer", r"duree", r"duracion",
                  r"time spent", r"time in call", r"minuten", r"minutos", r"temps de presence",
                  r"tiempo de (asistencia|conexion)")),
    (USER_ACTION, _rx(r"user action", r"^action$", r"aktion", r"event name", r"^event$",
                      r"^verb$", r"ereignis", r"evenement", r"^evento$", r"^accion$")),
    (ATTENDED, _rx(r"^(attended|attendance|present|presence|presente|presencia|asistencia|"
                   r"asistio|participated|participation|teilnahme|teilgenommen|anwesend|"
                   r"anwesenheit)\b", r"anwesen(d|heit)\b")),
]  # fmt: skip
ENROLMENT_RULES: list[tuple[str, re.Pattern[str]]] = [
    (ENROLLED_ON, _rx(r"enrol+(ed|ment)? ?(on|date)", r"date enrol+ed", r"registration date",
                      r"registered (on|at)", r"anmeldedatum", r"angemeldet am",
                      r"einschreibe?datum", r"date d'inscription", r"inscrit le",
                      r"fecha de (inscripcion|matricula)", r"assign(ed|ment) (on|date)")),
    (COMPLETED_ON, _rx(r"complet(ed|ion) (on|date|at)", r"date complet", r"finished (on|at)",
                       r"abschlussdatum", r"abgeschlossen am", r"date d'achevement",
                       r"termine le", r"fecha de (finalizacion|termino)")),
    (COMPLETION_STATUS, _rx(r"completion status", r"^status$", r"^complete[d]?$",
                            r"abschlussstatus", r"^abgeschlossen$", r"^statut$", r"^estado$",
                            r"completion", r"percent complete", r"progress", r"fortschritt")),
    (SCORE, _rx(r"score", r"grade", r"points", r"punkte", r"punktzahl", r"^note$",
                r"bewertung", r"puntuacion", r"calificacion", r"^nota$")),
]  # fmt: skip

# Yes/no answers and attendance marks, case-folded (EN/DE/FR/ES).
YES_WORDS = frozenset({"yes", "y", "true", "1", "x", "ja", "oui", "si", "sí", "wahr", "vrai"})
NO_WORDS = frozenset({"no", "n", "false", "0", "nein", "non", "falsch", "faux"})
PRESENT_WORDS = frozenset(
    {"present", "attended", "anwesend", "teilgenommen", "présent", "présente", "presente",
     "asistió", "asistio"}
)  # fmt: skip
ABSENT_WORDS = frozenset(
    {"absent", "absente", "excused", "no-show", "no show", "not attended", "abwesend",
     "entschuldigt", "fehlt", "nicht teilgenommen", "excusé", "excusée", "ausente",
     "justificado", "no asistió", "no asistio"}
)  # fmt: skip

# Words that make a date column the submission time rather than the start.
SUBMITTED_WORDS = re.compile(
    r"submit|record|complet|end|timestamp|finish|eingereicht|erfass|^time$|_submission_time"
)
START_WORDS = re.compile(r"start|begin|anfang|opened|^start$")


def first_match(rules: list[tuple[str, re.Pattern[str]]], key: str) -> str | None:
    """The role of the first rule whose pattern occurs in the header key."""
    for role, pattern in rules:
        if pattern.search(key):
            return role
    return None
