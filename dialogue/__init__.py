"""The dialogue's shared vocabulary: identifiers and states every layer speaks of (`vocabulary.py`). Pure: imports
nothing of the project, so storage/, handlers/, bot/ and the pure packages can all use it."""
