"""The survey kit: the recommended survey for each wave, and the files that carry it."""

from analysis.survey_kit.files import KitFile, body, kit_files, markdown, write_kit
from analysis.survey_kit.items import KIT_WAVES, WAVE_QUESTION, KitItem, wave_items

__all__ = [
    "KIT_WAVES", "WAVE_QUESTION", "KitFile", "KitItem", "body", "kit_files", "markdown",
    "wave_items", "write_kit",
]  # fmt: skip
