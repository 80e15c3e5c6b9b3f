"""Realistic drawings of digits, made independently of the Digits training rows, for evaluation."""
