"""A PDF is laid out and written with Python's garbage collector held off, and only then.

``render_pdf`` holds it off (``gc_paused``): WeasyPrint's tree of boxes stays alive until the
file is written, and the collector went through it again and again for nothing.
"""

import gc
import threading

import pytest

from relationships.block import Block
from relationships.pdf import render as pdf_render
from relationships.pdf.render import PdfOptions, gc_paused, render_pdf
from tests.factories import make_canvas, make_relationship, make_segment


@pytest.fixture(autouse=True)
def _collector_on():
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.django_db
def test_render_pdf_lays_out_and_writes_without_the_collector_and_lets_it_run_again(monkeypatch):
    canvas = make_canvas()
    make_relationship(make_segment(canvas))
    seen = []
    lay_out = pdf_render.lay_out

    def watched(html):
        seen.append(gc.isenabled())
        return lay_out(html)

    monkeypatch.setattr(pdf_render, "lay_out", watched)
    pdf = render_pdf(Block.load(canvas.pk), PdfOptions(layout="report"))
    assert pdf.startswith(b"%PDF")
    assert seen == [False, False]  # the pitch page, then the report
    assert gc.isenabled()


@pytest.mark.django_db
def test_a_render_that_fails_lets_the_collector_run_again(monkeypatch):
    canvas = make_canvas()

    def broken(html):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(pdf_render, "lay_out", broken)
    with pytest.raises(RuntimeError):
        render_pdf(Block.load(canvas.pk), PdfOptions())
    assert gc.isenabled()


def test_two_renders_at_once_the_last_to_end_lets_the_collector_run_again():
    first_in, second_done = threading.Event(), threading.Event()
    states = {}

    def first():
        with gc_paused():
            first_in.set()
            second_done.wait(5)
            states["first, after the second ended"] = gc.isenabled()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with gc_paused():
        states["second"] = gc.isenabled()
    states["between"] = gc.isenabled()
    second_done.set()
    thread.join(5)
    assert states == {"second": False, "between": False, "first, after the second ended": False}
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
