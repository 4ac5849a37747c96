import pytest

from tests.classrooms.factories import make_assignment, make_classroom
from tests.factories import make_user
from tests.helpers import client_for


@pytest.fixture
def teacher(db):
    return make_user("teacher")


@pytest.fixture
def classroom(teacher):
    return make_classroom(teacher)


@pytest.fixture
def assignment(classroom):
    return make_assignment(classroom)


@pytest.fixture
def teacher_client(teacher):
    """The teacher's own browser, logged in, reading English."""
    return client_for(teacher)
