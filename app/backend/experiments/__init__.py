"""Experiments: projects with a reference dataset, compared side by side, and comparative
(pairwise) experiments over two or more of them (wire §6)."""
