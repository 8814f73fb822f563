"""The one API router, mounted at /api/v1/ (the same with or without DEBUG)."""

urlpatterns: list = []
