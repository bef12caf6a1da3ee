"""A signed archival package of a case, and its offline check (`manage.py verify_archive`).

The package is a ZIP:

    documents/<number>_v<version>_<language>.pdf   every stored PDF of the case's registered documents
    signatures/<number>_v<version>_<n>.p7s          detached CMS signatures stored with them (when there are any)
    register.csv, register.xml                      the register rows of those documents (exports.register_*)
    audit-chain.jsonl                               the audit-chain entries that cover them, one JSON object a line
    manifest.txt                                    SHA-256 of every other file, `sha256sum` format, "#" comments
    manifest.p7s  or  manifest.hmac                 the manifest's signature

The manifest is signed with the institution's seal when one is configured (a detached CMS, documents.seal);
otherwise with an HMAC-SHA256 keyed by this installation's SECRET_KEY, which only this installation can check
(the manifest says which). `verify_archive` reads nothing but the ZIP (and, for an HMAC, the SECRET_KEY): it
recomputes every hash, checks the manifest's signature, recomputes each audit entry's hashes and the links between
them, and checks that every PDF is one the chain registered.
"""

import csv
import datetime
import hashlib
import hmac
import io
import itertools
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit.canonical import entry_hash, sha256_hex, source_label
from audit.models import AuditChainEntry, StatusChange

from . import seal
from .exports import _safe, register_csv, register_xml
from .models import RegisteredDocument, RegisteredFile

MANIFEST = "manifest.txt"
MANIFEST_CMS = "manifest.p7s"
MANIFEST_HMAC = "manifest.hmac"
AUDIT_FILE = "audit-chain.jsonl"
HMAC_SALT = "documents.archive.manifest"
SIGNED_WITH = "# signature: "
_LINE = re.compile(r"^([0-9a-f]{64})  (\S.*)$")


# --- Detached CMS signatures stored with registered documents (the ЭЦП work) -------------------------------------


def _signature_model():
    """documents.Signature (a FK to RegisteredDocument, a `cms` bytes field) when that model exists, else None."""
    try:
        return apps.get_model("documents", "Signature")
    except LookupError:
        return None


def detached_signatures(documents: list[RegisteredDocument]) -> list[tuple[RegisteredDocument, bytes]]:
    """The extension point for qualified signatures: every detached CMS stored with one of `documents`, as
    (document, DER bytes), oldest first. Empty while the `documents.Signature` model does not exist; once it does,
    its rows are found through its foreign key to RegisteredDocument, whatever that field is called."""
    model = _signature_model()
    if model is None or not documents:
        return []
    link = next(f for f in model._meta.concrete_fields if f.is_relation and f.related_model is RegisteredDocument)
    by_id = {document.pk: document for document in documents}
    rows = model.objects.filter(**{f"{link.name}__in": list(by_id)}).order_by("pk").values_list(link.attname, "cms")
    return [(by_id[document_id], bytes(cms)) for document_id, cms in rows]


# --- Building --------------------------------------------------------------------------------------------------


def _chain_entries(documents: list[RegisteredDocument]) -> list[dict]:
    """The chain entries that cover the documents: their registrations, their stored PDFs and their status
    changes, each with the `prev_hash` of the entry after it (so the link forward can be checked too)."""
    document_ids = [document.pk for document in documents]
    file_ids = [stored.pk for document in documents for stored in document.files.all()]
    document_type = ContentType.objects.get_for_model(RegisteredDocument)
    change_ids = StatusChange.objects.filter(content_type=document_type, object_id__in=document_ids).values("pk")
    wanted = (
        Q(source_type=document_type, source_id__in=document_ids)
        | Q(source_type=ContentType.objects.get_for_model(RegisteredFile), source_id__in=file_ids)
        | Q(source_type=ContentType.objects.get_for_model(StatusChange), source_id__in=change_ids)
    )
    entries = list(AuditChainEntry.objects.filter(wanted).select_related("source_type").order_by("seq"))
    following = dict(
        AuditChainEntry.objects.filter(seq__in=[entry.seq + 1 for entry in entries]).values_list("seq", "prev_hash")
    )
    return [
        {
            "seq": entry.seq,
            "kind": entry.kind,
            "source": source_label(entry.source_type),
            "source_id": entry.source_id,
            "created_at": entry.created_at.astimezone(datetime.UTC).isoformat(),
            "content": entry.content,
            "content_hash": entry.content_hash,
            "prev_hash": entry.prev_hash,
            "entry_hash": entry.entry_hash,
            "next_prev_hash": following.get(entry.seq + 1),
        }
        for entry in entries
    ]


