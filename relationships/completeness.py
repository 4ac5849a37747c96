"""The completeness rules of a block: what a reviewer would ask the student to add."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from relationships.models import Completeness, Gap

if TYPE_CHECKING:
    from relationships.models import Canvas


def assess(canvas: Canvas) -> Completeness:
    """Run every check over the prefetched block; each passed check earns the same weight."""
    checks: list[tuple[bool, Gap]] = [
        (
            bool(canvas.description.strip()),
            Gap(_("Describe the venture and its value proposition."), "canvas-header"),
        ),
        (
            bool(canvas.business_fit.strip()),
            Gap(
                _("Explain how the relationships fit the rest of your business model."),
                "canvas-header",
            ),
        ),
        (
            bool(canvas.market_effect.strip()),
            Gap(_("Say what effect on the market (image, brand) you want."), "canvas-header"),
        ),
    ]
    segments = canvas.segment_list
    checks.append((bool(segments), Gap(_("Add your first customer segment."), "board")))
    for segment in segments:
        anchor = segment.anchor
        relationships = segment.relationship_list
        checks += [
            (
                bool(relationships),
                Gap(_("“%(segment)s” has no relationship yet.") % {"segment": segment}, anchor),
            ),
            (
                bool(segment.expected_type or segment.expectation.strip()),
                Gap(
                    _("Say what relationship “%(segment)s” expects from you.")
                    % {"segment": segment},
                    anchor,
                ),
            ),
            (
                segment.yearly_value is not None,
                Gap(
                    _(
                        "Estimate how many customers “%(segment)s” has, how often they buy "
                        "and how much they spend."
                    )
                    % {"segment": segment},
                    anchor,
                ),
            ),
        ]
        if segment.expected_type:
            checks.append(
                (
                    segment.expectation_met(),
                    Gap(
                        _(
                            "“%(segment)s” expects %(type)s, but no established relationship "
                            "gives it yet."
                        )
                        % {
                            "segment": segment,
                            "type": segment.get_expected_type_display().lower(),
                        },
                        anchor,
                    ),
                )
            )
        for relationship in relationships:
            label = {"type": relationship.get_type_display(), "segment": segment}
            rel_anchor = relationship.anchor
            checks += [
                (
                    bool(relationship.cost_list),
                    Gap(
                        _("Put a cost on “%(type)s” for “%(segment)s”.") % label,
                        rel_anchor,
                    ),
                ),
                (
                    bool(relationship.interaction.strip()),
                    Gap(
                        _("Say how you interact in “%(type)s” for “%(segment)s”.") % label,
                        rel_anchor,
                    ),
                ),
            ]
    passed = sum(1 for ok, _gap in checks if ok)
    return Completeness(
        score=round(100 * passed / len(checks)),
        missing=[gap for ok, gap in checks if not ok],
    )
