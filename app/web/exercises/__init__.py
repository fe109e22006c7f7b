"""Exercises: instructors author and grade them, students answer them, practice mode."""

from fastapi import APIRouter

from . import auth, instructor, practice, student

router = APIRouter()
for _feature in (auth, instructor, student, practice):
    router.include_router(_feature.router)
