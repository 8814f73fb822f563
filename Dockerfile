# One image for web, worker and beat; the vision worker's image adds the vision extra (torch, timm, OpenCV).
#
#   docker compose build                                   # web/worker/beat without torch; vision-worker with it
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu docker compose build vision-worker   # CPU-only torch
#
# EXTRAS:          pip extras to install: "" (default) or "vision".
# TORCH_INDEX_URL: where torch/torchvision come from when EXTRAS has vision. Empty: PyPI's default build
#                  (CUDA on x86_64, several GB). A CPU-only index gives a much smaller image for hosts without GPUs.
FROM python:3.11-slim

ARG EXTRAS=""
ARG TORCH_INDEX_URL=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# OpenCV's headless wheel still links glib; only the vision image needs it.
RUN if [ -n "$EXTRAS" ]; then \
      apt-get update && apt-get install -y --no-install-recommends libglib2.0-0 && rm -rf /var/lib/apt/lists/*; \
    fi

WORKDIR /app
COPY . .

# torch first, from the chosen index, at the version the vision extra pins; the extra then finds it satisfied.
RUN if [ -n "$TORCH_INDEX_URL" ] && [ -n "$EXTRAS" ]; then \
      pip install --index-url "$TORCH_INDEX_URL" \
        "$(python -c 'import tomllib; d = tomllib.load(open("pyproject.toml", "rb")); print(next(r for r in d["project"]["optional-dependencies"]["vision"] if r.startswith("torch==")))')" \
        "$(python -c 'import tomllib; d = tomllib.load(open("pyproject.toml", "rb")); print(next(r for r in d["project"]["optional-dependencies"]["vision"] if r.startswith("torchvision==")))')"; \
    fi \
 && pip install -e ".${EXTRAS:+[$EXTRAS]}"

# Static files are collected at build time and served by whitenoise (compressed, hashed names).
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only DJANGO_ENV_FILE=/dev/null \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 app && mkdir -p /app/var && chown -R app /app/var
USER app

EXPOSE 8000
# Proxy headers are the app's business (TRUSTED_PROXIES, restaurant/middleware.py), not the server's.
CMD ["uvicorn", "restaurant.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers"]
