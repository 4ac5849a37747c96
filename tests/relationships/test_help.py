"""The help teaches what the Business Model Canvas literature says, in both languages."""

import pytest
from django.urls import reverse

from relationships.help import QUESTION_HELP
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_each_guiding_question_says_which_field_answers_it(user):
    page = client_for(user).get(reverse("help")).text
    assert page.count("Answer it in:") == len(QUESTION_HELP)
    assert "“How we interact”, in each relationship." in page


def test_the_help_keeps_the_types_apart_and_says_where_third_parties_stand(user):
    page = client_for(user).get(reverse("help")).text
    assert "not one of Osterwalder&#x27;s six types" in page
    assert "overlaps the Channels block" in page
    assert "Individual is not the same as dedicated personal assistance" in page
    assert "Its cost grows with the number of customers" in page
    assert "from winning them to keeping them" in page


def test_the_help_reads_in_spanish(user):
    client = client_for(user)
    client.cookies["django_language"] = "es"
    page = client.get(reverse("help")).text
    assert "No es uno de los seis tipos de Osterwalder" in page
    assert page.count("Se responde en:") == len(QUESTION_HELP)
