"""Examples: the versioned rows of a dataset (wire §6)."""
