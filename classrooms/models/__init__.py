"""Classes, assignments, teams, frozen submissions and the teacher's review of them.

One module per concern (``classes``, ``assignments``, ``teams``, ``reviews``), every model named
here, so that ``classrooms.models.Team`` and the migrations' ``classrooms.Team`` stay what they
were.
"""

from classrooms.models.assignments import Assignment
from classrooms.models.classes import Classroom, CoTeacher, Membership
from classrooms.models.reviews import Comment, FeedbackSeen, RubricScore, SavedComment, Submission
from classrooms.models.teams import Team, TeamMember

__all__ = [
    "Assignment",
    "Classroom",
    "CoTeacher",
    "Comment",
    "FeedbackSeen",
    "Membership",
    "RubricScore",
    "SavedComment",
    "Submission",
    "Team",
    "TeamMember",
]
