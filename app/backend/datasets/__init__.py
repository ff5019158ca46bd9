"""Datasets: named, versioned collections of examples that experiments run against (wire §6)."""
