"""Helpers, fakes and sample records shared by the test modules, imported as `support.<module>`."""
