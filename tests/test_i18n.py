"""The language switch and its catalogues: every key in every language, and a learner-proof switch."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

import conv_lessons
from conv_lessons import i18n

LOCALE = Path(i18n.__file__).resolve().parent / "locale"


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_every_language():
    keys = {language: set(i18n.catalogue(language)) for language in i18n.LANGUAGES}
    english = keys["en"]
    for language, theirs in keys.items():
        assert theirs - english == set(), f"{language}.json has keys English lacks: {sorted(theirs - english)}"
        assert english - theirs == set(), f"{language}.json lacks keys: {sorted(english - theirs)}"


def test_translations_fill_in_the_same_fields():
    english = i18n.catalogue("en")
    for language in i18n.LANGUAGES[1:]:
        for key, template in i18n.catalogue(language).items():
            assert _fields(template) == _fields(english[key]), f"{language}.json[{key!r}] fills other fields"


def test_catalogues_are_flat_tables_of_non_empty_strings():
    for language in i18n.LANGUAGES:
        table = json.loads((LOCALE / f"{language}.json").read_text(encoding="utf-8"))
        assert all(isinstance(v, str) and v.strip() for v in table.values()), language


def test_the_check_catches_a_missing_key(tmp_path, monkeypatch):
    """The parity test is not vacuous: a key in one catalogue only is found."""
    tables = {"en": {"a": "A", "b": "B"}, "zh": {"a": "甲"}}
    monkeypatch.setattr(i18n, "catalogue", lambda language: tables[language])
    with pytest.raises(AssertionError, match="lacks keys"):
        test_every_key_exists_in_every_language()


def test_set_language_switches_and_refuses_unknown_languages():
    assert conv_lessons.get_language() == "en"
    conv_lessons.set_language("zh")
    assert conv_lessons.get_language() == "zh"
    conv_lessons.set_language("EN")
    assert conv_lessons.get_language() == "en"
    for bad in ("fr", "", None, 3):
        with pytest.raises(ValueError, match=r"language: expected one of \['en', 'zh'\]"):
            conv_lessons.set_language(bad)
    assert conv_lessons.get_language() == "en"


def test_listeners_hear_every_switch():
    heard = []
    i18n.on_language_change(heard.append)
    try:
        i18n.set_language("zh")
        i18n.set_language("en")
    finally:
        i18n._listeners.remove(heard.append)
    assert heard == ["zh", "en"]
