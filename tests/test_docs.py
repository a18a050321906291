"""The README's registry tables are generated, and must match the registries."""

import pytest

from bench import docs


def test_readme_tables_are_up_to_date():
    assert docs.render(docs.README.read_text()) == docs.README.read_text(), "run: python -m bench.docs"


def test_readme_gives_the_two_commands():
    text = docs.README.read_text()
    assert "make bench" in text and "make test" in text


def test_missing_block_is_named():
    with pytest.raises(ValueError, match="registry:functions"):
        docs.render("no blocks here")
