"""Build the Ombudsman's annual review letters to councils from YAML data and Jinja templates."""

__version__ = "0.2.0"
