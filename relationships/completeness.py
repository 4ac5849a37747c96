"""The completeness rules of a block: what a reviewer would ask the student to add.

Each rule has a name (``Rule``); a gap says which rule it breaks, so that the class-wide view
(``classrooms.review.class_gaps``) counts the same rules the student's list shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from relationships.block import Block, RelationshipView, SegmentView
    from relationships.viability import Viability


class Rule(StrEnum):
    DESCRIPTION = "description"
    BUSINESS_FIT = "business_fit"
    MARKET_EFFECT = "market_effect"
    FIRST_SEGMENT = "first_segment"
    SEGMENT_RELATIONSHIP = "segment_relationship"
    SEGMENT_EXPECTATION = "segment_expectation"
    SEGMENT_VALUE = "segment_value"
    EXPECTATION_MET = "expectation_met"
    RELATIONSHIP_COST = "relationship_cost"
    RELATIONSHIP_INTERACTION = "relationship_interaction"


@dataclass(frozen=True)
class Gap:
    """One thing the block still lacks: what to do, and the id of the place to do it.

    ``rule`` is a completeness rule, or the code of a viability rule (``relationships.viability``)
    the segment breaks.
    """

    text: str
    anchor: str = ""
    rule: Rule | str | None = None


@dataclass
class Completeness:
    """How complete a block is: a score out of 100 and what is missing, in plain words."""

    score: int
    missing: list[Gap] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.missing

    @property
    def broken_rules(self) -> set[Rule | str]:
        return {gap.rule for gap in self.missing if gap.rule}


Check = tuple[bool, Gap]


def _canvas_checks(block: Block) -> Iterator[Check]:
    yield (
        bool(block.description.strip()),
        Gap(
            _("Describe the venture and its value proposition."), "canvas-header", Rule.DESCRIPTION
        ),
    )
    yield (
        bool(block.business_fit.strip()),
        Gap(
            _("Explain how the relationships fit the rest of your business model."),
            "canvas-header",
            Rule.BUSINESS_FIT,
        ),
    )
    yield (
        bool(block.market_effect.strip()),
        Gap(
            _("Say what effect on the market (image, brand) you want."),
            "canvas-header",
            Rule.MARKET_EFFECT,
        ),
    )
    first = Gap(_("Add your first customer segment."), "board", Rule.FIRST_SEGMENT)
    yield bool(block.segments), first


def _segment_checks(segment: SegmentView) -> Iterator[Check]:
    name = {"segment": segment.name}
    at = segment.anchor
    yield (
        bool(segment.relationships),
        Gap(_("“%(segment)s” has no relationship yet.") % name, at, Rule.SEGMENT_RELATIONSHIP),
    )
    yield (
        bool(segment.expected_type or segment.expectation.strip()),
        Gap(
            _("Say what relationship “%(segment)s” expects from you.") % name,
            at,
            Rule.SEGMENT_EXPECTATION,
        ),
    )
    yield (
        segment.yearly_value is not None,
        Gap(
            _(
                "Estimate how many customers “%(segment)s” has, how often they buy "
                "and how much they spend."
            )
            % name,
            at,
            Rule.SEGMENT_VALUE,
        ),
    )
    if segment.expected_type:
        expected = {**name, "type": segment.get_expected_type_display().lower()}
        yield (
            segment.expectation_met,
            Gap(
                _("“%(segment)s” expects %(type)s, but no established relationship gives it yet.")
                % expected,
                at,
                Rule.EXPECTATION_MET,
            ),
        )


def _relationship_checks(relationship: RelationshipView) -> Iterator[Check]:
    label = {"type": relationship.get_type_display(), "segment": relationship.segment_name}
    at = relationship.anchor
    yield (
        bool(relationship.costs),
        Gap(_("Put a cost on “%(type)s” for “%(segment)s”.") % label, at, Rule.RELATIONSHIP_COST),
    )
    yield (
        bool(relationship.interaction.strip()),
        Gap(
            _("Say how you interact in “%(type)s” for “%(segment)s”.") % label,
            at,
            Rule.RELATIONSHIP_INTERACTION,
        ),
    )


def _viability_gaps(segment: SegmentView, viability: Viability) -> list[Gap]:
    """What the segment's relationships fail at (the viability rules), one hint each."""
    return [
        Gap(
            _("“%(segment)s”: %(verdict)s") % {"segment": segment.name, "verdict": rule.text},
            segment.anchor,
            rule.code,
        )
        for rule in viability.broken
    ]


def assess(block: Block) -> Completeness:
    """Run every check over the block; each passed check earns the same weight. No query.

    A segment's viability is one check: it passes when no viability rule is broken, and each
    broken rule is a hint of its own.
    """
    checks = list(_canvas_checks(block))
    hints: list[Gap] = []
    for segment in block.segments:
        checks += _segment_checks(segment)
        for relationship in segment.relationships:
            checks += _relationship_checks(relationship)
        gaps = _viability_gaps(segment, block.viabilities[segment.pk])
        checks.append((not gaps, gaps[0] if gaps else Gap("")))
        hints += gaps[1:]
    passed = sum(1 for ok, _gap in checks if ok)
    missing = [gap for ok, gap in checks if not ok]
    for hint in hints:  # beside the segment's first verdict
        at = max(i for i, gap in enumerate(missing) if gap.anchor == hint.anchor)
        missing.insert(at + 1, hint)
    return Completeness(score=round(100 * passed / len(checks)), missing=missing)
