"""Template context shared by every page."""


def current_restaurant(request):
    return {"current_restaurant": getattr(request, "restaurant", None)}
