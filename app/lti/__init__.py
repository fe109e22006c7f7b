"""LTI 1.3: an exercise launched from an LMS course, its score sent to the gradebook."""
