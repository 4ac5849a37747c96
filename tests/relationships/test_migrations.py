"""Migrations that change data: what was stored before comes through them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_text_length_limits_cut_what_an_old_import_let_through():
    old = migrate(("relationships", "0001_initial"))
    user = old.get_model("auth", "User").objects.create(username="importer")
    canvas = old.get_model("relationships", "Canvas").objects.create(
        owner_id=user.pk, title="Tea", description="d" * 2500, business_fit="fits"
    )

    new = migrate(("relationships", "0002_text_length_limits"))
    canvas = new.get_model("relationships", "Canvas").objects.get(pk=canvas.pk)
    assert len(canvas.description) == 2000
    assert (canvas.title, canvas.business_fit) == ("Tea", "fits")  # within limits: untouched
