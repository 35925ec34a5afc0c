"""Assessment instruments: versioned data files, validated on load, and their scoring."""

from app.instruments.loader import (
    InstrumentError,
    available_instruments,
    builtin_instruments_dir,
    load_builtin,
    load_instrument,
    parse_instrument,
)
from app.instruments.schema import (
    Domain,
    Instrument,
    Item,
    LocalizedText,
    Scale,
    ScaleOption,
    Thresholds,
)
from app.instruments.scoring import (
    AnswerError,
    AssessmentScores,
    DomainScore,
    Priority,
    priority_for,
    score_assessment,
)

__all__ = [
    "AnswerError",
    "AssessmentScores",
    "Domain",
    "DomainScore",
    "Instrument",
    "InstrumentError",
    "Item",
    "LocalizedText",
    "Priority",
    "Scale",
    "ScaleOption",
    "Thresholds",
    "available_instruments",
    "builtin_instruments_dir",
    "load_builtin",
    "load_instrument",
    "parse_instrument",
    "priority_for",
    "score_assessment",
]
