"""`{% registered_documents source as documents %}`: the registered documents of an object, for the small block
that the source's own page includes (templates/documents/_registered_block.html). The page has already checked
that the reader may see the source, which is the same right as downloading its PDFs."""

from django import template
from django.utils.safestring import mark_safe

from documents import permissions, selectors

register = template.Library()


@register.simple_tag
def registered_documents(source):
    return selectors.documents_of_source(source)


@register.simple_tag(takes_context=True)
def may_export_personal_file(context, student) -> bool:
    return permissions.can_export_personal_file(context["request"].user, student)


@register.filter
def css_string(value) -> str:
    """`value` as the inside of a double-quoted CSS string in a `<style>` element: quotes, backslashes, line breaks
    and the characters that could close the element become CSS escapes."""
    text = str(value)
    return mark_safe("".join(f"\\{ord(char):X} " if char in '\\"<>&\n\r' else char for char in text))


@register.simple_tag(takes_context=True)
def documents_to_sign(context, source) -> list:
    """The registered documents of `source` in force that the form names the reader as a signer of (a lecturer
    reaches the route's signatures page this way: they do not get the whole route's PDF)."""
    from documents.models import RegisteredDocument
    from documents.signatures.services import roles_of

    user = context["request"].user
    return [
        document
        for document in selectors.documents_of_source(source)
        if document.status == RegisteredDocument.Status.IN_FORCE and roles_of(user, document)
    ]
