"""Likert scales: labels in four languages, normalisation, N/A, numeric codes, detection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.domain import READINESS_OPTIONS
from analysis.ingest.scales import (
    NOT_APPLICABLE_KEYS,
    SCALES,
    UnknownLabelError,
    apply_scale,
    custom_scale,
    detect_scale,
    is_not_applicable,
    label_key,
    map_label,
    normalise_label,
    parse_numeric_code,
)
from tests.scale_labels import FIVE_POINT, READINESS_TRANSLATED, YES_NO

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"


# --- scales ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
@pytest.mark.parametrize("name", sorted(FIVE_POINT))
def test_five_point_scales_map_in_each_language(name, language):
    """Each label of each 5-point scale becomes 1..5, and the column is detected as that scale."""
    labels = FIVE_POINT[name][language]
    match = detect_scale(labels * 3)
    assert match is not None and match.scale.name == name
    assert match.language == language
    assert match.mapping == {lab: float(i) for i, lab in enumerate(labels, 1)}
    assert match.unknown_labels == () and match.coverage == 1.0
    scaled = apply_scale(labels, SCALES[name])
    assert scaled.values == [1.0, 2.0, 3.0, 4.0, 5.0] and scaled.ok


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_readiness_six_options_map_in_each_language(language):
    """Thalheimer's six options are 1..6 (5 and 6 count as positive) in every language."""
    labels = list(READINESS_OPTIONS) if language == "en" else READINESS_TRANSLATED[language]
    match = detect_scale(reversed(labels))
    assert match is not None and match.scale.name == "readiness6" and match.language == language
    assert [match.mapping[lab] for lab in labels] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert SCALES["readiness6"].positive_min == 5.0


def test_thalheimer_original_capitalised_wording_is_known():
    """His capitalised wording with extra clauses maps too (case and punctuation are ignored)."""
    scale = SCALES["readiness6"]
    assert map_label("I AM STILL UNCLEAR about what to do, and/or why to do it.", scale).value == 2
    assert map_label("I CAN PERFORM NOW AT AN EXPERT LEVEL in using what I learned", scale).value
    assert (
        map_label("I can perform now at an expert level in using what I learned", scale).value == 6
    )


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_yes_no_in_each_language(language):
    """Yes is 1 and No is 0; Yes is the positive answer."""
    yes, no = YES_NO[language]
    match = detect_scale([yes, no, no])
    assert match.scale.name == "yesno" and match.mapping == {yes: 1.0, no: 0.0}
    assert SCALES["yesno"].positive_min == 1.0


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["Überhaupt nicht wahrscheinlich", "Äußerst wahrscheinlich"], [0.0, 10.0]),
        (["Pas du tout probable", "Extrêmement probable"], [0.0, 10.0]),
        (["Nada probable", "Extremadamente probable"], [0.0, 10.0]),
        (["0 - Not at all likely", "10 - Extremely likely"], [0.0, 10.0]),
    ],
)
def test_recommend_anchor_labels_in_each_language(labels, expected):
    """The 0-10 item's end labels map to 0 and 10; 9 or more counts as positive."""
    scale = SCALES["recommend11"]
    assert apply_scale(labels, scale).values == expected
    assert (scale.scale_min, scale.scale_max, scale.positive_min) == (0.0, 10.0, 9.0)


def test_recommend_column_with_numbers_and_anchors_is_recommend11():
    """A 0-10 column with labelled ends is the recommend scale, not the 5-point likelihood."""
    values = ["0 - Not at all likely", "3", "7", "8", "9", "10 - Extremely likely", "10"]
    match = detect_scale(values)
    assert match.scale.name == "recommend11" and match.unknown_labels == ()
    assert match.mapping["0 - Not at all likely"] == 0.0 and match.mapping["7"] == 7.0


def test_seven_and_four_point_agreement_are_told_apart():
    """Both 'Agree' and 'Somewhat agree' → 7 points; four labels without a neutral → 4 points."""
    seven = ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
             "Somewhat agree", "Agree", "Strongly agree"]  # fmt: skip
    match = detect_scale(seven)
    assert match.scale.name == "agree7"
    assert [match.mapping[s] for s in seven] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    four = ["Trifft gar nicht zu", "Trifft eher nicht zu", "Trifft eher zu", "Trifft voll zu"]
    match = detect_scale(four)
    assert match.scale.name == "agree4" and [match.mapping[s] for s in four] == [1, 2, 3, 4]
    assert "agree5" in match.alternatives  # the person can still switch


