"""Command line: ``python -m analysis report|run|validate|add|codebook``."""

from __future__ import annotations

import argparse
import sys
import warnings
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

    add = commands.add_parser("add", help="add a PDF, Word (.docx), HTML or text document to a corpus folder")
    add.add_argument("file", help="the document to add (.pdf, .docx, .html/.htm or .txt)")
    add.add_argument("--corpus", default=DEFAULT_CORPUS, help="corpus folder (default: data)")
    add.add_argument("--doc-id", required=True, help="new document id (letters, digits, '_', '-', '.')")
    add.add_argument("--year", required=True, help="year of the document")
    for field in ("date", "body", "meeting", "title", "doc-type"):
        add.add_argument(f"--{field}", help=f"metadata column '{field.replace('-', '_')}'")

    codebook = commands.add_parser("codebook", help="validate a codebook against human coding")
    steps = codebook.add_subparsers(dest="step", required=True)
    sample = steps.add_parser("sample", help="write a coding sheet: a stratified sample of matched passages "
                                             "and of near misses, with empty columns for a coder")
    sample.add_argument("--corpus", default=DEFAULT_CORPUS, help="corpus folder or table (default: data)")
    sample.add_argument("--codebook", default=DEFAULT_CODEBOOK, help="codebook (default: data/themes.yml)")
    sample.add_argument("--text-column", default="text", help="text column of a table corpus (default: text)")
    sample.add_argument("--themes", nargs="+", help="themes to sample (default: the focus themes)")
    sample.add_argument("--n", type=int, default=50, help="matched passages per theme (default: 50)")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    sample.add_argument("--n-near-miss", type=int, help="near-miss passages per theme (default: --n)")
    sample.add_argument("--common-share", type=float, default=0.02,
                        help="near-miss stems found in more than this share of paragraphs are left out (default: 0.02)")
    sample.add_argument("--out", required=True, help="coding sheet to write (.csv); an .html copy is written beside it")
    score = steps.add_parser("score", help="precision and recall per theme from a coded sheet")
    score.add_argument("sheet", help="the coded sheet (.csv)")
    score.add_argument("--corpus", default=DEFAULT_CORPUS, help="corpus folder or table (default: data)")
    score.add_argument("--codebook", default=DEFAULT_CODEBOOK, help="codebook (default: data/themes.yml)")
    score.add_argument("--text-column", default="text", help="text column of a table corpus (default: text)")
    score.add_argument("--out", help="write the scores to this .csv as well")
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


def _add(args) -> None:
    from ..io.add import add_document

    metadata = {name: getattr(args, name) for name in ("date", "body", "meeting", "title", "doc_type")}
    print(add_document(args.file, args.corpus, doc_id=args.doc_id, year=args.year, **metadata))


def _codebook(args) -> None:
    from .codebook_sheet import sample_sheet, score_sheet

    if args.step == "sample":
        print(sample_sheet(args.corpus, args.codebook, out=args.out, themes=args.themes, n=args.n, seed=args.seed,
                           text_column=args.text_column, n_near_miss=args.n_near_miss,
                           common_share=args.common_share))
    else:
        print(score_sheet(args.sheet, args.corpus, args.codebook, out=args.out, text_column=args.text_column))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings (overlapping themes, ...) as one line each, without the source line."""
    print(f"warning: {message}", file=sys.stderr if file is None else file)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    warnings.showwarning = _show_warning
    try:
        if args.command in ("validate", "add", "codebook"):
            {"validate": _validate, "add": _add, "codebook": _codebook}[args.command](args)
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
    except OSError as error:  # a file or folder that cannot be read or written; the message names it
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
