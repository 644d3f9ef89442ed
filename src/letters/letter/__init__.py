"""Stage 2, one letter: its figures and wording, HTML, PDF, tags and proofreading."""
