"""The apps form layers, and each imports only from the layers below it, never upward, not even inside a function:

    inclusion_centre.urls, .views, .pages   the URLs and the pages that combine apps (home, case page, personal file)
    routes        assessment and conclusion, route and agreement, team meetings; the demo data
    students      reference data, applications, consents, supporting documents
    documents     numbering, registered documents, the printed forms' registry, rendering, verification, storage
    audit         history pages, move(), status changes, access log, hash chain
    inclusion_centre.accounts, .outbox and the core helpers (history, workdays, figure_cache, client_address, …)

A lower app that must reach a higher one offers a registry that the higher one fills from its AppConfig.ready():
the printed forms (documents.forms_registry: students and routes register theirs), the case page that the students
app's refused moves show (students.case_page: the pages app registers it). A model may point upward only by a
string reference (a registered document names its student); the lower app then reads through that relation
(`field.related_model`, a join), never by importing the higher app's models.

The contract is `[tool.importlinter]` in pyproject.toml; `make lint` runs it too. No module takes part in an import
cycle either, counting the imports inside functions (docs/architecture.md).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("inclusion_centre", "students", "routes", "documents", "audit")


def test_the_layers_contract_holds():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint_imports, "import-linter is not installed (pip install -e '.[dev]')"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_takes_part_in_an_import_cycle():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert _cycles(graph) == []


def _layer_modules() -> set[str]:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return {name.strip() for layer in contract["layers"] for name in layer.replace("\\", " ").split(":")}


def test_every_module_of_the_project_lies_in_a_layer():
    """A new module beside the apps (a core helper, a page) must be placed in the picture, or the contract would
    silently not check it."""
    layered = _layer_modules()
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    outside = sorted(
        module
        for module in graph.modules
        if module.count(".") >= 1
        and not any(module == name or module.startswith(name + ".") for name in layered)
        and module.split(".")[0] == "inclusion_centre"
    )
    assert outside == [], f"not in any layer of pyproject.toml's contract: {outside}"
