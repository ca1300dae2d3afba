"""The read-only web view of the draft synopsis for the secretariat: signed links (tokens), the page, the server."""
