"""Sign-in, headers, uploads and hostile input: the tests SECURITY.md cites."""
