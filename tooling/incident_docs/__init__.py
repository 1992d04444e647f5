"""incident-docs: incidents and blameless postmortems as Markdown records in git."""

__version__ = "0.1.0"
