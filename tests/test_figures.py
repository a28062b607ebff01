import pytest

from analysis.errors import ParameterError
from analysis.plots.style import OKABE_ITO, new_figure, save_figure


def draw(width):
    fig, ax = new_figure(width)
    for i, colour in enumerate(OKABE_ITO):
        ax.plot([0, 1, 2], [i, i + 1, i * 2], label=f"series {i}")
    ax.set_title("Agenda emergence")
    ax.legend()
    return fig


def test_regenerated_figures_are_byte_identical(tmp_path):
    first = save_figure(draw("single"), "f", tmp_path / "a")
    second = save_figure(draw("single"), "f", tmp_path / "b")
    assert [p.suffix for p in first] == [".pdf", ".svg", ".png"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_pdf_embeds_truetype_fonts_and_no_dates(tmp_path):
    pdf = save_figure(draw("double"), "f", tmp_path)[0].read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf
    assert b"CreationDate" not in pdf


def test_journal_widths(tmp_path):
    assert new_figure("single")[0].get_size_inches()[0] == pytest.approx(3.5)
    assert new_figure("double", height=2)[0].get_size_inches().tolist() == pytest.approx([7.0, 2.0])
    with pytest.raises(ParameterError, match="width='wide'"):
        new_figure("wide")


def test_no_partial_files_left(tmp_path):
    calls = []
    paths = save_figure(draw("single"), "f", tmp_path, on_save=lambda *args: calls.append(args))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png", "f.svg"]
    # provenance is recorded by the caller (the notebook session), once the three files exist
    assert calls == [("f", paths, tmp_path)]
