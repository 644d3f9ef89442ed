"""Before the pipeline: the case system's figures from a spreadsheet into the council files."""
