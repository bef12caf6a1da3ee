from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .invitations import invite
from .models import StaffProfile, User


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["full_name", "email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "preferred_language"]
    search_fields = ["email", "full_name"]
    inlines = [StaffProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Roles and access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups", "user_permissions"]
    actions = ["send_invitation"]

    @admin.action(description=_("Send invitation (first password)"), permissions=["change"])
    def send_invitation(self, request, queryset):
        # Only accounts with no password yet can be invited; the others are counted and named back.
        invitations = invite(users=queryset, actor=request.user)
        skipped = queryset.count() - len(invitations)
        if invitations:
            self.message_user(
                request,
                ngettext(
                    "An invitation is on its way to %(count)d person.",
                    "Invitations are on their way to %(count)d people.",
                    len(invitations),
                )
                % {"count": len(invitations)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d account was left out: it has a password already or is disabled.",
                    "%(count)d accounts were left out: they have a password already or are disabled.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "position", "specialty"]
    list_filter = ["specialty"]
    search_fields = ["user__full_name", "user__email", "position_kk", "position_ru", "position_en", "position_ky"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
