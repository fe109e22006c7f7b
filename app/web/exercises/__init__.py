"""Exercises: instructors author and grade them, students answer them, practice mode."""

from fastapi import APIRouter

from . import auth, instructor, lti, practice, student

router = APIRouter()
for _feature in (auth, instructor, student, practice, lti):
    router.include_router(_feature.router)
