"""Every `kepu ...` command the README shows exists, with the options it shows; the README stays
the users' page (short enough to read), and its set-up commands are the ones CI runs."""

from __future__ import annotations

import itertools
import re

import typer.main

from common.settings import PROJECT_ROOT
from kepu.cli import app

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
# `kepu` followed by words, options and slash-separated alternatives, up to the end of the code
_COMMAND = re.compile(r"(?<![\w/.-])kepu((?: +(?:--?[\w-]+|[\w./=-]+(?:/[\w-]+)*))*)")


def _mentions() -> list[list[str]]:
    """Each command line the README shows, alternatives ("push/pull") expanded."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S) + re.findall(r"`([^`\n]+)`",
                                                                          README):
        for match in _COMMAND.finditer(block.split("#")[0] if "\n" not in block else block):
            words = match.group(1).split()
            if not words:
                continue
            choices = [w.split("/") if "/" in w and not w.startswith("-") and "." not in w
                       else [w] for w in words]
            found += [list(c) for c in itertools.product(*choices)]
    return found


def _resolve(words: list[str]) -> tuple[object, list[str]]:
    command = typer.main.get_command(app)
    rest = list(words)
    while getattr(command, "commands", None) and rest and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    return command, rest


def test_every_command_in_the_readme_exists_with_its_options():
    mentions = _mentions()
    assert len(mentions) >= 25
    for words in mentions:
        command, rest = _resolve(words)
        if words == ["--help"]:
            continue
        assert not getattr(command, "commands", None), f"`kepu {' '.join(words)}`: no such command"
        known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
        for word in rest:
            option = word.split("=")[0]
            if option.startswith("-"):
                assert option in known, f"`kepu {' '.join(words)}`: no option {option}"


def test_the_readme_is_a_users_page_with_the_two_setup_commands():
    assert len(README.encode("utf-8")) < 12_500
    for user in ("reviewer lead", "authority", "researcher"):
        assert f"Quick start: {user}" in README
    assert "bash scripts/dev.sh demo" in README and "bash scripts/dev.sh test" in README
    assert "scripts/dev.sh test" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for linked in re.findall(r"\]\((docs/[\w.-]+)\)", README):
        assert (PROJECT_ROOT / linked).exists(), linked
