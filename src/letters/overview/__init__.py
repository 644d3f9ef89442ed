"""Stage 5, the year at a glance: build/index.html and build/letters.csv, from the build's
manifest and the records of approving and sending."""
