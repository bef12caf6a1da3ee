"""Numbers in SVG, attributes and CSV are never localised; the dashboard's bars carry their label and value; a chart
whose every value is 0 is replaced by a sentence."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import django_filters
import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

# Attributes whose value is (or holds) a number a browser parses: a decimal comma there breaks the picture.
NUMERIC_ATTRIBUTES = {
    "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy", "viewbox",
    "style", "value", "min", "max", "step", "transform", "points", "d", "offset", "opacity", "font-size",
}  # fmt: skip
DECIMAL_COMMA = re.compile(r"\d,\d")


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self.svg_text: list[str] = []
        self._in_svg_text = False

    def handle_starttag(self, tag, attrs):
        self._in_svg_text = tag == "text"
        for name, value in attrs:
            if name.lower() in NUMERIC_ATTRIBUTES or name.lower().startswith("data-"):
                self.found.append((tag, name, value or ""))

    def handle_endtag(self, tag):
        self._in_svg_text = False

    def handle_data(self, data):
        if self._in_svg_text:
            self.svg_text.append(data)


def _parse(body: str) -> _Attributes:
    parser = _Attributes()
    parser.feed(body)
    return parser


def _localised(body: str) -> list[tuple[str, str, str]]:
    return [(tag, name, value) for tag, name, value in _parse(body).found if DECIMAL_COMMA.search(value)]


@pytest.mark.parametrize("language", ["ru", "kk", "ky"])
def test_no_attribute_carries_a_localised_number(client, in_force, centre_head, language):
    client.cookies["language"] = language
    client.force_login(centre_head)
    for name in ("routes:dashboard", "routes:reports"):
        body = client.get(reverse(name)).content.decode()
        parsed = _parse(body)
        assert any(tag == "rect" for tag, _, _ in parsed.found), name  # the charts are there to check
        assert _localised(body) == [], name


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_csv_export_has_no_localised_numbers(client, in_force, centre_head, language):
    client.cookies["language"] = language
    client.force_login(centre_head)
    response = client.get(reverse("routes:reports") + "?format=csv")
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert cells
    assert [cell for cell in cells if re.fullmatch(r"-?\d+,\d+", cell.strip())] == []


def test_each_bar_carries_its_label_and_value(client, in_force, centre_head):
    client.cookies["language"] = "en"
    client.force_login(centre_head)
    parsed = _parse(client.get(reverse("routes:dashboard")).content.decode())
    labels = [text.strip() for text in parsed.svg_text]
    assert "Approved, in force: 1" in labels
    assert "Conclusion issued: 1" in labels
    # The table is the accessible version; the picture is hidden from screen readers.
    body = client.get(reverse("routes:dashboard")).content.decode()
    assert all('aria-hidden="true"' in svg for svg in re.findall(r"<svg class=\"chart__svg\"[^>]*>", body))


def test_a_chart_of_zeros_is_a_sentence_not_an_empty_box(client, in_force, centre_head):
    client.cookies["language"] = "en"
    client.force_login(centre_head)
    body = client.get(reverse("routes:dashboard")).content.decode()
    median = body[body.index('id="chart-median_days"') :]
    median = median[: median.index("</section>")]
    assert "<svg" not in median
    assert "Every figure here is 0, so there is no chart to draw." in median
    assert "<table" in median  # the figures themselves are still given


def _form_classes():
    import audit.filters
    import documents.filters
    import routes.forms.assessment
    import routes.forms.common
    import routes.forms.meeting
    import routes.forms.route
    import students.filters
    import students.forms

    form_modules = (routes.forms.assessment, routes.forms.common, routes.forms.meeting, routes.forms.route)
    for module in (*form_modules, students.forms):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value.__name__, value.base_fields
    for module in (audit.filters, documents.filters, students.filters):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_filters.FilterSet)
                and value.__module__ == module.__name__
            ):
                yield value.__name__, {name: f.field for name, f in value.base_filters.items()}


@pytest.mark.parametrize("language", ["ru", "kk", "ky"])
def test_date_and_time_inputs_carry_iso_values(language):
    """A browser's <input type="date"> takes only 2026-11-23: a localised "23.11.2026" shows an empty box, and the
    form then saves the date as cleared."""
    day, moment = datetime.date(2026, 11, 23), datetime.time(14, 29)
    checked = []
    with translation.override(language):
        for form_name, fields in _form_classes():
            for name, field in fields.items():
                kind = getattr(field.widget, "input_type", "")
                if kind not in {"date", "time"} and field.widget.attrs.get("type") not in {"date", "time"}:
                    continue
                kind = field.widget.attrs.get("type", kind)
                html = field.widget.render(name, day if kind == "date" else moment)
                value = re.search(r'value="([^"]*)"', html).group(1)
                assert value == ("2026-11-23" if kind == "date" else "14:29"), f"{form_name}.{name}: {value}"
                checked.append(f"{form_name}.{name}")
    assert len(checked) >= 5, checked
