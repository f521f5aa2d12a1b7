"""``python -m labtrack`` runs the command line."""

from labtrack.cli import main

main()
