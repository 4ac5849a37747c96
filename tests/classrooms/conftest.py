import pytest

from tests.classrooms.factories import make_assignment, make_classroom
from tests.factories import make_user


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
def teacher_client(client, teacher):
    client.force_login(teacher)
    client.cookies["django_language"] = "en"
    return client