def test_two_wordings_of_one_point_are_asked_about_not_merged():
    """On a 5-point scale 'Very often' and 'Always' would both be 5: both are asked about."""
    match = detect_scale(["Never", "Rarely", "Sometimes", "Often", "Very often", "Always"])
    assert match.scale.name == "frequency5"
    assert set(match.unknown_labels) == {"Very often", "Always"}
    assert "Always" not in match.mapping


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("  STRONGLY   agree. ", 5.0),
        ("Stimme voll und ganz zu!", 5.0),
        ("Pas d’accord", 2.0),  # curly apostrophe
        ("Tout a fait d'accord", 5.0),  # accents lost
        ("TOTALMENTE DE ACUERDO", 5.0),
        ("Neither\xa0agree nor disagree", 3.0),  # MacRoman-decoded non-breaking space
        ("Strongly disagree\u2026", 1.0),
        ("Ｓｔｒｏｎｇｌｙ ａｇｒｅｅ", 5.0),  # full-width (NFKC)
        ("Stimme vo\u0308llig zu", 5.0),  # decomposed umlaut
    ],
)
def test_labels_are_compared_after_normalisation(raw, value):
    """Case, spacing, NBSP, apostrophes, accents and end punctuation do not matter."""
    assert map_label(raw, SCALES["agree5"]).value == value


def test_normalise_keeps_accents_and_key_drops_them():
    """normalise_label is readable (accents kept); label_key is the lookup key."""
    assert normalise_label("Très  Satisfait(e)\xa0") == "très satisfait(e)"
    assert label_key("Très  Satisfait(e)\xa0") == "tres satisfait(e)"
    assert normalise_label("Not much\xa0") == "not much"
    assert normalise_label("Ｓｔｒｏｎｇｌｙ ａｇｒｅｅ") == "strongly agree"
    assert normalise_label("Stimme vo\u0308llig zu") == "stimme völlig zu"  # composed (NFC)
    assert normalise_label(None) == "" and normalise_label(float("nan")) == ""


@pytest.mark.parametrize(
    "label",
    ["N/A", "n/a", "Unfamiliar (N/A)", "Don’t know", "Weiß nicht", "weiss nicht",
     "Ne sais pas", "No sé", "Prefer not to say", "Keine Angabe", "Sans objet", "No aplica"],
)  # fmt: skip
def test_not_applicable_labels_become_missing(label):
    """'Don't know' style answers are missing on every scale, not a point and not off-scale."""
    assert is_not_applicable(label)
    res = map_label(label, SCALES["agree5"])
    assert res.status == "not_applicable" and res.value is None


def test_not_applicable_list_does_not_swallow_real_answers():
    """'Trifft nicht zu' is disagreement; a sentence starting 'Not applicable' is unknown."""
    assert map_label("Trifft nicht zu", SCALES["agree5"]).value == 2.0
    assert map_label("Not applicable to my religious beliefs", SCALES["frequency5"]).status == (
        "unknown"
    )
    for scale in SCALES.values():
        assert not NOT_APPLICABLE_KEYS & set(scale.labels)


def test_apply_scale_lists_off_scale_rows_with_reasons():
    """Unknown labels and off-scale numbers become None, listed by row; N/A is counted."""
    values = ["Agree", "Meh", "", None, "N/A", "6", "1 - Strongly agree", 4.0, float("nan")]
    out = apply_scale(values, SCALES["agree5"])
    assert out.values == [4.0, None, None, None, None, None, None, 4.0, None]
    assert [(o.row, o.label) for o in out.off_scale] == [
        (1, "Meh"), (5, "6"), (6, "1 - Strongly agree"),
    ]  # fmt: skip
    assert out.off_scale[0].reason == "Meh is not a label of Agreement (5 points)"
    assert out.off_scale[1].reason == "6 is not a point of Agreement (5 points) (1–5)"
    assert "disagree" in out.off_scale[2].reason
    assert out.not_applicable == 1 and not out.ok


def test_apply_scale_strict_raises_with_the_rows():
    """strict=True refuses the column and says which answers are off the scale."""
    with pytest.raises(UnknownLabelError) as err:
        apply_scale(["Agree", "Meh"], SCALES["agree5"], strict=True)
    assert [(o.row, o.label) for o in err.value.off_scale] == [(1, "Meh")]


def test_extra_labels_answer_what_the_scale_does_not_know():
    """The person's values for unknown labels are used, and None there means not applicable."""
    extra = {"Meh": 3, "Whatever": None}
    out = apply_scale(["Meh", "meh.", "Whatever", "Agree"], SCALES["agree5"], extra)
    assert out.values == [3.0, 3.0, None, 4.0] and out.ok and out.not_applicable == 1


