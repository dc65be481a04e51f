"""`make demo`: the whole pipeline on rendered data, on a CPU."""
