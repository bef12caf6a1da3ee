# The admins of axes and django-otp are imported (so registered) first, to be replaced at the end of this module.
from axes import admin as axes_admin
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_email import admin as otp_email_admin
from django_otp.plugins.otp_static import admin as otp_static_admin
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from simple_history.admin import SimpleHistoryAdmin

from inclusion_centre.admin_mixins import NoWritesAdmin

from .invitations import invite
from .models import StaffProfile, User
from .services import POWER_FIELDS, user_set_powers
from .signals import admin_read


class ReadLoggedAdmin:
    """For models holding personal data: every change, delete, history and list page the admin site shows is
    announced with `signals.admin_read`, and the audit app writes it to the access log like any other read."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and not getattr(request, "_admin_read_logged", False):
            admin_read.send(sender=self.model, request=request, obj=obj)
        return obj

    def _read_history(self, request, object_id) -> None:
        # The history of a deleted record is still readable: then the read names no record. Django's own history
        # view calls get_object too: one entry is enough.
        obj = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        admin_read.send(sender=self.model, request=request, obj=obj, history=True)
        request._admin_read_logged = True

    def history_view(self, request, object_id, extra_context=None):
        self._read_history(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._read_history(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        admin_read.send(sender=self.model, request=request, obj=None)
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete pickers (/admin/autocomplete/) answer with names searched here, on this model's admin;
        # the list page's own search is already logged by changelist_view.
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            admin_read.send(sender=self.model, request=request, obj=None)
        return super().get_search_results(request, queryset, search_term)


class LabelledListEditableAdmin:
    """Editable columns in a list have no <label>: each input is named for its column and its row (WCAG 1.3.1,
    4.1.2), e.g. "Order: Visual impairment"."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                for field in self.fields.values():
                    if field.label:
                        field.widget.attrs["aria-label"] = f"{capfirst(field.label)}: {self.instance}"

        return LabelledForm


def _permissions(user: User) -> set[tuple[int, str]]:
    # From the rows, not ModelBackend: it answers "none" for a disabled account, which could then be taken over
    # and enabled again.
    rows = Permission.objects.filter(Q(user=user) | Q(group__user=user)).values_list("content_type_id", "codename")
    return set(rows)


def holds_more_than(user: User, other: User) -> bool:
    """Whether `user` may do something `other` may not (so `other` must not be able to take over `user`)."""
    if other.is_superuser:
        return False
    return user.is_superuser or not _permissions(user) <= _permissions(other)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(ReadLoggedAdmin, SimpleHistoryAdmin, BaseUserAdmin):
    """Accounts. Nobody grants a power they do not hold: superuser and admin-site status, roles and permissions are
    read-only to anyone who is not a superuser, and an account that may do more than the editor is read-only to them
    as a whole (its password and e-mail too, so it cannot be taken over). A superuser's change of powers goes
    through `user_set_powers`, which chains it in the audit trail."""

    ordering = ["full_name", "email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "preferred_language"]
    search_fields = ["email", "full_name"]
    inlines = [StaffProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "iin", "preferred_language")}),
        (
            _("Roles and access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
        (_("University sign-in"), {"fields": ("sign_in_links",)}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined", "sign_in_links"]
    filter_horizontal = ["groups", "user_permissions"]
    actions = ["send_invitation"]

    @admin.display(description=_("Linked accounts"))
    def sign_in_links(self, obj):
        # Made at the person's first sign-in through the university's provider or directory (provisioning.py);
        # later sign-ins find the account by them. Read only here.
        links = obj.external_identities.order_by("source", "issuer") if obj.pk else []
        if not links:
            return _("None: this person has not signed in through the university's sign-in.")
        return format_html_join(
            "", "<div>{}: {} — {}</div>", ((link.get_source_display(), link.issuer, link.subject) for link in links)
        )

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

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj)]
        if not request.user.is_superuser:
            fields.extend(POWER_FIELDS)
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and holds_more_than(obj, request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and holds_more_than(obj, request.user):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # The powers asked for are set by user_set_powers after the save; the row keeps its stored ones till then.
        form.wanted_powers = {name: form.cleaned_data.pop(name) for name in POWER_FIELDS if name in form.cleaned_data}
        stored = User.objects.filter(pk=obj.pk).values("is_superuser", "is_staff").first() if change else None
        obj.is_superuser = stored["is_superuser"] if stored else False
        obj.is_staff = stored["is_staff"] if stored else False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(form, "wanted_powers", None):
            user_set_powers(user=form.instance, actor=request.user, **form.wanted_powers)


@admin.register(StaffProfile)
class StaffProfileAdmin(ReadLoggedAdmin, SimpleHistoryAdmin):
    list_display = ["user", "position", "specialty"]
    list_filter = ["specialty"]
    search_fields = ["user__full_name", "user__email", "position_kk", "position_ru", "position_en", "position_ky"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(NoWritesAdmin, BaseGroupAdmin):
    """The roles are code (roles.ROLE_PERMISSIONS, applied by a migration through sync_roles): read-only here for
    everyone, so no one gives a role, and with it its members, a power from the admin site."""


# The e-mailed codes that allow setting up an authenticator: nothing in them for anyone to look at.
admin.site.unregister(otp_email_admin.EmailDevice)

# Authenticators, with the keys and recovery codes hidden (settings.OTP_ADMIN_HIDE_SENSITIVE_DATA), and the sign-in
# attempts (addresses, e-mails): their reads are logged.
for _model, _base in (
    (axes_admin.AccessAttempt, axes_admin.AccessAttemptAdmin),
    (axes_admin.AccessLog, axes_admin.AccessLogAdmin),
    (axes_admin.AccessFailureLog, axes_admin.AccessFailureLogAdmin),
    (otp_totp_admin.TOTPDevice, otp_totp_admin.TOTPDeviceAdmin),
    (otp_static_admin.StaticDevice, otp_static_admin.StaticDeviceAdmin),
):
    if not admin.site.is_registered(_model):
        continue
    admin.site.unregister(_model)
    admin.site.register(_model, type(_base.__name__, (ReadLoggedAdmin, _base), {"__module__": __name__}))
