"""Command line: ``python -m analysis report|run|validate``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import AnalysisError

DEFAULT_CORPUS = "data"
DEFAULT_CODEBOOK = "data/themes.yml"
DEFAULT_NOTEBOOKS = "notebooks"


def _add_parameter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", metavar="FILE.yml", help="YAML file of parameter values")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="set one parameter (VALUE is read as YAML); may be repeated")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="run every notebook in order")
    report.add_argument("--notebooks", default=DEFAULT_NOTEBOOKS, help="folder of notebooks (default: notebooks)")
    _add_parameter_options(report)
    run = commands.add_parser("run", help="run one notebook")
    run.add_argument("notebook", help="path to the notebook")
    _add_parameter_options(run)
    validate = commands.add_parser("validate", help="check a corpus and a codebook, run nothing else")
    validate.add_argument("--corpus", default=DEFAULT_CORPUS, help="corpus folder or table (default: data)")
    validate.add_argument("--codebook", default=DEFAULT_CODEBOOK, help="codebook (default: data/themes.yml)")
    validate.add_argument("--text-column", default="text", help="text column of a table corpus (default: text)")
    return parser


def _overrides(args) -> dict:
    """Parameters from ``--params`` and ``-p``. When one notebook is run with a parameter file
    written for the whole report, values only its sibling notebooks declare are left out."""
    from .runner import notebook_parameters, notebooks_in, parse_value, read_parameter_file

    values = read_parameter_file(args.params) if args.params else {}
    if values and args.command == "run":
        notebook = Path(args.notebook)
        own = notebook_parameters(notebook)
        siblings = set().union(*(notebook_parameters(nb) for nb in notebooks_in(notebook.parent)))
        values = {name: value for name, value in values.items() if name in own or name not in siblings}
    for name, value in args.parameter:
        values[name] = parse_value(value)
    return values


def _validate(args) -> None:
    from ..io.codebook import read_codebook
    from ..io.corpus import read_corpus

    corpus = read_corpus(args.corpus, text_column=args.text_column)
    codebook = read_codebook(args.codebook)
    print(f"corpus {args.corpus}: {len(corpus)} documents, {corpus['year'].min()}-{corpus['year'].max()}")
    print(f"codebook {args.codebook}: {len(codebook.themes)} themes "
          f"({len(codebook.focus)} focus: {', '.join(codebook.focus) or 'none'})")
    print("valid")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            _validate(args)
            return 0
        from .runner import notebooks_in, run_notebooks

        if args.command == "report":
            notebooks, report_all = notebooks_in(args.notebooks), True
        else:
            notebook = Path(args.notebook)
            if not notebook.is_file():
                raise AnalysisError(f"{notebook}: no such notebook")
            notebooks, report_all = [notebook], False
        runs = run_notebooks(notebooks, _overrides(args), report_all=report_all)
        print(f"{len(runs)} notebook(s) executed in {sum(r.seconds for r in runs):.1f} s")
        return 0
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
