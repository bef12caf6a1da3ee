"""`{% registered_documents source as documents %}`: the registered documents of an object, for the small block
that the source's own page includes (templates/documents/_registered_block.html). The page has already checked
that the reader may see the source, which is the same right as downloading its PDFs."""

from django import template

from documents import permissions, selectors

register = template.Library()


@register.simple_tag
def registered_documents(source):
    return selectors.documents_of_source(source)


@register.simple_tag(takes_context=True)
def may_export_personal_file(context, student) -> bool:
    return permissions.can_export_personal_file(context["request"].user, student)
