"""Form plumbing shared by every app."""


class InvalidFormStatusMixin:
    """Answer an invalid form with 422 Unprocessable Content instead of 200.

    The page is the same (fields, values, an error summary); the status lets assistive tools, tests and
    proxies tell a refused submission from a successful one.
    """

    invalid_status = 422

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = self.invalid_status
        return response
