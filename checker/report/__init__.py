"""Report: the complaints performance reports (Code 8.1 and 9.5-9.7) from the same derived register.

In: the `Assessment` with its derived frame, and the Ombudsman activity and learning inputs. Out: the report's
figures, a document model, charts, and the document as Markdown, HTML or Word.
"""
