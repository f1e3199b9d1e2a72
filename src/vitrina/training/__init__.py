"""Advisor training: scripted customers in private rooms, scored against a rubric."""
