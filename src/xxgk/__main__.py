"""``python -m xxgk`` runs the command-line interface."""

from xxgk.cli import main

main()
