from hypothesis import HealthCheck, settings

# One fixed profile: the same examples on every run, so a failure is reproducible.
settings.register_profile(
    "iovlab",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("iovlab")
