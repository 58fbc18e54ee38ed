"""Commands that other distributions add through the entry-point group ``lensengine.commands``."""

import ast
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import lensengine
from lensengine import cli


def fake_entry_points(*points):
    return lambda group: [p for p in points if p.group == group]


def test_the_trainers_add_train_and_stylize():
    commands = cli.added_commands()
    assert {"train", "stylize"} <= set(commands)
    assert commands["train"].__name__ == "lensengine_trainers.cli"


def test_train_hands_its_arguments_to_the_trainers(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("lensengine-trainers ")


def test_a_command_that_fails_to_load_is_reported_and_skipped(monkeypatch, caplog):
    broken = EntryPoint("broken", "no_such_module_anywhere", cli.COMMAND_GROUP)
    monkeypatch.setattr(cli, "entry_points", fake_entry_points(broken))
    assert cli.added_commands() == {}
    assert "'broken'" in caplog.text and "no_such_module_anywhere" in caplog.text


def test_a_command_cannot_take_a_built_in_name(monkeypatch, caplog):
    impostor = EntryPoint("run", "lensengine_trainers.cli", cli.COMMAND_GROUP)
    monkeypatch.setattr(cli, "entry_points", fake_entry_points(impostor))
    assert cli.added_commands() == {}
    assert "built-in" in caplog.text


def test_a_missing_trainers_distribution_gets_one_line(monkeypatch, capsys):
    monkeypatch.setattr(cli, "entry_points", fake_entry_points())
    assert cli.main(["train", "pix2pix"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "lensengine: error: `lensengine train` needs the trainers (pip install -e trainers in a lensengine checkout)"
    ]


def test_the_core_never_imports_the_trainers():
    offenders = []
    for path in Path(lensengine.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "lensengine_trainers"]
    assert offenders == []


def test_a_built_in_command_imports_no_added_command(monkeypatch):
    loaded = []
    monkeypatch.setattr(cli, "added_commands", lambda only=None: loaded.append(only) or {})
    monkeypatch.setattr(cli.BUILT_IN["lenses"], "handle", lambda args: 0)
    assert cli.main(["lenses"]) == 0
    assert loaded == []


def test_train_calls_itself_lensengine_train_in_its_usage(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    assert capsys.readouterr().out.startswith("usage: lensengine train ")
