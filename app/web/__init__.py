"""The web layer: FastAPI routers, the SSE stream, and HTML rendering of hops."""
