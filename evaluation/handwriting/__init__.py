"""Real handwritten digits (a development set, never a training row) and their rendering as uploads."""