def manifest_hmac(manifest: bytes) -> str:
    return salted_hmac(HMAC_SALT, manifest, algorithm="sha256").hexdigest()


def build_case_archive(*, title: str, documents: list[RegisteredDocument]):
    """The signed archival package of a case's registered documents (see the module's docstring); `documents`
    come with their files prefetched. Returns an open temporary file at its start, for the caller to stream."""
    files: dict[str, bytes] = {}
    for document in documents:
        base = f"{_safe(document.number)}_v{document.version}"
        if document.destroyed_at is None:
            for stored in document.files.all():
                with stored.file.open("rb") as handle:
                    files[f"documents/{base}_{stored.language}.pdf"] = handle.read()
    counters: dict[int, int] = {}
    for document, cms in detached_signatures(documents):
        counters[document.pk] = counters.get(document.pk, 0) + 1
        files[f"signatures/{_safe(document.number)}_v{document.version}_{counters[document.pk]}.p7s"] = cms
    files["register.csv"] = register_csv(documents)
    files["register.xml"] = register_xml(documents)
    files[AUDIT_FILE] = "".join(
        json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n" for entry in _chain_entries(documents)
    ).encode()

    signing = "cms" if seal.is_configured() else "hmac-sha256"
    header = [
        f"# {title}",
        f"# made: {timezone.now().astimezone(datetime.UTC).isoformat(timespec='seconds')}",
        SIGNED_WITH + signing,
    ]
    lines = [f"{hashlib.sha256(content).hexdigest()}  {path}" for path, content in sorted(files.items())]
    manifest = ("\n".join(header + lines) + "\n").encode()

    archive_file = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 -- the caller streams it
    with zipfile.ZipFile(archive_file, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
        archive.writestr(MANIFEST, manifest)
        if signing == "cms":
            archive.writestr(MANIFEST_CMS, seal.sign_detached(manifest))
        else:
            archive.writestr(MANIFEST_HMAC, manifest_hmac(manifest) + "\n")
    archive_file.seek(0)
    return archive_file


# --- Verifying (offline) --------------------------------------------------------------------------------------


@dataclass
class ArchiveReport:
    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.passed)


def _read_manifest(archive: zipfile.ZipFile, report: ArchiveReport) -> tuple[bytes, str, dict[str, str]] | None:
    try:
        manifest = archive.read(MANIFEST)
    except KeyError:
        report.problems.append(_("The package has no manifest."))
        return None
    signing, listed = "", {}
    for number, line in enumerate(manifest.decode("utf-8", "replace").splitlines(), start=1):
        if line.startswith(SIGNED_WITH):
            signing = line[len(SIGNED_WITH) :].strip()
        elif line.startswith("#") or not line:
            continue
        elif (match := _LINE.match(line)) is None:
            report.problems.append(_("Manifest line %(number)s cannot be read.") % {"number": number})
        else:
            listed[match[2]] = match[1]
    return manifest, signing, listed


def _check_files(archive: zipfile.ZipFile, listed: dict[str, str], report: ArchiveReport) -> dict[str, bytes]:
    contents = {}
    present = set(archive.namelist()) - {MANIFEST, MANIFEST_CMS, MANIFEST_HMAC}
    for path in sorted(present - set(listed)):
        report.problems.append(_("%(path)s is in the package but not in the manifest.") % {"path": path})
    bad = 0
    for path, expected in sorted(listed.items()):
        if path not in present:
            report.problems.append(_("%(path)s is in the manifest but missing from the package.") % {"path": path})
            bad += 1
            continue
        contents[path] = archive.read(path)
        if hashlib.sha256(contents[path]).hexdigest() != expected:
            report.problems.append(_("%(path)s does not match its SHA-256 in the manifest.") % {"path": path})
            bad += 1
    if not bad and listed:
        report.passed.append(_("All %(count)s files match the manifest.") % {"count": len(listed)})
    return contents


