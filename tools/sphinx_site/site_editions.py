"""The editions of the static site: one entry per language, each built from its own folder of notebooks.

``tools/build_site.py`` builds every edition listed in :data:`EDITIONS` into its own folder of the
site (the first at the site's root) and links each page to its twin in every other edition: the page
with the same path (``02_edge_detection``), else the page of the same lesson number in the same folder
(``zh/02_边缘检测``), else that edition's index.  The Chinese edition (issue 12) is one entry here, with
its texts; nothing else in the builder changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edition:
    """One language of the site.

    ``source``: folder of executed notebooks, relative to the repository (only the lessons that
    :func:`conv_lessons.lessons.lesson_files` finds there are pages: ``index.ipynb``, ``NN_*.ipynb``,
    ``solutions/*.ipynb``).  ``prefix``: folder of the site the edition is written to (``""``: the
    site's root).  ``language``: Sphinx's language code (theme words, ``<html lang>``).  ``label``: the
    edition's name in its own language, shown on the link to it from the other editions.
    """

    language: str
    label: str
    source: str
    prefix: str
    title: str
    #: Titles of the generated index pages of sub-folders (a page links ``solutions/``: it lands here).
    folder_titles: dict[str, str] = field(default_factory=dict)
    #: The note that replaces an explorer's output (ipywidgets need a running kernel).  HTML; it goes
    #: through the same sanitiser as every notebook output.
    explorer_note: str = ""
    #: Appended to the note, pointing to the nearest static figure of the lesson ({href}: its anchor).
    figure_above: str = ""
    figure_below: str = ""
    #: Words of the page frame: contents, previous, next, editions ("This page in"), figure (an image's
    #: alternative text) and colon (": " in English, "：" in Chinese).
    words: dict[str, str] = field(default_factory=dict)


ENGLISH = Edition(
    language="en",
    label="English",
    source="notebooks",
    prefix="",
    title="Convolutions for images",
    folder_titles={"solutions": "Solutions"},
    explorer_note=(
        "<strong>Interactive explorer.</strong> Its sliders and menus need a running Python kernel: open "
        "this lesson in JupyterLab (<code>pip install conv-lessons</code>, then <code>conv-lessons lab</code>) "
        "or on Binder to use it."
    ),
    figure_above='The <a href="{href}">static figure above</a> shows the same picture.',
    figure_below='The <a href="{href}">static figure below</a> shows the same picture.',
    words={"contents": "Lessons", "previous": "Previous", "next": "Next", "editions": "This page in",
           "figure": "Figure", "colon": ": "},
)

CHINESE = Edition(
    language="zh_CN",
    label="中文",
    source="notebooks/zh",
    prefix="zh",
    title="图像卷积",
    folder_titles={"solutions": "答案"},
    explorer_note=(
        "<strong>交互式探索器。</strong>它的滑块和菜单需要运行中的 Python 内核：在 JupyterLab 中打开这一课"
        "（<code>pip install conv-lessons</code>，然后运行 <code>conv-lessons lab --lang zh</code>），"
        "或在 Binder 上打开，就能使用它。"
    ),
    figure_above='<a href="{href}">上面的静态图</a>展示的是同样的画面。',
    figure_below='<a href="{href}">下面的静态图</a>展示的是同样的画面。',
    words={"contents": "课程", "previous": "上一页", "next": "下一页", "editions": "本页的其他语言版本",
           "figure": "图", "colon": "："},
)

#: Every edition of the site, the first at its root: English, and the Chinese edition (issue 12) in zh/.
EDITIONS: list[Edition] = [ENGLISH, CHINESE]
