"""A task module that fails while being imported, as a module with a bug does."""

SETTINGS = {"days": 30}
RETENTION = SETTINGS["weeks"]  # raises KeyError on import
