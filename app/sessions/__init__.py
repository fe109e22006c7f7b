"""Sessions, below the web: opened, copied, commanded, loaded, replayed and bookmarked in
one place (``Sessions``), with the limits on making one applied for every caller."""

from .live import Live
from .service import Sessions, TooManySessions
from .shipped import Shipped, load_shipped

__all__ = ["Live", "Sessions", "Shipped", "TooManySessions", "load_shipped"]
