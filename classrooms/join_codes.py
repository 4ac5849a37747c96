"""Join codes: short, unambiguous when read aloud or copied from a board."""

import secrets

# No 0/O, 1/I/L: a code read aloud in class or copied from a board must not be ambiguous.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    """What a student typed, as it is stored: no spaces or dashes, capitals."""
    return "".join(code.split()).upper().replace("-", "")
