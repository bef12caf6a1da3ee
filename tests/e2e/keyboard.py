"""Keyboard-only helpers for the browser tests: walk the Tab order of a page, reach a control with Tab alone.

Nothing here clicks. Focus moves only with the keys a keyboard user has (Tab, Shift+Tab, Enter, Space, arrows);
`page.evaluate` only reads what the browser reports (which element has focus, how it is drawn).
"""

import pytest
from playwright.sync_api import Page

# Every element the Tab key stops at, in document order (no positive tabindex is used anywhere, so document order
# is the Tab order). A radio group is one stop: Tab enters it, the arrows move inside it.
_STOPS_JS = """() => {
  const key = (el) => {
    if (el.type === 'radio' && el.name) {
      return 'radio group "' + el.name + '" in form ' + Array.from(document.forms).indexOf(el.form);
    }
    if (!el.dataset.kbdStop) {
      window.__kbdNext = (window.__kbdNext || 0) + 1;
      el.dataset.kbdStop = String(window.__kbdNext);
    }
    const label = (el.getAttribute('name') || el.id || el.textContent || el.getAttribute('href') || '').trim();
    return el.tagName.toLowerCase() + ' #' + el.dataset.kbdStop + ' "' + label.slice(0, 40) + '"';
  };
  window.__kbdKey = (el) => {
    if (!el || el === document.body || el === document.documentElement) return null;
    return key(el);
  };
  const selector = 'a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], '
    + '[contenteditable=""], [contenteditable="true"]';
  const stops = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || el.type === 'hidden' || el.tabIndex < 0 || el.closest('[inert]')) continue;
    if (getComputedStyle(el).visibility === 'hidden' || el.getClientRects().length === 0) continue;
    const k = key(el);
    if (!stops.includes(k)) stops.push(k);
  }
  return stops;
}"""

# Which stop has focus, and whether the browser draws its focus indicator: a visible outline or a box shadow.
_ACTIVE_JS = """() => {
  const el = document.activeElement;
  const k = window.__kbdKey(el);
  if (k === null) return {key: null, visible: true};
  const s = getComputedStyle(el);
  const transparent = s.outlineColor === 'transparent' || /rgba\\(.*, 0\\)$/.test(s.outlineColor);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !transparent;
  const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
  return {key: k, visible: outline || shadow, focusVisible: el.matches(':focus-visible')};
}"""


def _presses(page: Page, key: str, count: int) -> list[dict]:
    seen = []
    for _ in range(count):
        page.keyboard.press(key)
        seen.append(page.evaluate(_ACTIVE_JS))
    return seen


def _rotation(order: list[str], first: str) -> list[str]:
    start = order.index(first)
    return order[start:] + order[:start]


def tab_walk(page: Page, where: str) -> list[str]:
    """Press Tab through the whole page and back with Shift+Tab; fail unless every stop is reached in order, none
    comes twice before the round is over (no trap), nothing else takes focus, and each focused stop shows focus."""
    stops = page.evaluate(_STOPS_JS)
    count = len(stops)
    assert count > 0, f"{where}: nothing to reach with Tab"

    forward = _presses(page, "Tab", count + 2)
    reached = [step["key"] for step in forward if step["key"]]
    stray = sorted(set(reached) - set(stops))
    assert not stray, f"{where}: Tab stopped on elements that are not meant to be stops: {stray}"
    missing = [stop for stop in stops if stop not in reached]
    assert not missing, f"{where}: Tab never reached {missing}"
    assert reached[:count] == _rotation(stops, reached[0]), (
        f"{where}: Tab did not go round every stop once in page order (a trap or a skip): {reached}"
    )
    hidden_focus = [step["key"] for step in forward if step["key"] and not (step["visible"] and step["focusVisible"])]
    assert not hidden_focus, f"{where}: focus is not visible on {hidden_focus}"

    backward = _presses(page, "Shift+Tab", count + 2)
    back = [step["key"] for step in backward if step["key"]]
    reverse = list(reversed(stops))
    assert back[:count] == _rotation(reverse, back[0]), f"{where}: Shift+Tab did not go back through the stops: {back}"
    hidden_focus = [step["key"] for step in backward if step["key"] and not step["visible"]]
    assert not hidden_focus, f"{where}: focus is not visible on {hidden_focus} (going back)"
    return stops


def tab_to(page: Page, selector: str, *, limit: int = 300) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user moves to a control."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector} on {page.url}")


def focused_matches(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)
