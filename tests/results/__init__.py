"""Reference values from publications and independent software, each with its source."""
