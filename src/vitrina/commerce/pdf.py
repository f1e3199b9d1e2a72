"""Server-side PDFs of quotes and financing offers (fpdf2, core fonts only).

The output is deterministic for the same content: the creation date is the document's
own date, so the brand's signature covers exactly what the customer downloads.
"""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

_LABELS = {
    "en": {
        "quote": "Quote",
        "financing": "Financing offer",
        "for": "Prepared for",
        "version": "Version",
        "date": "Date",
        "ref": "Reference",
        "signed": "Signed by {brand} (Ed25519). Verify at {url}",
    },
    "fr": {
        "quote": "Devis",
        "financing": "Offre de financement",
        "for": "Préparé pour",
        "version": "Version",
        "date": "Date",
        "ref": "Référence",
        "signed": "Signé par {brand} (Ed25519). Vérifiez sur {url}",
    },
    "it": {
        "quote": "Preventivo",
        "financing": "Offerta di finanziamento",
        "for": "Preparato per",
        "version": "Versione",
        "date": "Data",
        "ref": "Riferimento",
        "signed": "Firmato da {brand} (Ed25519). Verifica su {url}",
    },
}


def _latin1(text: str) -> str:
    # The PDF core fonts cover Latin-1; anything else is replaced rather than refused.
    return text.encode("latin-1", "replace").decode("latin-1")


def render(
    *,
    brand_name: str,
    kind: str,
    title: str,
    document_id: str,
    version: int,
    customer_name: str,
    rows: list[tuple[str, str]],
    notes: str,
    locale: str,
    created_at: datetime,
    verify_url: str,
) -> bytes:
    labels = _LABELS.get(locale, _LABELS["en"])
    pdf = FPDF(format="A4")
    pdf.set_creation_date(created_at)
    pdf.set_title(_latin1(title))
    pdf.set_author(_latin1(brand_name))
    pdf.set_producer("Vitrina")
    pdf.set_creator("Vitrina")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _latin1(brand_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(0, 8, _latin1(f"{labels.get(kind, kind)}: {title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    for label, value in (
        (labels["for"], customer_name),
        (labels["ref"], document_id),
        (labels["version"], str(version)),
        (labels["date"], created_at.strftime("%Y-%m-%d")),
    ):
        pdf.cell(45, 6, _latin1(label))
        pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    for label, value in rows:
        pdf.cell(95, 7, _latin1(label), border="B")
        pdf.cell(0, 7, _latin1(value), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    if notes:
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 5, _latin1(notes))
    pdf.ln(8)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _latin1(labels["signed"].format(brand=brand_name, url=verify_url)))
    return bytes(pdf.output())
