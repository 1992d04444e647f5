"""`python -m incident_docs` runs the `incident` command."""

from incident_docs.cli import main

main()
