"""decide: choose between interventions in a crisis."""

__version__ = "0.1.0"
