"""Stage 3, the build: every council through the letter stage in parallel, its outputs
written whole, and a manifest of what was built."""
