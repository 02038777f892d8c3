"""Paging a list in the database: which page to show of how many, and where it starts."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    page: int
    pages: int
    offset: int
    size: int


def window(total: int, requested: int, size: int) -> Window:
    """The requested page, clamped: below 1 is the first, past the end the last (an empty list
    has one, empty, page), so the offset is always one the database accepts."""
    pages = max((total + size - 1) // size, 1)
    page = min(max(requested, 1), pages)
    return Window(page, pages, (page - 1) * size, size)
