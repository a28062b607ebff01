"""Errors raised for bad input: their message names the file, row, theme or parameter at fault."""


class AnalysisError(ValueError):
    """Bad input the user can fix. The command line prints the message without a traceback."""


class CorpusError(AnalysisError):
    """A corpus that cannot be loaded as it is (missing column, duplicate id, unreadable file, ...)."""


class CodebookError(AnalysisError):
    """A theme codebook that does not follow the schema."""


class ParameterError(AnalysisError):
    """An unknown parameter name or an impossible parameter value."""
