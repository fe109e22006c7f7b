FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY scenarios ./scenarios
RUN pip install --no-cache-dir .
ENV IOVLAB_SCENARIOS_DIR=/app/scenarios IOVLAB_MODE=production
EXPOSE 8000
# the schema is migrated once (`iovlab db upgrade`, the compose file's migrate service)
# before the workers start; serve refuses an unmigrated database
CMD ["iovlab", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
