"""Operator-facing guarantees of the project as a whole."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


@pytest.mark.django_db
def test_no_migration_is_pending():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.parametrize("language", ["es", "en"])
def test_translation_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{entry.msgid!r} is not in the compiled .mo: run make messages"
        assert compiled[key] == (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (.ci/run has it)")
def test_every_marked_text_is_in_the_catalogue(tmp_path):
    """A text marked for translation but never merged would show in English to Spanish users."""
    base = Path(settings.BASE_DIR)
    skip = shutil.ignore_patterns(".*", "__pycache__", "staticfiles", "artifacts", "*.mo", "docs")
    for name in os.listdir(base):
        source = base / name
        if source.is_dir() and not name.startswith(".") and name not in {"staticfiles", "docs"}:
            shutil.copytree(source, tmp_path / name, ignore=skip)
        elif source.suffix == ".py":
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    current = polib.pofile(str(LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"))
    fresh = polib.pofile(str(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    missing = _texts(fresh) - _texts(current)
    assert missing == set(), "texts not in the catalogue yet: run make messages"


def _texts(po):
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


def test_demo_data_command_is_idempotent(db):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    from relationships.models import Canvas

    assert Canvas.objects.filter(owner__username="demo").count() == 1


def run_manage(*args, **env):
    import os
    import subprocess
    import sys

    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="canvas.example.org",
        EMAIL_HOST="smtp.example.org",
        DEFAULT_FROM_EMAIL="no-reply@canvas.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", SECRET_KEY="", ALLOWED_HOSTS="canvas.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
