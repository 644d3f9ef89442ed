"""Between years: next year's folder from this one."""
