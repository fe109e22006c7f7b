"""Exercises: question templates answered by the simulation, variants, grading."""
