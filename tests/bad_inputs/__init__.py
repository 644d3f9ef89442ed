"""The bad inputs: files beside this one, and the table of all cases (cases.py)."""
