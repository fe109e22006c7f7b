"""Lessons: a scenario plus steps a lecturer walks through, with narration and questions."""
