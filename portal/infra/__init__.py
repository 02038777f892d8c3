"""Infrastructure every feature stands on: the database session, the clock, absolute URLs,
signing, browser sessions, error pages, Jinja set-up and the installed assets. Nothing here
imports a feature (tests/test_import_graph.py)."""
