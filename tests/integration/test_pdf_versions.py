"""Form templates are versioned data: a document keeps the template version it was made with, so a
new version of a form changes new documents only, and an old one re-renders to the same bytes."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from types import MappingProxyType

import pytest

from core.db.tx import write_tx
from core.documents import legal_forms, render, service
from core.documents.tables import GeneratedDocument
from core.documents.tasks import render_document
from core.settings import get_settings
from tests.integration.test_documents_builders import build_dossier, pdf_text

CURRENT = legal_forms.FORMS["form01"].version
NEXT = str(int(CURRENT) + 1)
NEXT_MARK = f"Mẫu in phiên bản {NEXT}"


@pytest.fixture
def form01_next(tmp_path, monkeypatch):
    """Release the next version of form 01: a new template file beside the current one, and the form's
    current version bumped."""
    folder = tmp_path / "templates" / "documents" / f"v{NEXT}"
    folder.mkdir(parents=True)
    (folder / "form01.html").write_text(
        f'{{% extends "documents/v{CURRENT}/form01.html" %}}\n'
        '{% block status_line %}{{ super() }}<p class="note">' + NEXT_MARK + "</p>{% endblock %}\n",
        encoding="utf-8",
    )
    original_dirs = render.plugin_template_dirs
    monkeypatch.setattr(render, "plugin_template_dirs", lambda: [tmp_path / "templates", *original_dirs()])
    render.print_environment.cache_clear()
    bumped = dict(legal_forms.FORMS)
    bumped["form01"] = replace(bumped["form01"], version=NEXT)
    monkeypatch.setattr(legal_forms, "FORMS", MappingProxyType(bumped))
    yield
    render.print_environment.cache_clear()


async def _form01(built, event: str) -> int:
    async with write_tx():
        return await service.request_legal_form("form01", built["dossier_id"], built["events"][event])


async def _bytes(doc_id: int) -> bytes:
    await render_document({}, document_id=doc_id)
    row = await service.get_document(doc_id)
    assert row["status"] == "ready", row["error"]
    return service.read_file(row)


async def test_a_new_template_version_changes_new_documents_only(db, tmp_path, request):
    built = await build_dossier()
    old_id = await _form01(built, "receive")
    old_pdf = await _bytes(old_id)
    old = await service.get_document(old_id)
    assert old["template_version"] == CURRENT
    assert old["context"]["_template"] == f"documents/v{CURRENT}/form01.html"

    request.getfixturevalue("form01_next")  # a new version is released after the first receipt was printed
    new_id = await _form01(built, "supplement")  # another event: a new document
    new = await service.get_document(new_id)
    assert new["template_version"] == NEXT and new["context"]["_template"] == f"documents/v{NEXT}/form01.html"
    assert NEXT_MARK in " ".join(pdf_text(await _bytes(new_id), tmp_path).split())

    # The old receipt's file is lost: it is rendered again with ITS version, to the same bytes.
    (get_settings().files_dir / old["path"]).unlink()
    await GeneratedDocument.update({GeneratedDocument.status: "pending"}).where(
        GeneratedDocument.id == old_id
    )
    again = await _bytes(old_id)
    assert again == old_pdf
    assert hashlib.sha256(again).hexdigest() == old["sha256"]
    assert NEXT_MARK not in pdf_text(again, tmp_path)


def test_every_form_has_a_template_for_its_current_version():
    from core.text.templating import CORE_TEMPLATES

    for form in legal_forms.FORMS.values():
        assert (CORE_TEMPLATES / form.template).is_file(), form.template
    assert (CORE_TEMPLATES / legal_forms.template_for("fee_receipt", service.FEE_RECEIPT_VERSION)).is_file()
