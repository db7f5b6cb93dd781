"""The `hubcarbon` command: composes the subcommands and turns known errors into one line.

Each subcommand lives in its own module under `hubcarbon.commands` and exposes `command`, a
click command; this module discovers them, so adding a command means adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Sequence

import click

from hubcarbon import __version__, commands
from hubcarbon.core.errors import HubcarbonError

EPILOG = """\b
Examples:
  hubcarbon crawl                       # crawl the embedded snapshot into out/hubcarbon.duckdb
  hubcarbon analyze && hubcarbon classify && hubcarbon report
  hubcarbon lint README.md              # lint a model card, as in CI
  hubcarbon crawl --endpoint https://huggingface.co --models co2   # the live Hub
"""


class _Group(click.Group):
    """A group that reports HubcarbonError as one line and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except HubcarbonError as exc:
            click.echo(f"hubcarbon: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("hubcarbon: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hubcarbon")
def cli() -> None:
    """Mine the Hugging Face Hub for carbon-emissions reporting; analyse, grade, publish it, and
    lint model cards."""


def _load_commands() -> None:
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            cli.add_command(command)


_load_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (usable from tests without a subprocess)."""
    try:
        # without standalone mode, click returns (not raises) the code of a ctx.exit()/Exit
        code = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("hubcarbon: aborted", err=True)
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
