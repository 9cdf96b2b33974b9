"""Report: the complaints performance reports (Code 8.1 and 9.5-9.7) from the same derived register, and Appendix 1.

In: the `Assessment` with its derived frame, and the Ombudsman activity and learning inputs. Out: the report's
figures, a document model, charts, and any document (Appendix 1 and the reports) as Markdown, HTML, Word or PDF.
"""
