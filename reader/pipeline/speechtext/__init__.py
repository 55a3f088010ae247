"""The speech-text stage: display text → what a listener must hear, as a table of rules."""

from reader.pipeline.speechtext.language import LANGUAGES, Words, words_for
from reader.pipeline.speechtext.registry import RULES, apply_rules
from reader.pipeline.speechtext.rule import Rule

__all__ = ["LANGUAGES", "RULES", "Rule", "Words", "apply_rules", "words_for"]
