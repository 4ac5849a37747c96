"""Draw the PDF's type icons: each ``static/icons/<type>.svg`` as ``static/icons/pdf/<type>.png``.

The PDF draws an SVG again at each of its uses (some 0.5 ms each, 140 in a large report with its
pitch page) but writes a PNG into the file once and points at it; at SIZE pixels a square the
icons are drawn at 18 pt at most, some 500 dots per inch. Run again after changing an icon:
``.venv/bin/python scripts/pdf_icons.py`` (Chromium, through Playwright).
"""

from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

SIZE = 128  # pixels a side
ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"


def main() -> None:
    (ICONS / "pdf").mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": SIZE, "height": SIZE})
        for svg in sorted(ICONS.glob("*.svg")):
            source = "data:image/svg+xml," + quote(svg.read_text())
            page.set_content(
                f'<body style="margin:0"><img src="{source}" width="{SIZE}" height="{SIZE}"'
                ' style="display:block"></body>'
            )
            page.screenshot(path=ICONS / "pdf" / f"{svg.stem}.png", omit_background=True)
            print(f"{svg.name} -> pdf/{svg.stem}.png")
        browser.close()


if __name__ == "__main__":
    main()
