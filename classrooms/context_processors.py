from classrooms.models import Submission


def unread_feedback(request) -> dict:
    """The header's count of reviewed submissions the user has not opened since.

    It earns its place on every page: the badge is how a student learns, wherever they are
    working, that a teacher answered. It costs one indexed COUNT, and only on a full page that
    shows the header (the value is lazy: htmx partials and PDFs never run it); the query counts
    pinned by the tests include it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_feedback_count": lambda: Submission.objects.with_unread_feedback(user).count()}
