"""Spreadsheet downloads for people (not SDMX): the Excel media type, known without importing
XlsxWriter, and (in `xlsx`) the workbook writer."""

from __future__ import annotations

#: Office Open XML workbooks (.xlsx).
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
