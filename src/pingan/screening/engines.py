"""The names of the screening engines (``pingan screen --engine``, ``PINGAN_SCREENING_ENGINE``), in a module that
imports nothing, so that a command's options are built without loading the engines (pyarrow, DuckDB):
:func:`pingan.screening.batch.get_engine` builds them."""

#: The engines :func:`pingan.screening.batch.get_engine` knows.
ENGINES = ("duckdb", "spark")
