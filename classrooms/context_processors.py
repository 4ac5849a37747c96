from classrooms.models import Submission


def unread_feedback(request) -> dict:
    """How many reviewed submissions the user has not opened since; counted only if shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_feedback_count": lambda: Submission.objects.with_unread_feedback(user).count()}
