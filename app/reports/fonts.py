"""The fonts of printed documents (``resources/fonts``, SIL Open Font License), drawn
from shaped glyphs.

reportlab draws text by character, one glyph per character. Arabic needs more: a
letter takes another glyph at the start, middle or end of a word, some letter pairs
become one ligature glyph, and marks sit on their letter. Text is therefore shaped
with HarfBuzz (``app.reports.shaping``) and each resulting glyph is drawn through a
code of its own, whose entry in the PDF's ToUnicode map is the text the glyph stands
for. Copying or extracting text from the document then gives the letters that were
written, not presentation forms or private codes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uharfbuzz
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

FONTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
PRIVATE_USE = range(0xE000, 0xF900)
"""Codes given to glyphs that have no character of their own in the font's cmap."""


class ShapingFont(TTFont):
    """A TrueType font whose glyphs are addressed by HarfBuzz glyph id."""

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(name, str(path), shapable=False)  # shaping happens before drawing
        data = path.read_bytes()
        self.hb_font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(data)))
        self.units_per_em: int = self.hb_font.face.upem
        self._codes: dict[tuple[int, str], str] = {}
        self._texts: dict[int, str] = {}
        self._next_code = PRIVATE_USE.start
        self._lock = threading.Lock()

    def has_char(self, char: str) -> bool:
        return ord(char) in self.face.charToGlyph

    def code_for(self, glyph: int, text: str) -> str:
        """The character that draws ``glyph``, extracted from the PDF as ``text``."""
        if len(text) == 1 and self.face.charToGlyph.get(ord(text)) == glyph:
            return text
        key = (glyph, text)
        with self._lock:
            code = self._codes.get(key)
            if code is None:
                code = self._codes[key] = chr(self._allocate(glyph, text))
        return code

    def width_of(self, code: str) -> float:
        """Advance of the glyph drawn by ``code``, in thousandths of the font size."""
        return float(self.face.charWidths.get(ord(code), self.face.defaultWidth))

    def _allocate(self, glyph: int, text: str) -> int:
        face = self.face
        code = self._next_code
        while code in face.charToGlyph:
            code += 1
        if code not in PRIVATE_USE:
            raise RuntimeError("no private code left for another glyph")
        self._next_code = code + 1
        face.charToGlyph[code] = glyph
        face.charWidths[code] = face._pdfScale(face.hmetrics[glyph][0])
        self._texts[code] = text
        return code

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - reportlab's name
        """reportlab's subsets, with a ToUnicode map that knows the shaped glyphs' text."""
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)
        for number, subset in enumerate(subsets):
            parts = (SUBSETN(number), b"+", self.face.name, self.face.subfontNameX)
            base_name = b"".join(parts).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base_name)
            if stream is not None:
                stream.content = _to_unicode_cmap(base_name, subset, self._texts)


def _to_unicode_cmap(font_name: str, subset: list[int], texts: dict[int, str]) -> str:
    """A ToUnicode CMap (PDF 1.7, 9.10.3): subset code -> the UTF-16 text it stands for."""
    entries = []
    for index, code in enumerate(subset):
        text = texts.get(code, chr(code))
        entries.append(f"<{index:02X}> <{text.encode('utf-16-be').hex().upper()}>")
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({font_name})",
            f"/Ordering ({font_name})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{font_name} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(entries)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


@dataclass(frozen=True)
class FontSet:
    """The four faces of a document: Latin and Arabic, regular and bold."""

    latin: ShapingFont
    latin_bold: ShapingFont
    arabic: ShapingFont
    arabic_bold: ShapingFont

    def face(self, arabic: bool, bold: bool) -> ShapingFont:
        if arabic:
            return self.arabic_bold if bold else self.arabic
        return self.latin_bold if bold else self.latin


_FILES = {
    "latin": "NotoSans-Regular.ttf",
    "latin_bold": "NotoSans-Bold.ttf",
    "arabic": "NotoNaskhArabic-Regular.ttf",
    "arabic_bold": "NotoNaskhArabic-Bold.ttf",
}
_fonts: FontSet | None = None
_fonts_lock = threading.Lock()


def document_fonts() -> FontSet:
    """The fonts, loaded and registered with reportlab once per process."""
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            faces = {}
            for role, file_name in _FILES.items():
                font = ShapingFont(f"Passerelle-{Path(file_name).stem}", FONTS_DIR / file_name)
                pdfmetrics.registerFont(font)
                faces[role] = font
            _fonts = FontSet(**faces)
        return _fonts
