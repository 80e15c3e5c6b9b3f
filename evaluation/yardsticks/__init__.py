"""Accuracy measured as a user meets it: labelled uploads POSTed to the real server over HTTP."""
