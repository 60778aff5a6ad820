"""Spreadsheets and print: imports, exports, printed rosters and posters (behind web/transfer)."""