def _check_signature(archive, manifest: bytes, signing: str, trust_roots, report: ArchiveReport) -> None:
    names = set(archive.namelist())
    if signing == "cms" and MANIFEST_CMS in names:
        check = seal.verify_detached(manifest, archive.read(MANIFEST_CMS), trust_roots=trust_roots)
        if not check.ok:
            report.problems.append(_("The manifest's signature is not valid: %(reason)s.") % {"reason": check.reason})
        elif trust_roots is None:
            report.passed.append(
                _("The manifest is signed by %(signer)s (its certificate was not checked against a trusted root).")
                % {"signer": check.signer}
            )
        else:
            report.passed.append(
                _("The manifest is signed by %(signer)s, issued by a trusted root.") % {"signer": check.signer}
            )
    elif signing == "hmac-sha256" and MANIFEST_HMAC in names:
        given = archive.read(MANIFEST_HMAC).decode("ascii", "replace").strip()
        if hmac.compare_digest(given, manifest_hmac(manifest)):
            report.passed.append(_("The manifest's HMAC matches this installation's key (no institution seal)."))
        else:
            report.problems.append(
                _("The manifest's HMAC does not match: the manifest was changed, or another installation made it.")
            )
    else:
        report.problems.append(_("The manifest is not signed."))


def _check_chain(lines: bytes, report: ArchiveReport) -> dict[str, set]:
    """Recompute each entry's hashes and the links between them; returns what the entries register: the SHA-256
    of each stored PDF and each document's number and version."""
    registered: dict[str, set] = {"sha256": set(), "numbers": set()}
    entries, bad = [], 0
    for number, line in enumerate(lines.decode("utf-8", "replace").splitlines(), start=1):
        try:
            entry = json.loads(line)
            created_at = datetime.datetime.fromisoformat(entry["created_at"])
            ok = sha256_hex(entry["content"]) == entry["content_hash"] and entry["entry_hash"] == entry_hash(
                seq=entry["seq"],
                kind=entry["kind"],
                source=entry["source"],
                source_id=entry["source_id"],
                created_at=created_at,
                content_hash=entry["content_hash"],
                prev_hash=entry["prev_hash"],
            )
            content = json.loads(entry["content"])
        except (ValueError, KeyError, TypeError):
            ok, entry, content = False, {"seq": f"line {number}"}, {}
        if not ok:
            report.problems.append(_("Audit entry %(seq)s was changed: its hashes do not match it.") % entry)
            bad += 1
            continue
        if entry.get("next_prev_hash") not in (None, entry["entry_hash"]):
            report.problems.append(_("Audit entry %(seq)s is not the one the next entry links to.") % entry)
            bad += 1
        entries.append(entry)
        if entry["source"] == "documents.registeredfile":
            registered["sha256"].add(content.get("sha256"))
        elif entry["source"] == "documents.registereddocument" and "number" in content:
            registered["numbers"].add((content["number"], str(content.get("version"))))
    for before, after in itertools.pairwise(entries):
        if after["seq"] == before["seq"] + 1 and after["prev_hash"] != before["entry_hash"]:
            report.problems.append(_("Audit entry %(seq)s does not link to the entry before it.") % after)
            bad += 1
    if not bad:
        report.passed.append(
            _("All %(count)s audit-chain entries and their links are intact.") % {"count": len(entries)}
        )
    return registered


def _check_bindings(contents: dict[str, bytes], registered: dict[str, set], report: ArchiveReport) -> None:
    bad = 0
    for path, content in sorted(contents.items()):
        if path.startswith("documents/") and hashlib.sha256(content).hexdigest() not in registered["sha256"]:
            report.problems.append(_("%(path)s is not a PDF the audit chain registered.") % {"path": path})
            bad += 1
    rows = list(csv.DictReader(io.StringIO(contents.get("register.csv", b"").decode("utf-8-sig", "replace"))))
    for row in rows:
        if (row.get("number"), row.get("version")) not in registered["numbers"]:
            report.problems.append(
                _("Register row %(number)s is not a registration the audit chain holds.")
                % {"number": row.get("number")}
            )
            bad += 1
    if not bad:
        report.passed.append(
            _("Every PDF and every register row (%(count)s) is registered in the audit chain.") % {"count": len(rows)}
        )


def verify_archive(path_or_file, *, trust_roots: list | None = None) -> ArchiveReport:
    """Check a package made by build_case_archive without the database; returns what passed and every problem."""
    report = ArchiveReport()
    try:
        archive = zipfile.ZipFile(path_or_file)
    except (OSError, zipfile.BadZipFile):
        report.problems.append(_("The file is not a ZIP archive."))
        return report
    with archive:
        read = _read_manifest(archive, report)
        if read is None:
            return report
        manifest, signing, listed = read
        contents = _check_files(archive, listed, report)
        _check_signature(archive, manifest, signing, trust_roots, report)
        registered = _check_chain(contents.get(AUDIT_FILE, b""), report)
        _check_bindings(contents, registered, report)
    return report
