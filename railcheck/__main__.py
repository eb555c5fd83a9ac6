"""`python -m railcheck`."""

from railcheck.cli import main

main()
