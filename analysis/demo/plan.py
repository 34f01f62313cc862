"""The demo organisation's plan: its size, programs, cohorts, built-in effects and survey.

Every number that shapes the data (sizes, rates, effects) is a named constant here and is
written down in data/demo/README.md; change one and the README together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

DEMO_SEED = 20261124
DATA_AS_OF = date(2026, 11, 15)  # survey waves whose window closes after this are not generated
WAVE_WINDOW_DAYS = 14
ENROL_DAYS_BEFORE = (10, 36)  # enrolled 10-35 days before the start, so before the pre survey

# --- the organisation -------------------------------------------------------------------------

# (department, head count, manager role, head role, individual-contributor roles)
DEPARTMENTS: tuple[tuple[str, int, str, str, tuple[str, ...]], ...] = (
    ("Engineering", 320, "Engineering Manager", "VP Engineering",
     ("Software Engineer", "Senior Software Engineer", "Staff Engineer", "QA Engineer",
      "Data Engineer", "Site Reliability Engineer")),
    ("Product", 90, "Group Product Manager", "VP Product",
     ("Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher")),
    ("Sales", 170, "Sales Manager", "VP Sales",
     ("Account Executive", "Sales Development Rep", "Account Manager", "Solutions Consultant")),
    ("Marketing", 90, "Marketing Manager", "VP Marketing",
     ("Marketing Specialist", "Content Marketer", "Product Marketing Manager", "Growth Analyst")),
    ("Customer Support", 180, "Support Team Lead", "Head of Customer Support",
     ("Support Specialist", "Senior Support Specialist", "Technical Support Engineer",
      "Customer Success Manager")),
    ("Finance", 140, "Finance Manager", "CFO",
     ("Accountant", "Financial Analyst", "FP&A Analyst", "Controller", "Payroll Specialist")),
    ("People & HR", 60, "HR Manager", "Chief People Officer",
     ("HR Business Partner", "Recruiter", "People Operations Specialist", "L&D Specialist")),
    ("Operations", 150, "Operations Manager", "VP Operations",
     ("Operations Analyst", "Procurement Specialist", "Supply Coordinator",
      "Facilities Coordinator")),
)  # fmt: skip
TEAM_NAMES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Platform", "Payments", "Mobile", "Web", "Data Platform", "Infrastructure",
                    "Security", "Developer Experience", "Search", "Integrations", "Billing",
                    "Identity"),
    "Product": ("Core Product", "Growth", "Design Systems", "Research", "Mobile Product"),
    "Sales": ("Enterprise", "Mid-Market", "SMB", "Partnerships", "Sales Development"),
    "Marketing": ("Brand", "Content", "Demand Generation", "Product Marketing"),
    "Customer Support": ("Tier 1", "Tier 2", "Technical Support", "Customer Success",
                         "Onboarding"),
    "Finance": ("Accounting", "FP&A", "Payroll", "Treasury", "Tax", "Procurement Finance"),
    "People & HR": ("Recruiting", "People Partners", "People Operations"),
    "Operations": ("Business Operations", "Supply", "Facilities", "Vendor Management", "IT Ops"),
}  # fmt: skip
TEAM_SIZE_RANGE = (6, 12)  # members per team including its manager

PROGRAMS: tuple[tuple[str, str, str, str, float, float], ...] = (
    ("P01", "Feedback that Lands", "Feedback and difficult conversations", "shared_language",
     180.0, 6.0),
    ("P02", "Data-Informed Decisions", "Data literacy", "applying_practice", 350.0, 10.0),
    ("P03", "Leading Through Change", "Leadership", "leader_alignment", 1200.0, 12.0),
    ("P04", "Clear Writing at Work", "Writing", "individual_growth", 250.0, 8.0),
    ("P05", "Reading Programme: Team Topologies", "Team design", "applying_practice", 40.0, 9.0),
    ("P06", "Personal Learning Budget", "Open choice", "individual_growth", 800.0, 24.0),
    ("P07", "Industry Conference", "Industry trends", "shared_language", 950.0, 14.0),
    ("P08", "High-Performing Teams", "Team effectiveness", "applying_practice", 700.0, 12.0),
    ("P09", "Communities of Practice", "Craft practices", "applying_practice", 60.0, 15.0),
    ("P10", "Working with AI Assistants", "AI at work", "applying_practice", 300.0, 7.5),
    ("P11", "Career Growth Coaching", "Career growth", "individual_growth", 600.0, 9.0),
)  # fmt: skip


@dataclass(frozen=True)
class CohortSpec:
    """One planned running of a program."""

    program_id: str
    variant: str
    month: str  # YYYY-MM of the start
    count: int  # groups for small-group variants, people otherwise
    length: int  # weekly sessions, or planned weeks where there are no sessions
    audience: str = "all"  # all | managers | ics


COHORT_PLAN: tuple[CohortSpec, ...] = (
    CohortSpec("P01", "pilot_team", "2025-04", 5, 6),
    CohortSpec("P04", "self_paced_course", "2025-04", 50, 6),
    CohortSpec("P06", "learning_budget", "2025-04", 70, 12),
    CohortSpec("P03", "group_coaching", "2025-05", 6, 6, "managers"),
    CohortSpec("P05", "book_club", "2025-05", 5, 6),
    CohortSpec("P01", "org_wide", "2025-06", 380, 5),
    CohortSpec("P07", "conference", "2025-06", 50, 2),
    CohortSpec("P04", "course_buddies", "2025-06", 9, 6),
    CohortSpec("P08", "team_coaching", "2025-07", 6, 8),
    CohortSpec("P05", "self_study_alone", "2025-07", 35, 6),
    CohortSpec("P09", "community_of_practice", "2025-08", 6, 10),
    CohortSpec("P03", "one_to_one_coaching", "2025-09", 16, 6, "managers"),
    CohortSpec("P11", "group_coaching", "2025-09", 4, 6, "ics"),
    CohortSpec("P02", "pilot_team", "2025-10", 5, 6),
    CohortSpec("P04", "self_paced_course", "2025-10", 50, 6),
    CohortSpec("P06", "learning_budget", "2025-10", 70, 12),
    CohortSpec("P03", "group_coaching", "2025-11", 6, 6, "managers"),
    CohortSpec("P05", "book_club", "2025-11", 5, 6),
    CohortSpec("P04", "course_buddies", "2025-12", 9, 6),
    CohortSpec("P05", "self_study_alone", "2026-01", 35, 6),
    CohortSpec("P02", "org_wide", "2026-01", 360, 5),
    CohortSpec("P08", "team_coaching", "2026-01", 5, 8),
    CohortSpec("P04", "self_paced_course", "2026-01", 50, 6),
    CohortSpec("P11", "one_to_one_coaching", "2026-02", 18, 6, "ics"),
    CohortSpec("P11", "group_coaching", "2026-02", 4, 6, "ics"),
    CohortSpec("P09", "community_of_practice", "2026-02", 5, 10),
    CohortSpec("P10", "pilot_team", "2026-03", 6, 6),
    CohortSpec("P04", "course_buddies", "2026-03", 8, 6),
    CohortSpec("P03", "group_coaching", "2026-04", 5, 6, "managers"),
    CohortSpec("P04", "self_paced_course", "2026-04", 50, 6),
    CohortSpec("P06", "learning_budget", "2026-04", 70, 12),
    CohortSpec("P07", "conference", "2026-05", 55, 2),
    CohortSpec("P05", "book_club", "2026-05", 5, 6),
    CohortSpec("P05", "self_study_alone", "2026-06", 35, 6),
    CohortSpec("P10", "org_wide", "2026-06", 380, 5),
    CohortSpec("P08", "team_coaching", "2026-06", 5, 8),
    CohortSpec("P09", "community_of_practice", "2026-07", 5, 10),
    CohortSpec("P04", "self_paced_course", "2026-08", 50, 6),
    CohortSpec("P04", "course_buddies", "2026-08", 8, 6),
    CohortSpec("P05", "book_club", "2026-09", 5, 6),
)
NO_SESSION_VARIANTS = ("self_paced_course", "self_study_alone", "learning_budget")
GROUP_SIZE: dict[str, tuple[int, int]] = {
    "course_buddies": (2, 3),
    "group_coaching": (4, 6),
    "book_club": (5, 8),
    "pilot_team": (6, 10),
    "team_coaching": (5, 8),
    "community_of_practice": (8, 12),
}
# Share of a cohort's groups whose members work together day to day (the rest are mixed).
CLOSE_SHARE: dict[str, float] = {
    "course_buddies": 0.5,
    "group_coaching": 0.5,
    "book_club": 0.4,
    "pilot_team": 0.8,
    "team_coaching": 0.8,
    "community_of_practice": 0.2,
}
# Finance takes part more often in self-directed and small-group learning (weight per person).
FINANCE_WEIGHT = 2.0
CONFERENCE_WEIGHT: dict[str, float] = {"Engineering": 2.0, "Product": 2.0, "Marketing": 1.5}
SESSION_MINUTES: dict[str, int] = {
    "org_wide": 90, "conference": 420, "pilot_team": 90, "book_club": 60, "course_buddies": 45,
    "group_coaching": 90, "team_coaching": 120, "community_of_practice": 60,
    "one_to_one_coaching": 50,
}  # fmt: skip
COP_TOPICS = (
    "Testing",
    "Analytics",
    "Customer insight",
    "Automation",
    "Forecasting",
    "Design systems",
    "Onboarding",
    "Writing",
)

# --- behaviour ----------------------------------------------------------------------------------

# Attendance: never shows up, per-session chance of dropping out for good, chance of missing one.
ATTENDANCE: dict[str, tuple[float, float, float]] = {
    "small_group": (0.07, 0.06, 0.05),
    "everyone_at_once": (0.10, 0.14, 0.22),
    "self_directed": (0.18, 0.20, 0.08),
    "conference": (0.05, 0.10, 0.05),
    "one_to_one_coaching": (0.03, 0.04, 0.06),
}
LATENT_CORRELATION = 0.4  # shared propensity behind attending, applying and answering

# Probability of applying at 30 days, before the adjustments below.
APPLY_D30: dict[str, float] = {
    "org_wide": 0.30, "conference": 0.36,
    "self_paced_course": 0.29, "self_study_alone": 0.29, "learning_budget": 0.33,
    "one_to_one_coaching": 0.44,
    "pilot_team": 0.68, "book_club": 0.62, "course_buddies": 0.61, "team_coaching": 0.64,
    "community_of_practice": 0.58,
}  # fmt: skip
GROUP_COACHING_D30 = {True: 0.76, False: 0.50}  # close colleagues vs mixed circles
RELEVANCE_SHIFT = 0.12  # + when the work needs the skill now, - when not
RELEVANT_SHARE = {"everyone_at_once": 0.40, "self_directed": 0.55, "small_group": 0.65}
MOTIVATION_SHIFT = {True: 0.24, False: -0.10}  # self-directed only
MOTIVATED_SHARE = {"everyone_at_once": 0.15, "self_directed": 0.30, "small_group": 0.45}
FINANCE_SELF_DIRECTED = {"relevant": 0.70, "motivated": 0.65, "shift": 0.05}
FINANCE_SMALL_GROUP_SHIFT = -0.30
WAVE_FACTOR = {"post": 1.18, "d30": 1.0, "d60": 0.86, "d90": 0.76}
APPLY_BOUNDS = (0.03, 0.93)
MAX_APPLY = 0.95  # after the wave factor

WAVE_OFFSET_DAYS = {"pre": -10, "post": 1, "d30": 30, "d60": 60, "d90": 90}
RESPONSE_RATE = {"pre": 0.80, "post": 0.70, "d30": 0.55, "d60": 0.45, "d90": 0.38}
RESPONSE_SHIFT = {"everyone_at_once": -0.04, "self_directed": 0.0, "small_group": 0.06}
RESPONSE_JITTER = 0.03  # cohort-to-cohort spread of a wave's response rate
# Answering a wave = shared propensity + the person's own responsiveness + wave-to-wave noise.
RESPONSIVE_SHARED, RESPONSIVE_OWN = 0.3, 0.6
RESPONSE_NOISE = math.sqrt(1 - RESPONSIVE_SHARED**2 - RESPONSIVE_OWN**2)
UNMATCHED_SHARE = 0.05
SKIP_SHARE = 0.02  # any item but the application item may be left blank
COMMENT_SHARE = {"post": 0.30, "follow_up": 0.20}
ACCOUNTABLE_SHARE = {
    "everyone_at_once": 0.25,
    "self_directed": 0.15,
    "small_group": 0.72,
    "one_to_one_coaching": 0.70,
}
CONFIDENCE_GAIN = {"everyone_at_once": 0.4, "self_directed": 0.9, "small_group": 0.8}
ROLE_BLOCKED = {"everyone_at_once": 0.30, "self_directed": 0.16, "small_group": 0.10}

WAVE_ITEMS: dict[str, tuple[str, ...]] = {
    "pre": ("mot_chose", "rel_work", "conf_skill"),
    "post": ("app_used", "eng_kept", "rel_work", "conf_skill", "acc_expected", "readiness",
             "nps", "comment"),
    "d30": ("app_used", "rel_work", "conf_skill", "readiness", "comment"),
    "d60": ("app_used", "rel_work", "conf_skill", "readiness", "comment"),
    "d90": ("app_used", "rel_work", "conf_skill", "readiness", "comment"),
}  # fmt: skip
SURVEY_ITEMS: tuple[tuple[str, str, str, str, float | None, float | None, float | None], ...] = (
    ("app_used", "I have used what I learned in my real work", "application", "agree5", 1, 5, 4),
    ("eng_kept", "I kept up with the learning until the end", "engagement", "agree5", 1, 5, 4),
    ("rel_work", "What I learned is relevant to my current work", "relevance", "agree5", 1, 5,
     4),
    ("conf_skill", "I feel confident using what I learned", "confidence", "agree5", 1, 5, 4),
    ("acc_expected", "Someone expected me to follow through and would notice if I did not",
     "accountability", "agree5", 1, 5, 4),
    ("mot_chose", "I chose this learning myself because I wanted it", "motivation", "agree5", 1,
     5, 4),
    ("readiness", "Which statement best describes you now?", "readiness", "readiness6", 1, 6, 5),
    ("nps", "How likely are you to recommend this learning to a colleague?", "recommend",
     "recommend11", 0, 10, 9),
    ("comment", "Anything else you would like to tell us?", "comment", "text", None, None, None),
)  # fmt: skip
COMMENTS: dict[str, tuple[str, ...]] = {
    "applied_self": (
        "I picked this myself and it paid off.",
        "Learning at my own pace meant I could use it the same week.",
    ),
    "applied": (
        "I used the checklist in my next planning meeting.",
        "We changed how we run our retros because of this.",
        "I rewrote two of my team's documents with what I learned.",
        "Used it with a customer last week and it went well.",
        "I now do this every week without thinking about it.",
    ),
    "applied_group": (
        "Knowing my group would ask how it went made me try it.",
        "We tried it on our own project during the sessions, so it stuck.",
        "Talking it through with colleagues made it easy to start.",
    ),
    "not_yet": (
        "Good content, but I have not had a chance to use it yet.",
        "Interesting, but I am not sure where it fits in my work.",
        "I need more practice before I use this with my team.",
        "Too busy this quarter to try it properly.",
    ),
    "alone": (
        "Hard to keep going on my own once work got busy.",
        "Would have been easier with someone to discuss it with.",
        "I kept postponing the modules.",
    ),
    "blocked": (
        "My current role does not give me a chance to use this.",
        "Useful in general, but my manager has other priorities for me.",
        "Nothing in my day-to-day work needs this right now.",
    ),
    "everyone": (
        "Nice that everyone now uses the same words for this.",
        "Too general for what my team actually does.",
        "Sessions were too big to ask questions.",
    ),
}
