"""Exercises: instructors author and grade them, students answer them, practice mode."""

from fastapi import APIRouter

from . import auth, instructor, lti, lti_instructor, practice, student

router = APIRouter()
for _feature in (auth, instructor, student, practice, lti, lti_instructor):
    router.include_router(_feature.router)
