"""`python -m railcheck`."""

from railcheck.cli import run

run()
