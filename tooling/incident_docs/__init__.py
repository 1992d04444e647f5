"""incident-docs: incidents and blameless postmortems as Markdown records in git."""

# Between releases, the next one as a development version (PEP 440): what this code does is not
# what the last release does, and `incident init --github` must not pin CI to that release.
__version__ = "0.2.0.dev0"