@pytest.mark.parametrize(
    ("label", "parsed"),
    [
        ("4", (4.0, None)),
        ("4.0", (4.0, None)),
        ("4,0", (4.0, None)),
        ("1 - Strongly disagree", (1.0, "strongly disagree")),
        ("5 (Strongly agree)", (5.0, "strongly agree")),
        ("Strongly agree (5)", (5.0, "strongly agree")),
        ("5 = Strongly agree", (5.0, "strongly agree")),
        ("18-29", None),
        ("1-5 years", None),
        ("$50,000 - $99,999", None),
    ],
)
def test_numeric_codes_are_parsed_and_ranges_are_not(label, parsed):
    """Numbers with their label are codes; age and money bands are not."""
    assert parse_numeric_code(label) == parsed


def test_numeric_coded_labels_map_through_the_number():
    """'5 (Strongly agree)' is 5 and a bare number on the scale is itself; floats from Excel too."""
    scale = SCALES["agree5"]
    values = ["1 - Strongly disagree", "5 (Strongly agree)", "Agree (4)", "3", 2.0, "2.0"]
    assert apply_scale(values, scale).values == [1.0, 5.0, 4.0, 3.0, 2.0, 2.0]


def test_numbers_only_column_is_flagged_for_confirmation():
    """'1'..'5' fits several scales: the match says numbers only and lists the alternatives."""
    match = detect_scale(["1", "2", "3", "4", "5", "N/A"])
    assert match.scale.name == "agree5" and match.numeric_only
    assert match.mapping["N/A"] is None
    assert set(match.alternatives) >= {"agree7", "recommend11"}
    assert detect_scale(["12", "16", "3"]) is None  # counts, not ratings
    assert detect_scale([]) is None and detect_scale(["N/A", ""]) is None


def test_real_surveymonkey_agreement_with_somewhat_labels():
    """sleeping-alone: 'Somewhat agree' is 4 on the 5-point agreement scale."""
    frame = pd.read_csv(
        EXPORTS / "surveymonkey/sleeping-alone-data.csv", encoding="mac_roman", header=[0, 1]
    )
    col = next(c for c in frame.columns if "stay together" in c[0])
    match = detect_scale(frame[col])
    assert match.scale.name == "agree5" and match.unknown_labels == ()
    assert match.mapping == {"Strongly disagree": 1.0, "Somewhat disagree": 2.0,
                             "Neither agree nor disagree": 3.0, "Somewhat agree": 4.0,
                             "Strongly agree": 5.0}  # fmt: skip


def test_real_frequency_bands_are_not_a_known_scale():
    """religion survey: only 'Never' is known, so no scale is proposed."""
    frame = pd.read_csv(EXPORTS / "surveymonkey/religion-survey-results.csv", header=[0, 1])
    col = next(c for c in frame.columns if c[0].startswith("How often do you: Pray in public"))
    assert detect_scale(frame[col]) is None


def test_real_macroman_nbsp_labels_match_the_persons_values():
    """food-world-cup: 'Not much\\xa0' matches the person's 'Not much' once told what it means."""
    frame = pd.read_csv(EXPORTS / "surveymonkey/food-world-cup-data.csv", encoding="mac_roman")
    col = frame.iloc[:, 2]
    assert "Not much\xa0" in set(col.dropna())
    assert detect_scale(col) is None
    extra = {"A lot": 4, "Some": 3, "Not much": 2, "Not at all": 1}
    out = apply_scale(col, custom_scale("interest4", extra, positive_min=3))
    assert out.ok
    assert out.values.count(2.0) == 200 and out.values.count(1.0) == 84


def test_real_google_forms_yes_no_lists_the_spellings_it_does_not_know():
    """hot dog survey: YES/no/'Yes '/Y map; 'Yesss', 'Nope', 'Yeah' … are asked about."""
    frame = pd.read_csv(
        EXPORTS / "google_forms/hot_dog_survey_spring25.xlsx - Form Responses 1.csv"
    )
    match = detect_scale(frame.iloc[:, 1])
    assert match.scale.name == "yesno"
    assert set(match.unknown_labels) == {"Yesss", "Nope", "Yeah", "Noooo", "Yesssssss"}
    assert match.mapping["Y"] == 1.0 and match.mapping["No "] == 0.0


def test_scale_preview_rows():
    """The preview says what each label becomes, positives marked and unknown labels last."""
    match = detect_scale(["Agree", "Strongly disagree", "N/A", "Meh"])
    assert match.preview() == [
        ("Agree", "4 (positive)"), ("Strongly disagree", "1"), ("N/A", "missing (not applicable)"),
        ("Meh", "unknown: tell the app what it means"),
    ]  # fmt: skip


label_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40
)  # any Unicode, incl. NBSP, combining marks, ligatures


@given(label_text)
@settings(max_examples=400)
def test_normalisation_is_idempotent(text):
    """Normalising twice changes nothing, for the readable form and for the key."""
    once = normalise_label(text)
    assert normalise_label(once) == once
    key = label_key(text)
    assert label_key(key) == key and label_key(once) == key


