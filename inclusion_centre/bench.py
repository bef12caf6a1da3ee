"""Support for the scale benchmark (bench/run.py). Nothing here is active unless its setting is on."""

from django.db import connection


class QueryCountMiddleware:
    """Counts the SQL queries a request makes and sends the count in an X-Queries header (BENCH_QUERY_COUNT).

    First in the stack, so the count includes the session, the user and everything the other middleware asks.
    A streamed response (a PDF) is counted up to the moment its body starts, which is when its queries are done.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
