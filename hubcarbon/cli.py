"""The `hubcarbon` command: composes the subcommands and turns known errors into one line.

Each subcommand lives in its own module under `hubcarbon.commands` and exposes `command`, a
click command named after the module; adding a command means adding one module. The group is
lazy: a subcommand's module is imported only when that subcommand runs (or `--help` lists it),
so `hubcarbon lint` never loads the analysis stack. A command whose optional dependencies are
not installed (`pip install 'hubcarbon[all]'`) says so in one line and exits 2.
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

EXTRA = "all"
"""The extra that brings the mining-analysis-report toolkit: `pip install 'hubcarbon[all]'`."""


class MissingExtraError(HubcarbonError):
    """A command needs a module that only `hubcarbon[all]` installs."""


def missing_extra(command: str, module: str) -> MissingExtraError:
    return MissingExtraError(
        f"`hubcarbon {command}` needs the optional dependencies of hubcarbon[{EXTRA}] "
        f"(no module {module!r}): pip install 'hubcarbon[{EXTRA}]'"
    )


class _Unavailable(click.Command):
    """Stands for a command whose module cannot be imported for lack of the extra."""

    def __init__(self, name: str, module: str) -> None:
        super().__init__(
            name,
            help=f"(needs hubcarbon[{EXTRA}]: pip install 'hubcarbon[{EXTRA}]')",
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
            add_help_option=False,
        )
        self.module = module

    def invoke(self, ctx: click.Context) -> object:
        raise missing_extra(self.name or "", self.module)


class _Group(click.Group):
    """A lazy group that reports HubcarbonError as one line and an exit code, never a
    traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(m.name for m in pkgutil.iter_modules(commands.__path__))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.list_commands(ctx):
            return None
        try:
            module = importlib.import_module(f"{commands.__name__}.{cmd_name}")
        except ModuleNotFoundError as exc:
            top = (exc.name or "").partition(".")[0]
            if top in {"hubcarbon", "mining", "analysis", "classifiers", "reports"} or not top:
                raise
            return _Unavailable(cmd_name, top)
        command = getattr(module, "command", None)
        return command if isinstance(command, click.Command) else None

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
