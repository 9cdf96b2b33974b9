"""Derive: per-case facts computed in bulk, once, from the loaded register.

In: the `Register` frame, a `Period` and the as-of date. Out: the same frame narrowed to the rows any rule or figure
reads, with working-day durations, months since the issue and the other derived columns, and the register's
aggregate figures. UK working days (England and Wales bank holidays) live here.
"""
