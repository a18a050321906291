"""The README's registry tables are generated, and must match the registries."""

from pathlib import Path

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


def test_bench_list_shows_every_family_and_optimiser_with_its_defaults():
    import subprocess
    import sys

    import schedules
    from bench import optimizers

    done = subprocess.run(
        [sys.executable, "-m", "bench", "list"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    lines = done.stdout.splitlines()
    for name in schedules.names():
        family = schedules.get(name)
        line = next(line for line in lines if line.split()[:1] == [name])
        for key, value in family.parameters().items():
            assert f"{key}={docs.toml_value(value)}" in line, (name, key)
    for name in optimizers.names():
        assert any(line.split()[:1] == [name] and optimizers.get(name).reference in line for line in lines), name
    assert any(line.split()[:1] == ["NAME+plateau"] for line in lines)
    for kind in ("none", "gradient", "langevin"):
        assert any(line.split()[:1] == [kind] for line in lines), kind
    assert docs.toml_value((0.5, 0.75)) == "[0.5, 0.75]" and docs.toml_value(False) == "false"
    assert docs.toml_value("linear") == '"linear"' and docs.toml_value(1e-3) == "0.001"


def test_the_readme_extension_example_runs(tmp_path):
    """The README's 'Adding a function, a schedule or an optimiser' block, run as written."""
    import re
    import subprocess
    import sys

    readme = docs.README.read_text()
    block = re.search(r"<!-- example:extend -->\n```python\n(.*?)```", readme, re.S).group(1)
    check = (
        "\nimport reports, pandas\n"
        "assert set(results['schedule']) == {'constant', 'sqrt_decay'}\n"
        "assert set(results['optimizer']) == {'sgd', 'momentum_half'}\n"
        "summary = pandas.read_csv('runs/extend/summary.csv')\n"
        "assert len(summary) == 4 and summary['success_rate'].between(0, 1).all()\n"
        "print('ok')\n"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", block + check], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]
