"""Command-line interface (Typer + Rich). Thin: every command delegates to the library layers.

Sub-packages that add commands expose ``register(app: typer.Typer) -> None`` in a ``commands`` module
(``xxgk.render.commands``, ``xxgk.casework.commands``, ``xxgk.corpus.commands``); they are attached here.
"""

from __future__ import annotations

import importlib

import typer

from xxgk.report_commands import register as register_report_commands

app = typer.Typer(
    name="xxgk",
    help="xxgk 信息公开：解析、审核、生成政府信息公开工作年度报告 (parse, audit, generate annual reports).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

register_report_commands(app)

for _module in ("xxgk.render.commands", "xxgk.casework.commands", "xxgk.corpus.commands"):
    try:
        importlib.import_module(_module).register(app)
    except ModuleNotFoundError as exc:  # a sub-package not installed or not yet written
        if exc.name is None or not _module.startswith(exc.name):
            raise


def main() -> None:
    app()
