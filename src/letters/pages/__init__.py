"""The tool's own pages (overview, preview, problems): templates and one strict environment."""
