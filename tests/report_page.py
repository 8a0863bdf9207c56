"""Reads a generated HTML page (the class report, a feedback page) back into its parts."""
from html.parser import HTMLParser


class Page(HTMLParser):
    """The tables of a page by id (rows of cell texts), paragraphs by id, image sources."""

    def __init__(self, text):
        super().__init__()
        self.tables, self.paragraphs, self.images, self.scripts = {}, {}, [], 0
        self._table = self._row = self._cell = self._paragraph = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "p" and "id" in attrs:
            self._paragraph = attrs["id"]
            self.paragraphs[self._paragraph] = ""
        elif tag == "img":
            self.images.append(attrs["src"])
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "p":
            self._paragraph = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._paragraph is not None:
            self.paragraphs[self._paragraph] += data
