"""Readers and detectors for uploaded survey and participation exports."""

from analysis.ingest.decode import decode, detect_encoding
from analysis.ingest.detect import read_table, sniff
from analysis.ingest.dialect import detect_dates, to_number
from analysis.ingest.model import (
    KINDS,
    TOOL_LABELS,
    TOOLS,
    DecodedTable,
    Detection,
    UnreadableFile,
)

__all__ = [
    "KINDS",
    "TOOLS",
    "TOOL_LABELS",
    "DecodedTable",
    "Detection",
    "UnreadableFile",
    "decode",
    "detect_dates",
    "detect_encoding",
    "read_table",
    "sniff",
    "to_number",
]
