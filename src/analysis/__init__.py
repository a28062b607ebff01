"""Comparative text analytics of policy agendas: corpus -> paragraphs -> tokens -> counts,
models and figures. See the README for the pipeline and the notebooks for the story."""

__version__ = "0.1.0"
