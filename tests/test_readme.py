"""The README's usage matches the CLI: every command's ``--help`` is quoted verbatim under "Command reference", and
every option a README example passes to ``cleaner COMMAND`` exists for that command.

After changing an option or a command's docstring, ``.venv/bin/python tests/test_readme.py`` rewrites the
"Command reference" section of the README from the CLI.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cleaner.cli import cli

README_PATH = Path(__file__).resolve().parent.parent / "README.md"
README = README_PATH.read_text(encoding="utf-8")
HELP_WIDTH = 80  # click wraps help at 78 columns on any terminal at least this wide
QUOTED = dict(re.findall(r"```text\n\$ cleaner ?(\w*) --help\n(.*?)```", README, flags=re.DOTALL))
ALL = cli.all_commands()  # batch is imported lazily by the CLI: load it here
COMMANDS = ["", *ALL]  # "" is the group: `cleaner --help`


def help_text(command: str) -> str:
    """``cleaner [COMMAND] --help`` as a terminal of HELP_WIDTH columns shows it."""
    args = [command, "--help"] if command else ["--help"]
    result = CliRunner().invoke(cli, args, prog_name="cleaner", terminal_width=HELP_WIDTH)
    assert result.exit_code == 0
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_quotes_the_help_of_every_command(command: str) -> None:
    assert command in QUOTED, f"README has no ```text block starting with '$ cleaner {command} --help'".replace(
        "  ", " "
    )
    assert QUOTED[command] == help_text(command)


def _example_options() -> list[tuple[str, str]]:
    """``(command, option)`` for every ``--option`` on a README line that runs ``cleaner COMMAND``."""
    pairs: list[tuple[str, str]] = []
    for line in README.splitlines():
        match = re.match(r"(?:\$ )?cleaner (\w+) (.*)", line.strip())
        if match and match.group(1) in ALL:
            code = match.group(2).split("#")[0]
            pairs += [(match.group(1), opt) for opt in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", code)]
    return list(dict.fromkeys(pairs))


def test_readme_examples_exist() -> None:
    assert len(_example_options()) > 20


@pytest.mark.parametrize(("command", "option"), _example_options())
def test_readme_example_options_exist(command: str, option: str) -> None:
    params = ALL[command].get_params(click.Context(ALL[command]))  # with --help
    assert any(option in p.opts or option in p.secondary_opts for p in params if isinstance(p, click.Option)), (
        f"README runs `cleaner {command} {option}`, which `cleaner {command} --help` does not list"
    )


def reference_section() -> str:
    """The README's "Command reference" section, made from the CLI (up to the next section)."""
    parts = [
        "## Command reference\n\n"
        "Each command's `--help`, verbatim (`tests/test_readme.py` checks that this section matches\n"
        "the CLI, and that every option the examples above use exists; `python tests/test_readme.py`\n"
        "rewrites it).\n"
    ]
    for command in COMMANDS:
        name = " ".join(filter(None, ["cleaner", command, "--help"]))
        parts.append(
            f"\n<details><summary><code>{name}</code></summary>\n\n```text\n$ {name}\n{help_text(command)}```\n\n"
            "</details>\n"
        )
    return "".join(parts) + "\n"


if __name__ == "__main__":
    start = README.index("## Command reference\n")
    end = README.index("\n## ", start) + 1
    README_PATH.write_text(README[:start] + reference_section() + README[end:], encoding="utf-8")
