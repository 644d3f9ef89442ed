"""Beside the pipeline: one council's draft, served live while staff edit."""
