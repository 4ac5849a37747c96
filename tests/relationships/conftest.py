import pytest


@pytest.fixture(autouse=True)
def _no_piece_recalled_from_another_test():
    """Each process also recalls the pieces it served last (relationships/cards.py); a test
    starts without any, as it starts with an empty cache (tests/conftest.py)."""
    from relationships import cards

    cards.forget_recent()
