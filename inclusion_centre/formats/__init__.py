"""The project's date, time and number formats per language (settings.FORMAT_MODULE_PATH).

Django ships no formats for Kazakh, so kk fell back to the English defaults: a 12-hour clock ("2:29 Т.Қ.") and
month-first dates. Every language here uses the 24-hour clock and day-first dates, as people in Kazakhstan and
Kyrgyzstan write them. Numbers a browser parses (SVG, CSS, attributes, CSV) must never go through these formats:
templates use `{% localize off %}` or `|unlocalize` there.
"""
