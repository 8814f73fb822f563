"""Template filters for the staff pages: a figure in its unit, a row's figure by name."""

from django import template

register = template.Library()


@register.filter
def figure(value, unit: str = "num") -> str:
    """18.2%, $54.10, 0.94x, 3.1, 12; an em dash where there is no figure."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if unit == "pct":
        return f"{value * 100:.1f}%"
    if unit == "money":
        return f"${value:,.2f}"
    if unit == "ratio":
        return f"{value:.2f}x"
    if unit == "num0":
        return f"{value:,.0f}"
    return f"{value:.2f}"


@register.filter
def attr(obj, name: str):
    """obj.name, or obj[name]; None when missing."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


@register.filter
def trend_of(row, name: str) -> str:
    return row.trend(name)
