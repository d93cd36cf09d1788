"""Sphinx configuration of the static site (``make html``; driven by ``tools/build_site.py``).

The builder stages one edition's executed notebooks in a temporary folder and runs Sphinx + MyST-NB on
it with this configuration.  What it sets, and why:

- MyST-NB reads the notebooks' stored outputs and never runs a kernel (``nb_execution_mode = "off"``);
- only ``.ipynb`` files are pages (``*.md`` excluded), so the MyST/Jupytext text sources that sit
  beside or apart from the notebooks are never read as a second copy of a lesson;
- heading anchors are written the way JupyterLab writes them (``## Exercises`` → ``#Exercises``), so
  a link ``02_edge_detection.ipynb#Exercises`` written in a notebook works on the site too;
- formulas become MathML (rendered by the browser, no MathJax, no script), see ``site_ext``;
- a theme with no JavaScript at all (``theme/conv_lessons``), no search page, no source copies.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

project = "conv-lessons"  # replaced by the edition's title (cl_site["title"]) in site_ext
extensions = ["myst_nb", "site_ext"]

exclude_patterns = ["**.md", "**/.ipynb_checkpoints", "_build"]
nb_execution_mode = "off"
nb_merge_streams = True
# Never choose a script, a live widget or an SVG (which can carry script) when a notebook output has
# them; the builder has already replaced widgets by a note and dropped script and SVG alternatives.
nb_mime_priority_overrides = [
    ("html", "application/javascript", None),
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("html", "application/vnd.jupyter.widget-state+json", None),
    ("html", "image/svg+xml", None),
]
nb_ipywidgets_js = {}  # no require.js / widget manager from a CDN

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True  # `$$…$$` inside a paragraph is display math, as in JupyterLab
myst_heading_anchors = 6
myst_heading_slug_func = "site_ext.jupyterlab_heading_id"
myst_url_schemes = ["http", "https", "mailto"]
suppress_warnings = ["myst.header"]  # lessons start with a navigation line, then the "# title"

html_theme = "conv_lessons"
html_theme_path = [str(HERE / "theme")]
html_math_renderer = "mathml"
html_use_index = False
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_show_copyright = False
html_permalinks = True
html_permalinks_icon = "#"
html_last_updated_fmt = None
