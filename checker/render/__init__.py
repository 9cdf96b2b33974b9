"""Render: the assessment written out, as Appendix 1 (Markdown, HTML, Word, Excel) and CI formats (JSON, CSV, JUnit, SARIF).

In: one `Assessment`, never the input files. Out: text or bytes per format, and the files written all or none.
"""