@given(
    st.sampled_from(sorted(SCALES)),
    st.data(),
    st.sampled_from(["", " ", "  ", "\xa0", "\t"]),
    st.sampled_from(["", ".", "!", " .", "…", "?"]),
    st.sampled_from([str.upper, str.lower, str.title, str]),
)
def test_decorated_labels_keep_their_value(name, data, pad, punct, case):
    """Any known label, re-cased, padded and punctuated, maps to the same value."""
    scale = SCALES[name]
    label, value = data.draw(st.sampled_from([p for ps in scale.language_labels.values()
                                              for p in ps]))  # fmt: skip
    assert map_label(pad + case(label) + punct + pad, scale).value == value


# --- a rated question asked only in later rounds --------------------------------------------


def _rounds_export(tmp_path: Path) -> Path:
    """A Google Forms export used before, right after and 30 days after (oldest first): the
    application question is blank in the first 220 rows, answered in the last 60."""
    rows = ["Timestamp,Email Address,How confident are you?,I have used what I learned at work"]
    labels = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    for i in range(280):
        day = 3 if i < 220 else 30
        used = labels[i % 5] if i >= 220 else ""
        rows.append(f"2025/03/{day:02d} 10:{i % 60:02d}:00,p{i}@example.org,{1 + i % 5},{used}")
    path = tmp_path / "course_survey_all_rounds.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_question_blank_in_the_preview_still_gets_its_scale(tmp_path):
    """Found by the held-out organisation: a scale was proposed from the preview's 200 rows
    only, so a question blank there was kept as text and no figure counted it. A column with
    fewer than 10 answers in the preview is now judged on up to 20,000 rows."""
    from analysis.ingest import service
    from analysis.store import Store

    path = _rounds_export(tmp_path)
    table, _ = service.preview_file(path)
    assert table.truncated and table.frame.iloc[:, 3].isna().all()
    store = Store(tmp_path / "db.duckdb")
    try:
        alone, _ = service.propose(store, table, "survey")
        wide, _ = service.propose(store, table, "survey", source=path)
        from_bytes, _ = service.propose(
            store, table, "survey", source=path.read_bytes(), file_name=path.name
        )
    finally:
        store.close()
    col = "I have used what I learned at work"
    by = {name: {p.column: p for p in props} for name, props in
          (("alone", alone), ("wide", wide), ("bytes", from_bytes))}  # fmt: skip
    assert by["alone"][col].scale is None  # what the preview alone sees
    for name in ("wide", "bytes"):
        assert by[name][col].scale is not None and by[name][col].scale.scale.name == "agree5"
        # a column with answers in the preview is judged as before
        assert by[name]["How confident are you?"].role == by["alone"]["How confident are you?"].role


def test_the_command_line_sees_the_scale_of_a_question_asked_later(tmp_path):
    """`import --dry-run` (and so the import) proposes the scale from the rows past the
    preview."""
    import json

    from tests.conftest import run_cli

    path = _rounds_export(tmp_path)
    out = run_cli("import", str(path), "--dry-run", "--kind", "survey", db=tmp_path / "db.duckdb")
    assert out.returncode == 0, out.stderr
    cols = {c["column"]: c for c in json.loads(out.stdout)["columns"]}
    assert cols["I have used what I learned at work"]["scale"] == "agree5"


def test_the_longer_reads_of_a_file_are_made_once_per_file(tmp_path, monkeypatch):
    """The Import page reruns on every click: the wider sample and the file's dates read the
    file once, a longer read serves a shorter one, and a changed file is read again."""
    from analysis.ingest import service

    path = _rounds_export(tmp_path)
    table, _ = service.preview_file(path)
    reads: list[int] = []
    real = service.read_table

    def counting(data, name, overrides=None, *, max_rows, partial=False):
        reads.append(max_rows)
        return real(data, name, overrides, max_rows=max_rows, partial=partial)

    monkeypatch.setattr(service, "read_table", counting)
    # the same file read by an earlier test of this process would be a (correct) hit
    monkeypatch.setattr(service, "_MORE", type(service._MORE)())
    data = path.read_bytes()
    longer = service.more_rows(table, data, 1000, file_name=path.name)
    again = service.more_rows(table, data, 1000, file_name=path.name)
    shorter = service.more_rows(table, data, 250, file_name=path.name)
    assert reads == [1000] and again is longer and len(shorter) == 250
    assert shorter.equals(longer.iloc[:250])
    changed = data.replace(b"p279@", b"q279@")
    service.more_rows(table, changed, 1000, file_name=path.name)
    assert reads == [1000, 1000]
    service.more_rows(table, path, 1000)  # the same file on disk, read by path
    path.write_bytes(changed + b"2025/04/01 10:00:00,late@example.org,3,Agree\n")
    assert len(service.more_rows(table, path, 1000)) == 281
    assert reads == [1000, 1000, 1000, 1000]
