"""Imports go one way: base modules, then the domains from lower to higher, the web edge, the app on top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "block_service"

# Lowest first; a module may import its own layer and the layers before it. A new domain goes into DOMAINS:
# above every domain it reads, below every domain that reads it.
BASE = [
    "settings",
    "clock",
    "i18n",
    "names",
    "errors",
    "schemas",
    "db",
    "piccolo_conf",
    "cache",
    "pagination",
    "periodic",
    "migrate",
]
DOMAINS = [
    "audit",
    "inbox",
    "accounts",
    "shops",
    "groups",
    "pledges",
    "threads",
    "plans",
    "council",
    "funds",
    "meetings",
    "projects",
    "notices",
    "offers",
    "needs",
    "insights",
    "privacy",
]
WEB = "web"  # the edge: reads every domain's services; only controllers import it
TOP = {"app", "cli", "seed", "piccolo_app"}  # assemble everything; nothing imports them
ORDER = {name: rank for rank, name in enumerate(BASE + DOMAINS)}


def _modules() -> list[tuple[Path, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append((path, ".".join(parts)))
    return found


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The block_service modules a statement imports (`from block_service.x import y` names x.y if y is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    named = [f"{base}.{alias.name}" for alias in node.names]
    return [name for name in named if _exists(name)] or [base]


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_controller(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("controllers")


def _refusal(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported`, or None when the import follows the layers."""
    source, target = _layer(importer), _layer(imported)
    if source == target or source in TOP or target == "__init__":
        return None
    if target in TOP:
        return f"{target} assembles the service and sits on top: nothing imports it"
    if _is_controller(imported):
        return (
            "a controller is imported only by the app (or by a higher domain's controllers)"
            if not (_is_controller(importer) and ORDER[source] > ORDER[target])
            else None
        )
    if target == WEB:
        if _is_controller(importer):
            return None
        return "only controllers import web/: services, tables and schemas raise message ids and leave the edge alone"
    if source == WEB:
        return None
    if ORDER[source] < ORDER[target]:
        return (
            f"{source} sits below {target}: the higher layer reads the lower one, or registers a hook "
            "(web/page_parts.py, shops/events.py)"
        )
    return None


def _violations() -> list[str]:
    found = []
    for path, module in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for imported in _imported(module, path, node):
                if not imported.startswith("block_service.") or imported == "block_service":
                    continue
                reason = _refusal(module, imported)
                if reason:
                    where = path.relative_to(PACKAGE.parent)
                    found.append(f"{where}:{node.lineno} imports {imported}: {reason}")
    return found


def test_every_module_of_the_package_has_a_place_in_the_layers():
    unplaced = sorted({_layer(module) for _, module in _modules()} - set(ORDER) - TOP - {WEB, "__init__"})
    assert not unplaced, f"put {unplaced} into BASE, DOMAINS or TOP of tests/test_layers.py"


def test_imports_follow_the_layers():
    violations = _violations()
    assert not violations, "imports against the layers:\n" + "\n".join(violations)


@pytest.mark.parametrize(
    ("importer", "imported", "refused"),
    [
        ("block_service.shops.services", "block_service.groups.services", True),
        ("block_service.accounts.controllers", "block_service.shops.services", True),
        ("block_service.threads.services", "block_service.web.i18n", True),
        ("block_service.errors", "block_service.web.i18n", True),
        ("block_service.db", "block_service.piccolo_conf", True),
        ("block_service.threads.services", "block_service.groups.services", False),
        ("block_service.groups.controllers", "block_service.web.auth", False),
        ("block_service.web.auth", "block_service.accounts.people", False),
        ("block_service.web.auth", "block_service.accounts.controllers", True),
        ("block_service.council.controllers", "block_service.groups.controllers", False),
        ("block_service.app", "block_service.threads.controllers", False),
    ],
)
def test_the_rule_refuses_an_import_against_the_layers_and_only_those(importer, imported, refused):
    assert (_refusal(importer, imported) is not None) is refused


TRANSLATING = {"gettext", "ngettext", "pgettext", "_"}
# Still translating below the edge: none. Words the domains put into schemas (a deleted account's label,
# a thread author's) are i18n.later(...) values, translated by the edge. Never add an entry.
STILL_TRANSLATING: set[str] = set()


def _translators() -> set[str]:
    """Modules below the edge (not web/, not controllers, not errors or i18n) that import a translating gettext."""
    found = set()
    for path, module in _modules():
        if _layer(module) in TOP | {WEB, "i18n", "errors"} or _is_controller(module):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module in ("block_service.i18n", "block_service.web.i18n"):
                if any(alias.name in TRANSLATING for alias in node.names):
                    found.add(module)
    return found


def test_services_raise_message_ids_and_leave_translation_to_the_edge():
    """FormInvalid and DomainError carry English msgids (marked with N_); the edge translates them."""
    translators = _translators()
    assert translators <= STILL_TRANSLATING, f"translate at the edge instead: {sorted(translators - STILL_TRANSLATING)}"
    assert translators == STILL_TRANSLATING, (
        f"no longer translating, drop from the list: {STILL_TRANSLATING - translators}"
    )
