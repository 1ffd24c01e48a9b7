"""The downloadable notebooks read like their pages (issue: plain Jupyter
for Colab and Binder): no MyST left once nbconvert renders them, every
chapter has one, every cell an id, no build-machine path in them."""
import json

import nbformat
from plain_notebook import check

from conftest import chapters
from toc import HTML, ROOT


def test_every_chapter_has_a_plain_notebook(pages):
    folder = HTML / "_notebooks"
    missing = [page for page in chapters(pages)
               if not (folder / f"{page}.ipynb").exists()]
    assert not missing, f"chapters without a notebook: {missing}"
    assert check(folder) == {}, "MyST left in the downloadable notebooks"


def test_notebooks_are_valid_with_ids_and_no_build_paths(pages):
    for page in chapters(pages):
        path = HTML / "_notebooks" / f"{page}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        ids = [cell.get("id") for cell in notebook.cells]
        assert all(ids) and len(set(ids)) == len(ids), page
        assert str(ROOT) not in json.dumps(notebook), \
            f"{page}: the build machine's path is in the notebook"
