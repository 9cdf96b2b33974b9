"""Render: the assessment written out, as Appendix 1's data (drawn as a Document by checker.report in Markdown, HTML,
Word and PDF), as an Excel workbook, and in CI formats (JSON, CSV, JUnit, SARIF).

In: one `Assessment`, never the input files. Out: text or bytes per format, and the files written all or none.
"""
