"""The ``snare`` command line: one module per verb, assembled in :mod:`snare.cli.main`."""
