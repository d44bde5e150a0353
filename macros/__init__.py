"""Data layer of the site: load and validate data/, render it with Jinja. Does not import MkDocs."""
