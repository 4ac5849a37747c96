"""Forms of the classroom side; each owns its validation and its clear messages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from classrooms.join_codes import normalise_join_code
from classrooms.models import (
    Assignment,
    Classroom,
    Comment,
    CoTeacher,
    RubricScore,
    SavedComment,
    Submission,
    Team,
    TeamMember,
)
from relationships.models import Canvas


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name", "term"]
        widgets = {"term": forms.TextInput(attrs={"placeholder": _("e.g. Spring 2027")})}


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )

    def __init__(self, *args, student, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.student = student

    def clean_code(self) -> Classroom:
        code = normalise_join_code(self.cleaned_data["code"])
        classroom = Classroom.objects.filter(join_code=code).first()
        if classroom is None:
            raise forms.ValidationError(
                _("No class has the code “%(code)s”. Check it with your teacher."),
                params={"code": code},
                code="unknown",
            )
        if not classroom.joining_open:
            raise forms.ValidationError(
                _("The class “%(name)s” is closed to new students. Ask your teacher to open it."),
                params={"name": classroom.name},
            )
        if classroom.has_removed(self.student):
            raise forms.ValidationError(
                _(
                    "Your teacher removed you from “%(name)s”, so the code no longer lets you in."
                    " Ask them to let you back in."
                ),
                params={"name": classroom.name},
            )
        return classroom


class CoTeacherForm(forms.Form):
    username = forms.CharField(label=_("Username of the co-teacher"), max_length=150)

    def __init__(self, *args, classroom: Classroom, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.classroom = classroom

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(
                _("Nobody has the username “%(u)s”."), params={"u": username}
            )
        if user.pk == self.classroom.teacher_id:
            raise forms.ValidationError(_("That is the class's own teacher."))
        if self.classroom.co_teachers.filter(pk=user.pk).exists():
            raise forms.ValidationError(
                _("%(u)s already teaches this class."), params={"u": user.get_username()}
            )
        return user

    def save(self) -> CoTeacher:
        """Add the user as co-teacher; they are told the next time they open their classes."""
        return CoTeacher.objects.create(
            classroom=self.classroom, user=self.cleaned_data["username"]
        )


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["title", "instructions", "due_at", "team_work"]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 3}),
            "due_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    # Far enough for any course; and a date near year 1 or 9999 would leave the range a
    # database can store once moved to UTC.
    FIRST_YEAR, LAST_YEAR = 2000, 2100

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if not self.FIRST_YEAR <= due_at.year <= self.LAST_YEAR:
            raise forms.ValidationError(
                _("Pick a date between %(first)s and %(last)s."),
                params={"first": self.FIRST_YEAR, "last": self.LAST_YEAR},
            )
        return due_at


# What a select of canvases shows of a title: about what a phone's select holds on one line.
CHOICE_LENGTH = 30


def _start_and_end(title: str, head: int, tail: int) -> tuple[str, str | None]:
    """The first ``head`` and the last ``tail`` characters of ``title``, at whole words; the
    whole title and None if it is not longer than both."""
    if len(title) <= head + tail + 2:
        return title, None
    start, end = title[:head], title[len(title) - tail :]
    if title[head] != " " and " " in start[head // 2 :]:  # cut in a word: leave it out
        start = start[: start.rindex(" ")]
    if title[-tail - 1] != " " and " " in end[: tail // 2]:
        end = end[end.index(" ") + 1 :]
    return start.rstrip(" ,.;:·-"), end


def _alike(one: tuple[str, str | None], other: tuple[str, str | None]) -> bool:
    """Whether two cut titles would read as the same: the same start, and one's end is all
    that the other shows of its own."""
    (start, end), (other_start, other_end) = one, other
    if end is None or other_end is None:  # shown whole: no cut title reads like it
        return False
    return start == other_start and (end.endswith(other_end) or other_end.endswith(end))


def choice_labels(titles: list[str], length: int = CHOICE_LENGTH) -> list[str]:
    """Each title as a select can show it on one line: its start and its end, some
    ``length`` characters in all. Where two would read alike (titles that share a start and
    an end), each keeps only its first word and more of its end, until what tells them apart
    shows, as near the start as can be: a phone's select cuts off the rest."""
    titles = [" ".join(title.split()) for title in titles]
    heads = [(length - 2) // 2] * len(titles)
    tails = list(heads)
    while True:
        cuts = [_start_and_end(*cut) for cut in zip(titles, heads, tails, strict=True)]
        alike = {
            i
            for i, cut in enumerate(cuts)
            for j, other in enumerate(cuts)
            if i != j and _alike(cut, other)
        }
        if not alike:
            return [start if end is None else f"{start}… {end}" for start, end in cuts]
        for i in alike:
            first_word = titles[i].find(" ")
            heads[i] = min(heads[i], first_word) if first_word > 0 else heads[i]
            tails[i] += 8


class SubmitForm(forms.Form):
    canvas = forms.ModelChoiceField(
        label=_("Canvas to hand in"),
        queryset=Canvas.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Pick one of your own canvases.")},
    )

    def __init__(self, *args, student, assignment: Assignment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.refused: Canvas | None = None  # a team's canvas, picked all the same
        teams = Team.objects.filter(canvas=OuterRef("pk")).values("name")[:1]
        self.fields["canvas"].queryset = Canvas.objects.for_user(student).annotate(
            team_name=Subquery(teams)
        )

    @property
    def chosen_pk(self) -> int | None:
        """The canvas the student picked, as the class page's select marks it again."""
        value = str(self.data.get("canvas", ""))
        return int(value) if value.isdigit() else None

    def clean_canvas(self) -> Canvas:
        """One of the student's own canvases: a team's canvas is handed in by its team."""
        canvas = self.cleaned_data["canvas"]
        if canvas.team_name:
            self.refused = canvas
            raise forms.ValidationError(
                _(
                    "“%(title)s” is the canvas of the team “%(team)s”: it is handed in for the"
                    " team assignment. Pick one of your own canvases."
                ),
                params={"title": canvas.title, "team": canvas.team_name},
            )
        return canvas


class TeamForm(forms.Form):
    """A new team for a team assignment: its name, unique in the assignment.

    With ``pick_students`` (a teacher forming it), also its members: current students of the
    class who are in no team of the assignment yet, the first one owning the team's canvas.
    """

    name = forms.CharField(label=_("Team name"), max_length=80)

    def __init__(self, *args, assignment, pick_students: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.team_pk: int | None = None  # the team renamed, whose own name is not taken
        if pick_students:
            self.fields["students"] = forms.ModelMultipleChoiceField(
                label=_("Students"),
                queryset=get_user_model()
                .objects.filter(
                    memberships__classroom=assignment.classroom_id,
                    memberships__removed_at__isnull=True,
                )
                .exclude(class_teams__assignment=assignment)
                .order_by("username"),
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Pick at least one student for the team.")},
            )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the team a name."))
        taken = Team.objects.filter(assignment=self.assignment, name__iexact=name)
        if taken.exclude(pk=self.team_pk).exists():
            raise forms.ValidationError(
                _("There is already a team called “%(name)s”."), params={"name": name}
            )
        return name

    def save(self, student=None) -> Team:
        """Start the team with ``student`` (a student forming it) or the students picked."""
        students = [student] if student is not None else list(self.cleaned_data["students"])
        return Team.start(self.assignment, self.cleaned_data["name"], students)


class TeamRenameForm(TeamForm):
    """A teacher renames a team: still unique in the assignment (its own name aside, so that
    "owls" may become "Owls")."""

    def __init__(self, *args, team: Team, **kwargs) -> None:
        kwargs.setdefault("initial", {"name": team.name})
        super().__init__(*args, assignment=team.assignment, **kwargs)
        self.team = team
        self.team_pk = team.pk
        self.fields["name"].label = _("New name")

    def save(self) -> bool:
        """Rename the team (and its canvas: ``Team.rename``); whether the canvas's title changed."""
        return self.team.rename(self.cleaned_data["name"])


class TeamMoveInForm(forms.Form):
    """A teacher moves a student into a team: any current student of the class not in it, in
    another team of the assignment (they are moved out of it) or in none."""

    student = forms.ModelChoiceField(
        label=_("Student"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Choose a student"),
        error_messages={"required": _("Choose the student to move into the team.")},
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        current_team = TeamMember.objects.filter(
            assignment=team.assignment_id, student=OuterRef("pk")
        ).values("team__name")[:1]
        field = self.fields["student"]
        field.queryset = (
            get_user_model()
            .objects.filter(
                memberships__classroom=team.assignment.classroom_id,
                memberships__removed_at__isnull=True,
            )
            .exclude(class_teams__team=team)
            .annotate(team_name=Subquery(current_team))
            .order_by("username")
        )
        field.label_from_instance = _student_and_team

    def clean_student(self):
        student = self.cleaned_data["student"]
        current = self.team.assignment.team_of(student)
        if current is not None and (refusal := current.why_not_move_out(student)):
            raise forms.ValidationError(refusal)
        return student


def _student_and_team(student) -> str:
    if student.team_name:
        return _("%(name)s (now in “%(team)s”)") % {
            "name": student.get_username(),
            "team": student.team_name,
        }
    return _("%(name)s (in no team)") % {"name": student.get_username()}


class CommentForm(forms.ModelForm):
    anchor = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    class Meta:
        model = Comment
        fields = ["body", "is_private", "anchor"]
        widgets = {"body": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, submission: Submission, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submission = submission

    def clean_anchor(self) -> str:
        """Only the whole canvas, or a segment or relationship of this very snapshot."""
        anchor = self.cleaned_data["anchor"]
        if anchor not in self.submission.block.anchors:
            raise forms.ValidationError(_("That row is not part of this submission."))
        return anchor


class AnswerForm(CommentForm):
    """A student's answer to the teacher's comments at one place of their submission."""

    class Meta(CommentForm.Meta):
        fields = ["body", "anchor"]
        labels = {"body": _("Your answer")}

    def clean_anchor(self) -> str:
        anchor = super().clean_anchor()
        if not any(c.anchor == anchor and not c.is_private for c in self.submission.comments.all()):
            raise forms.ValidationError(_("There is no comment here to answer."))
        return anchor


class VerdictForm(forms.Form):
    """The verdict and the summary for the student (or team); no verdict yet keeps it waiting."""

    status = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            (Submission.Status.CHANGES_REQUESTED, _("Request changes")),
            (Submission.Status.APPROVED, _("Approve")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    summary = forms.CharField(
        label=_("Summary for the student"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, for_team: bool = False, **kwargs) -> None:
        """``for_team``: the submission is a team's, so the summary is for the team."""
        super().__init__(*args, **kwargs)
        if for_team:
            self.fields["summary"].label = _("Summary for the team")

    def save(self, submission: Submission, reviewer) -> bool:
        """Give the verdict if one was chosen; keep the summary in any case. True if either."""
        status, summary = self.cleaned_data["status"], self.cleaned_data["summary"]
        unchanged = submission.reviewed_at and (status, summary) == (
            submission.status,
            submission.verdict_summary,
        )
        if status and not unchanged:
            submission.set_verdict(status, summary, reviewer)
            return True
        if "summary" in self.data and summary != submission.verdict_summary:
            submission.verdict_summary = summary
            submission.save(update_fields=["verdict_summary"])
            return True
        return False


class RubricForm(forms.Form):
    """One level and remark per criterion; a criterion left without level stays unscored."""

    def __init__(
        self, *args, submission: Submission, carried_from: Submission | None = None, **kwargs
    ) -> None:
        """``carried_from``: a submission whose scores start the form, if this one has none."""
        super().__init__(*args, **kwargs)
        self.submission = submission
        existing = {score.criterion: score for score in submission.rubric_scores.all()}
        self.carried_from = None
        if not existing and carried_from is not None:
            existing = {score.criterion: score for score in carried_from.rubric_scores.all()}
            self.carried_from = carried_from if existing else None
        for criterion, label in RubricScore.Criterion.choices:
            score = existing.get(criterion)
            self.fields[f"{criterion}_level"] = forms.TypedChoiceField(
                label=label,
                choices=[("", _("Not scored")), *RubricScore.Level.choices],
                coerce=int,
                empty_value=None,
                required=False,
                initial=score.level if score else None,
            )
            self.fields[f"{criterion}_remark"] = forms.CharField(
                label=_("Remark"),
                max_length=500,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("Remark (optional)")}),
                initial=score.remark if score else "",
            )

    def rows(self):
        """(level field, remark field) per criterion, for the template."""
        return [
            (self[f"{criterion}_level"], self[f"{criterion}_remark"])
            for criterion in RubricScore.Criterion.values
        ]

    def save(self) -> bool:
        """Store the scores sent; light the student's badge if any changed. True if one did."""
        saved = {score.criterion: score for score in self.submission.rubric_scores.all()}
        changed = False
        for criterion in RubricScore.Criterion.values:
            if self.add_prefix(f"{criterion}_level") not in self.data:
                continue  # not on the page that was sent: left as it is
            level = self.cleaned_data[f"{criterion}_level"]
            remark = self.cleaned_data[f"{criterion}_remark"]
            before = saved.get(criterion)
            if level is None:
                changed |= before is not None
                RubricScore.objects.filter(submission=self.submission, criterion=criterion).delete()
            elif before is None or (before.level, before.remark) != (level, remark):
                changed = True
                RubricScore.objects.update_or_create(
                    submission=self.submission,
                    criterion=criterion,
                    defaults={"level": level, "remark": remark},
                )
        if changed:
            self.submission.feedback_changed()
        return changed


class SavedCommentForm(forms.ModelForm):
    class Meta:
        model = SavedComment
        fields = ["text"]

    def __init__(self, *args, teacher, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.teacher = teacher

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if SavedComment.objects.filter(teacher=self.instance.teacher, text=text).exists():
            raise forms.ValidationError(_("This remark is already in your bank."))
        return text
