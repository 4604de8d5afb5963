"""pingan (平安): an open-source smart-policing data platform."""

__version__ = "0.1.0"
