"""The published archive: the MkDocs plugin, the pages it generates, and a stage for plain MkDocs."""
