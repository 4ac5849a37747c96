"""The editor's views, by what they act on: ``canvases`` (a canvas as a whole and the help page),
``rows`` (segments, relationships, cost items) and ``export`` (the PDF). ``numbers`` draws the
block's numbers as kept pieces; ``base`` holds the typed request, the access helpers and the
helpers that render from a fresh Block."""

from relationships.views.canvases import (
    canvas_delete,
    canvas_detail,
    canvas_duplicate,
    canvas_edit,
    canvas_list,
    canvas_rename,
    help_page,
)
from relationships.views.export import canvas_pdf
from relationships.views.rows import (
    cost_create,
    cost_delete,
    cost_edit,
    cost_move,
    relationship_create,
    relationship_delete,
    relationship_detail,
    relationship_edit,
    relationship_move,
    segment_create,
    segment_delete,
    segment_edit,
    segment_move,
)

__all__ = [
    "canvas_delete",
    "canvas_detail",
    "canvas_duplicate",
    "canvas_edit",
    "canvas_list",
    "canvas_pdf",
    "canvas_rename",
    "cost_create",
    "cost_delete",
    "cost_edit",
    "cost_move",
    "help_page",
    "relationship_create",
    "relationship_delete",
    "relationship_detail",
    "relationship_edit",
    "relationship_move",
    "segment_create",
    "segment_delete",
    "segment_edit",
    "segment_move",
]
