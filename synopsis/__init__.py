"""The draft synopsis: compile contributions into themes (pure), and render the document as Markdown, DOCX or JSON.

No Matrix and no database imports here: the bot and the CLI gather the inputs and hand them in.
"""
