"""How right the model is on what users send: generated drawings, real handwriting, and both over HTTP."""
