"""Stage 1, the data: the project folder, its files loaded with their line numbers and
validated into typed models."""
