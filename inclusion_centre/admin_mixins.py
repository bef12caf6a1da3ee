"""Admin behaviour several apps share."""


class NoWritesAdmin:
    """Read-only in the admin site: nobody adds, changes or deletes a row there (the services write them). Put it
    before the ModelAdmin class it restricts."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
